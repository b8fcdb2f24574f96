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


@asynccontextmanager
async def open_stdio_transport(
    params: StdioServerParams, info: StdioProcessInfo, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> AsyncIterator[tuple[MemoryObjectReceiveStream[Any], MemoryObjectSendStream[Any]]]:
    """Spawn the server and yield (read, write) streams of JSON-RPC session messages."""
    import anyio

    mcp_types = require("mcp.types", extra="mcp")
    message_mod = require("mcp.shared.message", extra="mcp")
    stdio_mod = require("mcp.client.stdio", extra="mcp")
    env = {**stdio_mod.get_default_environment(), **(params.env or {})}
    try:
        process = await anyio.open_process(
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
    info.pid = process.pid
    read_writer, read_stream = anyio.create_memory_object_stream[Any](0)
    write_stream, write_reader = anyio.create_memory_object_stream[Any](0)

    async def read_stdout() -> None:
        assert process.stdout is not None
        buffer = bytearray()
        skipping = False
        async with read_writer:
            try:
                async for chunk in process.stdout:
                    start = 0
                    while True:
                        newline = chunk.find(b"\n", start)
                        if newline < 0:
                            if not skipping:
                                buffer += chunk[start:]
                                if len(buffer) > max_message_bytes:
                                    buffer.clear()
                                    skipping = True
                                    await read_writer.send(
                                        MessageTooLargeError(
                                            f"MCP server {describe_server(params)!r} sent a message larger than "
                                            f"{max_message_bytes} bytes; it was dropped"
                                        )
                                    )
                            break
                        if skipping:
                            skipping = False
                        else:
                            buffer += chunk[start:newline]
                            line = bytes(buffer).decode(params.encoding, params.encoding_error_handler)
                            buffer.clear()
                            if line.strip():
                                try:
                                    message = mcp_types.JSONRPCMessage.model_validate_json(line)
                                except Exception as exc:
                                    await read_writer.send(exc)
                                else:
                                    await read_writer.send(message_mod.SessionMessage(message))
                        start = newline + 1
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass

    async def read_stderr() -> None:
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

    async def write_stdin() -> None:
        assert process.stdin is not None
        async with write_reader:
            try:
                async for session_message in write_reader:
                    data = session_message.message.model_dump_json(by_alias=True, exclude_none=True)
                    await process.stdin.send((data + "\n").encode(params.encoding, params.encoding_error_handler))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass

    async def watch_exit() -> None:
        info.returncode = await process.wait()
        info.exited.set()

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(read_stdout)
            tg.start_soon(read_stderr)
            tg.start_soon(write_stdin)
            tg.start_soon(watch_exit)
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
