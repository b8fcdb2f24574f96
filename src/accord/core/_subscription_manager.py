from __future__ import annotations

from .._errors import UsageError
from ._agent_id import AgentId
from ._subscription import Subscription
from ._topic import TopicId

__all__ = ["SubscriptionManager"]


class SubscriptionManager:
    """Holds a runtime's subscriptions; caches the recipients of each topic until subscriptions change."""

    __slots__ = ("_cache", "_subscriptions")

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []
        self._cache: dict[TopicId, list[AgentId]] = {}

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subscriptions)

    def add_subscription(self, subscription: Subscription) -> None:
        if any(sub == subscription for sub in self._subscriptions):
            raise UsageError(f"Subscription already exists: {subscription!r}")
        self._subscriptions.append(subscription)
        self._cache.clear()

    def remove_subscription(self, id: str) -> None:
        for i, sub in enumerate(self._subscriptions):
            if sub.id == id:
                del self._subscriptions[i]
                self._cache.clear()
                return
        raise UsageError(f"Subscription {id!r} does not exist")

    def recipients(self, topic_id: TopicId) -> list[AgentId]:
        cached = self._cache.get(topic_id)
        if cached is not None:
            return cached
        seen: dict[AgentId, None] = {}
        for sub in self._subscriptions:
            if sub.is_match(topic_id):
                seen[sub.map_to_agent(topic_id)] = None
        recipients = list(seen)
        self._cache[topic_id] = recipients
        return recipients
