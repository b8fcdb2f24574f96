"""Declarative teams: load a team from AutoGen component JSON and run it, accord vs AutoGen 0.7.5, same run.

The team JSON is written once, by AutoGen itself (``dump_component`` of a RoundRobinGroupChat of three
AssistantAgents on ReplayChatCompletionClients, stopped by MaxMessageTermination). Each implementation then, in a
fresh subprocess, loads it with ``load_component`` and runs it to completion, many times; the driver alternates the
two and prints medians and ratios. This is the work ``accord run`` does around the model calls.

    python benchmarks/cli_spec_load_run.py
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCORD_PY = os.environ.get("ACCORD_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
AUTOGEN_PY = os.environ.get("AUTOGEN_PYTHON", str(ROOT / ".bench" / "autogen-venv" / "bin" / "python"))
MESSAGES = 30
REPEATS = 40


def write_team_json(path: Path) -> None:  # run with AutoGen's python
    """Runs under AutoGen: the JSON every measurement loads."""
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination
    from autogen_agentchat.teams import RoundRobinGroupChat
    from autogen_ext.models.replay import ReplayChatCompletionClient

    agents = [
        AssistantAgent(
            f"agent_{i}",
            model_client=ReplayChatCompletionClient([f"answer {i}.{n} " + "words " * 20 for n in range(MESSAGES)]),
            system_message="You are agent number " + str(i),
        )
        for i in range(3)
    ]
    team = RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(MESSAGES + 1))
    path.write_text(team.dump_component().model_dump_json())


def measure(impl: str, path: Path) -> dict[str, float]:
    if impl == "accord":
        import accord.compat.autogen  # noqa: F401
    from autogen_agentchat.teams import RoundRobinGroupChat
    from autogen_core import ComponentModel

    spec = json.loads(path.read_text())

    async def once() -> tuple[float, float, int]:
        t0 = time.perf_counter()
        team = RoundRobinGroupChat.load_component(ComponentModel.model_validate(spec))
        t1 = time.perf_counter()
        result = await team.run(task="start")
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, len(result.messages)

    async def main() -> dict[str, float]:
        loads, runs = [], []
        for _ in range(REPEATS):
            load_s, run_s, n = await once()
            assert n == MESSAGES + 1, n  # the task and the replies, as AutoGen returns them
            loads.append(load_s)
            runs.append(run_s)
        return {"load_ms": statistics.median(loads) * 1e3, "run_ms": statistics.median(runs) * 1e3}

    return asyncio.run(main())


def child(python: str, impl: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [python, __file__, "--impl", impl, "--json", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=["accord", "autogen"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.write:
        write_team_json(args.write)
        return
    if args.impl:
        print(json.dumps(measure(args.impl, args.json)))
        return
    if not Path(AUTOGEN_PY).exists():
        sys.exit(f"AutoGen's virtualenv is missing ({AUTOGEN_PY}): run `make bench-venv`")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "team.json"
        subprocess.run([AUTOGEN_PY, __file__, "--write", str(path)], check=True)
        results: dict[str, list[dict[str, float]]] = {"accord": [], "autogen": []}
        for _ in range(args.rounds):
            results["accord"].append(child(ACCORD_PY, "accord", path))
            results["autogen"].append(child(AUTOGEN_PY, "autogen", path))
    print(
        f"team of 3 AssistantAgents from AutoGen component JSON, {MESSAGES} model replies, median of {REPEATS}x"
        f"{args.rounds} runs"
    )
    for key, label in (("load_ms", "load_component"), ("run_ms", "run to termination")):
        acc = statistics.median(r[key] for r in results["accord"])
        ag = statistics.median(r[key] for r in results["autogen"])
        print(f"  {label:<20} accord {acc:8.2f} ms   autogen {ag:8.2f} ms   autogen/accord {ag / acc:5.2f}x")


if __name__ == "__main__":
    main()
