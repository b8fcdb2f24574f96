"""One managed, long-lived MCP client session per owner (workbench or tool set).

The session lives in a background task (the SDK's transports are anyio context managers that must be
entered and left in one task); requests are sent from any task straight through the SDK session. When the
transport breaks (the server exits, an HTTP error) pending requests fail at once with the root cause, and
the next request reconnects.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

from ..._imports import require
from ..._secrets import reveal_map
from ...core import CancellationToken
from ._config import SseServerParams, StdioServerParams, StreamableHttpServerParams, describe_server
from ._errors import McpConnectionError, McpServerStartError, McpTimeoutError
from ._stdio import DEFAULT_MAX_MESSAGE_BYTES, MessageTooLargeError, StdioProcessInfo, open_stdio_transport

__all__ = ["McpConnection", "ServerParams", "open_transport"]

T = TypeVar("T")
ServerParams = StdioServerParams | SseServerParams | StreamableHttpServerParams
DEFAULT_INITIALIZE_TIMEOUT_S = 30.0


@asynccontextmanager
async def open_transport(
    params: ServerParams, info: StdioProcessInfo | None = None, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> AsyncIterator[tuple[Any, Any]]:
    """Open the transport named by ``params`` and yield its (read, write) streams."""
    if isinstance(params, StdioServerParams):
        async with open_stdio_transport(
            params, info or StdioProcessInfo(describe_server(params)), max_message_bytes=max_message_bytes
        ) as streams:
            yield streams
    elif isinstance(params, SseServerParams):
        sse = require("mcp.client.sse", extra="mcp")
        async with sse.sse_client(
            params.url,
            headers=reveal_map(params.headers),
            timeout=params.timeout,
            sse_read_timeout=params.sse_read_timeout,
        ) as (read, write):
            yield read, write
    elif isinstance(params, StreamableHttpServerParams):
        http = require("mcp.client.streamable_http", extra="mcp")
        if hasattr(http, "streamable_http_client"):  # mcp >= 1.2x: configure headers/timeouts on our own client
            httpx = require("httpx", extra="mcp")
            headers = {str(k): str(v) for k, v in (reveal_map(params.headers) or {}).items()}
            timeout = httpx.Timeout(params.timeout, read=params.sse_read_timeout)
            async with (
                httpx.AsyncClient(headers=headers, timeout=timeout) as client,
                http.streamable_http_client(
                    params.url, http_client=client, terminate_on_close=params.terminate_on_close
                ) as (read, write, _get_session_id),
            ):
                yield read, write
        else:
            async with http.streamablehttp_client(
                params.url,
                headers=reveal_map(params.headers),
                timeout=params.timeout,
                sse_read_timeout=params.sse_read_timeout,
                terminate_on_close=params.terminate_on_close,
            ) as (read, write, _get_session_id):
                yield read, write
    else:  # pragma: no cover - guarded by the type
        raise TypeError(f"Unsupported MCP server parameters: {type(params).__name__}")


def _leaf_errors(error: BaseException) -> list[BaseException]:
    if isinstance(error, builtins.BaseExceptionGroup):
        leaves: list[BaseException] = []
        for sub in error.exceptions:
            leaves.extend(_leaf_errors(sub))
        return leaves
    return [error]


def describe_transport_error(params: ServerParams, error: BaseException) -> str:
    """Name the root cause of a transport failure: HTTP status, connection error, or the error itself."""
    httpx = require("httpx", extra="mcp")
    for leaf in _leaf_errors(error):
        if isinstance(leaf, httpx.HTTPStatusError):
            response = leaf.response
            return (
                f"MCP server at {describe_server(params)} answered HTTP {response.status_code} "
                f"{response.reason_phrase} to {leaf.request.method} {leaf.request.url}"
            )
        if isinstance(leaf, httpx.ConnectError | httpx.ConnectTimeout):
            return f"Could not connect to MCP server at {describe_server(params)}: {leaf or type(leaf).__name__}"
        if isinstance(leaf, httpx.HTTPError):
            return f"HTTP error talking to MCP server at {describe_server(params)}: {type(leaf).__name__}: {leaf}"
    leaves = _leaf_errors(error)
    if any(isinstance(leaf, MessageTooLargeError) for leaf in leaves):
        return str(next(leaf for leaf in leaves if isinstance(leaf, MessageTooLargeError)))
    text = "; ".join(f"{type(e).__name__}: {e}" for e in leaves)
    return f"MCP server {describe_server(params)!r} failed: {text}"


class _Live:
    """One connected session and the background task that owns it."""

    def __init__(self, params: ServerParams) -> None:
        self.params = params
        self.info = StdioProcessInfo(describe_server(params)) if isinstance(params, StdioServerParams) else None
        self.session: Any = None
        self.initialize_result: Any = None
        self.stop = asyncio.Event()
        self.broken: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None
        self.timed_calls: set[_CallState] = set()

    async def watchdog(self, period_s: float = 0.25) -> None:
        """Interrupt requests past their deadline (one timer for all calls, not one per call)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(period_s)
            if not self.timed_calls:
                continue
            now = loop.time()
            for state in list(self.timed_calls):
                if state.deadline <= now and state.active and not state.interrupted:
                    state.timed_out = True
                    state.interrupt()

    def mark_broken(self, error: BaseException) -> None:
        if not self.broken.done():
            self.broken.set_result(error)

    @property
    def usable(self) -> bool:
        return not self.broken.done() and self.task is not None and not self.task.done()


