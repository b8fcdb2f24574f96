"""RoutedAgent: dispatches each message to the handler declared for its exact type."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar, Literal, Protocol, TypeVar, cast, overload

from .._errors import UsageError
from ._base_agent import BaseAgent
from ._constants import ROOT_LOGGER_NAME
from ._message_context import MessageContext
from ._serialization import MessageSerializer, try_get_known_serializers_for_type
from ._type_helpers import handler_types
from .exceptions import CantHandleException

__all__ = ["MessageHandler", "RoutedAgent", "event", "message_handler", "rpc"]

logger = logging.getLogger(ROOT_LOGGER_NAME)

AgentT = TypeVar("AgentT")
ReceivesT = TypeVar("ReceivesT")
ProducesT = TypeVar("ProducesT", covariant=True)

Router = Callable[[Any, MessageContext], bool]
RawHandler = Callable[[AgentT, ReceivesT, MessageContext], Coroutine[Any, Any, Any]]


class MessageHandler(Protocol[AgentT, ReceivesT, ProducesT]):  # type: ignore[misc]
    target_types: tuple[type[Any], ...]
    produces_types: tuple[type[Any], ...]
    is_message_handler: Literal[True]
    router: Router

    async def __call__(self, agent_instance: AgentT, message: ReceivesT, ctx: MessageContext) -> ProducesT: ...


def _make_handler(
    func: RawHandler[Any, Any], *, strict: bool, router: Router | None, kind: Literal["message", "event", "rpc"]
) -> Any:
    target_types, return_types = handler_types(func)
    if kind == "event" and return_types != (type(None),):
        raise UsageError(f"@event handler {func.__qualname__} must return None, it declares {return_types}")
    check_return = _return_checker(func.__qualname__, return_types, strict)
    targets = frozenset(target_types)

    async def wrapper(self: Any, message: Any, ctx: MessageContext) -> Any:
        if type(message) not in targets:
            if strict:
                raise CantHandleException(f"{func.__qualname__} cannot handle {type(message).__name__}")
            warnings.warn(f"{func.__qualname__} received unexpected {type(message).__name__}", stacklevel=2)
        result = await func(self, message, ctx)
        if check_return is not None:
            check_return(result)
        return result

    handler: Any = wrapper
    handler.__name__ = func.__name__
    handler.__qualname__ = func.__qualname__
    handler.__doc__ = func.__doc__
    handler.__wrapped__ = func
    handler.target_types = target_types
    handler.produces_types = return_types
    handler.is_message_handler = True
    handler.handler_kind = kind
    handler.match = router
    handler.check_return = check_return
    if kind == "event":
        handler.router = (lambda m, c: not c.is_rpc and router(m, c)) if router else (lambda m, c: not c.is_rpc)
    elif kind == "rpc":
        handler.router = (lambda m, c: c.is_rpc and router(m, c)) if router else (lambda m, c: c.is_rpc)
    else:
        handler.router = router or (lambda m, c: True)
    return handler


def _return_checker(name: str, return_types: tuple[Any, ...], strict: bool) -> Callable[[Any], None] | None:
    if Any in return_types:
        return None
    exact = frozenset(return_types)
    classes = tuple(t for t in return_types if isinstance(t, type))

    def check(value: Any) -> None:
        if type(value) in exact or (classes and isinstance(value, classes)):
            return
        text = f"{name} returned {type(value).__name__}, not one of its declared return types {return_types}"
        if strict:
            raise UsageError(text)
        warnings.warn(text, stacklevel=3)

    return check


def _decorator(kind: Literal["message", "event", "rpc"]) -> Any:
    def outer(func: Any = None, *, strict: bool = True, match: Router | None = None) -> Any:
        if func is not None:
            return _make_handler(func, strict=strict, router=match, kind=kind)
        return lambda f: _make_handler(f, strict=strict, router=match, kind=kind)

    return outer


@overload
def message_handler(func: RawHandler[AgentT, ReceivesT]) -> MessageHandler[AgentT, ReceivesT, Any]: ...


@overload
def message_handler(
    func: None = None, *, strict: bool = True, match: Router | None = None
) -> Callable[[RawHandler[AgentT, ReceivesT]], MessageHandler[AgentT, ReceivesT, Any]]: ...


def message_handler(func: Any = None, *, strict: bool = True, match: Router | None = None) -> Any:
    """Declare a handler for the message types in its ``message`` annotation (send and publish)."""
    return _decorator("message")(func, strict=strict, match=match)


@overload
def event(func: RawHandler[AgentT, ReceivesT]) -> MessageHandler[AgentT, ReceivesT, None]: ...


@overload
def event(
    func: None = None, *, strict: bool = True, match: Router | None = None
) -> Callable[[RawHandler[AgentT, ReceivesT]], MessageHandler[AgentT, ReceivesT, None]]: ...


def event(func: Any = None, *, strict: bool = True, match: Router | None = None) -> Any:
    """Declare a handler for published messages only; it must return None."""
    return _decorator("event")(func, strict=strict, match=match)


@overload
def rpc(func: RawHandler[AgentT, ReceivesT]) -> MessageHandler[AgentT, ReceivesT, Any]: ...


@overload
def rpc(
    func: None = None, *, strict: bool = True, match: Router | None = None
) -> Callable[[RawHandler[AgentT, ReceivesT]], MessageHandler[AgentT, ReceivesT, Any]]: ...


def rpc(func: Any = None, *, strict: bool = True, match: Router | None = None) -> Any:
    """Declare a handler for direct (RPC) messages only."""
    return _decorator("rpc")(func, strict=strict, match=match)


class _Route:
    """One handler for one message type, prepared for fast dispatch."""

    __slots__ = ("check_return", "func", "router")

    def __init__(self, handler: Any) -> None:
        self.func: RawHandler[Any, Any] = handler.__wrapped__
        self.check_return: Callable[[Any], None] | None = handler.check_return
        kind = handler.handler_kind
        self.router: Router | None = handler.router if (kind != "message" or handler.match is not None) else None


class RoutedAgent(BaseAgent):
    """An agent whose handlers are methods decorated with ``@message_handler``, ``@event`` or ``@rpc``.

    Routing is by the message's exact type; among the handlers for that type, the first (in attribute
    name order) whose router accepts the message handles it.
    """

    _routes_cache: ClassVar[dict[type[Any], dict[type[Any], tuple[_Route, ...]]]] = {}

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self._routes = self._class_routes()

    @classmethod
    def _class_routes(cls) -> dict[type[Any], tuple[_Route, ...]]:
        routes = RoutedAgent._routes_cache.get(cls)
        if routes is None:
            table: dict[type[Any], list[_Route]] = {}
            for handler in cls._discover_handlers():
                for target in handler.target_types:
                    table.setdefault(target, []).append(_Route(handler))
            routes = {t: tuple(r) for t, r in table.items()}
            RoutedAgent._routes_cache[cls] = routes
        return routes

    @classmethod
    def _discover_handlers(cls) -> list[Any]:
        handlers = []
        for name in dir(cls):
            attr = getattr(cls, name, None)
            if callable(attr) and getattr(attr, "is_message_handler", False):
                handlers.append(attr)
        return handlers

    @classmethod
    def _handles_types(cls) -> list[tuple[type[Any], list[MessageSerializer[Any]]]]:
        types: list[tuple[type[Any], list[MessageSerializer[Any]]]] = []
        for handler in cls._discover_handlers():
            for target in handler.target_types:
                serializers = try_get_known_serializers_for_type(target)
                if serializers:
                    types.append((target, serializers))
        return types

    async def on_message_impl(self, message: Any, ctx: MessageContext) -> Any:
        routes = self._routes.get(type(message))
        if routes is not None:
            for route in routes:
                if route.router is None or route.router(message, ctx):
                    result = await route.func(self, message, ctx)
                    if route.check_return is not None:
                        route.check_return(result)
                    return result
        return await self.on_unhandled_message(message, ctx)

    async def on_unhandled_message(self, message: Any, ctx: MessageContext) -> None:
        logger.info("Unhandled message: %s", cast(Any, message))
