"""stdio transport for MCP servers: spawns the server, keeps its stderr tail and exit code for error messages,
and bounds the size of a single message (an endless line can never exhaust memory)."""

from __future__ import annotations

import collections
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..._imports import require
from ..._secrets import reveal_map
from ._config import StdioServerParams, describe_server
from ._errors import McpServerStartError

if TYPE_CHECKING:
    import anyio
    import anyio.abc
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "MessageTooLargeError", "StdioProcessInfo", "open_stdio_transport"]

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_STDERR_LINES = 40
_TERMINATE_GRACE_S = 2.0


class MessageTooLargeError(ValueError):
    """The server sent a single message larger than the configured limit (it was dropped)."""


@dataclass
class StdioProcessInfo:
    """What is known about a running (or ended) stdio server process."""

    command_line: str
    pid: int | None = None
    returncode: int | None = None
    stderr: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=_STDERR_LINES))
    exited: anyio.Event = field(default_factory=lambda: require("anyio", extra="mcp").Event())

    def stderr_tail(self, lines: int = 10) -> str:
        return "\n".join(list(self.stderr)[-lines:])

    def describe_exit(self) -> str:
        parts = []
        if self.returncode is not None:
            parts.append(f"the server process exited with code {self.returncode}")
        tail = self.stderr_tail()
        if tail:
            parts.append(f"its stderr ended with:\n{tail}")
        return "; ".join(parts)


class _LineSplitter:
    """Splits the server's stdout into JSON-RPC lines, dropping (and reporting once) a line over the limit."""

    def __init__(self, params: StdioServerParams, max_message_bytes: int) -> None:
        self._params = params
        self._max = max_message_bytes
        self._buffer = bytearray()
        self._skipping = False

    def feed(self, chunk: bytes) -> list[str | MessageTooLargeError]:
        """The complete lines in ``chunk`` (and an error for a line that grew too large)."""
        out: list[str | MessageTooLargeError] = []
        start = 0
        while (newline := chunk.find(b"\n", start)) >= 0:
            if self._skipping:
                self._skipping = False
            else:
                self._buffer += chunk[start:newline]
                out.append(bytes(self._buffer).decode(self._params.encoding, self._params.encoding_error_handler))
                self._buffer.clear()
            start = newline + 1
        if not self._skipping:
            self._buffer += chunk[start:]
            if len(self._buffer) > self._max:
                self._buffer.clear()
                self._skipping = True
                out.append(
                    MessageTooLargeError(
                        f"MCP server {describe_server(self._params)!r} sent a message larger than {self._max} bytes; "
                        f"it was dropped"
                    )
                )
        return out


async def _spawn(params: StdioServerParams) -> anyio.abc.Process:
    import anyio

    stdio_mod = require("mcp.client.stdio", extra="mcp")
    env = {**stdio_mod.get_default_environment(), **(reveal_map(params.env) or {})}
    try:
        return await anyio.open_process(
            [params.command, *params.args],
            env=env,
            cwd=params.cwd,
            stdin=-1,
            stdout=-1,
            stderr=-1,
            start_new_session=True,
        )
    except FileNotFoundError as e:
        raise McpServerStartError(
            f"Could not start MCP server {describe_server(params)!r}: command {params.command!r} was not found "
            f"(is it installed and on PATH?): {e}"
        ) from e
    except OSError as e:
        raise McpServerStartError(
            f"Could not start MCP server {describe_server(params)!r}: running {params.command!r} failed: {e}"
        ) from e


async def _pump_stdout(
    process: anyio.abc.Process, writer: MemoryObjectSendStream[Any], splitter: _LineSplitter
) -> None:
    import anyio

    mcp_types = require("mcp.types", extra="mcp")
    message_mod = require("mcp.shared.message", extra="mcp")
    assert process.stdout is not None
    async with writer:
        try:
            async for chunk in process.stdout:
                for line in splitter.feed(chunk):
                    if isinstance(line, MessageTooLargeError):
                        await writer.send(line)
                    elif line.strip():
                        try:
                            message = mcp_types.JSONRPCMessage.model_validate_json(line)
                        except Exception as exc:
                            await writer.send(exc)
                        else:
                            await writer.send(message_mod.SessionMessage(message))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass


async def _pump_stderr(process: anyio.abc.Process, info: StdioProcessInfo) -> None:
    import anyio

    assert process.stderr is not None
    pending = b""
    try:
        async for chunk in process.stderr:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                info.stderr.append(line.decode(errors="replace")[:2000])
            if len(pending) > 8192:
                info.stderr.append(pending.decode(errors="replace")[:2000])
                pending = b""
    except (anyio.ClosedResourceError, anyio.BrokenResourceError):
        pass
    if pending:
        info.stderr.append(pending.decode(errors="replace")[:2000])


async def _pump_stdin(
    process: anyio.abc.Process, reader: MemoryObjectReceiveStream[Any], params: StdioServerParams
) -> None:
    import anyio

    assert process.stdin is not None
    async with reader:
        try:
            async for session_message in reader:
                data = session_message.message.model_dump_json(by_alias=True, exclude_none=True)
                await process.stdin.send((data + "\n").encode(params.encoding, params.encoding_error_handler))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass


async def _watch_exit(process: anyio.abc.Process, info: StdioProcessInfo) -> None:
    info.returncode = await process.wait()
    info.exited.set()


@asynccontextmanager
async def open_stdio_transport(
    params: StdioServerParams, info: StdioProcessInfo, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> AsyncIterator[tuple[MemoryObjectReceiveStream[Any], MemoryObjectSendStream[Any]]]:
    """Spawn the server and yield (read, write) streams of JSON-RPC session messages."""
    import anyio

    process = await _spawn(params)
    info.pid = process.pid
    read_writer, read_stream = anyio.create_memory_object_stream[Any](0)
    write_stream, write_reader = anyio.create_memory_object_stream[Any](0)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_pump_stdout, process, read_writer, _LineSplitter(params, max_message_bytes))
            tg.start_soon(_pump_stderr, process, info)
            tg.start_soon(_pump_stdin, process, write_reader, params)
            tg.start_soon(_watch_exit, process, info)
            try:
                yield read_stream, write_stream
            finally:
                with anyio.CancelScope(shield=True):
                    await _shutdown(process)
                    info.returncode = process.returncode
                    info.exited.set()
                tg.cancel_scope.cancel()
    finally:
        for stream in (read_stream, write_stream, read_writer, write_reader):
            await stream.aclose()


async def _shutdown(process: anyio.abc.Process) -> None:
    import anyio

    if process.returncode is not None:
        return
    if process.stdin is not None:
        try:
            await process.stdin.aclose()
        except Exception:
            pass
    with anyio.move_on_after(_TERMINATE_GRACE_S):
        await process.wait()
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                process.send_signal(sig)
            except ProcessLookupError:
                return
        with anyio.move_on_after(_TERMINATE_GRACE_S):
            await process.wait()
            return
