"""Overhead of running a trivial Python block: accord vs AutoGen 0.7.5, in one run.

Workload (same for both): ``print(1)`` as one python CodeBlock.
* local: LocalCommandLineCodeExecutor (accord: sandboxed by default; AutoGen: unsandboxed, as it ships).
* jupyter: JupyterCodeExecutor with a warm kernel (started once, then timed per block).
The AutoGen half runs this same script with AutoGen's interpreter (``--impl autogen``) as a subprocess.
Usage: python benchmarks/code_exec_overhead.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from typing import Any

AUTOGEN_PY = os.environ.get(
    "AUTOGEN_PYTHON", os.path.join(os.path.dirname(__file__), "..", ".bench", "autogen-venv", "bin", "python")
)


async def _time_blocks(executor: Any, block: Any, token_cls: Any, runs: int) -> float:
    await executor.execute_code_blocks([block], token_cls())  # warm-up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = await executor.execute_code_blocks([block], token_cls())
        samples.append(time.perf_counter() - t0)
        assert result.exit_code == 0 and result.output.strip() == "1", result
    return statistics.median(samples) * 1000


async def measure(impl: str, runs: int) -> dict[str, Any]:
    warnings.simplefilter("ignore")
    if impl == "accord":
        from accord.code_executors import CodeBlock
        from accord.code_executors.jupyter import JupyterCodeExecutor
        from accord.code_executors.local import LocalCommandLineCodeExecutor
        from accord.core import CancellationToken
    else:
        from autogen_core import CancellationToken  # type: ignore[no-redef]
        from autogen_core.code_executor import CodeBlock  # type: ignore[no-redef]
        from autogen_ext.code_executors.jupyter import JupyterCodeExecutor  # type: ignore[no-redef]
        from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor  # type: ignore[no-redef]
    block = CodeBlock(code="print(1)", language="python")
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        local = LocalCommandLineCodeExecutor(work_dir=work)
        out["local_ms"] = await _time_blocks(local, block, CancellationToken, runs)
        if impl == "accord":
            out["protections"] = sorted(local.protections.active)
    with tempfile.TemporaryDirectory() as outdir:
        t0 = time.perf_counter()
        jupyter = JupyterCodeExecutor(output_dir=outdir)
        await jupyter.start()
        out["jupyter_start_ms"] = (time.perf_counter() - t0) * 1000
        try:
            out["jupyter_ms"] = await _time_blocks(jupyter, block, CancellationToken, runs)
        finally:
            await jupyter.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--impl", choices=["accord", "autogen"], default=None)
    args = parser.parse_args()
    if args.impl is not None:
        print(json.dumps(asyncio.run(measure(args.impl, args.runs))))
        return
    accord = asyncio.run(measure("accord", args.runs))
    done = subprocess.run(
        [AUTOGEN_PY, __file__, "--impl", "autogen", "--runs", str(args.runs)], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"AutoGen run failed:\n{done.stderr}")
    autogen = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"trivial python block, median of {args.runs} runs (ms)")
    print(f"{'':28}{'accord':>10}{'AutoGen':>10}{'ratio':>8}")
    for key, label in (
        ("local_ms", "local executor"),
        ("jupyter_ms", "jupyter (warm kernel)"),
        ("jupyter_start_ms", "jupyter kernel start"),
    ):
        print(f"{label:28}{accord[key]:>10.1f}{autogen[key]:>10.1f}{accord[key] / autogen[key]:>8.2f}")
    print("accord local targets: < 150 ms; jupyter warm: < 20 ms")
    print("accord local protections:", ", ".join(accord["protections"]))
    print("(AutoGen's local executor runs unsandboxed; accord's runs sandboxed)")


if __name__ == "__main__":
    main()
