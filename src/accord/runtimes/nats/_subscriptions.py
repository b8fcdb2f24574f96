"""The deployment's subscriptions: those added here, plus those every other worker added (``subs.<id>`` in KV).

Type and type-prefix subscriptions (what ``TypeSubscription``, ``DefaultSubscription``, ``@type_subscription`` and
``RoutedAgent.register`` create) are shared; a custom ``Subscription`` class cannot be described as data, so it stays
local to the worker that added it (it still routes the publishes this worker consumes).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

from ..._errors import UsageError
from ...core import AgentId, Subscription, TopicId, TypePrefixSubscription, TypeSubscription

__all__ = ["SubscriptionTable"]

logger = logging.getLogger("accord.runtimes.nats")


def _key(subscription_id: str) -> str:
    return "subs." + (base64.urlsafe_b64encode(subscription_id.encode()).decode().rstrip("=") or "_")


def _describe(sub: Subscription) -> bytes | None:
    if isinstance(sub, TypeSubscription):
        return json.dumps({"k": "type", "t": sub.topic_type, "a": sub.agent_type, "id": sub.id}).encode()
    if isinstance(sub, TypePrefixSubscription):
        return json.dumps({"k": "prefix", "t": sub.topic_type_prefix, "a": sub.agent_type, "id": sub.id}).encode()
    return None


def _parse(data: bytes) -> Subscription | None:
    try:
        raw = json.loads(data)
        if raw["k"] == "type":
            return TypeSubscription(str(raw["t"]), str(raw["a"]), id=str(raw["id"]))
        if raw["k"] == "prefix":
            return TypePrefixSubscription(str(raw["t"]), str(raw["a"]), id=str(raw["id"]))
    except (ValueError, KeyError, TypeError):
        pass
    return None


class SubscriptionTable:
    def __init__(self) -> None:
        self._local: list[Subscription] = []
        self._remote: dict[str, Subscription] = {}
        self._cache: dict[TopicId, list[AgentId]] = {}
        self._kv: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def subscriptions(self) -> list[Subscription]:
        return [*self._local, *self._remote.values()]

    async def attach(self, kv: Any) -> None:
        """Share local subscriptions and follow everyone else's."""
        self._kv = kv
        for sub in self._local:
            await self._put(sub)
        from ._connection import kv_entries

        for entry in await kv_entries(kv, "subs.>"):
            self._absorb(entry.key, entry.value, None)
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def detach(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except BaseException:
                pass
            self._task = None

    async def _watch(self) -> None:
        while True:
            try:
                watcher = await self._kv.watch("subs.>")
                try:
                    while True:
                        entry = await watcher.updates(timeout=None)
                        if entry is not None:
                            self._absorb(entry.key, entry.value, entry.operation)
                finally:
                    try:
                        await watcher.stop()
                    except Exception:
                        pass
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.debug("Subscription watch restarted: %s", e)
                await asyncio.sleep(0.5)

    def _absorb(self, key: str, value: bytes | None, operation: str | None) -> None:
        if operation in ("DEL", "PURGE") or not value:
            for sid in list(self._remote):
                if _key(sid) == key:
                    del self._remote[sid]
                    self._cache.clear()
            return
        sub = _parse(value)
        if sub is None or any(s.id == sub.id for s in self._local):
            return
        self._remote[sub.id] = sub
        self._cache.clear()

    async def _put(self, sub: Subscription) -> None:
        data = _describe(sub)
        if data is not None and self._kv is not None:
            await self._kv.put(_key(sub.id), data)

    async def add(self, sub: Subscription) -> None:
        if any(s == sub for s in self._local):
            raise UsageError(f"Subscription already exists: {sub!r}")
        self._local.append(sub)
        self._cache.clear()
        await self._put(sub)

    async def remove(self, subscription_id: str) -> None:
        for i, sub in enumerate(self._local):
            if sub.id == subscription_id:
                del self._local[i]
                break
        else:
            if self._remote.pop(subscription_id, None) is None:
                raise UsageError(f"Subscription {subscription_id!r} does not exist")
        self._cache.clear()
        if self._kv is not None:
            await self._kv.delete(_key(subscription_id))

    def recipients(self, topic_id: TopicId) -> list[AgentId]:
        cached = self._cache.get(topic_id)
        if cached is not None:
            return cached
        seen: dict[AgentId, None] = {}
        for sub in (*self._local, *self._remote.values()):
            if sub.is_match(topic_id):
                seen[sub.map_to_agent(topic_id)] = None
        if len(self._cache) > 10_000:
            self._cache.clear()
        result = self._cache[topic_id] = list(seen)
        return result
