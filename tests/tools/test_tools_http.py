"""HttpTool against a real HTTP server on 127.0.0.1 (aiohttp), started by the test.

The server records every request it gets, so each test checks what actually went over the wire: the path the
arguments filled, the query or JSON body, the headers; and that no argument moves the request off the configured
origin.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web

from accord.core import CancellationToken, ComponentModel, load_component
from accord.errors import UsageError
from accord.tools.http import HttpTool

pytestmark = pytest.mark.real_server

SCHEMA = {
    "type": "object",
    "properties": {"user": {"type": "string"}, "q": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["user"],
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        self.requests.append(
            {
                "method": request.method,
                "raw_path": request.raw_path,
                "path": request.path,
                "query": dict(request.query),
                "body": json.loads(body) if body else None,
                "headers": dict(request.headers),
            }
        )
        if request.path.startswith("/redirect"):
            raise web.HTTPFound("http://127.0.0.2:9/stolen")
        return web.json_response({"seen": request.path, "query": dict(request.query)})


@pytest.fixture
async def server() -> AsyncIterator[tuple[int, Recorder]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield port, recorder
    finally:
        await runner.cleanup()


def _tool(port: int, **kwargs: Any) -> HttpTool:
    options: dict[str, Any] = {"name": "lookup", "host": "127.0.0.1", "port": port, "json_schema": SCHEMA}
    options.update(kwargs)
    return HttpTool(**options)


async def test_get_fills_the_path_and_sends_the_rest_as_query(server: tuple[int, Recorder]) -> None:
    port, recorder = server
    tool = _tool(port, path="/users/{user}", method="GET", return_type="json")
    result = await tool.run_json({"user": "ada", "q": "x y", "n": 3}, CancellationToken())
    assert result == {"seen": "/users/ada", "query": {"q": "x y", "n": "3"}}
    assert recorder.requests[0]["method"] == "GET"


async def test_post_sends_a_json_body_and_headers(server: tuple[int, Recorder]) -> None:
    port, recorder = server
    tool = _tool(port, path="/items", headers={"Authorization": "Bearer s3cret", "X-Team": "blue"})
    text = await tool.run_json({"user": "ada", "n": 2}, CancellationToken())
    assert json.loads(text)["seen"] == "/items"
    request = recorder.requests[0]
    assert request["method"] == "POST"
    assert request["body"] == {"user": "ada", "q": None, "n": 2}
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["X-Team"] == "blue"


@pytest.mark.parametrize("value", ["../admin", "a/b", "x?admin=1", "x#frag", "evil.example@127.0.0.2", "%2e%2e"])
async def test_arguments_stay_one_path_segment_on_the_configured_origin(
    server: tuple[int, Recorder], value: str
) -> None:
    port, recorder = server
    tool = _tool(port, path="/users/{user}/profile", method="GET")
    await tool.run_json({"user": value}, CancellationToken())
    request = recorder.requests[0]
    # The server saw the value as one percent-encoded segment under /users/, and nothing else.
    assert request["raw_path"] == f"/users/{quote(value, safe='')}/profile"
    assert request["query"] == {}
    assert request["headers"]["Host"] == f"127.0.0.1:{port}"


@pytest.mark.parametrize("value", ["..", "."])
async def test_dot_segments_are_refused(server: tuple[int, Recorder], value: str) -> None:
    port, recorder = server
    tool = _tool(port, path="/users/{user}", method="GET")
    with pytest.raises(UsageError, match="path parameter 'user' may not be"):
        await tool.run_json({"user": value}, CancellationToken())
    assert recorder.requests == []


async def test_redirects_are_not_followed(server: tuple[int, Recorder]) -> None:
    port, recorder = server
    tool = _tool(port, path="/redirect", method="GET")
    await tool.run_json({"user": "ada"}, CancellationToken())
    assert len(recorder.requests) == 1  # the 302 to another host was returned, not followed


async def test_dumped_config_masks_credentials_and_round_trips(server: tuple[int, Recorder]) -> None:
    port, recorder = server
    tool = _tool(port, path="/items", headers={"Authorization": "Bearer s3cret", "X-Team": "blue"})
    dumped = tool.dump_component()
    assert dumped.provider == "autogen_ext.tools.http.HttpTool"
    text = dumped.to_json()
    # every header value is masked (fail closed: a credential header need not be named like one)
    assert "s3cret" not in text and "**********" in text and "blue" not in text
    loaded = load_component(ComponentModel.model_validate(json.loads(dumped.to_json(reveal_secrets=True))))
    assert isinstance(loaded, HttpTool)
    await loaded.run_json({"user": "ada"}, CancellationToken())
    assert recorder.requests[0]["headers"]["Authorization"] == "Bearer s3cret"
    assert recorder.requests[0]["headers"]["X-Team"] == "blue"


def test_bad_configuration_is_refused_with_the_reason() -> None:
    with pytest.raises(UsageError, match=r"path parameter \{missing\}.*not a property of json_schema"):
        HttpTool(name="t", host="127.0.0.1", port=80, json_schema=SCHEMA, path="/a/{missing}")
    with pytest.raises(UsageError, match="is not a host name"):
        HttpTool(name="t", host="127.0.0.1/evil", port=80, json_schema=SCHEMA)
    with pytest.raises(UsageError, match="is not a host name"):
        HttpTool(name="t", host="user@127.0.0.1", port=80, json_schema=SCHEMA)
    with pytest.raises(UsageError, match="port must be"):
        HttpTool(name="t", host="127.0.0.1", port=0, json_schema=SCHEMA)
    with pytest.raises(UsageError, match="must not hold a query"):
        HttpTool(name="t", host="127.0.0.1", port=80, json_schema=SCHEMA, path="/a?x=1")
    with pytest.raises(UsageError, match="method must be"):
        HttpTool(name="t", host="127.0.0.1", port=80, json_schema=SCHEMA, method="TRACE")  # type: ignore[arg-type]


def test_served_under_autogens_path() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.tools.http import HttpTool
        import accord.tools.http
        assert HttpTool is accord.tools.http.HttpTool
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
