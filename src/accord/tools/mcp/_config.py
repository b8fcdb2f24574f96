"""MCP server parameters (AutoGen's shapes) and the allowlist for stdio executables named in data."""

from __future__ import annotations

import os
import shlex
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..._secrets import SecretMap
from ._errors import McpCommandNotAllowedError

__all__ = [
    "McpServerParams",
    "SseServerParams",
    "StdioServerParams",
    "StreamableHttpServerParams",
    "allow_mcp_commands",
    "allow_mcp_env",
    "allowed_mcp_commands",
    "changes_what_runs",
    "check_command_allowed",
    "describe_server",
    "disallow_mcp_commands",
    "resolve_executable",
    "vet_server_params",
]


class StdioServerParams(BaseModel):
    """Start an MCP server as a child process and talk to it over stdin/stdout.

    Constructed in code, it is trusted. Loaded from data (``load_component``, a declarative spec), its
    command line and working directory must be allowed with :func:`allow_mcp_commands` or
    ``ACCORD_MCP_ALLOWED_COMMANDS``, its command is resolved on accord's own PATH, and its ``env`` may not set
    variables that change what runs (``PATH``, ``NODE_OPTIONS``, ``LD_*``, ``PYTHON*``, ``npm_config_*``...)
    unless allowed with :func:`allow_mcp_env`. ``env`` values are secrets (masked in every dump).
    """

    type: Literal["StdioServerParams"] = "StdioServerParams"
    command: str
    args: list[str] = Field(default_factory=list)
    env: SecretMap | None = None
    cwd: str | Path | None = None
    encoding: str = "utf-8"
    encoding_error_handler: Literal["strict", "ignore", "replace"] = "strict"
    read_timeout_seconds: float = 5


class SseServerParams(BaseModel):
    """Connect to an MCP server over the (legacy) HTTP+SSE transport."""

    type: Literal["SseServerParams"] = "SseServerParams"
    url: str
    headers: SecretMap | None = None
    timeout: float = 5
    sse_read_timeout: float = 60 * 5


class StreamableHttpServerParams(BaseModel):
    """Connect to an MCP server over streamable HTTP."""

    type: Literal["StreamableHttpServerParams"] = "StreamableHttpServerParams"
    url: str
    headers: SecretMap | None = None
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
ENV_VAR = "ACCORD_MCP_ALLOWED_COMMANDS"
ENV_KEYS_VAR = "ACCORD_MCP_ALLOWED_ENV"


@dataclass(frozen=True)
class _Entry:
    text: str
    cwd: str | None  # a real path: the entry allows servers working there or below; None: servers with no cwd


_allowed: list[_Entry] = []
_allowed_env: list[str] = []

# Environment variables that change which program runs, or what code an interpreter or launcher loads (npm reads
# npm_config_* and $HOME/.npmrc, node NODE_OPTIONS, Python PYTHON*, the dynamic linker LD_*). Data may not set them.
_RUN_ENV_NAMES = frozenset(
    {
        "PATH", "HOME", "USERPROFILE", "SHELL", "ENV", "BASH_ENV", "BASHOPTS", "SHELLOPTS", "IFS", "CDPATH", "PS4",
        "PROMPT_COMMAND", "ZDOTDIR", "CLASSPATH", "GCONV_PATH", "LOCPATH", "PERL5LIB", "PERL5OPT", "PERLLIB",
        "RUBYLIB", "RUBYOPT", "VIRTUAL_ENV", "TMPDIR", "EDITOR", "VISUAL", "PAGER",
    }
)  # fmt: skip
_RUN_ENV_PREFIXES = (
    "LD_", "DYLD_", "PYTHON", "NODE_", "NPM_", "YARN_", "PNPM_", "BUN_", "DENO_", "COREPACK_", "UV_", "PIP_",
    "CONDA", "XDG_", "GIT_", "JAVA_", "_JAVA_", "JDK_", "GEM_", "BUNDLE_", "LUA_", "MALLOC_", "GLIBC_", "NIX_",
)  # fmt: skip


def allow_mcp_commands(entries: Iterable[str], *, cwd: str | Path | None = None) -> None:
    """Allow stdio MCP servers named in data (configs, specs) to start these executables.

    An entry is an executable name (``"npx"``: the file of that name on accord's own PATH), an absolute path, or a
    command line prefix (``"node /opt/servers/fs.js"``: the command and its first arguments must match). The
    working directory is part of the match: with ``cwd``, the entries allow servers that work in that folder or
    below it; without, only servers whose config sets no working directory. Allowing an interpreter or launcher
    (``npx``, ``uvx``, ``python``) allows anything it can run from there; prefer command-line prefixes for those.
    """
    where = os.path.realpath(cwd) if cwd is not None else None
    with _lock:
        for text in entries:
            entry = _Entry(text.strip(), where)
            if entry.text and entry not in _allowed:
                _allowed.append(entry)


