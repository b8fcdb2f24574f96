"""McpWorkbench against a Python MCP server over streamable HTTP on 127.0.0.1 (started by a fixture)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from tools_mcp_support import HTTP_SERVER_PY, free_port, python_http_server

from accord.testing import ScriptedChatCompletionClient
from accord.tools.mcp import (
    CallbackElicitor,
    ChatCompletionClientSampler,
    McpSessionHost,
    McpWorkbench,
    SseServerParams,
    StaticRootsProvider,
    StdioServerParams,
    StreamableHttpServerParams,
    create_mcp_server_session,
)

pytestmark = pytest.mark.real_server


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with python_http_server() as (url, _process):
        yield url


async def test_list_call_and_tool_errors(server_url: str) -> None:
    async with McpWorkbench(StreamableHttpServerParams(url=server_url)) as wb:
        names = {t["name"] for t in await wb.list_tools()}
        assert {"add", "increment", "big", "broken"} <= names
        assert (await wb.call_tool("add", {"a": 2, "b": 3})).to_text() == "5"
        broken = await wb.call_tool("broken")
        assert broken.is_error and "the broken tool broke" in broken.to_text()
        bad = await wb.call_tool("add", {"a": "two", "b": 3})
        assert bad.is_error and "field 'a'" in bad.to_text()


async def test_stateful_server_keeps_its_session(server_url: str) -> None:
    async with McpWorkbench(StreamableHttpServerParams(url=server_url)) as wb:
        values = [int((await wb.call_tool("increment")).to_text()) for _ in range(3)]
        assert values == [values[0], values[0] + 1, values[0] + 2]
        assert wb.connection.connect_count == 1


async def test_huge_output_truncated_with_note(server_url: str) -> None:
    async with McpWorkbench(StreamableHttpServerParams(url=server_url), max_output_chars=5_000) as wb:
        text = (await wb.call_tool("big", {"n": 2_000_000})).to_text()
        assert len(text) < 5_200 and "output truncated: 1995000 of 2000000 characters omitted" in text


async def test_resources_and_prompts(server_url: str) -> None:
    async with McpWorkbench(StreamableHttpServerParams(url=server_url)) as wb:
        resources = (await wb.list_resources()).resources
        assert [str(r.uri) for r in resources] == ["test://greeting"]
        read = await wb.read_resource("test://greeting")
        assert read.contents[0].text == "hello from the resource"
        prompt = await wb.get_prompt("review", {"code": "x = 1"})
        assert "Please review: x = 1" in prompt.messages[0].content.text


async def test_sampling_roots_and_elicitation_answered_by_the_host(server_url: str) -> None:
    model = ScriptedChatCompletionClient(["forty-two"])
    answers: list[str] = []

    def elicit(params: object) -> dict[str, bool]:
        answers.append(str(getattr(params, "message", "")))
        return {"confirmed": True}

    host = McpSessionHost(
        sampler=ChatCompletionClientSampler(model),
        roots=StaticRootsProvider([{"uri": "file:///tmp/project", "name": "project"}]),
        elicitor=CallbackElicitor(elicit),
    )
    async with McpWorkbench(StreamableHttpServerParams(url=server_url), host=host) as wb:
        sampled = await wb.call_tool("ask_model", {"question": "What is six times seven?"})
        assert sampled.to_text() == "model said: forty-two", sampled
        call = model.calls[0]
        assert call.messages[0].content == "Be brief."
        assert call.messages[1].content == "What is six times seven?"
        assert (await wb.call_tool("client_roots")).to_text() == "file:///tmp/project"
        assert (await wb.call_tool("confirm")).to_text() == "confirmed=True"
        assert answers == ["Proceed?"]


async def test_missing_capability_is_refused(server_url: str) -> None:
    async with McpWorkbench(StreamableHttpServerParams(url=server_url)) as wb:
        result = await wb.call_tool("ask_model", {"question": "hi"})
        assert result.is_error


async def test_server_killed_then_restarted_reconnects() -> None:
    port = free_port()
    params = StreamableHttpServerParams(url=f"http://127.0.0.1:{port}/mcp", timeout=5)
    wb = McpWorkbench(params)
    with python_http_server(port):
        assert (await wb.call_tool("add", {"a": 1, "b": 1})).to_text() == "2"
    # The server is gone: the next call fails and names the cause.
    failed = await wb.call_tool("add", {"a": 1, "b": 1})
    assert failed.is_error, failed
    assert f"Could not connect to MCP server at http://127.0.0.1:{port}/mcp" in failed.to_text()
    assert "the next call will reconnect" in failed.to_text()
    with python_http_server(port):
        result = await wb.call_tool("add", {"a": 2, "b": 2})
        if result.is_error:  # the old session id is unknown to the new server: one more call reconnects
            result = await wb.call_tool("add", {"a": 2, "b": 2})
        assert result.to_text() == "4", result
    await wb.stop()


async def test_nothing_listening_names_the_url() -> None:
    port = free_port()
    wb = McpWorkbench(StreamableHttpServerParams(url=f"http://127.0.0.1:{port}/mcp", timeout=2))
    with pytest.raises(RuntimeError, match=rf"Could not connect to MCP server at http://127\.0\.0\.1:{port}/mcp"):
        await wb.start()


async def test_raw_session_helper(server_url: str) -> None:
    async with create_mcp_server_session(StreamableHttpServerParams(url=server_url)) as session:
        await session.initialize()
        result = await session.call_tool("add", {"a": 20, "b": 22})
        assert result.content[0].text == "42"


async def test_sse_transport() -> None:
    with python_http_server(transport="sse") as (url, _process):
        async with McpWorkbench(SseServerParams(url=url)) as wb:
            assert (await wb.call_tool("add", {"a": 4, "b": 5})).to_text() == "9"
            assert "greeting" in str((await wb.list_resources()).resources[0].uri)


async def test_oversized_stdio_message_is_dropped_not_buffered() -> None:
    args = [str(HTTP_SERVER_PY), "0", "stdio"]
    params = StdioServerParams(command=sys.executable, args=args, read_timeout_seconds=30)
    async with McpWorkbench(params, max_message_bytes=200_000) as wb:
        small = await wb.call_tool("big", {"n": 1000})
        assert small.to_text() == "y" * 1000
        huge = await wb.call_tool("big", {"n": 3_000_000})
        assert huge.is_error and "larger than 200000 bytes" in huge.to_text(), huge.to_text()[:300]
        assert (await wb.call_tool("add", {"a": 1, "b": 1})).to_text() == "2"
