"""MCP client and hosting (serves ``autogen_ext.tools.mcp``). Needs the ``mcp`` extra (mcp SDK 1.x).

Client: :class:`McpWorkbench` keeps one managed session per server, reconnects after the server dies and
reports the root cause of failures. Server parameters loaded from data start a stdio server only if its
executable is allowed (:func:`allow_mcp_commands`); parameters built in code are trusted.

Hosting: :class:`McpTaskServer` serves any agent or team (anything with ``async run(task=...)``) as an MCP
server over stdio or streamable HTTP on loopback with a bearer token.
"""

from __future__ import annotations

from ._actor import McpSessionActor
from ._adapters import (
    McpToolAdapter,
    SseMcpToolAdapter,
    StdioMcpToolAdapter,
    StreamableHttpMcpToolAdapter,
    create_mcp_server_session,
    mcp_server_tools,
)
from ._config import (
    McpServerParams,
    SseServerParams,
    StdioServerParams,
    StreamableHttpServerParams,
    allow_mcp_commands,
    allow_mcp_env,
    allowed_mcp_commands,
    disallow_mcp_commands,
)
from ._connection import McpConnection
from ._errors import (
    McpCommandNotAllowedError,
    McpConnectionError,
    McpServerStartError,
    McpTimeoutError,
    McpToolError,
)
from ._host import (
    CallbackElicitor,
    ChatCompletionClientSampler,
    Elicitor,
    McpSessionHost,
    RootsProvider,
    Sampler,
    StaticRootsProvider,
    StdioElicitor,
    StreamElicitor,
)
from ._serve import McpTaskServer, TaskRunnerLike
from ._workbench import McpWorkbench

__all__ = [
    "CallbackElicitor",
    "ChatCompletionClientSampler",
    "Elicitor",
    "McpCommandNotAllowedError",
    "McpConnection",
    "McpConnectionError",
    "McpServerParams",
    "McpServerStartError",
    "McpSessionActor",
    "McpSessionHost",
    "McpTaskServer",
    "McpTimeoutError",
    "McpToolAdapter",
    "McpToolError",
    "McpWorkbench",
    "RootsProvider",
    "Sampler",
    "SseMcpToolAdapter",
    "SseServerParams",
    "StaticRootsProvider",
    "StdioElicitor",
    "StdioMcpToolAdapter",
    "StdioServerParams",
    "StreamableHttpMcpToolAdapter",
    "StreamElicitor",
    "StreamableHttpServerParams",
    "TaskRunnerLike",
    "allow_mcp_commands",
    "allow_mcp_env",
    "allowed_mcp_commands",
    "create_mcp_server_session",
    "disallow_mcp_commands",
    "mcp_server_tools",
]
