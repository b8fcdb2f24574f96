"""Overhead of accord's McpWorkbench per MCP tool call over the raw SDK session call, in one run.

Both talk to the same kind of server (the npm ``@modelcontextprotocol/server-everything`` over stdio, tool
``echo``), alternating rounds so that machine load hits both alike. Raw: the SDK's ``stdio_client`` +
``ClientSession.call_tool``. accord: ``McpWorkbench.call_tool`` (managed session, argument check against the
input schema, result conversion to ToolResult, truncation guard). AutoGen's McpWorkbench is measured too when
its venv has the ``mcp`` extra installed.

Usage: python benchmarks/tools_mcp_overhead.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVERYTHING_JS = REPO / "node_modules/@modelcontextprotocol/server-everything/dist/index.js"
AUTOGEN_PYTHON = REPO / ".bench/autogen-venv/bin/python"
N = 50
ROUNDS = 60
HTTP_CALLS = 600
HTTP_SERVER_PY = REPO / "tests/tools/tools_mcp_http_server.py"
ARGS = {"message": "benchmark"}


async def workbench_round(workbench: object) -> float:
    start = time.perf_counter()
    for _ in range(N):
        result = await workbench.call_tool("echo", ARGS)  # type: ignore[attr-defined]
    assert not result.is_error
    return (time.perf_counter() - start) / N * 1e6


async def accord_vs_raw() -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, client CPU) microseconds per call; raw and accord calls alternate one by one."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    from accord.tools.mcp import McpWorkbench, StdioServerParams

    raw_params = StdioServerParameters(command="node", args=[str(EVERYTHING_JS), "stdio"])
    samples: dict[str, tuple[list[float], list[float]]] = {"raw": ([], []), "accord": ([], [])}
    wall, cpu = time.perf_counter, time.process_time
    async with (
        stdio_client(raw_params) as (read, write),
        ClientSession(read, write) as session,
        McpWorkbench(StdioServerParams(command="node", args=[str(EVERYTHING_JS), "stdio"])) as workbench,
    ):
        await session.initialize()
        await session.list_tools()
        await workbench.list_tools()
        for i in range(N * ROUNDS + 200):
            w0, c0 = wall(), cpu()
            await session.call_tool("echo", ARGS)
            w1, c1 = wall(), cpu()
            result = await workbench.call_tool("echo", ARGS)
            w2, c2 = wall(), cpu()
            assert not result.is_error
            if i >= 200:  # warm-up
                samples["raw"][0].append(w1 - w0)
                samples["raw"][1].append(c1 - c0)
                samples["accord"][0].append(w2 - w1)
                samples["accord"][1].append(c2 - c1)

    def med(key: str) -> tuple[float, float]:
        return statistics.median(samples[key][0]) * 1e6, statistics.median(samples[key][1]) * 1e6

    return med("raw"), med("accord")


async def http_accord_vs_raw(url: str) -> tuple[float, float]:
    """Same server process for both clients (streamable HTTP): median wall microseconds per call."""
    import httpx
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    from accord.tools.mcp import McpWorkbench, StreamableHttpServerParams

    raw: list[float] = []
    ours: list[float] = []
    async with (
        httpx.AsyncClient() as client,
        streamable_http_client(url, http_client=client) as (read, write, _),
        ClientSession(read, write) as session,
        McpWorkbench(StreamableHttpServerParams(url=url)) as workbench,
    ):
        await session.initialize()
        await workbench.list_tools()
        for i in range(HTTP_CALLS + 50):
            t0 = time.perf_counter()
            await session.call_tool("add", {"a": 1, "b": 2})
            t1 = time.perf_counter()
            await workbench.call_tool("add", {"a": 1, "b": 2})
            t2 = time.perf_counter()
            if i >= 50:
                raw.append(t1 - t0)
                ours.append(t2 - t1)
    return statistics.median(raw) * 1e6, statistics.median(ours) * 1e6


async def autogen_workbench() -> float:
    from autogen_ext.tools.mcp import McpWorkbench, StdioServerParams  # type: ignore[import-not-found]

    times: list[float] = []
    async with McpWorkbench(StdioServerParams(command="node", args=[str(EVERYTHING_JS), "stdio"])) as workbench:
        await workbench.list_tools()
        await workbench_round(workbench)
        for _ in range(ROUNDS):
            times.append(await workbench_round(workbench))
    return statistics.median(times)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "autogen":
        print(asyncio.run(autogen_workbench()))
        return
    if not EVERYTHING_JS.exists():
        raise SystemExit(f"{EVERYTHING_JS} missing: run .ci/setup.d/tools.sh")
    raw, ours = asyncio.run(accord_vs_raw())
    print(f"MCP tool call over stdio, server-everything 'echo' (median of {N * ROUNDS} calls each, alternating)")
    print("                                   wall/call   client CPU/call")
    print(f"raw SDK ClientSession.call_tool : {raw[0]:8.1f} us   {raw[1]:8.1f} us")
    print(f"accord McpWorkbench.call_tool   : {ours[0]:8.1f} us   {ours[1]:8.1f} us")
    print(
        f"accord overhead per call: wall {100 * (ours[0] - raw[0]) / raw[0]:+.1f}%, "
        f"client CPU {100 * (ours[1] - raw[1]) / raw[1]:+.1f}%"
    )
    http = _run_http_comparison()
    if http is not None:
        raw_http, ours_http = http
        print(f"streamable HTTP, Python server 'add' (one server, median of {HTTP_CALLS} calls each, alternating)")
        print(f"raw SDK ClientSession.call_tool : {raw_http:8.1f} us")
        overhead = 100 * (ours_http - raw_http) / raw_http
        print(f"accord McpWorkbench.call_tool   : {ours_http:8.1f} us   overhead {overhead:+.1f}%")
    probe = subprocess.run(
        [str(AUTOGEN_PYTHON), "-c", "import mcp, autogen_ext.tools.mcp"], capture_output=True, text=True
    )
    if probe.returncode == 0:
        out = subprocess.run([str(AUTOGEN_PYTHON), __file__, "autogen"], capture_output=True, text=True, check=True)
        theirs = float(out.stdout.strip().splitlines()[-1])
        print(f"AutoGen McpWorkbench.call_tool  : {theirs:8.1f} us   (wall, median of batches; separate process)")
    else:
        print("AutoGen McpWorkbench: not measured (its venv lacks autogen-ext[mcp])")


def _run_http_comparison() -> tuple[float, float] | None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, str(HTTP_SERVER_PY), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            return None
        return asyncio.run(http_accord_vs_raw(f"http://127.0.0.1:{port}/mcp"))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
