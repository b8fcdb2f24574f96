from __future__ import annotations

import builtins
import inspect
import warnings
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, final

from .._errors import RunError, UsageError
from ._agent import AgentMetadata
from ._agent_id import AgentId, AgentType
from ._cancellation_token import CancellationToken
from ._contexts import AgentInstantiationContext, SubscriptionInstantiationContext
from ._message_context import MessageContext
from ._serialization import MessageSerializer, try_get_known_serializers_for_type
from ._subscription import Subscription, TypePrefixSubscription, TypeSubscription, UnboundSubscription
from ._topic import TopicId

if TYPE_CHECKING:
    from ._runtime_protocol import AgentRuntime

__all__ = ["BaseAgent", "handles", "subscription_factory"]

T = TypeVar("T")
BaseAgentType = TypeVar("BaseAgentType", bound="BaseAgent")


def subscription_factory(subscription: UnboundSubscription) -> Callable[[type[BaseAgentType]], type[BaseAgentType]]:
    """Class decorator: add an unbound subscription evaluated when the class is registered."""

    def decorator(cls: type[BaseAgentType]) -> type[BaseAgentType]:
        cls.internal_unbound_subscriptions_list.append(subscription)
        return cls

    return decorator


def handles(
    type: builtins.type[Any],
    serializer: MessageSerializer[Any] | list[MessageSerializer[Any]] | None = None,
) -> Callable[[builtins.type[BaseAgentType]], builtins.type[BaseAgentType]]:
    """Class decorator: the agent handles messages of ``type`` (with ``serializer``, or a known one)."""

    def decorator(cls: builtins.type[BaseAgentType]) -> builtins.type[BaseAgentType]:
        if serializer is None:
            serializers = try_get_known_serializers_for_type(type)
        else:
            serializers = serializer if isinstance(serializer, list) else [serializer]
        if not serializers:
            raise UsageError(f"No serializer known for type {type!r}; pass one to @handles")
        cls.internal_extra_handles_types.append((type, serializers))
        return cls

    return decorator


