"""accord agents and teams served over MCP, called by the SDK's own client (stdio and streamable HTTP)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from tools_mcp_support import EVERYTHING_JS, require_file
from tools_mcp_task_server import UpperRunner

from accord.errors import UsageError
from accord.testing import ScriptedChatCompletionClient, tool_call
from accord.tools.mcp import McpTaskServer, McpWorkbench, StdioServerParams, StreamableHttpServerParams

pytestmark = pytest.mark.real_server


async def _call_over_http(server: McpTaskServer, task: str) -> str:
    async with (
        httpx.AsyncClient(headers=server.headers) as client,
        streamable_http_client(server.url, http_client=client) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = (await session.list_tools()).tools
        assert [t.name for t in tools] == ["run_task"]
        result = await session.call_tool("run_task", {"task": task})
        assert not result.isError, result
        return str(result.content[0].text)  # type: ignore[union-attr]


async def test_task_runner_over_http_with_token() -> None:
    async with McpTaskServer(UpperRunner(), name="shouter") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert await _call_over_http(server, "hello there") == "HELLO THERE"


async def test_http_without_token_is_refused_with_401() -> None:
    async with McpTaskServer(UpperRunner()) as server:
        wb = McpWorkbench(StreamableHttpServerParams(url=server.url, timeout=5))
        with pytest.raises(RuntimeError, match=r"answered HTTP 401 Unauthorized"):
            await wb.start()
        wrong = McpWorkbench(StreamableHttpServerParams(url=server.url, headers={"Authorization": "Bearer nope"}))
        with pytest.raises(RuntimeError, match="HTTP 401"):
            await wrong.start()
        right = McpWorkbench(StreamableHttpServerParams(url=server.url, headers=server.headers))
        async with right:
            assert (await right.call_tool("run_task", {"task": "via workbench"})).to_text() == "VIA WORKBENCH"


async def test_only_loopback() -> None:
    with pytest.raises(UsageError, match="loopback"):
        await McpTaskServer(UpperRunner()).start_http(host="0.0.0.0")
    with pytest.raises(UsageError, match="no async run"):
        McpTaskServer(object())  # type: ignore[arg-type]


async def test_task_runner_over_stdio() -> None:
    script = Path(__file__).with_name("tools_mcp_task_server.py")
    params = StdioServerParameters(command=sys.executable, args=[str(script)])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("run_task", {"task": "over stdio"})
        assert result.content[0].text == "OVER STDIO"  # type: ignore[union-attr]


async def test_assistant_agent_drives_an_mcp_tool_end_to_end() -> None:
    from accord.agents import AssistantAgent

    require_file(EVERYTHING_JS)
    model = ScriptedChatCompletionClient([tool_call("echo", {"message": "ping"})])
    async with McpWorkbench(StdioServerParams(command="node", args=[str(EVERYTHING_JS), "stdio"])) as wb:
        agent = AssistantAgent("assistant", model, workbench=wb)
        result = await agent.run(task="echo ping")
    assert result.messages[-1].to_text() == "Echo: ping"
    assert "echo" in model.calls[0].tool_names
    model.assert_complete()


async def test_team_served_over_mcp_called_by_sdk_client() -> None:
    from accord.agents import AssistantAgent
    from accord.conditions import TextMentionTermination
    from accord.teams import RoundRobinGroupChat

    writer = AssistantAgent("writer", ScriptedChatCompletionClient(["draft: MCP is a protocol"]))
    editor = AssistantAgent("editor", ScriptedChatCompletionClient(["final: MCP is a protocol for tools. TERMINATE"]))
    team = RoundRobinGroupChat([writer, editor], termination_condition=TextMentionTermination("TERMINATE"))
    async with McpTaskServer(team, name="team", reset_after_task=True) as server:
        assert await _call_over_http(server, "explain MCP") == "final: MCP is a protocol for tools. TERMINATE"


async def test_agent_run_goes_on_after_the_server_is_killed() -> None:
    import os
    import signal

    from accord.agents import AssistantAgent

    require_file(EVERYTHING_JS)
    model = ScriptedChatCompletionClient([tool_call("echo", {"message": "one"}), tool_call("echo", {"message": "two"})])
    async with McpWorkbench(StdioServerParams(command="node", args=[str(EVERYTHING_JS), "stdio"])) as wb:
        agent = AssistantAgent("assistant", model, workbench=wb)
        assert (await agent.run(task="first")).messages[-1].to_text() == "Echo: one"
        pid = wb.server_process_id
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        second = await agent.run(task="second")  # no exception: the call reconnects or reports the cause
        text = second.messages[-1].to_text()
        assert text == "Echo: two" or "exited with code -9" in text
        assert (await wb.call_tool("echo", {"message": "three"})).to_text() == "Echo: three"
        assert wb.server_process_id != pid


async def test_progress_streams_the_team_messages() -> None:
    from accord.agents import AssistantAgent
    from accord.conditions import TextMentionTermination
    from accord.teams import RoundRobinGroupChat

    writer = AssistantAgent("writer", ScriptedChatCompletionClient(["a draft"]))
    editor = AssistantAgent("editor", ScriptedChatCompletionClient(["the final text TERMINATE"]))
    team = RoundRobinGroupChat([writer, editor], termination_condition=TextMentionTermination("TERMINATE"))
    seen: list[str] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message or "")

    async with McpTaskServer(team) as server:
        async with (
            httpx.AsyncClient(headers=server.headers) as client,
            streamable_http_client(server.url, http_client=client) as (read, write, _),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            result = await session.call_tool("run_task", {"task": "write"}, progress_callback=on_progress)
    assert result.content[0].text == "the final text TERMINATE"  # type: ignore[union-attr]
    assert "writer: a draft" in seen and "editor: the final text TERMINATE" in seen


async def test_team_spec_served_over_stdio_by_the_module_command(tmp_path: Path) -> None:
    from accord.agents import AssistantAgent
    from accord.conditions import TextMentionTermination
    from accord.teams import RoundRobinGroupChat

    writer = AssistantAgent("writer", ScriptedChatCompletionClient(["served from a spec TERMINATE"]))
    team = RoundRobinGroupChat([writer], termination_condition=TextMentionTermination("TERMINATE"))
    spec = tmp_path / "team.json"
    spec.write_text(team.dump_component().to_json())
    params = StdioServerParameters(command=sys.executable, args=["-m", "accord.tools.mcp", "serve", str(spec)])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        info = await session.initialize()
        assert info.serverInfo.name == "team"
        result = await session.call_tool("run_task", {"task": "go"})
        assert result.content[0].text == "served from a spec TERMINATE"  # type: ignore[union-attr]


async def test_team_spec_served_over_http_by_the_module_command(tmp_path: Path) -> None:
    import subprocess

    from tools_mcp_support import free_port, wait_for_port

    from accord.agents import AssistantAgent

    agent = AssistantAgent("helper", ScriptedChatCompletionClient(["over http from a spec"]))
    spec = tmp_path / "agent.json"
    spec.write_text(agent.dump_component().to_json())
    port = free_port()
    command = [sys.executable, "-m", "accord.tools.mcp", "serve", str(spec), "--http", "--port", str(port)]
    process = subprocess.Popen([*command, "--token", "s3cret"], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}/mcp"
        async with McpWorkbench(StreamableHttpServerParams(url=url, headers={"Authorization": "Bearer s3cret"})) as wb:
            assert (await wb.call_tool("run_task", {"task": "hi"})).to_text() == "over http from a spec"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_port_in_use_is_a_clear_error_not_an_exit() -> None:
    from accord.errors import RunError

    async with McpTaskServer(UpperRunner()) as first:
        port = int(first.url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(RunError, match=rf"cannot listen on 127\.0\.0\.1:{port}"):
            await McpTaskServer(UpperRunner()).start_http(port=port)
        assert await _call_over_http(first, "still serving") == "STILL SERVING"