class _WatchedReceiveStream:
    """Wraps the transport's read stream: transport errors and end-of-stream mark the connection broken."""

    def __init__(self, inner: Any, live: _Live) -> None:
        anyio = require("anyio", extra="mcp")
        self._inner = inner
        self._live = live
        self._ended = (anyio.EndOfStream, anyio.ClosedResourceError)
        self._end_of_stream = anyio.EndOfStream

    async def __aenter__(self) -> _WatchedReceiveStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> _WatchedReceiveStream:
        return self

    async def __anext__(self) -> Any:
        try:
            item = await self._inner.receive()
        except self._ended:
            self._live.mark_broken(EOFError("the connection was closed"))
            raise StopAsyncIteration from None
        # Transport failures (HTTP errors, an oversized message) break the connection; a line that is not valid
        # JSON-RPC (a server logging to stdout) is only reported to the session, as the SDK does.
        if isinstance(item, Exception) and (isinstance(item, MessageTooLargeError) or not isinstance(item, ValueError)):
            self._live.mark_broken(item)
        return item

    async def receive(self) -> Any:
        try:
            return await self.__anext__()
        except StopAsyncIteration:
            raise self._end_of_stream from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    def close(self) -> None:
        self._inner.close()


class _CallState:
    __slots__ = ("active", "by_token", "deadline", "interrupted", "task", "timed_out")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.active = True
        self.interrupted = False
        self.by_token = False
        self.timed_out = False
        self.deadline = 0.0

    def interrupt(self) -> None:
        if self.active and not self.interrupted:
            self.interrupted = True
            self.task.cancel()


