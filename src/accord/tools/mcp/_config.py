"""MCP server parameters (AutoGen's shapes) and the allowlist for stdio executables named in data."""

from __future__ import annotations

import os
import shlex
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ._errors import McpCommandNotAllowedError

__all__ = [
    "McpServerParams",
    "SseServerParams",
    "StdioServerParams",
    "StreamableHttpServerParams",
    "allow_mcp_commands",
    "allowed_mcp_commands",
    "check_command_allowed",
    "describe_server",
    "disallow_mcp_commands",
]


class StdioServerParams(BaseModel):
    """Start an MCP server as a child process and talk to it over stdin/stdout.

    Constructed in code, it is trusted. Loaded from data (``load_component``, a declarative spec), its
    executable must be allowed with :func:`allow_mcp_commands` or ``ACCORD_MCP_ALLOWED_COMMANDS``.
    """

    type: Literal["StdioServerParams"] = "StdioServerParams"
    command: str
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: str | Path | None = None
    encoding: str = "utf-8"
    encoding_error_handler: Literal["strict", "ignore", "replace"] = "strict"
    read_timeout_seconds: float = 5


class SseServerParams(BaseModel):
    """Connect to an MCP server over the (legacy) HTTP+SSE transport."""

    type: Literal["SseServerParams"] = "SseServerParams"
    url: str
    headers: dict[str, Any] | None = None
    timeout: float = 5
    sse_read_timeout: float = 60 * 5


class StreamableHttpServerParams(BaseModel):
    """Connect to an MCP server over streamable HTTP."""

    type: Literal["StreamableHttpServerParams"] = "StreamableHttpServerParams"
    url: str
    headers: dict[str, Any] | None = None
    timeout: float = 30.0
    sse_read_timeout: float = 300.0
    terminate_on_close: bool = True


McpServerParams = Annotated[
    StdioServerParams | SseServerParams | StreamableHttpServerParams, Field(discriminator="type")
]


def describe_server(params: StdioServerParams | SseServerParams | StreamableHttpServerParams) -> str:
    """A short human name for a server: its command line or URL."""
    if isinstance(params, StdioServerParams):
        return shlex.join([params.command, *params.args])
    return params.url


_lock = threading.Lock()
_allowed: list[str] = []
ENV_VAR = "ACCORD_MCP_ALLOWED_COMMANDS"


def allow_mcp_commands(entries: Iterable[str]) -> None:
    """Allow stdio MCP servers named in data (configs, specs) to start these executables.

    An entry is an executable name (``"npx"``: matches that command, or the same file found on PATH), an
    absolute path, or a command line prefix (``"node /opt/servers/fs.js"``: the command and its first
    arguments must match). Allowing an interpreter or launcher (``npx``, ``uvx``, ``python``) allows anything
    it can run; prefer command-line prefixes for those.
    """
    with _lock:
        for entry in entries:
            entry = entry.strip()
            if entry and entry not in _allowed:
                _allowed.append(entry)


def disallow_mcp_commands(entries: Iterable[str] | None = None) -> None:
    """Remove entries from the allowlist (all of them when ``entries`` is None)."""
    with _lock:
        if entries is None:
            _allowed.clear()
            return
        for entry in entries:
            if entry in _allowed:
                _allowed.remove(entry)


def allowed_mcp_commands() -> list[str]:
    """The current allowlist: entries from :func:`allow_mcp_commands` and ``ACCORD_MCP_ALLOWED_COMMANDS``."""
    env = [e.strip() for e in os.environ.get(ENV_VAR, "").split(",") if e.strip()]
    with _lock:
        return [*_allowed, *env]


def _same_executable(command: str, entry: str) -> bool:
    if command == entry:
        return True
    resolved_command = shutil.which(command)
    resolved_entry = shutil.which(entry) if os.sep not in entry else entry
    if resolved_command is None or resolved_entry is None:
        return False
    return os.path.realpath(resolved_command) == os.path.realpath(resolved_entry)


def _entry_matches(entry: str, command_line: list[str]) -> bool:
    try:
        parts = shlex.split(entry)
    except ValueError:
        return False
    if not parts or len(parts) > len(command_line):
        return False
    return _same_executable(command_line[0], parts[0]) and command_line[1 : len(parts)] == parts[1:]


def check_command_allowed(params: StdioServerParams) -> None:
    """Raise :class:`McpCommandNotAllowedError` unless ``params``' command is on the allowlist."""
    command_line = [params.command, *params.args]
    if any(_entry_matches(entry, command_line) for entry in allowed_mcp_commands()):
        return
    raise McpCommandNotAllowedError(
        f"MCP server command {params.command!r} (command line: {shlex.join(command_line)!r}) came from a config and "
        f"is not on the allowlist, so it was not started. If you trust it, allow it in your program with "
        f"accord.tools.mcp.allow_mcp_commands([{params.command!r}]) or set the environment variable "
        f"{ENV_VAR}={params.command}."
    )
