"""Errors of the MCP client: each names the server and the root cause."""

from __future__ import annotations

from ..._errors import ComponentError, RunError

__all__ = [
    "McpCommandNotAllowedError",
    "McpConnectionError",
    "McpEnvNotAllowedError",
    "McpServerStartError",
    "McpTimeoutError",
    "McpToolError",
]


class McpConnectionError(RunError):
    """The MCP server could not be reached or the connection broke (the message says why)."""


class McpServerStartError(McpConnectionError):
    """A stdio MCP server could not be started (command not found, not executable, exited at once)."""


class McpTimeoutError(McpConnectionError, TimeoutError):
    """The MCP server did not answer in time (initialize or a request)."""


class McpToolError(RunError):
    """An MCP tool returned an error result (raised by tool adapters; workbenches return it to the model)."""


class McpCommandNotAllowedError(ComponentError):
    """A server config that arrived as data names an executable the user has not allowed; nothing was started."""


class McpEnvNotAllowedError(McpCommandNotAllowedError):
    """A server config that arrived as data sets an environment variable that changes what runs; nothing started."""