class McpConnection:
    """A managed MCP client session: connects on first use, reconnects after the server dies.

    Args:
        params: how to reach the server.
        sampling_callback / elicitation_callback / list_roots_callback: answers to server requests.
        on_tools_changed: called when the server says its tool list changed.
        initialize_timeout: seconds to wait for the server's answer to ``initialize``.
        request_timeout: seconds to wait for each request (None: no limit).
    """

    def __init__(
        self,
        params: ServerParams,
        *,
        sampling_callback: Any = None,
        elicitation_callback: Any = None,
        list_roots_callback: Any = None,
        on_tools_changed: Callable[[], None] | None = None,
        initialize_timeout: float | None = DEFAULT_INITIALIZE_TIMEOUT_S,
        request_timeout: float | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.params = params
        self._callbacks = {
            "sampling_callback": sampling_callback,
            "elicitation_callback": elicitation_callback,
            "list_roots_callback": list_roots_callback,
        }
        self._on_tools_changed = on_tools_changed
        self._initialize_timeout = initialize_timeout
        self._request_timeout = request_timeout
        self._max_message_bytes = max_message_bytes
        self._live: _Live | None = None
        self._lock: asyncio.Lock | None = None
        self.connect_count = 0

    @property
    def name(self) -> str:
        return describe_server(self.params)

    @property
    def connected(self) -> bool:
        return self._live is not None and self._live.usable

    @property
    def initialize_result(self) -> Any:
        return None if self._live is None else self._live.initialize_result

    @property
    def process_info(self) -> StdioProcessInfo | None:
        return None if self._live is None else self._live.info

    async def connect(self) -> None:
        """Connect now (no-op when connected)."""
        await self._ensure_live()

    async def close(self) -> None:
        """Close the session and stop a stdio server."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            live, self._live = self._live, None
            if live is not None:
                await self._shutdown(live)

    async def _shutdown(self, live: _Live) -> None:
        live.stop.set()
        if live.task is not None and not live.task.done():
            try:
                await asyncio.wait_for(asyncio.shield(live.task), timeout=10)
            except (TimeoutError, asyncio.CancelledError, Exception):
                live.task.cancel()
                with contextlib.suppress(BaseException):
                    await live.task

    async def _message_handler(self, message: Any) -> None:
        if self._on_tools_changed is None or isinstance(message, Exception):
            return
        types = require("mcp.types", extra="mcp")
        root = getattr(message, "root", None)
        if isinstance(root, types.ToolListChangedNotification):
            self._on_tools_changed()

    async def _run(self, live: _Live, ready: asyncio.Future[None]) -> None:
        client = require("mcp.client.session", extra="mcp")
        watchdog = asyncio.create_task(live.watchdog(), name=f"mcp-watchdog {self.name}")
        try:
            async with AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(
                    open_transport(live.params, live.info, max_message_bytes=self._max_message_bytes)
                )
                session = await stack.enter_async_context(
                    client.ClientSession(
                        _WatchedReceiveStream(read, live),
                        write,
                        message_handler=self._message_handler,
                        **{k: v for k, v in self._callbacks.items() if v is not None},
                    )
                )
                live.session = session
                live.initialize_result = await self._guarded(
                    live, session.initialize(), "initialize", limit_s=self._initialize_timeout
                )
                ready.set_result(None)
                stop: asyncio.Future[Any] = asyncio.ensure_future(live.stop.wait())
                waiters: set[asyncio.Future[Any]] = {stop, live.broken}
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stop.cancel()
        except BaseException as e:
            known = [leaf for leaf in _leaf_errors(e) if isinstance(leaf, McpConnectionError)]
            op = "initialize" if live.session is not None else "connect"
            error = known[0] if known else await self._root_cause(live, e, op)
            if not ready.done():
                ready.set_exception(error)
            live.mark_broken(error)
            if isinstance(e, asyncio.CancelledError):
                raise
        finally:
            watchdog.cancel()
            live.mark_broken(McpConnectionError(f"The session with MCP server {self.name!r} was closed"))

    async def _ensure_live(self) -> _Live:
        live = self._live
        if live is not None and live.usable:
            return live
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            live = self._live
            if live is not None and live.usable:
                return live
            if live is not None:
                self._live = None
                await self._shutdown(live)
            live = _Live(self.params)
            ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            live.task = asyncio.create_task(self._run(live, ready), name=f"mcp-session {self.name}")
            try:
                await ready
            except BaseException:
                await self._shutdown(live)
                raise
            self.connect_count += 1
            self._live = live
            return live

    async def _root_cause(self, live: _Live, error: BaseException, op: str) -> McpConnectionError:
        if isinstance(error, McpConnectionError):
            return error
        if isinstance(error, MessageTooLargeError):
            return McpConnectionError(f"{error} (during {op}); the session is reopened on the next call")
        if isinstance(live.params, StdioServerParams) and live.info is not None:
            if live.info.pid is None:
                return McpServerStartError(f"Could not start MCP server {self.name!r}: {error}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(live.info.exited.wait(), timeout=2.0)
            detail = live.info.describe_exit() or f"{type(error).__name__}: {error}"
            return McpConnectionError(f"The connection to MCP server {self.name!r} was lost during {op}: {detail}")
        return McpConnectionError(f"{describe_transport_error(live.params, error)} (during {op})")

    async def _guarded(
        self,
        live: _Live,
        coro: Awaitable[T],
        op: str,
        *,
        limit_s: float | None,
        cancellation_token: CancellationToken | None = None,
    ) -> T:
        """Await ``coro`` in the calling task; a broken transport, a timeout or the token interrupt it.

        No extra task is created per request: the calling task itself is cancelled on interruption and the
        cancellation is turned into the root-cause error.
        """
        current = asyncio.current_task()
        assert current is not None
        state = _CallState(current)

        def on_broken(_: object) -> None:
            state.interrupt()

        live.broken.add_done_callback(on_broken)
        if limit_s is not None:
            state.deadline = asyncio.get_running_loop().time() + limit_s
            live.timed_calls.add(state)
        if cancellation_token is not None:
            loop = asyncio.get_running_loop()

            def cancel_for_token() -> None:
                if state.active and not state.interrupted:
                    state.by_token = True
                    state.interrupt()

            def on_token() -> None:  # may run in another thread: hop onto the loop, then re-check
                loop.call_soon_threadsafe(cancel_for_token)

            cancellation_token.add_callback(on_token)
        try:
            return await coro
        except asyncio.CancelledError:
            if state.interrupted and current.uncancel() == 0:
                if state.timed_out:
                    tail = live.info.stderr_tail() if live.info is not None else ""
                    hint = f"; server stderr ended with:\n{tail}" if tail else ""
                    raise McpTimeoutError(
                        f"MCP server {self.name!r} did not answer {op} within {limit_s:g}s{hint}"
                    ) from None
                if state.by_token:
                    raise asyncio.CancelledError(f"{op} was cancelled by its cancellation token") from None
                raise await self._root_cause(live, live.broken.result(), op) from None
            raise
        except Exception as e:
            if _is_connection_closed(e) or live.broken.done():
                cause = live.broken.result() if live.broken.done() else e
                raise await self._root_cause(live, cause, op) from e
            raise
        finally:
            state.active = False
            live.timed_calls.discard(state)
            live.broken.remove_done_callback(on_broken)

    async def request(
        self,
        op: str,
        call: Callable[[Any], Awaitable[T]],
        *,
        idempotent: bool,
        cancellation_token: CancellationToken | None = None,
    ) -> T:
        """Run ``call(session)``; on a broken connection, reconnect and retry once if ``idempotent``."""
        live = await self._ensure_live()
        try:
            return await self._guarded(
                live, call(live.session), op, limit_s=self._request_timeout, cancellation_token=cancellation_token
            )
        except McpConnectionError:
            if not live.broken.done() or not idempotent:
                raise
        live = await self._ensure_live()
        return await self._guarded(
            live, call(live.session), op, limit_s=self._request_timeout, cancellation_token=cancellation_token
        )


def _is_connection_closed(error: BaseException) -> bool:
    shared = require("mcp.shared.exceptions", extra="mcp")
    types = require("mcp.types", extra="mcp")
    return isinstance(error, shared.McpError) and error.error.code == types.CONNECTION_CLOSED
