"""Serve an accord agent or team as an MCP server (stdio, or streamable HTTP on loopback with a bearer token).

Anything with AutoGen's TaskRunner shape works (``async run(task=...) -> TaskResult``); the agents and teams
packages are above tools in the layering, so the runner is duck-typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol, runtime_checkable

from ..._errors import RunError, UsageError
from ..._imports import require

__all__ = ["McpTaskServer", "ProgressFn", "TaskRunnerLike", "task_result_text"]

ProgressFn = Callable[[float, float | None, str | None], Awaitable[None]]


@runtime_checkable
class TaskRunnerLike(Protocol):
    """What can be served: an agent or team with ``async run(task=...)``."""

    async def run(self, *, task: Any = None, **kwargs: Any) -> Any: ...


def _message_text(message: Any) -> str:
    to_text = getattr(message, "to_text", None)
    if callable(to_text):
        return str(to_text())
    content = getattr(message, "content", message)
    return content if isinstance(content, str) else json.dumps(content, default=str)


def task_result_text(result: Any, *, output: Literal["last", "transcript"] = "last") -> str:
    """The text an MCP client receives for a task result: the last message, or the whole transcript."""
    messages = list(getattr(result, "messages", []) or [])
    if not messages:
        return str(getattr(result, "stop_reason", "") or "")
    if output == "last":
        return _message_text(messages[-1])
    lines = [f"{getattr(m, 'source', '?')}: {_message_text(m)}" for m in messages]
    stop_reason = getattr(result, "stop_reason", None)
    if stop_reason:
        lines.append(f"[stop reason: {stop_reason}]")
    return "\n".join(lines)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _BearerAuth:
    """ASGI middleware: every HTTP request needs ``Authorization: Bearer <token>``."""

    def __init__(self, app: Callable[..., Awaitable[None]], token: str) -> None:
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            supplied = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(supplied, self._expected):
                body = b'{"error": "unauthorized: send Authorization: Bearer <token>"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b'Bearer realm="accord"'),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self._app(scope, receive, send)


class McpTaskServer:
    """Expose a task runner (agent or team) as an MCP server with one tool.

    The tool (``tool_name``, default ``"run_task"``) takes ``{"task": str}``, runs the runner and returns the
    last message's text (or the transcript with ``output="transcript"``). Tasks run one at a time (teams
    cannot run concurrently); ``reset_after_task`` resets the runner after each.

    Args:
        runner: the agent or team.
        name: the server name shown to clients.
        tool_name / description: the tool's name and description.
        output: ``"last"`` message text or the whole ``"transcript"``.
        reset_after_task: call ``runner.reset()`` after each task.
    """

    def __init__(
        self,
        runner: TaskRunnerLike,
        *,
        name: str = "accord",
        tool_name: str = "run_task",
        description: str | None = None,
        output: Literal["last", "transcript"] = "last",
        reset_after_task: bool = False,
    ) -> None:
        if not callable(getattr(runner, "run", None)):
            raise UsageError(f"{type(runner).__name__} cannot be served: it has no async run(task=...) method")
        self._runner = runner
        self._name = name
        self._tool_name = tool_name
        self._description = description or str(
            getattr(runner, "description", None) or f"Run a task with {type(runner).__name__} and return its answer."
        )
        self._output: Literal["last", "transcript"] = output
        self._reset_after_task = reset_after_task
        self._lock = asyncio.Lock()
        self._server: Any = None
        self._serve_task: asyncio.Task[Any] | None = None
        self._token: str | None = None
        self._url: str | None = None

    async def run_task(self, task: str, *, progress: ProgressFn | None = None) -> str:
        """Run one task on the runner and return the text the MCP client receives.

        With ``progress`` and a runner that has ``run_stream``, each message is reported as it comes.
        """
        async with self._lock:
            try:
                run_stream = getattr(self._runner, "run_stream", None)
                if progress is not None and callable(run_stream):
                    result: Any = None
                    count = 0
                    async for item in run_stream(task=task):
                        if hasattr(item, "messages") and hasattr(item, "stop_reason"):
                            result = item
                            continue
                        count += 1
                        text = f"{getattr(item, 'source', '?')}: {_message_text(item)}"
                        await progress(float(count), None, text[:1000])
                else:
                    result = await self._runner.run(task=task)
            finally:
                if self._reset_after_task and callable(getattr(self._runner, "reset", None)):
                    await self._runner.reset()  # type: ignore[attr-defined]
        return task_result_text(result, output=self._output)

    def build_server(self, *, host: str = "127.0.0.1", port: int = 0) -> Any:
        """The SDK's FastMCP server with the task tool registered."""
        fastmcp = require("mcp.server.fastmcp", extra="mcp")
        server = fastmcp.FastMCP(self._name, host=host, port=port, log_level="WARNING")

        async def run_task(task: str, ctx: Any) -> str:
            meta = ctx.request_context.meta
            wants_progress = meta is not None and meta.progressToken is not None
            return await self.run_task(task, progress=ctx.report_progress if wants_progress else None)

        # Real annotation objects (this module uses postponed annotations): FastMCP injects the Context by type.
        run_task.__annotations__ = {"task": str, "ctx": fastmcp.Context, "return": str}
        server.add_tool(run_task, name=self._tool_name, description=self._description)
        return server

    async def serve_stdio(self) -> None:
        """Serve over this process's stdin/stdout until the client disconnects."""
        await self.build_server().run_stdio_async()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RunError("McpTaskServer is not serving over HTTP; call start_http() first")
        return self._url

    @property
    def token(self) -> str:
        if self._token is None:
            raise RunError("McpTaskServer is not serving over HTTP; call start_http() first")
        return self._token

    @property
    def headers(self) -> dict[str, str]:
        """The headers a client must send (the bearer token)."""
        return {"Authorization": f"Bearer {self.token}"}

    async def start_http(self, *, host: str = "127.0.0.1", port: int = 0, token: str | None = None) -> str:
        """Serve over streamable HTTP on a loopback address; returns the URL (``http://host:port/mcp``).

        ``token`` defaults to a fresh random one (read it from :attr:`token`); ``port=0`` picks a free port.
        """
        if not _is_loopback(host):
            raise UsageError(f"McpTaskServer serves on loopback only; host {host!r} is not a loopback address")
        if self._serve_task is not None:
            raise RunError("McpTaskServer is already serving over HTTP")
        uvicorn = require("uvicorn", extra="mcp")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError as e:
            sock.close()
            raise RunError(f"McpTaskServer cannot listen on {host}:{port}: {e}") from e
        self._token = token or secrets.token_urlsafe(32)
        app = _BearerAuth(self.build_server(host=host, port=port).streamable_http_app(), self._token)
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        server = uvicorn.Server(config)
        self._server = server
        self._serve_task = asyncio.create_task(server.serve(sockets=[sock]), name=f"mcp-task-server {self._name}")
        while not server.started:
            if self._serve_task.done():
                task, self._serve_task = self._serve_task, None
                sock.close()
                error = task.exception() if not task.cancelled() else None
                raise RunError(f"McpTaskServer could not start on {host}:{port}: {error!r}")
            await asyncio.sleep(0.01)
        bound_port = sock.getsockname()[1]
        shown_host = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown_host}:{bound_port}/mcp"
        return self._url

    async def stop(self) -> None:
        """Stop serving over HTTP."""
        server, task = self._server, self._serve_task
        self._server = self._serve_task = None
        self._url = None
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=10)
        except (TimeoutError, Exception):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    async def __aenter__(self) -> McpTaskServer:
        await self.start_http()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
