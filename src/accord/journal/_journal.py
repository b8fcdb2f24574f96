"""Running a team or agent with a journal: record, resume, replay and fork (the orchestration; logic in helpers).

Resume, replay and fork all work the same way: the team is run again from its task with the effects served from
the journal (deterministic re-execution), so it reaches exactly the state it had, whatever the team; the first
effect without a journaled result is where the run goes on for real (resume, fork) or stops (replay).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .._errors import RunError, UsageError
from ..base import ChatAgent, TaskResult, Team
from ..core import CancellationToken
from ..messages import BaseAgentEvent, BaseChatMessage, HandoffMessage, MessageFactory, ModelClientStreamingChunkEvent
from ..messages import _base as _message_ids
from ._effects import patch_effects
from ._errors import DivergenceError, JournalError, NeedsDecisionError, TeamMismatchError
from ._records import RECORD_VERSION, Record, RunInfo, redact
from ._recorder import Decision, EffectStop, Recorder, RunAborted
from ._store import JournalStore, Lease, new_holder, open_store

__all__ = ["Journal", "ReplayReport", "first_difference", "resume", "transcript"]

Item = BaseAgentEvent | BaseChatMessage
USER = "user"


def _new_run_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def component_config(runnable: Any) -> dict[str, Any]:
    """The runnable's component config, secrets redacted (what the journal stores and compares)."""
    try:
        return redact(runnable.dump_component().model_dump(mode="json"))  # type: ignore[no-any-return]
    except Exception as e:  # a component that cannot be dumped is still journaled, without the check
        return {"provider": f"{type(runnable).__module__}.{type(runnable).__qualname__}", "not_dumpable": str(e)}


