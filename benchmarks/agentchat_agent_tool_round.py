"""AssistantAgent: cost of one tool-call round vs a plain reply, accord vs AutoGen 0.7.5, in one run.

Workload (same code for both): an AssistantAgent on a replay model. "plain": the model answers text. "tool": the model
asks for one tool call (a trivial function), the agent runs it and answers with a ToolCallSummaryMessage. The
model context is cleared between runs so every run does the same work. The tool-round overhead is
(tool run time - plain run time). Both an async tool and a sync tool (which AutoGen and accord run in a worker
thread) are measured.
Usage: python benchmarks/agentchat_agent_tool_round.py [--runs N] [--rounds R] [--tool async|sync|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from typing import Any

AUTOGEN_PY = os.path.join(os.path.dirname(__file__), "..", ".bench", "autogen-venv", "bin", "python")


def _imports(impl: str) -> dict[str, Any]:
    if impl == "accord":
        from accord.agents import AssistantAgent
        from accord.core import CancellationToken, FunctionCall
        from accord.models import CreateResult, RequestUsage
        from accord.models.replay import ReplayChatCompletionClient
    else:
        from autogen_agentchat.agents import AssistantAgent  # type: ignore[no-redef]
        from autogen_core import CancellationToken, FunctionCall  # type: ignore[no-redef]
        from autogen_core.models import CreateResult, RequestUsage  # type: ignore[no-redef]
        from autogen_ext.models.replay import ReplayChatCompletionClient  # type: ignore[no-redef]
    return {
        "AssistantAgent": AssistantAgent,
        "CancellationToken": CancellationToken,
        "FunctionCall": FunctionCall,
        "CreateResult": CreateResult,
        "RequestUsage": RequestUsage,
        "Replay": ReplayChatCompletionClient,
    }


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


async def add_async(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


add_async.__name__ = "add"  # the tool the model calls is "add" in both variants


async def _measure(impl: str, runs: int, rounds: int, tool_kind: str) -> dict[str, float]:
    import logging

    logging.disable(logging.CRITICAL)
    m = _imports(impl)
    info = {
        "vision": False,
        "function_calling": True,
        "json_output": False,
        "family": "unknown",
        "structured_output": False,
    }
    token = m["CancellationToken"]()
    tool_fn = add if tool_kind == "sync" else add_async

    def tool_answer() -> Any:
        return m["CreateResult"](
            finish_reason="function_calls",
            content=[m["FunctionCall"](id="call_1", name="add", arguments='{"a": 1, "b": 2}')],
            usage=m["RequestUsage"](prompt_tokens=10, completion_tokens=5),
            cached=False,
        )

    async def timed(kind: str) -> float:
        answers = [tool_answer() for _ in range(runs)] if kind == "tool" else ["The answer is 3."] * runs
        client = m["Replay"](answers, model_info=info)
        agent = m["AssistantAgent"]("assistant", client, tools=[tool_fn])
        # warm up caches and lazy imports on a separate agent
        warm = m["AssistantAgent"]("warm", m["Replay"]([tool_answer(), "ok"], model_info=info), tools=[tool_fn])
        warm_result = await warm.run(task="1+2?")
        assert warm_result.messages[-1].content == "3", warm_result  # the tool really ran
        await warm.run(task="1+2?")
        start = time.perf_counter()
        for _ in range(runs):
            await agent.run(task="What is 1+2?", cancellation_token=token)
            await agent.on_reset(token)
        return (time.perf_counter() - start) / runs

    plain: list[float] = []
    tool: list[float] = []
    for _ in range(rounds):
        plain.append(await timed("plain"))
        tool.append(await timed("tool"))
    p, t = min(plain), min(tool)  # least disturbed round: the machine is shared
    return {"plain_us": p * 1e6, "tool_us": t * 1e6, "tool_round_us": (t - p) * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=["accord", "autogen", "both"], default="both")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tool", choices=["sync", "async", "both"], default="both")
    args = parser.parse_args()
    if args.impl != "both":
        print(json.dumps(asyncio.run(_measure(args.impl, args.runs, args.rounds, args.tool))))
        return
    for kind in ("async", "sync") if args.tool == "both" else (args.tool,):
        out = subprocess.run(
            [
                AUTOGEN_PY,
                __file__,
                "--impl",
                "autogen",
                "--runs",
                str(args.runs),
                "--rounds",
                str(args.rounds),
                "--tool",
                kind,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        autogen = json.loads(out.stdout.strip().splitlines()[-1])
        accord = asyncio.run(_measure("accord", args.runs, args.rounds, kind))
        print(f"tool: {kind} function; {args.runs} runs x {args.rounds} rounds (best round)")
        print(f"{'':30}{'accord':>10}{'autogen 0.7.5':>16}{'ratio':>9}")
        for key, label in (
            ("plain_us", "plain reply run (us)"),
            ("tool_us", "run with one tool round (us)"),
            ("tool_round_us", "tool round overhead (us)"),
        ):
            a, g = accord[key], autogen[key]
            print(f"{label:30}{a:10.1f}{g:16.1f}{g / a if a else float('inf'):8.1f}x")
        print(f"target: tool round overhead <= {autogen['tool_round_us'] / 8:.1f} us (an eighth of AutoGen's)\n")


if __name__ == "__main__":
    main()
