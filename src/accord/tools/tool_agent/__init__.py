"""The tool agent and its caller loop (serves ``autogen_core.tool_agent``)."""

from __future__ import annotations

from ._caller_loop import tool_agent_caller_loop
from ._tool_agent import (
    InvalidToolArgumentsException,
    ToolAgent,
    ToolException,
    ToolExecutionException,
    ToolNotFoundException,
)

__all__ = [
    "InvalidToolArgumentsException",
    "ToolAgent",
    "ToolException",
    "ToolExecutionException",
    "ToolNotFoundException",
    "tool_agent_caller_loop",
]