def first_difference(journaled: Any, given: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first field where two configs differ, as ``(path, journaled, given)``; agent names label the path."""
    if isinstance(journaled, Mapping) and isinstance(given, Mapping):
        for key in list(journaled) + [k for k in given if k not in journaled]:
            if key in ("description", "label") and path.count(".") > 0:
                continue
            found = first_difference(journaled.get(key), given.get(key), f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(journaled, list) and isinstance(given, list):
        for i, (a, b) in enumerate(zip(journaled, given, strict=False)):
            name = a.get("config", {}).get("name") if isinstance(a, Mapping) else None
            found = first_difference(a, b, f"{path}[{i}]" + (f" ({name})" if isinstance(name, str) else ""))
            if found is not None:
                return found
        if len(journaled) != len(given):
            return f"{path} (length)", len(journaled), len(given)
        return None
    return None if journaled == given else (path or "(root)", journaled, given)


@dataclass
class ReplayReport:
    """What a replay found: how many messages matched, and the first divergence if any."""

    run_id: str
    matched: int
    total: int
    messages: list[Item] = field(default_factory=list)
    divergence: str | None = None
    diverged_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.divergence is None and self.matched == self.total


def _comparable(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "created_at"}


def transcript(records: Sequence[Record]) -> list[dict[str, Any]]:
    """The message dumps of a run, in order (streaming chunks are not journaled as messages)."""
    return [r.data for r in records if r.kind == "message"]


@contextmanager
def _seeded_ids(seed: str) -> Any:
    """Message ids from a generator seeded by the run, so a replay gives the same ids; OS-seeded again after."""
    _message_ids._generator.seed(seed)
    try:
        yield
    finally:
        _message_ids._reseed()


class Journal:
    """Records runs into a store and resumes, replays and forks them.

    ``pause_on_human``: when a run needs a human's input, journal it as ``waiting`` and end the run at once (the
    process may exit); ``resume(..., input=...)`` continues it, in any process.
    """

    def __init__(
        self,
        store: JournalStore | str | Path | None = None,
        *,
        pause_on_human: bool = False,
        lease_ttl: float = 30.0,
        meta: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.store = store if isinstance(store, JournalStore) else open_store(store)
        self.pause_on_human = pause_on_human
        self.lease_ttl = lease_ttl
        self.meta = dict(meta or {})
        self.config = None if config is None else redact(dict(config))
        self.run_id = run_id
        self.last_run_id: str | None = None
        self.last_recorder: Recorder | None = None

    def record_stream(
        self,
        runnable: Any,
        *,
        task: Any = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
    ) -> AsyncGenerator[Any, None]:
        return self.run_stream(
            runnable, task=task, cancellation_token=cancellation_token, output_task_messages=output_task_messages
        )

    async def resume_run(self, runnable: Any, run_id: str, **options: Any) -> TaskResult:
        return await self.resume(runnable, run_id, **options)

    # ------------------------------------------------------------ record

    async def run_stream(
        self,
        runnable: Any,
        *,
        task: Any = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
    ) -> AsyncGenerator[Any, None]:
        """Run ``runnable`` on ``task`` (like its ``run_stream``), journaling everything; ends with the TaskResult."""
        run_id = self.run_id or _new_run_id()
        self.run_id = None
        holder = new_holder()
        now = time.time()
        info = RunInfo(
            run_id=run_id,
            status="running",
            name=getattr(runnable, "name", type(runnable).__name__),
            kind="team" if isinstance(runnable, Team) else "agent",
            created_at=now,
            updated_at=now,
            config=self.config if self.config is not None else component_config(runnable),
            meta={
                "record_version": RECORD_VERSION,
                "accord_version": __version__,
                "seed": uuid.uuid4().hex,
                "pid": os.getpid(),
                **self.meta,
            },
            lease_holder=holder,
            lease_expires=now + self.lease_ttl,
        )
        await self.store.create_run(info)
        lease = Lease(self.store, run_id, holder, self.lease_ttl)
        lease.expires = now + self.lease_ttl
        recorder = Recorder(self.store, run_id, lease=lease, pause_on_human=self.pause_on_human)
        segment = {"task": _task_dumps(task, runnable), "output_task_messages": output_task_messages}
        recorder.add("segment", segment, step=0)
        async with aclosing(self._drive(runnable, recorder, info, [segment], cancellation_token)) as driven:
            async for item in driven:
                yield item

    async def run(self, runnable: Any, *, task: Any = None, **options: Any) -> TaskResult:
        return await _last_result(self.run_stream(runnable, task=task, **options))

    # ------------------------------------------------------------ resume

    async def resume_stream(
        self,
        runnable: Any,
        run_id: str,
        *,
        input: str | None = None,
        decision: Decision | None = None,
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[Any, None]:
        """Continue run ``run_id`` where it stopped: journaled effects are served, the rest runs for real."""
        info = await self.store.get_run(run_id)
        if info.status == "completed":
            raise UsageError(f"Run {run_id} is completed; there is nothing to resume (fork it to run it again).")
        if info.status == "aborted":
            raise UsageError(f"Run {run_id} was aborted; fork it to run it again.")
        self.check_definition(info, runnable)
        holder = new_holder()
        await self.store.acquire_lease(run_id, holder, self.lease_ttl)
        lease = Lease(self.store, run_id, holder, self.lease_ttl)
        lease.expires = time.time() + self.lease_ttl
        try:
            records = await self.store.read_records(run_id)
            effects = await self.store.read_effects(run_id)
            segments = [r.data for r in records if r.kind == "segment"]
            existing: dict[str, int] = {}
            for r in records:
                existing[r.kind] = existing.get(r.kind, 0) + 1
            inputs, new_segment = _waiting_input(info, input, run_id)
            if decision is not None and decision.action == "abort":
                await self.store.set_status(run_id, "aborted", {"needs_decision": None})
                await lease.release()
                yield TaskResult(messages=[], stop_reason=f"Run {run_id} aborted by decision.")
                return
        except BaseException:
            await lease.release()
            raise
        recorder = Recorder(
            self.store,
            run_id,
            mode="resume",
            lease=lease,
            effects=effects,
            existing=existing,
            next_seq=(records[-1].seq + 1) if records else 0,
            decision=decision,
            pause_on_human=self.pause_on_human or bool(info.meta.get("pause_on_human")),
            inputs=inputs,
        )
        if new_segment is not None:
            segments.append(new_segment)
        await self.store.set_status(run_id, "running", {"waiting": None, "needs_decision": None})
        await _reset(runnable)
        async with aclosing(self._drive(runnable, recorder, info, segments, cancellation_token, new_segment=new_segment)) as driven:
            async for item in driven:
                yield item

    async def resume(self, runnable: Any, run_id: str, **options: Any) -> TaskResult:
        return await _last_result(self.resume_stream(runnable, run_id, **options))

    def check_definition(self, info: RunInfo, runnable: Any) -> None:
        """Raise :class:`TeamMismatchError` naming the first field where ``runnable`` differs from the journal."""
        given = self.config if self.config is not None else component_config(runnable)
        if "not_dumpable" in info.config or "not_dumpable" in given:
            return
        found = first_difference(info.config, given)
        if found is not None:
            raise TeamMismatchError(info.run_id, *found)

    # ------------------------------------------------------------ replay and fork

    async def replay(self, runnable: Any, run_id: str) -> ReplayReport:
        """Run ``runnable`` again with every effect served from the journal (nothing is called, nothing is written);
        the report says whether every message came out the same and, if not, where it first diverged."""
        info = await self.store.get_run(run_id)
        records = await self.store.read_records(run_id)
        effects = await self.store.read_effects(run_id)
        journaled = transcript(records)
        recorder = Recorder(self.store, run_id, mode="replay", effects=effects)
        segments = [r.data for r in records if r.kind == "segment"]
        report = ReplayReport(run_id=run_id, matched=0, total=len(journaled))
        await _reset(runnable)
        try:
            driven = self._drive(runnable, recorder, info, segments, None, replay=True)
            async for item in driven:
                if isinstance(item, TaskResult):
                    continue
                index = len(report.messages)
                report.messages.append(item)
                if index >= len(journaled) or _comparable(item.dump()) != _comparable(journaled[index]):
                    report.diverged_at = index
                    theirs = journaled[index] if index < len(journaled) else None
                    report.divergence = f"message {index}: journaled {_short(theirs)}, replayed {_short(item.dump())}"
                    await driven.aclose()
                    break
                report.matched += 1
        except (RunError, JournalError) as e:
            divergence = recorder.divergence
            if divergence is None:
                raise
            report.diverged_at = len(report.messages)
            report.divergence = str(divergence)
            del e
        if report.divergence is None and report.matched < report.total:
            report.diverged_at = report.matched
            report.divergence = f"the replay ended after {report.matched} of {report.total} journaled messages"
        return report

    async def fork_stream(
        self,
        runnable: Any,
        run_id: str,
        *,
        at_step: int,
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[Any, None]:
        """A new run: ``runnable`` (with its one change) re-runs ``run_id``, served from its journal before step
        ``at_step`` and live from it. The new run's journal holds everything (served effects are copied)."""
        source = await self.store.get_run(run_id)
        records = await self.store.read_records(run_id)
        effects = await self.store.read_effects(run_id)
        segments = [r.data for r in records if r.kind == "segment"]
        new_id = self.run_id or _new_run_id()
        self.run_id = None
        holder = new_holder()
        now = time.time()
        info = RunInfo(
            run_id=new_id,
            status="running",
            name=source.name,
            kind=source.kind,
            created_at=now,
            updated_at=now,
            config=self.config if self.config is not None else component_config(runnable),
            meta={**source.meta, **self.meta, "forked_from": run_id, "fork_at": at_step, "waiting": None},
            lease_holder=holder,
            lease_expires=now + self.lease_ttl,
        )
        await self.store.create_run(info)
        lease = Lease(self.store, new_id, holder, self.lease_ttl)
        lease.expires = now + self.lease_ttl
        served = {k: e for k, e in effects.items() if e.step < at_step and e.status == "done"}
        recorder = Recorder(self.store, new_id, mode="fork", lease=lease, effects=served, fork_at=at_step)
        for segment in segments:
            recorder.add("segment", segment, step=0)
        recorder.counts["segment"] = 0
        recorder.existing["segment"] = len(segments)
        await _reset(runnable)
        async with aclosing(self._drive(runnable, recorder, info, segments, cancellation_token)) as driven:
            async for item in driven:
                yield item

    # ------------------------------------------------------------ driving the runnable

    async def _drive(
        self,
        runnable: Any,
        recorder: Recorder,
        info: RunInfo,
        segments: list[dict[str, Any]],
        cancellation_token: CancellationToken | None,
        *,
        replay: bool = False,
        new_segment: dict[str, Any] | None = None,
    ) -> AsyncGenerator[Any, None]:
        self.last_run_id = recorder.run_id
        self.last_recorder = recorder
        store = self.store
        run_id = recorder.run_id
        factory = getattr(runnable, "_message_factory", None) or MessageFactory()
        remove_listener = await _attach(runnable, recorder)
        patches = patch_effects(runnable, recorder)
        output: list[Item] = []
        result: TaskResult | None = None
        try:
            for index, segment in enumerate(segments):
                last = index == len(segments) - 1
                if segment is new_segment:
                    recorder.add("segment", segment, step=recorder.step)
                task = _task_load(segment.get("task"), factory)
                output = []
                with _seeded_ids(f"{info.meta.get('seed', run_id)}:{index}"):
                    stream = runnable.run_stream(
                        task=task,
                        cancellation_token=cancellation_token,
                        output_task_messages=bool(segment.get("output_task_messages", True)),
                    )
                    async with aclosing(stream):
                        async for item in stream:
                            if isinstance(item, TaskResult):
                                result = item
                                continue
                            if type(item) is not ModelClientStreamingChunkEvent:
                                recorder.add("message", item.dump())
                                output.append(item)
                            if last:
                                yield item
                if result is not None:
                    recorder.add("result", {"stop_reason": result.stop_reason})
            assert result is not None
            if not replay:
                await self._finish(runnable, recorder, result)
            yield result
        except BaseException as e:
            if recorder.paused is not None:
                await self._paused(recorder, output)
                yield TaskResult(messages=output, stop_reason=_waiting_reason(run_id, recorder.paused))
                return
            stop = _find(e, EffectStop)
            if not replay:
                await self._failed(recorder, e)
            if stop is not None:
                raise stop.error from None
            raise
        finally:
            patches.undo()
            remove_listener()
            if recorder.lease is not None and not replay:
                try:
                    await recorder.lease.release()
                except JournalError:
                    pass
            del store

    async def _finish(self, runnable: Any, recorder: Recorder, result: TaskResult) -> None:
        try:
            state = await runnable.save_state()
            recorder.add("state", dict(state))
        except Exception as e:  # a participant whose state cannot be saved: the run still completes
            recorder.add("state", {"not_saved": str(e)})
        await recorder.flush()
        handoff = _handoff_to_user(result)
        summary = {"served": recorder.served, "executed": recorder.executed, "stop_reason": result.stop_reason}
        if handoff is not None:
            waiting = {"type": "handoff", "agent": handoff.source, "content": handoff.content}
            await self.store.set_status(recorder.run_id, "waiting", {"waiting": waiting, **summary})
        else:
            await self.store.set_status(recorder.run_id, "completed", summary)

    async def _paused(self, recorder: Recorder, output: list[Item]) -> None:
        await recorder.flush()
        await self.store.set_status(recorder.run_id, "waiting", {"waiting": recorder.paused})

    async def _failed(self, recorder: Recorder, error: BaseException) -> None:
        try:
            await recorder.flush()
        except JournalError:
            pass  # the store itself failed (disk full...): the status below may fail too; the error says it all
        needs = recorder.needs_decision or _find(error, NeedsDecisionError)
        try:
            if isinstance(_find(error, RunAborted), RunAborted):
                await self.store.set_status(recorder.run_id, "aborted", {"needs_decision": None})
            elif needs is not None:
                await self.store.set_status(
                    recorder.run_id,
                    "needs_decision",
                    {"needs_decision": {"key": needs.key, "description": needs.description}},
                )
            elif recorder.divergence is not None:
                await self.store.set_status(recorder.run_id, "diverged", {"error": str(recorder.divergence)})
            else:
                await self.store.set_status(recorder.run_id, "failed", {"error": f"{type(error).__name__}: {error}"})
        except JournalError:
            pass


