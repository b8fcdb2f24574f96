"""Who serves what: live workers (heartbeats in the KV bucket) and where each agent id lives (rendezvous hashing).

Every worker puts ``members.<worker>`` every ``heartbeat`` seconds and watches ``members.>``. A worker not heard from
for ``lease_ttl`` seconds is dead. Nobody is declared dead while this worker's own heartbeats are failing (NATS
itself is away), and everyone gets a fresh grace period once they succeed again, so a NATS restart moves no agent.

Placement is rendezvous (highest-random-weight) hashing, a consistent hash: when a worker joins or leaves, only the
ids it gains or loses move. Ids of instance-registered agents are pinned to the worker that registered them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..._errors import UsageError
from ...core import AgentId

__all__ = ["Member", "Membership"]

logger = logging.getLogger("accord.runtimes.nats")


@dataclass
class Member:
    """One worker as its heartbeat describes it."""

    worker: str
    types: dict[str, dict[str, Any]] = field(default_factory=dict)  # agent type -> {"v": version, "idem": bool}
    instances: dict[str, list[str]] = field(default_factory=dict)  # agent type -> keys of registered instances
    info: dict[str, Any] = field(default_factory=dict)  # pid, host, started, activations, counters
    seen: float = 0.0  # local monotonic time of the last heartbeat

    def to_json(self) -> bytes:
        return json.dumps({"w": self.worker, "types": self.types, "inst": self.instances, "info": self.info}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Member:
        raw = json.loads(data)
        return cls(str(raw["w"]), dict(raw.get("types", {})), dict(raw.get("inst", {})), dict(raw.get("info", {})))


def _weight(worker: str, agent: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{worker}\0{agent}".encode(), digest_size=8).digest(), "big")


class Membership:
    """This worker's view of the deployment; ``on_change`` runs (synchronously) after the live set changes."""

    def __init__(self, kv: Any, me: Member, *, heartbeat: float, lease_ttl: float) -> None:
        self._kv = kv
        self.me = me
        self.heartbeat = heartbeat
        self.lease_ttl = lease_ttl
        self.members: dict[str, Member] = {me.worker: me}
        self._owners: dict[AgentId, str | None] = {}
        self._type_members: dict[str, tuple[str, ...]] = {}
        self._pins: dict[AgentId, str] = {}
        self.listeners: list[Callable[[set[str], set[str]], None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._last_ok = time.monotonic()
        self._failing = False
        self.me.info.setdefault("pid", os.getpid())
        self.me.info.setdefault("host", socket.gethostname())
        self.me.info.setdefault("started", time.time())
        self._rebuild()

    # ---------------------------------------------------------------- lifecycle

    async def join(self) -> None:
        """Read the current members, check versions, announce this worker, then heartbeat and watch."""
        await self._load_all()
        self.check_versions(self.me.types)
        await self.beat()
        self._tasks = [
            asyncio.get_running_loop().create_task(self._heartbeat_loop()),
            asyncio.get_running_loop().create_task(self._watch_loop()),
        ]

    async def leave(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except BaseException:
                pass
        self._tasks = []
        try:
            await self._kv.delete(f"members.{self.me.worker}")
        except Exception as e:  # NATS away: peers will see the heartbeat stop
            logger.warning("Could not remove worker %s from the membership: %s", self.me.worker, e)

    async def beat(self) -> None:
        await self._kv.put(f"members.{self.me.worker}", self.me.to_json())

    async def _load_all(self) -> None:
        from ._connection import kv_entries

        now_wall, now = time.time(), time.monotonic()
        for entry in await kv_entries(self._kv, "members.>"):
            self._absorb(entry.key, entry.value, now - max(0.0, now_wall - _entry_time(entry, now_wall)))
        self._rebuild()

    def _absorb(self, key: str, value: bytes | None, seen: float) -> None:
        worker = key.split(".", 1)[1]
        if worker == self.me.worker or not value:
            return
        try:
            member = Member.from_json(value)
        except (ValueError, KeyError, TypeError):
            logger.warning("Ignoring malformed membership entry %s", key)
            return
        member.seen = seen
        self.members[worker] = member

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                await self.beat()
                if self._failing:  # NATS is back: give every peer a fresh grace period before judging it
                    self._failing = False
                    now = time.monotonic()
                    for member in self.members.values():
                        member.seen = max(member.seen, now)
                self._last_ok = time.monotonic()
            except Exception as e:
                if not self._failing:
                    logger.warning("Heartbeat of worker %s failed (NATS unreachable?): %s", self.me.worker, e)
                self._failing = True
            self._sweep()

    def _sweep(self) -> None:
        if self._failing or time.monotonic() - self._last_ok > self.heartbeat * 2:
            return  # our own view is stale; declare nobody dead
        now = time.monotonic()
        dead = [w for w, m in self.members.items() if w != self.me.worker and now - m.seen > self.lease_ttl]
        if dead:
            for worker in dead:
                logger.info("Worker %s missed its heartbeats for %.1fs: removed", worker, self.lease_ttl)
                del self.members[worker]
            self._changed(set(), set(dead))

    async def _watch_loop(self) -> None:
        while True:
            try:
                watcher = await self._kv.watch("members.>")
                try:
                    while True:
                        entry = await watcher.updates(timeout=None)
                        if entry is None:
                            continue
                        self._on_entry(entry)
                finally:
                    try:
                        await watcher.stop()
                    except Exception:
                        pass
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.debug("Membership watch restarted: %s", e)
                await asyncio.sleep(self.heartbeat)

    def _on_entry(self, entry: Any) -> None:
        worker = entry.key.split(".", 1)[1]
        if worker == self.me.worker:
            return
        if entry.operation in ("DEL", "PURGE") or not entry.value:
            if self.members.pop(worker, None) is not None:
                self._changed(set(), {worker})
            return
        known = worker in self.members
        before = self.members.get(worker)
        old = (before.types, before.instances) if before else None
        self._absorb(entry.key, entry.value, time.monotonic())
        after = self.members.get(worker)
        if after is None:
            return
        if not known:
            self._changed({worker}, set())
        elif old != (after.types, after.instances):
            self._changed(set(), set())

    def _changed(self, joined: set[str], left: set[str]) -> None:
        self._rebuild()
        for listener in tuple(self.listeners):
            try:
                listener(joined, left)
            except Exception:
                logger.exception("Membership listener failed")

    # ---------------------------------------------------------------- queries

    def _rebuild(self) -> None:
        by_type: dict[str, list[str]] = {}
        pins: dict[AgentId, str] = {}
        for worker, member in self.members.items():
            for agent_type in member.types:
                by_type.setdefault(agent_type, []).append(worker)
            for agent_type, keys in member.instances.items():
                for key in keys:
                    pins.setdefault(AgentId(agent_type, key), worker)
        self._type_members = {t: tuple(sorted(ws)) for t, ws in by_type.items()}
        self._pins = pins
        self._owners = {}

    def refresh_me(self) -> None:
        """Call after changing ``me.types`` / ``me.instances``."""
        self._rebuild()

    def is_live(self, worker: str) -> bool:
        return worker in self.members

    def serves(self, agent_type: str) -> bool:
        return agent_type in self._type_members or any(a.type == agent_type for a in self._pins)

    def known_types(self) -> list[str]:
        return sorted(set(self._type_members) | {a.type for a in self._pins})

    def workers_of(self, agent_type: str) -> tuple[str, ...]:
        return self._type_members.get(agent_type, ())

    def owner(self, agent: AgentId) -> str | None:
        """The worker that should host ``agent`` now (None: no live worker serves its type)."""
        try:
            return self._owners[agent]
        except KeyError:
            pass
        pinned = self._pins.get(agent)
        if pinned is not None:
            result: str | None = pinned
        else:
            candidates = self._type_members.get(agent.type)
            if not candidates:
                result = None
            elif len(candidates) == 1:
                result = candidates[0]
            else:
                name = f"{agent.type}/{agent.key}"
                result = max(candidates, key=lambda w: _weight(w, name))
        if len(self._owners) > 100_000:
            self._owners.clear()
        self._owners[agent] = result
        return result

    def idempotent(self, agent_type: str) -> bool:
        for worker in self._type_members.get(agent_type, ()):
            if self.members[worker].types.get(agent_type, {}).get("idem"):
                return True
        return False

    def check_versions(self, types: dict[str, dict[str, Any]]) -> None:
        """Refuse a type that a live worker serves with another component version (naming both)."""
        for agent_type, spec in types.items():
            for worker, member in self.members.items():
                if worker == self.me.worker or agent_type not in member.types:
                    continue
                theirs = member.types[agent_type].get("v")
                if theirs != spec.get("v"):
                    raise UsageError(
                        f"Agent type {agent_type!r} is served by worker {worker} with component version {theirs!r}; "
                        f"this worker registers version {spec.get('v')!r}. Workers of one type must run the same "
                        f"version: upgrade or stop the other workers first, or register the new version under a new "
                        f"agent type."
                    )


def _entry_time(entry: Any, default: float) -> float:
    created = getattr(entry, "created", None)
    if created is None:
        return default
    if isinstance(created, int | float):
        return float(created) / (1e9 if created > 1e12 else 1)
    try:
        return float(created.timestamp())
    except Exception:
        return default
