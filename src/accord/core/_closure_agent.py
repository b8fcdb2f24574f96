from __future__ import annotations

import inspect
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from .._errors import UsageError
from ._agent_id import AgentId, AgentType
from ._base_agent import BaseAgent
from ._cancellation_token import CancellationToken
from ._contexts import AgentInstantiationContext
from ._message_context import MessageContext
from ._serialization import try_get_known_serializers_for_type
from ._subscription import Subscription, TypePrefixSubscription
from ._topic import TopicId
from ._type_helpers import expand_types
from .exceptions import CantHandleException

if TYPE_CHECKING:
    from ._runtime_protocol import AgentRuntime

__all__ = ["ClosureAgent", "ClosureContext"]

T = TypeVar("T")


class ClosureContext(Protocol):
    @property
    def id(self) -> AgentId: ...

    async def send_message(
        self,
        message: Any,
        recipient: AgentId,
        *,
        cancellation_token: CancellationToken | None = None,
        message_id: str | None = None,
    ) -> Any: ...

    async def publish_message(
        self, message: Any, topic_id: TopicId, *, cancellation_token: CancellationToken | None = None
    ) -> None: ...


Closure = Callable[[ClosureContext, T, MessageContext], Awaitable[Any]]


def _closure_types(closure: Callable[..., Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    params = list(inspect.signature(closure).parameters)
    if len(params) != 3:
        raise UsageError(f"A closure must take exactly 3 arguments (ctx, message, message_context), got {params}")

    import typing

    hints = typing.get_type_hints(closure)
    if params[1] not in hints or "return" not in hints:
        raise UsageError(f"Closure {closure.__qualname__} must annotate its message parameter and return type")
    return expand_types(hints[params[1]]), expand_types(hints["return"])


class ClosureAgent(BaseAgent, ClosureContext):
    """An agent whose behaviour is one function ``closure(ctx, message, message_context)``."""

    def __init__(
        self,
        description: str,
        closure: Closure[Any],
        *,
        unknown_type_policy: Literal["error", "warn", "ignore"] = "warn",
    ) -> None:
        if not AgentInstantiationContext.is_in_factory_call():
            raise UsageError("ClosureAgent must be created by the runtime (use ClosureAgent.register_closure)")
        super().__init__(description)
        self._closure = closure
        self._expected_types, _ = _closure_types(closure)
        self._unknown_type_policy = unknown_type_policy

    async def on_message_impl(self, message: Any, ctx: MessageContext) -> Any:
        if Any not in self._expected_types and type(message) not in self._expected_types:
            if self._unknown_type_policy == "error":
                raise CantHandleException(
                    f"Closure agent {self.id} cannot handle {type(message).__name__}; expects {self._expected_types}"
                )
            if self._unknown_type_policy == "warn":
                warnings.warn(
                    f"Closure agent {self.id} received unexpected {type(message).__name__}; ignoring", stacklevel=2
                )
                return None
        return await self._closure(self, message, ctx)

    async def save_state(self) -> Mapping[str, Any]:
        return {}

    async def load_state(self, state: Mapping[str, Any]) -> None:
        pass

    @classmethod
    async def register_closure(
        cls,
        runtime: AgentRuntime,
        type: str,
        closure: Closure[Any],
        *,
        unknown_type_policy: Literal["error", "warn", "ignore"] = "warn",
        skip_direct_message_subscription: bool = False,
        description: str = "",
        subscriptions: Callable[[], list[Subscription] | Awaitable[list[Subscription]]] | None = None,
    ) -> AgentType:
        """Register ``closure`` as agent type ``type`` with the given subscriptions."""
        message_types, _ = _closure_types(closure)

        def factory() -> ClosureAgent:
            return ClosureAgent(description, closure, unknown_type_policy=unknown_type_policy)

        agent_type = await runtime.register_factory(type=type, agent_factory=factory, expected_class=cls)
        subs: Sequence[Subscription] = []
        if subscriptions is not None:
            result = subscriptions()
            subs = await result if inspect.isawaitable(result) else result
        for sub in subs:
            await runtime.add_subscription(sub)
        if not skip_direct_message_subscription:
            await runtime.add_subscription(TypePrefixSubscription(topic_type_prefix=type + ":", agent_type=type))
        for message_type in message_types:
            serializers = try_get_known_serializers_for_type(message_type)
            if serializers:
                runtime.add_message_serializer(serializers)
        return agent_type
