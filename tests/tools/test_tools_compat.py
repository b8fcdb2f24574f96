"""An AutoGen program using autogen_core.tools, autogen_core.tool_agent and autogen_ext.tools.mcp runs on accord."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from tools_mcp_support import EVERYTHING_JS, require_file

PROGRAM = textwrap.dedent(
    """
    import asyncio
    import accord.compat.autogen  # noqa: F401  (serves the autogen_* modules from accord)

    from autogen_core import CancellationToken
    from autogen_core.tools import FunctionTool, StaticWorkbench, ToolResult, Workbench
    from autogen_core.tool_agent import ToolAgent, tool_agent_caller_loop
    from autogen_ext.tools.mcp import McpWorkbench, StdioServerParams, mcp_server_tools

    import accord.tools
    import accord.tools.mcp

    assert FunctionTool is accord.tools.FunctionTool
    assert McpWorkbench is accord.tools.mcp.McpWorkbench


    async def add(a: int, b: int) -> int:
        return a + b


    async def main() -> None:
        tool = FunctionTool(add, description="Add two numbers.")
        assert await tool.run_json({"a": 1, "b": 2}, CancellationToken()) == 3
        async with StaticWorkbench([tool]) as wb:
            result = await wb.call_tool("add", {"a": 2, "b": 2})
            assert isinstance(result, ToolResult) and result.to_text() == "4"
        params = StdioServerParams(command="node", args=[EVERYTHING_PATH, "stdio"])
        async with McpWorkbench(server_params=params) as mcp:
            assert (await mcp.call_tool("echo", {"message": "compat"})).to_text() == "Echo: compat"
        tools = await mcp_server_tools(params)
        echo = next(t for t in tools if t.name == "echo")
        assert (await echo.run_json({"message": "x"}, CancellationToken()))[0].text == "Echo: x"
        await tools[0].close()
        print("OK")


    asyncio.run(main())
    """
)


@pytest.mark.real_server
def test_autogen_program_runs_on_accord() -> None:
    require_file(EVERYTHING_JS)
    program = PROGRAM.replace("EVERYTHING_PATH", repr(str(EVERYTHING_JS)))
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("OK")
