"""Tools and workbenches (serves ``autogen_core.tools``): function tools, static workbenches, approval.

MCP lives in :mod:`accord.tools.mcp`, the tool agent in :mod:`accord.tools.tool_agent`.
"""

from __future__ import annotations

from ._base import BaseStreamTool, BaseTool, BaseToolWithState, StreamTool, Tool
from ._function_tool import (
    FunctionTool,
    FunctionToolConfig,
    register_function,
    registered_functions,
    unregister_function,
)
from ._guard import (
    ApprovalMode,
    Approver,
    GuardedWorkbench,
    ToolApprovalDecision,
    ToolApprovalRequest,
)
from ._result import ImageResultContent, TextResultContent, ToolResult
from ._schema import ParametersSchema, ToolArgumentsError, ToolOverride, ToolSchema
from ._static_workbench import StaticStreamWorkbench, StaticWorkbench
from ._workbench import StreamWorkbench, Workbench

__all__ = [
    "ApprovalMode",
    "Approver",
    "BaseStreamTool",
    "BaseTool",
    "BaseToolWithState",
    "FunctionTool",
    "FunctionToolConfig",
    "GuardedWorkbench",
    "ImageResultContent",
    "ParametersSchema",
    "StaticStreamWorkbench",
    "StaticWorkbench",
    "StreamTool",
    "StreamWorkbench",
    "TextResultContent",
    "Tool",
    "ToolApprovalDecision",
    "ToolApprovalRequest",
    "ToolArgumentsError",
    "ToolOverride",
    "ToolResult",
    "ToolSchema",
    "Workbench",
    "register_function",
    "registered_functions",
    "unregister_function",
]
