"""Host capabilities as components, elicitation over text streams, public names of the MCP and tool-agent modules."""

from __future__ import annotations

import io

import pytest
from tools_mcp_support import python_http_server

import accord.tools.mcp as mcp_pkg
import accord.tools.tool_agent as tool_agent_pkg
from accord.core import load_component
from accord.testing import ScriptedChatCompletionClient
from accord.tools.mcp import (
    ChatCompletionClientSampler,
    McpSessionHost,
    McpWorkbench,
    StaticRootsProvider,
    StdioElicitor,
    StreamableHttpServerParams,
    StreamElicitor,
)


def test_public_names() -> None:
    for module in (mcp_pkg, tool_agent_pkg):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert {"McpWorkbench", "StdioServerParams", "mcp_server_tools", "McpTaskServer"} <= set(mcp_pkg.__all__)
    assert {"ToolAgent", "tool_agent_caller_loop"} <= set(tool_agent_pkg.__all__)


def test_host_config_roundtrip() -> None:
    host = McpSessionHost(
        sampler=ChatCompletionClientSampler(ScriptedChatCompletionClient(["x"])),
        roots=StaticRootsProvider([{"uri": "file:///data", "name": "data"}]),
        elicitor=StdioElicitor(timeout=5),
    )
    model = host.dump_component()
    assert model.provider == "autogen_ext.tools.mcp.McpSessionHost"
    assert model.config["roots"]["provider"] == "autogen_ext.tools.mcp.StaticRootsProvider"
    loaded = load_component(model)
    assert isinstance(loaded, McpSessionHost) and set(loaded.callbacks()) == {
        "sampling_callback",
        "list_roots_callback",
        "elicitation_callback",
    }
    workbench = McpWorkbench(StreamableHttpServerParams(url="http://127.0.0.1:1/mcp"), host=host)
    again = load_component(workbench.dump_component())
    assert isinstance(again, McpWorkbench)


@pytest.mark.real_server
async def test_stream_elicitor_asks_a_person() -> None:
    answers = io.StringIO('{"confirmed": false}\n')
    questions = io.StringIO()
    host = McpSessionHost(elicitor=StreamElicitor(answers, questions))
    with python_http_server() as (url, _process):
        async with McpWorkbench(StreamableHttpServerParams(url=url), host=host) as wb:
            assert (await wb.call_tool("confirm")).to_text() == "confirmed=False"
            assert (await wb.call_tool("confirm")).to_text() == "decline"  # no more input: declined
    assert "Proceed?" in questions.getvalue() and "confirmed" in questions.getvalue()
