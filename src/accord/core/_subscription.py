from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast, overload, runtime_checkable

from ._agent_id import AgentId, AgentType
from ._contexts import SubscriptionInstantiationContext
from ._topic import TopicId
from .exceptions import CantHandleException

__all__ = [
    "DefaultSubscription",
    "Subscription",
    "TypePrefixSubscription",
    "TypeSubscription",
    "UnboundSubscription",
    "default_subscription",
    "type_subscription",
]


@runtime_checkable
class Subscription(Protocol):
    """Maps topics to the agents that receive messages published on them."""

    @property
    def id(self) -> str: ...

    def __eq__(self, other: object) -> bool: ...

    def is_match(self, topic_id: TopicId) -> bool: ...

    def map_to_agent(self, topic_id: TopicId) -> AgentId: ...


UnboundSubscription = Callable[[], list[Subscription] | Awaitable[list[Subscription]]]


def _agent_type_name(agent_type: str | AgentType) -> str:
    return agent_type.type if isinstance(agent_type, AgentType) else agent_type


class TypeSubscription:
    """Topic type ``topic_type`` → agent ``AgentId(agent_type, key=topic.source)``."""

    __slots__ = ("_agent_type", "_id", "_topic_type")

    def __init__(self, topic_type: str, agent_type: str | AgentType, id: str | None = None) -> None:
        self._topic_type = topic_type
        self._agent_type = _agent_type_name(agent_type)
        self._id = id or str(uuid.uuid4())

    @property
    def id(self) -> str:
        return self._id

    @property
    def topic_type(self) -> str:
        return self._topic_type

    @property
    def agent_type(self) -> str:
        return self._agent_type

    def is_match(self, topic_id: TopicId) -> bool:
        return topic_id.type == self._topic_type

    def map_to_agent(self, topic_id: TopicId) -> AgentId:
        if not self.is_match(topic_id):
            raise CantHandleException(
                f"Topic {topic_id} does not match subscription to topic type {self._topic_type!r}"
            )
        return AgentId(self._agent_type, topic_id.source)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TypeSubscription):
            return False
        return self._id == other._id or (
            self._agent_type == other._agent_type and self._topic_type == other._topic_type
        )

    def __hash__(self) -> int:
        return hash((self._agent_type, self._topic_type))

    def __repr__(self) -> str:
        return f"TypeSubscription(topic_type={self._topic_type!r}, agent_type={self._agent_type!r})"


class TypePrefixSubscription:
    """Topic types starting with ``topic_type_prefix`` → ``AgentId(agent_type, key=topic.source)``."""

    __slots__ = ("_agent_type", "_id", "_prefix")

    def __init__(self, topic_type_prefix: str, agent_type: str | AgentType, id: str | None = None) -> None:
        self._prefix = topic_type_prefix
        self._agent_type = _agent_type_name(agent_type)
        self._id = id or str(uuid.uuid4())

    @property
    def id(self) -> str:
        return self._id

    @property
    def topic_type_prefix(self) -> str:
        return self._prefix

    @property
    def agent_type(self) -> str:
        return self._agent_type

    def is_match(self, topic_id: TopicId) -> bool:
        return topic_id.type.startswith(self._prefix)

    def map_to_agent(self, topic_id: TopicId) -> AgentId:
        if not self.is_match(topic_id):
            raise CantHandleException(f"Topic {topic_id} does not match subscription to prefix {self._prefix!r}")
        return AgentId(self._agent_type, topic_id.source)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TypePrefixSubscription):
            return False
        return self._id == other._id or (self._agent_type == other._agent_type and self._prefix == other._prefix)

    def __hash__(self) -> int:
        return hash((self._agent_type, self._prefix))

    def __repr__(self) -> str:
        return f"TypePrefixSubscription(topic_type_prefix={self._prefix!r}, agent_type={self._agent_type!r})"


class DefaultSubscription(TypeSubscription):
    """Subscribes the agent type being registered (or ``agent_type``) to ``topic_type`` (default ``"default"``)."""

    def __init__(self, topic_type: str = "default", agent_type: str | AgentType | None = None) -> None:
        if agent_type is None:
            agent_type = SubscriptionInstantiationContext.agent_type()
        super().__init__(topic_type, agent_type)


BaseAgentT = TypeVar("BaseAgentT", bound=type[Any])


@overload
def default_subscription(cls: BaseAgentT) -> BaseAgentT: ...


@overload
def default_subscription(cls: None = None) -> Callable[[BaseAgentT], BaseAgentT]: ...


def default_subscription(cls: BaseAgentT | None = None) -> BaseAgentT | Callable[[BaseAgentT], BaseAgentT]:
    """Class decorator: subscribe the agent type to the ``"default"`` topic type."""
    from ._base_agent import subscription_factory

    decorator: Any = subscription_factory(lambda: [DefaultSubscription()])
    result: BaseAgentT | Callable[[BaseAgentT], BaseAgentT] = decorator if cls is None else decorator(cls)
    return result


def type_subscription(topic_type: str) -> Callable[[BaseAgentT], BaseAgentT]:
    """Class decorator: subscribe the agent type to ``topic_type``."""
    from ._base_agent import subscription_factory

    decorator: Callable[[BaseAgentT], BaseAgentT] = cast(
        Any, subscription_factory(lambda: [DefaultSubscription(topic_type=topic_type)])
    )
    return decorator
