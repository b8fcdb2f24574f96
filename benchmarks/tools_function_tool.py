"""FunctionTool per-call cost, accord vs AutoGen 0.7.5, in one run.

Workload (what an agent does per model call and tool call): read the tool's JSON schema (sent to the model
on every model call), then run the tool through a StaticWorkbench with JSON arguments.

Usage: python benchmarks/tools_function_tool.py   (runs accord here and AutoGen in .bench/autogen-venv)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

AUTOGEN_PYTHON = Path(__file__).resolve().parents[1] / ".bench/autogen-venv/bin/python"
N = 5000
ROUNDS = 7


async def get_weather(city: Annotated[str, "The city"], unit: Annotated[str, "C or F"] = "C", days: int = 1) -> str:
    return f"{city}: 21{unit} for {days} day(s)"


def measure(impl: str) -> dict[str, float]:
    if impl == "autogen":
        from autogen_core import CancellationToken
        from autogen_core.tools import FunctionTool, StaticWorkbench
    else:
        from accord.core import CancellationToken
        from accord.tools import FunctionTool, StaticWorkbench

    tool: Any = FunctionTool(get_weather, description="Weather lookup")
    workbench: Any = StaticWorkbench([tool])
    token = CancellationToken()
    args = {"city": "Oslo", "unit": "C", "days": 3}

    def schema_us() -> float:
        start = time.perf_counter()
        for _ in range(N):
            _ = tool.schema
        return (time.perf_counter() - start) / N * 1e6

    async def run_json_us() -> float:
        start = time.perf_counter()
        for _ in range(N):
            await tool.run_json(args, token)
        return (time.perf_counter() - start) / N * 1e6

    async def agent_round_us() -> float:
        start = time.perf_counter()
        for _ in range(N):
            _ = [tool.schema]  # sent to the model
            await workbench.call_tool("get_weather", args, token)
        return (time.perf_counter() - start) / N * 1e6

    async def main() -> dict[str, float]:
        results: dict[str, list[float]] = {"schema": [], "run_json": [], "schema+call_tool": []}
        for _ in range(ROUNDS):
            results["schema"].append(schema_us())
            results["run_json"].append(await run_json_us())
            results["schema+call_tool"].append(await agent_round_us())
        return {k: statistics.median(v) for k, v in results.items()}

    return asyncio.run(main())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("accord", "autogen"):
        print(json.dumps(measure(sys.argv[1])))
        return
    accord = measure("accord")
    if not AUTOGEN_PYTHON.exists():
        raise SystemExit(f"AutoGen venv missing at {AUTOGEN_PYTHON}")
    out = subprocess.run([str(AUTOGEN_PYTHON), __file__, "autogen"], check=True, capture_output=True, text=True).stdout
    autogen = json.loads(out.strip().splitlines()[-1])
    print(f"FunctionTool per call (median of {ROUNDS} rounds x {N} calls, microseconds)")
    print(f"{'operation':<20}{'accord':>10}{'autogen':>10}{'autogen/accord':>16}")
    for key in accord:
        print(f"{key:<20}{accord[key]:>10.2f}{autogen[key]:>10.2f}{autogen[key] / accord[key]:>15.1f}x")


if __name__ == "__main__":
    main()
