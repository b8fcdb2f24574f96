"""McpWorkbench against the real npm servers over stdio: list, call, errors, reconnect, allowlist."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from tools_mcp_support import EVERYTHING_JS, FILESYSTEM_JS, require_file

from accord.core import load_component
from accord.tools import ImageResultContent, ToolOverride, Workbench
from accord.tools.mcp import (
    McpCommandNotAllowedError,
    McpServerStartError,
    McpTimeoutError,
    McpToolError,
    McpWorkbench,
    StdioServerParams,
    allow_mcp_commands,
    disallow_mcp_commands,
    mcp_server_tools,
)

pytestmark = pytest.mark.real_server


def everything() -> StdioServerParams:
    require_file(EVERYTHING_JS)
    return StdioServerParams(command="node", args=[str(EVERYTHING_JS), "stdio"], read_timeout_seconds=30)


async def test_list_and_call_tools() -> None:
    async with McpWorkbench(everything()) as wb:
        tools = {t["name"]: t for t in await wb.list_tools()}
        assert {"echo", "get-sum", "get-tiny-image"} <= set(tools)
        assert tools["get-sum"]["parameters"]["required"] == ["a", "b"]
        echo = await wb.call_tool("echo", {"message": "hi"})
        assert not echo.is_error and echo.to_text() == "Echo: hi"
        total = await wb.call_tool("get-sum", {"a": 2, "b": 40})
        assert "42" in total.to_text()
        image = await wb.call_tool("get-tiny-image")
        assert any(isinstance(c, ImageResultContent) for c in image.result)
        info = await wb.initialize_result()
        assert info.serverInfo.name == "mcp-servers/everything"


async def test_resources_and_prompts() -> None:
    async with McpWorkbench(everything()) as wb:
        resources = (await wb.list_resources()).resources
        assert resources
        read = await wb.read_resource(str(resources[0].uri))
        assert read.contents
        prompts = [p.name for p in (await wb.list_prompts()).prompts]
        assert "simple-prompt" in prompts
        prompt = await wb.get_prompt("simple-prompt")
        assert prompt.messages
        templates = await wb.list_resource_templates()
        assert templates.resourceTemplates is not None


async def test_schema_errors_name_the_field_and_nothing_is_sent() -> None:
    async with McpWorkbench(everything()) as wb:
        wrong_type = await wb.call_tool("get-sum", {"a": 1, "b": "x"})
        assert wrong_type.is_error and "field 'b'" in wrong_type.to_text() and "number" in wrong_type.to_text()
        missing = await wb.call_tool("get-sum", {"a": 1})
        assert missing.is_error and "field 'b'" in missing.to_text()
        unknown = await wb.call_tool("no-such-tool", {})
        assert unknown.is_error and "no-such-tool" in unknown.to_text()


async def test_tool_overrides() -> None:
    overrides = {"echo": ToolOverride(name="say", description="Say it back")}
    async with McpWorkbench(everything(), tool_overrides=overrides) as wb:
        names = [t["name"] for t in await wb.list_tools()]
        assert "say" in names and "echo" not in names
        assert (await wb.call_tool("say", {"message": "x"})).to_text() == "Echo: x"


async def test_server_killed_mid_session_fails_clearly_then_reconnects() -> None:
    async with McpWorkbench(everything()) as wb:
        assert not (await wb.call_tool("echo", {"message": "one"})).is_error
        pid = wb.server_process_id
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        failed = await wb.call_tool("echo", {"message": "two"})
        text = failed.to_text()
        if failed.is_error:  # the kill raced the call: the error names the exit and says it will reconnect
            assert "exited with code -9" in text and "reconnect" in text
        again = await wb.call_tool("echo", {"message": "three"})
        assert not again.is_error and again.to_text() == "Echo: three"
        assert wb.server_process_id != pid and wb.connection.connect_count == 2


async def test_one_long_lived_session() -> None:
    async with McpWorkbench(everything()) as wb:
        pid = wb.server_process_id
        for i in range(5):
            await wb.call_tool("echo", {"message": str(i)})
        await wb.list_tools()
        assert wb.server_process_id == pid and wb.connection.connect_count == 1


async def test_lifecycle_rules() -> None:
    wb = McpWorkbench(everything())
    with pytest.raises(RuntimeError, match="not started"):
        await wb.stop()
    assert (await wb.call_tool("echo", {"message": "auto"})).to_text() == "Echo: auto"  # auto-start
    with pytest.warns(RuntimeWarning, match="already started"):
        await wb.start()
    await wb.stop()


async def test_command_not_found_names_the_command() -> None:
    wb = McpWorkbench(StdioServerParams(command="no-such-mcp-server-xyz"))
    with pytest.raises(McpServerStartError, match="'no-such-mcp-server-xyz' was not found"):
        await wb.start()
    result = await wb.call_tool("anything")
    assert result.is_error and "no-such-mcp-server-xyz" in result.to_text()


async def test_server_that_exits_reports_code_and_stderr() -> None:
    wb = McpWorkbench(StdioServerParams(command="sh", args=["-c", "echo 'fatal: bad config' >&2; exit 3"]))
    with pytest.raises(RuntimeError, match=r"(?s)exited with code 3.*fatal: bad config"):
        await wb.start()


async def test_server_that_never_answers_initialize_times_out_naming_it() -> None:
    params = StdioServerParams(command=sys.executable, args=["-c", "import time; time.sleep(60)"])
    wb = McpWorkbench(params, initialize_timeout=1.0)
    with pytest.raises(McpTimeoutError, match=r"time\.sleep\(60\).*did not answer initialize within 1s"):
        await wb.start()


async def test_config_from_data_needs_allowlisted_executable(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    spec = {
        "provider": "autogen_ext.tools.mcp.McpWorkbench",
        "component_type": "workbench",
        "config": {"server_params": {"type": "StdioServerParams", "command": "touch", "args": [str(marker)]}},
    }
    with pytest.raises(McpCommandNotAllowedError, match=r"'touch'.*allow_mcp_commands\(\['touch'\]\)"):
        load_component(spec)
    assert not marker.exists()


async def test_config_roundtrip_with_allowlist() -> None:
    params = everything()
    model = McpWorkbench(params, tool_overrides={"echo": ToolOverride(name="say")}).dump_component()
    assert model.provider == "autogen_ext.tools.mcp.McpWorkbench"
    with pytest.raises(McpCommandNotAllowedError):
        Workbench.load_component(model)
    allow_mcp_commands([f"node {EVERYTHING_JS}"])
    try:
        loaded = Workbench.load_component(model)
        async with loaded:
            assert (await loaded.call_tool("say", {"message": "ok"})).to_text() == "Echo: ok"
    finally:
        disallow_mcp_commands()
    allow_mcp_commands(["node"])
    try:
        assert isinstance(Workbench.load_component(model), McpWorkbench)
    finally:
        disallow_mcp_commands()


async def test_env_var_allowlist(monkeypatch: pytest.MonkeyPatch) -> None:
    model = McpWorkbench(everything()).dump_component()
    monkeypatch.setenv("ACCORD_MCP_ALLOWED_COMMANDS", "node")
    assert isinstance(Workbench.load_component(model), McpWorkbench)


async def test_filesystem_server_and_path_outside_root(tmp_path: Path) -> None:
    require_file(FILESYSTEM_JS)
    (tmp_path / "notes.txt").write_text("inside the root")
    (tmp_path / "big.txt").write_text("z" * 250_000)
    params = StdioServerParams(command="node", args=[str(FILESYSTEM_JS), str(tmp_path)], read_timeout_seconds=30)
    async with McpWorkbench(params, max_output_chars=10_000) as wb:
        inside = await wb.call_tool("read_text_file", {"path": str(tmp_path / "notes.txt")})
        assert not inside.is_error and inside.to_text() == "inside the root"
        outside = await wb.call_tool("read_text_file", {"path": "/etc/hostname"})
        assert outside.is_error and "outside allowed directories" in outside.to_text()
        huge = await wb.call_tool("read_text_file", {"path": str(tmp_path / "big.txt")})
        assert len(huge.to_text()) < 10_200 and "output truncated: 240000 of 250000" in huge.to_text()


async def test_mcp_server_tools_share_one_session() -> None:
    tools = await mcp_server_tools(everything())
    try:
        by_name = {t.name: t for t in tools}
        echo = by_name["echo"]
        assert echo.schema["parameters"]["required"] == ["message"]
        from accord.core import CancellationToken

        value = await echo.run_json({"message": "adapter"}, CancellationToken())
        assert value[0].text == "Echo: adapter"
        assert '"text": "Echo: adapter"' in echo.return_value_as_string(value)  # AutoGen's JSON list format
        await by_name["get-sum"].run_json({"a": 1, "b": 2}, CancellationToken())
        assert echo.server_params.command == "node"
        with pytest.raises(ValueError, match="field 'message'"):
            await echo.run_json({}, CancellationToken())
        model = echo.dump_component()
        assert model.provider == "autogen_ext.tools.mcp.StdioMcpToolAdapter"
        with pytest.raises(McpCommandNotAllowedError):
            load_component(model)
        assert McpToolError.__mro__[1].__name__ == "RunError"
    finally:
        await tools[0].close()


async def test_cancelled_call_returns_error_and_session_survives() -> None:
    import asyncio

    from accord.core import CancellationToken

    async with McpWorkbench(everything()) as wb:
        token = CancellationToken()
        call = asyncio.ensure_future(
            wb.call_tool("trigger-long-running-operation", {"duration": 30, "steps": 30}, token)
        )
        while not call.done() and wb.connection.process_info is None:
            await asyncio.sleep(0)
        asyncio.get_running_loop().call_soon(token.cancel)
        result = await call
        assert result.is_error and "cancelled" in result.to_text()
        assert (await wb.call_tool("echo", {"message": "still here"})).to_text() == "Echo: still here"
        assert wb.connection.connect_count == 1


async def test_request_timeout_names_server_and_limit() -> None:
    require_file(EVERYTHING_JS)
    params = StdioServerParams(command="node", args=[str(EVERYTHING_JS), "stdio"], read_timeout_seconds=1)
    async with McpWorkbench(params) as wb:
        result = await wb.call_tool("trigger-long-running-operation", {"duration": 5, "steps": 5})
        assert result.is_error
        assert "did not answer call_tool 'trigger-long-running-operation' within 1s" in result.to_text()
        assert "server-everything" in result.to_text()
        assert (await wb.call_tool("echo", {"message": "after"})).to_text() == "Echo: after"


async def test_session_actor_commands() -> None:
    from accord.tools.mcp import McpSessionActor

    actor = McpSessionActor(everything())
    await actor.initialize()
    try:
        tools = await (await actor.call("list_tools"))
        assert any(t.name == "echo" for t in tools.tools)
        result = await (await actor.call("call_tool", {"name": "echo", "kargs": {"message": "actor"}}))
        assert result.content[0].text == "Echo: actor"
        assert actor.initialize_result.serverInfo.name == "mcp-servers/everything"
        with pytest.raises(ValueError, match="Unknown MCP session command"):
            await actor.call("explode")
    finally:
        await (await actor.call("shutdown"))


async def test_concurrent_calls_share_the_session() -> None:
    import asyncio

    async with McpWorkbench(everything()) as wb:
        results = await asyncio.gather(*[wb.call_tool("echo", {"message": str(i)}) for i in range(20)])
        assert [r.to_text() for r in results] == [f"Echo: {i}" for i in range(20)]
        assert wb.connection.connect_count == 1


async def test_restart_after_stop() -> None:
    wb = McpWorkbench(everything())
    await wb.start()
    first = wb.server_process_id
    await wb.stop()
    await wb.start()
    try:
        assert (await wb.call_tool("echo", {"message": "again"})).to_text() == "Echo: again"
        assert wb.server_process_id != first
    finally:
        await wb.stop()