# ---------------------------------------------------------------- helpers


async def resume(
    runnable: Any,
    run_id: str,
    *,
    store: JournalStore | str | Path | None = None,
    **options: Any,
) -> TaskResult:
    """``await resume(team_or_agent, run_id, store=...)``: the Python form of ``accord runs resume``."""
    return await Journal(store).resume(runnable, run_id, **options)


async def _last_result(stream: AsyncGenerator[Any, None]) -> TaskResult:
    result: TaskResult | None = None
    async for item in stream:
        if isinstance(item, TaskResult):
            result = item
    if result is None:  # pragma: no cover - every stream ends with a TaskResult
        raise RunError("The journaled run ended without a TaskResult.")
    return result


def _find(error: BaseException, kind: type[BaseException]) -> Any:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


async def _attach(runnable: Any, recorder: Recorder) -> Any:
    """Follow the team's turns on its runtime's envelope stream (a bare agent is one step)."""
    if isinstance(runnable, Team) and hasattr(runnable, "_ensure_init"):
        await runnable._ensure_init()
        recorder.participants = dict(zip(runnable._participant_topic_types, runnable._participant_names, strict=True))
        recorder.manager = runnable._group_chat_manager_name
        add = getattr(runnable._runtime, "add_envelope_listener", None)
        if add is not None:
            return add(recorder.on_envelope)
    elif isinstance(runnable, ChatAgent):
        from ._recorder import scope

        recorder.manager = runnable.name
        token = scope.set((1, runnable.name, ""))
        return lambda: scope.reset(token)
    return lambda: None