def disallow_mcp_commands(entries: Iterable[str] | None = None) -> None:
    """Remove entries from the allowlist (all of them, and every allowed environment key, when ``entries`` is None)."""
    with _lock:
        if entries is None:
            _allowed.clear()
            _allowed_env.clear()
            return
        texts = {entry.strip() for entry in entries}
        _allowed[:] = [entry for entry in _allowed if entry.text not in texts]


def allowed_mcp_commands() -> list[str]:
    """The current allowlist: entries from :func:`allow_mcp_commands` and ``ACCORD_MCP_ALLOWED_COMMANDS``."""
    return [entry.text for entry in _entries()]


def _entries() -> list[_Entry]:
    env = [_Entry(e.strip(), None) for e in os.environ.get(ENV_VAR, "").split(",") if e.strip()]
    with _lock:
        return [*_allowed, *env]


def allow_mcp_env(keys: Iterable[str]) -> None:
    """Let server configs from data set these environment variables although they can change what runs
    (``NODE_OPTIONS``, ``PYTHONPATH``...); also ``ACCORD_MCP_ALLOWED_ENV`` (comma-separated)."""
    with _lock:
        for key in keys:
            if key.strip() and key.strip() not in _allowed_env:
                _allowed_env.append(key.strip())


def _env_allowed(key: str) -> bool:
    env = {k.strip() for k in os.environ.get(ENV_KEYS_VAR, "").split(",") if k.strip()}
    with _lock:
        return key in _allowed_env or key in env


def changes_what_runs(key: str) -> bool:
    """Whether an environment variable can change which program runs or what code it loads."""
    upper = key.upper()
    return upper in _RUN_ENV_NAMES or upper.startswith(_RUN_ENV_PREFIXES)


def _own_path() -> str:
    """accord's own PATH without relative entries (``.``, empty): a command named by data is looked up there."""
    return os.pathsep.join(p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(p))


def resolve_executable(command: str, cwd: str | None) -> str | None:
    """The absolute path ``command`` runs: looked up on accord's own PATH, or (with a slash) against ``cwd``."""
    if os.sep in command:
        path = command if os.path.isabs(command) else os.path.join(cwd or os.getcwd(), command)
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return shutil.which(command, path=_own_path())


def _same_file(a: str, b: str | None) -> bool:
    return b is not None and os.path.realpath(a) == os.path.realpath(b)


def _inside(cwd: str | None, allowed: str | None) -> bool:
    if allowed is None:
        return cwd is None
    return cwd is not None and (cwd == allowed or cwd.startswith(allowed.rstrip(os.sep) + os.sep))


def _entry_matches(entry: _Entry, executable: str, args: list[str], cwd: str | None) -> bool:
    try:
        parts = shlex.split(entry.text)
    except ValueError:
        return False
    if not parts or len(parts) - 1 > len(args) or not _inside(cwd, entry.cwd):
        return False
    return _same_file(executable, resolve_executable(parts[0], entry.cwd)) and args[: len(parts) - 1] == parts[1:]


def _refuse(params: StdioServerParams, problem: str, how: str) -> McpCommandNotAllowedError:
    return McpCommandNotAllowedError(
        f"MCP server {describe_server(params)!r} came from a config (server_params) and {problem}, so it was not "
        f"started. {how}"
    )


def check_command_allowed(params: StdioServerParams) -> StdioServerParams:
    """Vet stdio params that came from data; returns them with the command as the absolute path that will run.

    Refuses (:class:`McpCommandNotAllowedError`) environment variables that change what runs, a command not found
    on accord's own PATH, and any command line and working directory that no allowlist entry matches.
    """
    for key in params.env or {}:
        if changes_what_runs(key) and not _env_allowed(key):
            raise _refuse(
                params,
                f"sets the environment variable {key} (server_params.env), which can change what runs",
                f"If you trust it, build the StdioServerParams in your program, or allow the variable with "
                f"accord.tools.mcp.allow_mcp_env([{key!r}]) or {ENV_KEYS_VAR}={key}.",
            )
    cwd = os.path.realpath(params.cwd) if params.cwd is not None else None
    executable = resolve_executable(params.command, cwd)
    command_line = shlex.join([params.command, *params.args])
    allow = (
        f"If you trust it, allow it in your program with accord.tools.mcp.allow_mcp_commands([{params.command!r}]"
        + (f", cwd={cwd!r}" if cwd else "")
        + f") or set the environment variable {ENV_VAR}={params.command}"
        + (" (which allows servers without a working directory only)." if cwd else ".")
    )
    if executable is None:
        raise _refuse(params, f"its command {params.command!r} is not an executable on accord's PATH", allow)
    if any(_entry_matches(entry, executable, list(params.args), cwd) for entry in _entries()):
        return params.model_copy(update={"command": executable})
    where = f" in {cwd}" if cwd else ""
    raise _refuse(
        params,
        f"its command {params.command!r} (command line: {command_line!r}{where}) is not on the allowlist",
        allow,
    )


def vet_server_params(params: StdioServerParams | SseServerParams | StreamableHttpServerParams) -> Any:
    """:func:`check_command_allowed` for stdio params from data; other transports are returned as they are."""
    return check_command_allowed(params) if isinstance(params, StdioServerParams) else params
