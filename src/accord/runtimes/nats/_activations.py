"""One activation per agent id: leases in the KV bucket (revision-checked), persisted state, the handled-id window.

``lease.<id>`` names the worker hosting an agent id; it is taken with ``create`` (or ``update`` against the revision
read, when its holder is dead), so two workers that briefly disagree about placement cannot both activate an id.
``state.<id>`` holds the agent's state after the last message it finished plus the ids of the published messages it
handled; it is written with ``update(last=revision)``, so a worker that lost its lease can never overwrite a newer
state (the write fails and the activation is dropped).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..._errors import DeliveryError
from ...core import Agent, AgentId, BaseAgent
from ._membership import Membership
from ._wire import kv_id

__all__ = ["Activation", "ActivationTable", "Moved"]

logger = logging.getLogger("accord.runtimes.nats")


class Moved(DeliveryError):
    """This worker does not (or no longer) host the agent id; the caller routes again."""


class Activation:
    __slots__ = ("agent", "busy", "handled", "lease_rev", "lock", "pinned", "saved", "state_rev", "stateful")

    def __init__(self, agent: Agent, *, pinned: bool, lease_rev: int = 0) -> None:
        self.agent = agent
        self.pinned = pinned
        self.lease_rev = lease_rev
        self.state_rev = 0
        self.saved: bytes | None = None
        self.handled: OrderedDict[str, None] = OrderedDict()
        self.busy = 0
        self.lock = asyncio.Lock()  # serializes state writes
        self.stateful = _overrides_state(agent)

    def remember(self, message_id: str, window: int) -> None:
        self.handled[message_id] = None
        while len(self.handled) > window:
            self.handled.popitem(last=False)


def _overrides_state(agent: Agent) -> bool:
    """True when the agent has state of its own (BaseAgent's default save_state only warns and returns {})."""
    if not isinstance(agent, BaseAgent):
        return True
    return type(agent).save_state is not BaseAgent.save_state


class ActivationTable:
    """The activations of this worker; ``create`` makes the agent object (the runtime's directory)."""

    def __init__(
        self,
        kv: Any,
        membership: Membership,
        create: Callable[[AgentId], Any],
        *,
        window: int,
        lease_wait: float,
    ) -> None:
        self._kv = kv
        self._membership = membership
        self._create = create
        self._window = window
        self._lease_wait = lease_wait
        self.active: dict[AgentId, Activation] = {}
        self._pending: dict[AgentId, asyncio.Future[Activation]] = {}

    @property
    def me(self) -> str:
        return self._membership.me.worker

    def pin(self, agent_id: AgentId, agent: Agent) -> None:
        self.active[agent_id] = Activation(agent, pinned=True)

    async def get(self, agent_id: AgentId) -> Activation:
        act = self.active.get(agent_id)
        if act is not None:
            return act
        pending = self._pending.get(agent_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Activation] = asyncio.get_running_loop().create_future()
        self._pending[agent_id] = future
        try:
            act = await self._activate(agent_id)
        except BaseException as e:
            future.set_exception(e)
            future.exception()
            raise
        finally:
            del self._pending[agent_id]
        future.set_result(act)
        return act

    async def _activate(self, agent_id: AgentId) -> Activation:
        if self._membership.owner(agent_id) != self.me:
            raise Moved(f"{agent_id} is not hosted by worker {self.me}")
        lease_rev = await self._acquire(agent_id)
        try:
            agent = await self._create(agent_id)
            act = Activation(agent, pinned=False, lease_rev=lease_rev)
            await self._restore(agent_id, act)
        except BaseException:
            await self._release(agent_id, lease_rev)
            raise
        self.active[agent_id] = act
        return act

    async def _acquire(self, agent_id: AgentId) -> int:
        from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

        key = f"lease.{kv_id(agent_id)}"
        value = self.me.encode()
        deadline = asyncio.get_running_loop().time() + self._lease_wait
        while True:
            try:
                entry = await self._kv.get(key)
            except KeyNotFoundError:
                try:
                    return int(await self._kv.create(key, value))
                except KeyWrongLastSequenceError:
                    continue
            holder = (entry.value or b"").decode()
            if holder == self.me:
                return int(entry.revision)
            if not self._membership.is_live(holder):
                try:
                    return int(await self._kv.update(key, value, last=entry.revision))
                except KeyWrongLastSequenceError:
                    continue
            if self._membership.owner(agent_id) != self.me:
                raise Moved(f"{agent_id} moved away from worker {self.me} while it waited for its lease")
            if asyncio.get_running_loop().time() > deadline:
                raise Moved(f"{agent_id} is still held by worker {holder} after {self._lease_wait:.1f}s")
            await asyncio.sleep(0.02)

    async def _release(self, agent_id: AgentId, revision: int) -> None:
        try:
            await self._kv.delete(f"lease.{kv_id(agent_id)}", last=revision)
        except Exception as e:  # someone took it over already, or NATS is away (the lease dies with our heartbeat)
            logger.debug("Lease of %s not released: %s", agent_id, e)

    async def _restore(self, agent_id: AgentId, act: Activation) -> None:
        from nats.js.errors import KeyNotFoundError

        try:
            entry = await self._kv.get(f"state.{kv_id(agent_id)}")
        except KeyNotFoundError:
            return
        act.state_rev = int(entry.revision)
        if not entry.value:
            return
        record = json.loads(entry.value)
        for message_id in record.get("h", []):
            act.remember(str(message_id), self._window)
        if "s" in record:
            await act.agent.load_state(record["s"])
            act.saved = json.dumps(record["s"], sort_keys=True).encode()

    async def persist(self, agent_id: AgentId, act: Activation, *, handled_publish: bool) -> None:
        """Write the agent's state (and handled ids) if it has state and it changed; drop the activation on a lost race."""
        if act.pinned or not act.stateful:
            return
        from nats.js.errors import KeyWrongLastSequenceError

        async with act.lock:
            state = await act.agent.save_state()
            encoded = json.dumps(state, sort_keys=True, default=str).encode()
            if encoded == act.saved and not handled_publish:
                return
            record = json.dumps({"s": json.loads(encoded), "h": list(act.handled)}).encode()
            key = f"state.{kv_id(agent_id)}"
            try:
                if act.state_rev:
                    act.state_rev = int(await self._kv.update(key, record, last=act.state_rev))
                else:
                    act.state_rev = int(await self._kv.create(key, record))
            except KeyWrongLastSequenceError:
                logger.error("State of %s was written by another worker: this activation is dropped", agent_id)
                self.active.pop(agent_id, None)
                raise Moved(f"{agent_id} was taken over by another worker") from None
            act.saved = encoded

    async def deactivate(self, agent_id: AgentId, on_drop: Callable[[AgentId], None]) -> None:
        """Finish what runs, save, release the lease and close the agent (it moved to another worker)."""
        act = self.active.get(agent_id)
        if act is None or act.pinned:
            return
        for _ in range(400):  # handlers running on it finish first (bounded: 2 s)
            if act.busy == 0:
                break
            await asyncio.sleep(0.005)
        try:
            await self.persist(agent_id, act, handled_publish=True)
        except Exception as e:
            logger.warning("Could not save %s before it moved: %s", agent_id, e)
        self.active.pop(agent_id, None)
        on_drop(agent_id)
        await self._release(agent_id, act.lease_rev)
        try:
            await act.agent.close()
        except Exception:
            logger.exception("Closing %s failed", agent_id)