async def _reset(runnable: Any) -> None:
    if isinstance(runnable, Team):
        await runnable.reset()
    elif isinstance(runnable, ChatAgent):
        await runnable.on_reset(CancellationToken())


def _task_dumps(task: Any, runnable: Any) -> Any:
    if task is None or isinstance(task, str):
        return task
    if isinstance(task, BaseChatMessage):
        return [task.dump()]
    return [m.dump() for m in task]


def _task_load(data: Any, factory: Any) -> Any:
    if data is None or isinstance(data, str):
        return data
    return [factory.create(m) for m in data]


def _handoff_to_user(result: TaskResult) -> HandoffMessage | None:
    for message in reversed(list(result.messages)):
        if isinstance(message, HandoffMessage):
            return message if message.target == USER else None
        if isinstance(message, BaseChatMessage):
            return None
    return None


def _waiting_input(info: RunInfo, given: str | None, run_id: str) -> tuple[list[str], dict[str, Any] | None]:
    """The inputs to serve and the segment to add, for a run that waits for a human."""
    waiting = info.meta.get("waiting") if info.status == "waiting" else None
    if not waiting:
        return ([given] if given is not None else []), None
    if given is None:
        raise UsageError(
            f"Run {run_id} waits for input from {waiting.get('agent')}: pass it with "
            f"accord runs resume {run_id} --input TEXT (Python: resume(..., input=TEXT))."
        )
    if waiting.get("type") == "handoff":
        message = HandoffMessage(source=USER, target=str(waiting["agent"]), content=given)
        return [], {"task": [message.dump()], "output_task_messages": True}
    return [given], None


def _waiting_reason(run_id: str, paused: Mapping[str, Any] | None) -> str:
    agent = (paused or {}).get("agent", "a human")
    return f"Waiting for input from {agent}: accord runs resume {run_id} --input TEXT"


def _short(data: Any) -> str:
    if not isinstance(data, Mapping):
        return repr(data)
    content = data.get("content")
    text = content if isinstance(content, str) else repr(content)
    if len(text) > 160:
        text = text[:160] + "..."
    return f"{data.get('type')} from {data.get('source')}: {text!r}"

