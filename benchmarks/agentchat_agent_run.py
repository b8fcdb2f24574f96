"""One whole ``agent.run(task=...)`` with a tool round and reflection: CPU per run, accord vs AutoGen 0.7.5.

Workload (the same code for both): a fresh AssistantAgent on a replay model whose first answer calls one async
FunctionTool (``add``) and whose second answer is the reflected text (``reflect_on_tool_use=True``). Each sample is
one ``await agent.run(task=...)`` of a newly built agent and model (built outside the timed region), so the run's
fixed costs (run setup, message construction, context copies, events) are all inside. CPU time of this process
(``time.process_time``) is summed over the runs: the machine is shared, and CPU time is what the framework costs.

Usage: ``python benchmarks/agentchat_agent_run.py [--runs N] [--rounds R]`` runs accord here and AutoGen in
``.bench/autogen-venv`` (``make bench-venv``) in the same invocation and prints the median of the rounds' means.
``--impl accord|autogen`` runs one side and prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AUTOGEN_PYTHON = ROOT / ".bench" / "autogen-venv" / "bin" / "python"


def _imports(impl: str) -> dict[str, Any]:
    if impl == "accord":
        from accord.agents import AssistantAgent
        from accord.core import FunctionCall
        from accord.models import CreateResult, RequestUsage
        from accord.models.replay import ReplayChatCompletionClient
        from accord.tools import FunctionTool
    else:
        from autogen_agentchat.agents import AssistantAgent  # type: ignore[no-redef]
        from autogen_core import FunctionCall  # type: ignore[no-redef]
        from autogen_core.models import CreateResult, RequestUsage  # type: ignore[no-redef]
        from autogen_core.tools import FunctionTool  # type: ignore[no-redef]
        from autogen_ext.models.replay import ReplayChatCompletionClient  # type: ignore[no-redef]
    return {
        "AssistantAgent": AssistantAgent,
        "FunctionCall": FunctionCall,
        "CreateResult": CreateResult,
        "RequestUsage": RequestUsage,
        "Replay": ReplayChatCompletionClient,
        "FunctionTool": FunctionTool,
    }


async def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


INFO = {
    "vision": False,
    "function_calling": True,
    "json_output": False,
    "family": "unknown",
    "structured_output": False,
}


async def _measure(impl: str, runs: int, rounds: int) -> dict[str, Any]:
    import logging

    logging.disable(logging.CRITICAL)
    m = _imports(impl)
    tool = m["FunctionTool"](add, description="Add two numbers.")

    def build() -> Any:
        call = m["CreateResult"](
            finish_reason="function_calls",
            content=[m["FunctionCall"](id="call_1", name="add", arguments='{"a": 1, "b": 2}')],
            usage=m["RequestUsage"](prompt_tokens=10, completion_tokens=5),
            cached=False,
        )
        client = m["Replay"]([call, "1 + 2 = 3."], model_info=INFO)
        return m["AssistantAgent"]("assistant", client, tools=[tool], reflect_on_tool_use=True)

    async def one_round() -> float:
        agents = [build() for _ in range(runs)]
        total = 0.0
        for agent in agents:
            start = time.process_time()
            result = await agent.run(task="What is 1+2?")
            total += time.process_time() - start
            assert result.messages[-1].content == "1 + 2 = 3.", result
        return total / runs

    for _ in range(2):  # warm up lazy imports and caches
        await one_round()
    means = [await one_round() for _ in range(rounds)]
    check = await build().run(task="What is 1+2?")
    kinds = [type(msg).__name__ for msg in check.messages]
    return {"run_us": statistics.median(means) * 1e6, "best_us": min(means) * 1e6, "messages": kinds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=["accord", "autogen", "both"], default="both")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if args.impl != "both":
        print(json.dumps(asyncio.run(_measure(args.impl, args.runs, args.rounds))))
        return
    theirs = None
    if AUTOGEN_PYTHON.exists():
        cmd = [
            str(AUTOGEN_PYTHON),
            __file__,
            "--impl",
            "autogen",
            "--runs",
            str(args.runs),
            "--rounds",
            str(args.rounds),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        theirs = json.loads(out.strip().splitlines()[-1])
    ours = asyncio.run(_measure("accord", args.runs, args.rounds))
    if theirs is None:
        print(json.dumps({"accord": ours, "autogen": None, "note": f"{AUTOGEN_PYTHON} not found"}))
        return
    assert ours["messages"] == theirs["messages"], (ours["messages"], theirs["messages"])
    print(f"one run of a fresh AssistantAgent: tool call + reflection ({' -> '.join(ours['messages'])})")
    print(f"CPU us per run, median (best) of {args.rounds} rounds x {args.runs} runs")
    print(f"{'':12}{'accord':>18}{'AutoGen 0.7.5':>20}{'ratio':>16}")
    a = f"{ours['run_us']:.1f} ({ours['best_us']:.1f})"
    g = f"{theirs['run_us']:.1f} ({theirs['best_us']:.1f})"
    r = f"{theirs['run_us'] / ours['run_us']:.2f}x ({theirs['best_us'] / ours['best_us']:.2f}x)"
    print(f"{'run':12}{a:>18}{g:>20}{r:>16}")
    print(f"target: >= 8x, i.e. accord <= {theirs['run_us'] / 8:.1f} us")


if __name__ == "__main__":
    sys.exit(main())
