"""Context variables that tell code where it runs: inside an agent factory, a handler, a subscription factory."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import RunError

if TYPE_CHECKING:
    from ._agent_id import AgentId, AgentType

__all__ = ["AgentInstantiationContext", "MessageHandlerContext", "SubscriptionInstantiationContext"]


class AgentInstantiationContext:
    """Set while the runtime calls an agent factory: gives the agent its runtime and id."""

    _CONTEXT: ClassVar[ContextVar[tuple[Any, AgentId]]] = ContextVar("agent_instantiation_context")

    def __init__(self) -> None:
        raise RuntimeError("AgentInstantiationContext is a static class; use its class methods")

    @classmethod
    @contextmanager
    def populate_context(cls, ctx: tuple[Any, AgentId]) -> Generator[None, None, None]:
        token = cls._CONTEXT.set(ctx)
        try:
            yield
        finally:
            cls._CONTEXT.reset(token)

    @classmethod
    def current_runtime(cls) -> Any:
        try:
            return cls._CONTEXT.get()[0]
        except LookupError as e:
            raise RunError("Not inside an agent factory call: no runtime is being instantiated") from e

    @classmethod
    def current_agent_id(cls) -> AgentId:
        try:
            return cls._CONTEXT.get()[1]
        except LookupError as e:
            raise RunError("Not inside an agent factory call: no agent id is being instantiated") from e

    @classmethod
    def is_in_factory_call(cls) -> bool:
        return cls._CONTEXT.get(None) is not None


class MessageHandlerContext:
    """Set while a handler runs: the id of the handling agent."""

    _CONTEXT: ClassVar[ContextVar[AgentId]] = ContextVar("message_handler_context")

    def __init__(self) -> None:
        raise RuntimeError("MessageHandlerContext is a static class; use its class methods")

    @classmethod
    @contextmanager
    def populate_context(cls, ctx: AgentId) -> Generator[None, None, None]:
        token = cls._CONTEXT.set(ctx)
        try:
            yield
        finally:
            cls._CONTEXT.reset(token)

    @classmethod
    def agent_id(cls) -> AgentId:
        try:
            return cls._CONTEXT.get()
        except LookupError as e:
            raise RunError("Not inside a message handler") from e

    @classmethod
    def current_agent_id(cls) -> AgentId | None:
        return cls._CONTEXT.get(None)


class SubscriptionInstantiationContext:
    """Set while ``register`` evaluates a class's subscription factories: the agent type being registered."""

    _CONTEXT: ClassVar[ContextVar[AgentType]] = ContextVar("subscription_instantiation_context")

    def __init__(self) -> None:
        raise RuntimeError("SubscriptionInstantiationContext is a static class; use its class methods")

    @classmethod
    @contextmanager
    def populate_context(cls, ctx: AgentType) -> Generator[None, None, None]:
        token = cls._CONTEXT.set(ctx)
        try:
            yield
        finally:
            cls._CONTEXT.reset(token)

    @classmethod
    def agent_type(cls) -> AgentType:
        try:
            return cls._CONTEXT.get()
        except LookupError as e:
            from .exceptions import CantHandleException

            raise CantHandleException("Not inside a subscription factory: no agent type is being registered") from e
