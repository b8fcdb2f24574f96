"""Shared helpers for the MCP tests: where the npm servers are, free ports, a started-server fixture helper."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
EVERYTHING_JS = NODE_MODULES / "@modelcontextprotocol/server-everything/dist/index.js"
FILESYSTEM_JS = NODE_MODULES / "@modelcontextprotocol/server-filesystem/dist/index.js"
PLAYWRIGHT_JS = NODE_MODULES / "@playwright/mcp/cli.js"
HTTP_SERVER_PY = Path(__file__).with_name("tools_mcp_http_server.py")
SETUP_HINT = "run .ci/setup.d/tools.sh (npm install of the MCP servers into node_modules/)"


def require_file(path: Path) -> None:
    if not path.exists():
        pytest.fail(f"{path} is missing: {SETUP_HINT}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], *, limit_s: float = 30.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on port {port} within {limit_s}s")


@contextlib.contextmanager
def python_http_server(
    port: int | None = None, *, transport: str = "streamable-http"
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start tools_mcp_http_server.py on 127.0.0.1 (streamable HTTP or SSE); yields (url, process)."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, str(HTTP_SERVER_PY), str(port), transport],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/{'sse' if transport == 'sse' else 'mcp'}", process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr is not None:
            process.stderr.close()