class BaseAgent(ABC):
    """Base class for agents: binds to a runtime, sends and publishes, keeps state."""

    internal_unbound_subscriptions_list: ClassVar[list[UnboundSubscription]] = []
    internal_extra_handles_types: ClassVar[list[tuple[type[Any], list[MessageSerializer[Any]]]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Each subclass gets its own lists, inheriting the parent's entries.
        cls.internal_unbound_subscriptions_list = list(cls.internal_unbound_subscriptions_list)
        cls.internal_extra_handles_types = list(cls.internal_extra_handles_types)

    @classmethod
    def _handles_types(cls) -> list[tuple[type[Any], list[MessageSerializer[Any]]]]:
        return []

    def __init__(self, description: str) -> None:
        if not isinstance(description, str):
            raise UsageError(f"Agent description must be a string, got {type(description).__name__}")
        self._description = description
        self._runtime: AgentRuntime | None = None
        self._id: AgentId | None = None
        if AgentInstantiationContext.is_in_factory_call():
            self._runtime = AgentInstantiationContext.current_runtime()
            self._id = AgentInstantiationContext.current_agent_id()

    @property
    def metadata(self) -> AgentMetadata:
        return AgentMetadata(key=self.id.key, type=self.id.type, description=self._description)

    @property
    def type(self) -> str:
        return self.id.type

    @property
    def id(self) -> AgentId:
        if self._id is None:
            raise RunError(f"{type(self).__name__} is not bound to a runtime yet: it has no id")
        return self._id

    @property
    def runtime(self) -> AgentRuntime:
        if self._runtime is None:
            raise RunError(f"{type(self).__name__} is not bound to a runtime yet")
        return self._runtime

    async def bind_id_and_runtime(self, id: AgentId, runtime: AgentRuntime) -> None:
        if self._id is not None and self._id != id:
            raise RunError(f"Agent already bound to id {self._id}, cannot bind to {id}")
        if self._runtime is not None and self._runtime is not runtime:
            raise RunError("Agent already bound to a different runtime")
        self._id = id
        self._runtime = runtime

    @final
    async def on_message(self, message: Any, ctx: MessageContext) -> Any:
        return await self.on_message_impl(message, ctx)

    @abstractmethod
    async def on_message_impl(self, message: Any, ctx: MessageContext) -> Any: ...

    async def send_message(
        self,
        message: Any,
        recipient: AgentId,
        *,
        cancellation_token: CancellationToken | None = None,
        message_id: str | None = None,
    ) -> Any:
        return await self.runtime.send_message(
            message, recipient, sender=self.id, cancellation_token=cancellation_token, message_id=message_id
        )

    async def publish_message(
        self, message: Any, topic_id: TopicId, *, cancellation_token: CancellationToken | None = None
    ) -> None:
        await self.runtime.publish_message(message, topic_id, sender=self.id, cancellation_token=cancellation_token)

    async def save_state(self) -> Mapping[str, Any]:
        warnings.warn(f"save_state not implemented by {type(self).__name__}", stacklevel=2)
        return {}

    async def load_state(self, state: Mapping[str, Any]) -> None:
        warnings.warn(f"load_state not implemented by {type(self).__name__}", stacklevel=2)

    async def close(self) -> None:
        pass

    async def register_instance(
        self,
        runtime: AgentRuntime,
        agent_id: AgentId,
        *,
        skip_class_subscriptions: bool = True,
        skip_direct_message_subscription: bool = False,
    ) -> AgentId:
        """Register this instance under ``agent_id`` (subscribed to the topic type equal to its key)."""
        agent_id = await runtime.register_agent_instance(self, agent_id)
        subs: list[Subscription] = [TypeSubscription(topic_type=agent_id.key, agent_type=agent_id.type)]
        if not skip_class_subscriptions:
            subs.extend(await _bind_subscriptions(type(self), AgentType(agent_id.type)))
        if not skip_direct_message_subscription:
            subs.append(TypePrefixSubscription(topic_type_prefix=agent_id.type + ":", agent_type=agent_id.type))
        for sub in subs:
            try:
                await runtime.add_subscription(sub)
            except ValueError:
                pass  # already subscribed (another instance of the same type)
        _add_serializers(runtime, type(self))
        return agent_id

    @classmethod
    async def register(
        cls,
        runtime: AgentRuntime,
        type: str,
        factory: Callable[[], Self | Awaitable[Self]],
        *,
        skip_class_subscriptions: bool = False,
        skip_direct_message_subscription: bool = False,
    ) -> AgentType:
        """Register ``factory`` for agent ``type`` with the class's subscriptions and the direct-message topic."""
        agent_type = AgentType(type)
        agent_type = await runtime.register_factory(type=agent_type, agent_factory=factory, expected_class=cls)
        subs: list[Subscription] = []
        if not skip_class_subscriptions:
            subs.extend(await _bind_subscriptions(cls, agent_type))
        if not skip_direct_message_subscription:
            subs.append(TypePrefixSubscription(topic_type_prefix=agent_type.type + ":", agent_type=agent_type.type))
        for sub in subs:
            await runtime.add_subscription(sub)
        _add_serializers(runtime, cls)
        return agent_type


async def _bind_subscriptions(cls: type[BaseAgent], agent_type: AgentType) -> list[Subscription]:
    subs: list[Subscription] = []
    with SubscriptionInstantiationContext.populate_context(agent_type):
        for unbound in cls.internal_unbound_subscriptions_list:
            result = unbound()
            if inspect.isawaitable(result):
                result = await result
            subs.extend(result)
    return subs


def _add_serializers(runtime: AgentRuntime, cls: type[BaseAgent]) -> None:
    serializers: list[MessageSerializer[Any]] = []
    for _, type_serializers in [*cls._handles_types(), *cls.internal_extra_handles_types]:
        serializers.extend(type_serializers)
    if serializers:
        runtime.add_message_serializer(_dedupe(serializers))


def _dedupe(serializers: Sequence[MessageSerializer[Any]]) -> list[MessageSerializer[Any]]:
    seen: dict[tuple[str, str], MessageSerializer[Any]] = {}
    for s in serializers:
        seen.setdefault((s.type_name, s.data_content_type), s)
    return list(seen.values())
