"""One browser test: @playwright/mcp with Debian's Chromium over stdio (navigate, snapshot, click)."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tools_mcp_support import PLAYWRIGHT_JS, require_file

from accord.tools.mcp import McpWorkbench, StdioServerParams

pytestmark = pytest.mark.real_server

PAGE = """<html><body><h1>Hello accord</h1>
<button onclick="document.getElementById('out').textContent='clicked!'">Press me</button>
<p id="out">waiting</p></body></html>"""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page_url(tmp_path: Path) -> Iterator[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_navigate_snapshot_click(page_url: str, tmp_path: Path) -> None:
    require_file(PLAYWRIGHT_JS)
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/setup.d/tools.sh does it)")
    config = tmp_path / "playwright.json"
    launch = {"executablePath": chromium, "headless": True, "chromiumSandbox": False, "args": CHROMIUM_ARGS}
    config.write_text(json.dumps({"browser": {"browserName": "chromium", "isolated": True, "launchOptions": launch}}))
    params = StdioServerParams(
        command="node", args=[str(PLAYWRIGHT_JS), "--config", str(config)], cwd=str(tmp_path), read_timeout_seconds=60
    )
    async with McpWorkbench(params) as wb:
        tools = {t["name"]: t for t in await wb.list_tools()}
        assert {"browser_navigate", "browser_snapshot", "browser_click"} <= set(tools)
        navigated = await wb.call_tool("browser_navigate", {"url": page_url})
        assert not navigated.is_error, navigated.to_text()
        snapshot = (await wb.call_tool("browser_snapshot")).to_text()
        assert "Hello accord" in snapshot
        match = re.search(r'button "Press me" \[ref=(\w+)\]', snapshot)
        assert match, snapshot
        target_field = "target" if "target" in tools["browser_click"]["parameters"]["properties"] else "ref"
        clicked = await wb.call_tool("browser_click", {"element": "Press me button", target_field: match.group(1)})
        assert not clicked.is_error, clicked.to_text()
        after = (await wb.call_tool("browser_snapshot")).to_text()
        assert "clicked!" in after
