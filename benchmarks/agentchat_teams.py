"""Team overhead per message: accord vs AutoGen 0.7.5, one workload, both measured in the same run.

Workloads (replay models, so only framework overhead is measured):
- RoundRobinGroupChat of 3 AssistantAgents, 60 agent messages per run (``max_turns=60``), 20 runs.
- SelectorGroupChat of 4 AssistantAgents, a replay selector model, 40 agent messages per run, 20 runs.
- RoundRobinGroupChat of 3 minimal agents (answer a fixed TextMessage, no model), 60 messages: the team machinery
  alone.

Usage: ``python benchmarks/agentchat_teams.py`` (runs accord in this interpreter and AutoGen in
``.bench/autogen-venv``, then prints µs per message and the ratio). ``--impl accord|autogen`` runs one side.
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
RUNS = 20
RR_MESSAGES = 60
SEL_MESSAGES = 40


def _imports(impl: str) -> dict[str, Any]:
    if impl == "accord":
        from accord.agents import AssistantAgent, BaseChatAgent
        from accord.base import Response
        from accord.messages import TextMessage
        from accord.models.replay import ReplayChatCompletionClient
        from accord.teams import RoundRobinGroupChat, SelectorGroupChat
    else:
        from autogen_agentchat.agents import AssistantAgent, BaseChatAgent  # type: ignore[no-redef]
        from autogen_agentchat.base import Response  # type: ignore[no-redef]
        from autogen_agentchat.messages import TextMessage  # type: ignore[no-redef]
        from autogen_agentchat.teams import RoundRobinGroupChat, SelectorGroupChat  # type: ignore[no-redef]
        from autogen_ext.models.replay import ReplayChatCompletionClient  # type: ignore[no-redef]

    class Minimal(BaseChatAgent):  # type: ignore[misc, valid-type]
        @property
        def produced_message_types(self) -> Any:
            return (TextMessage,)

        async def on_messages(self, messages: Any, cancellation_token: Any) -> Any:
            return Response(chat_message=TextMessage(content="ok", source=self.name))

        async def on_reset(self, cancellation_token: Any) -> None:
            return None

    return {
        "AssistantAgent": AssistantAgent,
        "Minimal": Minimal,
        "Replay": ReplayChatCompletionClient,
        "RoundRobin": RoundRobinGroupChat,
        "Selector": SelectorGroupChat,
    }


def _round_robin(ns: dict[str, Any]) -> Any:
    agents = [
        ns["AssistantAgent"](f"agent{i}", model_client=ns["Replay"]([f"reply {i}"] * RR_MESSAGES)) for i in range(3)
    ]
    return ns["RoundRobin"](agents, max_turns=RR_MESSAGES)


def _machinery(ns: dict[str, Any]) -> Any:
    agents = [ns["Minimal"](f"agent{i}", description="Minimal agent.") for i in range(3)]
    return ns["RoundRobin"](agents, max_turns=RR_MESSAGES)


def _selector(ns: dict[str, Any]) -> Any:
    names = [f"agent{i}" for i in range(4)]
    agents = [
        ns["AssistantAgent"](
            n, description=f"Agent number {i}.", model_client=ns["Replay"]([f"reply {i}"] * SEL_MESSAGES)
        )
        for i, n in enumerate(names)
    ]
    picks = [names[(i + 1) % 4] for i in range(SEL_MESSAGES)]
    return ns["Selector"](agents, model_client=ns["Replay"](picks), max_turns=SEL_MESSAGES)


async def _measure(ns: dict[str, Any], build: Any, expected: int) -> list[float]:
    per_message: list[float] = []
    for _ in range(RUNS):
        team = build(ns)
        start = time.perf_counter()
        result = await team.run(task="Start the discussion.")
        elapsed = time.perf_counter() - start
        produced = sum(1 for m in result.messages if m.source != "user")
        assert produced == expected, (produced, expected)
        per_message.append(elapsed / produced * 1e6)
    return per_message


async def _run_side(impl: str) -> dict[str, float]:
    ns = _imports(impl)
    await _measure(ns, _round_robin, RR_MESSAGES)  # warm-up
    rr = await _measure(ns, _round_robin, RR_MESSAGES)
    await _measure(ns, _selector, SEL_MESSAGES)
    sel = await _measure(ns, _selector, SEL_MESSAGES)
    await _measure(ns, _machinery, RR_MESSAGES)
    bare = await _measure(ns, _machinery, RR_MESSAGES)
    return {
        "machinery_us": statistics.median(bare),
        "machinery_min_us": min(bare),
        "round_robin_us": statistics.median(rr),
        "round_robin_min_us": min(rr),
        "selector_us": statistics.median(sel),
        "selector_min_us": min(sel),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=["accord", "autogen", "both"], default="both")
    args = parser.parse_args()
    if args.impl != "both":
        print(json.dumps(asyncio.run(_run_side(args.impl))))
        return
    ours = asyncio.run(_run_side("accord"))
    if not AUTOGEN_PYTHON.exists():
        print(json.dumps({"accord": ours, "autogen": None, "note": f"{AUTOGEN_PYTHON} not found"}))
        return
    out = subprocess.run(
        [str(AUTOGEN_PYTHON), __file__, "--impl", "autogen"], capture_output=True, text=True, check=True
    ).stdout
    theirs = json.loads(out.strip().splitlines()[-1])
    print(f"µs per agent message (median / best of {RUNS} runs; team built per run, model calls replayed)")
    print(f"{'workload':<40}{'accord':>15}{'AutoGen 0.7.5':>18}{'ratio':>15}")
    for key, label in (
        ("round_robin", f"RoundRobin, 3 agents, {RR_MESSAGES} msgs"),
        ("selector", f"Selector, 4 agents, {SEL_MESSAGES} msgs"),
        ("machinery", f"RoundRobin, 3 minimal agents, {RR_MESSAGES}"),
    ):
        med, best = f"{key}_us", f"{key}_min_us"
        a = f"{ours[med]:.1f} / {ours[best]:.1f}"
        g = f"{theirs[med]:.1f} / {theirs[best]:.1f}"
        r = f"{theirs[med] / ours[med]:.1f}x / {theirs[best] / ours[best]:.1f}x"
        print(f"{label:<40}{a:>15}{g:>18}{r:>15}")


if __name__ == "__main__":
    sys.exit(main())
