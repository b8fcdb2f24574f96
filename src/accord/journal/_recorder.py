"""The recorder of one run: buffers records, journals effects by idempotency key, serves journaled results.

An effect's key is ``agent/step/kind/n`` (the n-th call of that kind by that agent in that step), or
``parent>kind/n`` for an effect made inside another one (a tool that runs an agent), so serving an outer effect never
shifts the keys of the calls after it. Records are buffered and committed with the next effect, so every effect's
result is durable before the run goes on (one commit per effect).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from .._errors import AccordSignal
from ..core import EnvelopeEvent
from ._errors import DivergenceError, JournalError, NeedsDecisionError
from ._records import EffectRow, Record, blob_hash, dumps
from ._store import JournalStore, Lease

__all__ = ["Decision", "EffectStop", "Mode", "Recorder", "RunAborted", "RunPaused", "scope"]

Mode = Literal["record", "resume", "replay", "fork"]

scope: ContextVar[tuple[int, str, str]] = ContextVar("accord_journal_scope", default=(0, "", ""))
"""(step, agent, parent effect key) of the code running now."""


@dataclass(frozen=True)
class Decision:
    """What a person decided for an effect that was in flight: ``retry``, ``skip`` (with ``result``) or ``abort``."""

    action: Literal["retry", "skip", "abort"]
    result: str | None = None


class EffectStop(AccordSignal):
    """Carries a journal error out of an effect: a signal, so the agents' error handling (tool errors go back to
    the model) cannot turn it into a result; the journal raises ``error`` itself."""

    def __init__(self, error: JournalError) -> None:
        super().__init__(str(error))
        self.error = error


class RunPaused(JournalError):
    """The run waits for a human; the journal holds it as ``waiting`` (raised inside the input function)."""


class RunAborted(JournalError):
    """A person decided to abort the run."""


class Recorder:
    """Journals one run into ``store`` (or, in ``replay`` mode, only reads the journaled effects)."""

    def __init__(
        self,
        store: JournalStore,
        run_id: str,
        *,
        mode: Mode = "record",
        lease: Lease | None = None,
        effects: dict[str, EffectRow] | None = None,
        existing: dict[str, int] | None = None,
        next_seq: int = 0,
        fork_at: int | None = None,
        decision: Decision | None = None,
        pause_on_human: bool = False,
        inputs: list[str] | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.mode: Mode = mode
        self.lease = lease
        self.journaled = effects or {}
        self.existing = existing or {}
        self.seq = next_seq
        self.fork_at = fork_at
        self.decision = decision
        self.pause_on_human = pause_on_human
        self.inputs = list(inputs or [])
        self.step = 0
        self.counts: dict[str, int] = {}
        self.counters: dict[tuple[str, str], int] = {}
        self.records: list[Record] = []
        self.effects: list[EffectRow] = []
        self.blobs: dict[str, str] = {}
        self.served = 0
        self.executed = 0
        self.live_since: float | None = None if mode != "record" else time.perf_counter()
        self.paused: dict[str, Any] | None = None
        self.needs_decision: NeedsDecisionError | None = None
        self.divergence: DivergenceError | None = None
        self.participants: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self.manager: str = ""

    # ------------------------------------------------------------ records

    def add(self, kind: str, data: Any, step: int | None = None) -> None:
        """Append a record, unless an earlier attempt of this run already journaled it (same kind, same ordinal)."""
        n = self.counts.get(kind, 0)
        self.counts[kind] = n + 1
        if n < self.existing.get(kind, 0) or self.mode == "replay":
            return
        self.records.append(Record(self.seq, kind, self.step if step is None else step, data))
        self.seq += 1

    def blob(self, digest: str, text: str) -> None:
        if self.mode != "replay":
            self.blobs[digest] = text

    async def flush(self) -> None:
        """Commit what is buffered, in order (one write at a time); if the write fails, nothing is lost."""
        if self.mode == "replay" or not (self.records or self.effects or self.blobs):
            return
        async with self._lock:
            records, effects, blobs = self.records, self.effects, self.blobs
            if not (records or effects or blobs):
                return
            self.records, self.effects, self.blobs = [], [], {}
            try:
                await self.store.write(self.run_id, records, effects, blobs)
            except BaseException:
                self.records[:0] = records
                self.effects[:0] = effects
                self.blobs = {**blobs, **self.blobs}
                raise
            if self.lease is not None:
                await self.lease.renew_if_due()

    # ------------------------------------------------------------ the envelope stream

    def on_envelope(self, event: EnvelopeEvent) -> None:
        """Journal the event (compactly) and follow the turns: a request to a participant starts a step."""
        recipient = event.recipient
        sender = event.sender
        if event.kind == "send" and recipient is not None and event.message_type.endswith("GroupChatRequestPublish"):
            name = self.participants.get(recipient.type)
            if name is not None:
                self.step += 1
                scope.set((self.step, name, ""))
                self.add("step", {"agent": name})
        elif event.kind in ("response", "error"):
            container = sender if event.kind == "response" else recipient
            if container is not None and container.type in self.participants:
                scope.set((self.step, self.manager, ""))
        self.add(
            "envelope",
            [event.kind, event.message_type, str(sender) if sender else None, str(recipient) if recipient else None,
             str(event.topic_id) if event.topic_id else None, round(event.timestamp, 6), event.duration_s, event.error],
        )  # fmt: skip

    # ------------------------------------------------------------ effects

    async def effect(
        self,
        kind: str,
        request: Callable[[str], Any],
        live: Callable[[], Awaitable[Any]],
        *,
        encode: Callable[[Any], Any],
        decode: Callable[[Any], Any],
        idempotent: bool,
        describe: str,
        human: str | None = None,
    ) -> Any:
        step, agent, parent = scope.get()
        if not agent:
            agent = self.manager or "run"
        prefix = f"{parent}>" if parent else f"{agent}/{step}/"
        slot = (prefix, kind)
        n = self.counters.get(slot, 0) + 1
        self.counters[slot] = n
        key = f"{prefix}{kind}/{n}"
        request_text = dumps(request(agent))
        digest = blob_hash(request_text)
        row = self.journaled.get(key)
        if row is not None and row.status == "done":
            if row.request != digest and not self._forked_before(row.step):
                await self._diverge(key, f"{describe} now asks something else than the journaled call", row.request,
                                    request_text)  # fmt: skip
            self.served += 1
            if self.mode == "fork":
                self.effects.append(row)
            return decode(row.result)
        if self.mode == "replay":
            await self._diverge(key, f"the journal holds no result for {describe}", None, request_text)
        result_json: Any = None
        if human is not None and self.inputs:
            result_json = {"text": self.inputs.pop(0)}
        elif row is not None and row.status == "started" and not idempotent:
            result_json = await self._decide(key, describe, kind, row)
        elif human is not None and self.pause_on_human:
            await self._pause(key, human, request_text)
        self.blobs[digest] = request_text
        if result_json is not None:
            self.effects.append(EffectRow(key, kind, step, agent, "done", digest, result_json, idempotent))
            await self.flush()
            return decode(result_json)
        self._go_live()
        if not idempotent:
            self.effects.append(EffectRow(key, kind, step, agent, "started", digest, None, False))
            await self.flush()
        token = scope.set((step, agent, key))
        try:
            value = await live()
        finally:
            scope.reset(token)
        self.executed += 1
        self.effects.append(EffectRow(key, kind, step, agent, "done", digest, encode(value), idempotent))
        await self.flush()
        return value

    def _forked_before(self, step: int) -> bool:
        return self.mode == "fork" and self.fork_at is not None and step < self.fork_at

    def _go_live(self) -> None:
        if self.live_since is None:
            self.live_since = time.perf_counter()

    async def _diverge(self, key: str, detail: str, journaled_hash: str | None, request_text: str) -> None:
        shown = request_text if len(request_text) < 600 else request_text[:600] + "..."
        error = DivergenceError(self.run_id, key, f"{detail} (request now: {shown})")
        error.journaled_request = journaled_hash  # type: ignore[attr-defined]
        self.divergence = error
        raise EffectStop(error)

    async def _decide(self, key: str, describe: str, kind: str, row: EffectRow) -> Any:
        decision = self.decision
        if decision is None or decision.action == "abort":
            error = NeedsDecisionError(self.run_id, key, describe)
            self.needs_decision = error
            if decision is not None:
                raise EffectStop(RunAborted(f"Run {self.run_id} aborted by decision at {key} ({describe})."))
            raise EffectStop(error)
        if decision.action == "skip":
            from ._effects import result_from_text

            self.decision = None
            return result_from_text(kind, decision.result or "")
        self.decision = None  # retry: run it again, once
        return None

    async def _pause(self, key: str, agent: str, request_text: str) -> None:
        self.paused = {"type": "human", "key": key, "agent": agent, "request": request_text}
        raise EffectStop(RunPaused(f"Run {self.run_id} waits for input from {agent}."))
