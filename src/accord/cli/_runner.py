"""Running a built spec: load it through the registry, meter every model call, stream what happens.

The runner is wiring: it copies executor input files, loads the agent or team, iterates ``run_stream`` and hands
every item to an observer, and turns the end of the run (finished, limit reached, cancelled, failed) into a
:class:`RunOutcome` that holds the partial result too.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..code_executors import allow_work_roots
from ..code_executors._workspace import write_new
from ..core import CancellationToken, load_component
from ..models.wrappers import UsageRecord
from ..spec import BuiltSpec
from ._meter import LimitReachedError, RunMeter, wrap_models

__all__ = ["RunObserver", "RunOutcome", "prepare_component", "run_built_spec"]

Status = Literal["completed", "limit", "cancelled", "error"]
FREE_PROVIDERS = ("local", "ollama")


class RunObserver(Protocol):
    def on_item(self, item: Any) -> None: ...

    def on_usage(self, record: UsageRecord, meter: RunMeter) -> None: ...


@dataclass
class RunOutcome:
    """How a run ended, with what it produced so far."""

    status: Status
    stop_reason: str | None
    messages: list[Any] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    model_calls: int = 0
    error: BaseException | None = None
    unpriced: list[str] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last_text(self) -> str | None:
        for message in reversed(self.messages):
            if type(message).__name__.endswith("Event"):
                continue
            to_text = getattr(message, "to_text", None)
            if callable(to_text):
                return str(to_text())
        return None


def prepare_component(built: BuiltSpec, meter: RunMeter, *, max_turns: int | None) -> dict[str, Any]:
    """The spec's component with metered models and ``max_turns`` applied (teams natively, an agent by calls)."""
    component: dict[str, Any] = wrap_models(copy.deepcopy(built.component), meter)
    if max_turns is not None:
        if built.kind == "team":
            config = component.setdefault("config", {})
            current = config.get("max_turns")
            config["max_turns"] = max_turns if current is None else min(int(current), max_turns)
        else:
            meter.max_calls = max_turns
    return component


def copy_executor_files(built: BuiltSpec) -> None:
    """Copy each code executor's input files into its work dir (creating the work dir when the spec names one).

    Code that ran there before may have planted links: each file is written as a new file renamed over the
    name, so a planted ``input.csv -> /etc/passwd`` is replaced, never followed."""
    for item in built.executor_files:
        if item.work_dir is None:
            continue
        item.work_dir.mkdir(parents=True, exist_ok=True)
        for file in item.files:
            write_new(item.work_dir, file.name, file.read_bytes())


async def run_built_spec(
    built: BuiltSpec,
    task: str | None,
    *,
    observer: RunObserver,
    max_turns: int | None = None,
    budget_usd: float | None = None,
    cancellation_token: CancellationToken | None = None,
    on_loaded: Callable[[Any], None] | None = None,
    stream: Callable[[Any, CancellationToken], AsyncIterator[Any]] | None = None,
) -> RunOutcome:
    """Run the spec's agent or team on ``task``; never raises for a run that started (see ``RunOutcome``).

    Errors while loading (bad component config, untrusted provider) are raised before anything runs. An
    ``asyncio.CancelledError`` (Ctrl-C) ends the run with status ``cancelled`` and the partial result.
    ``stream(runnable, token)`` replaces ``runnable.run_stream(task=task, ...)`` (the journal records, resumes,
    replays or forks the run through it).
    """
    meter = RunMeter(budget_usd=budget_usd, max_calls=None)
    for resolved in built.models:
        if resolved.provider in FREE_PROVIDERS:
            meter.ledger.prices.set(resolved.model, (0.0, 0.0))  # runs on the user's own machine
    unsubscribe = meter.subscribe(lambda record: observer.on_usage(record, meter))
    started = time.perf_counter()
    outcome = RunOutcome(status="completed", stop_reason=None)
    runnable: Any = None
    try:
        component = prepare_component(built, meter, max_turns=max_turns)
        copy_executor_files(built)
        # The spec's executors may use folders inside the spec's own folder, nowhere else.
        with allow_work_roots(*([built.work_root] if built.work_root is not None else [])):
            runnable = load_component(component)
        if on_loaded is not None:
            on_loaded(runnable)
        token = cancellation_token or CancellationToken()
        try:
            items = stream(runnable, token) if stream is not None else runnable.run_stream(task=task, cancellation_token=token)
            async for item in items:
                if type(item).__name__ == "TaskResult":
                    outcome.stop_reason = getattr(item, "stop_reason", None)
                    continue
                if type(item).__name__ != "ModelClientStreamingChunkEvent":
                    outcome.messages.append(item)
                observer.on_item(item)
            if outcome.stop_reason is None and built.kind == "agent":
                outcome.stop_reason = "The agent answered."
            if meter.stop_reason is not None and _limit_in(outcome.stop_reason):
                outcome.status = "limit"
            elif max_turns is not None and outcome.stop_reason == f"Maximum number of turns {max_turns} reached.":
                outcome.status = "limit"  # the run's --max-turns, not a max_turns the team's own config sets
        except asyncio.CancelledError:
            outcome.status = "cancelled"
            outcome.stop_reason = "Cancelled by the user (Ctrl-C)."
        except Exception as e:
            if meter.stop_reason is not None or _caused_by_limit(e):
                outcome.status = "limit"
                outcome.stop_reason = meter.stop_reason or str(e)
            else:
                outcome.status = "error"
                outcome.stop_reason = f"Error: {type(e).__name__}: {e}"
                outcome.error = e
    finally:
        unsubscribe()
        outcome.elapsed_s = time.perf_counter() - started
        outcome.prompt_tokens, outcome.completion_tokens = meter.ledger.total_tokens()
        outcome.cost_usd = meter.spent()
        outcome.model_calls = len(meter.ledger)
        outcome.usage = [record.to_dict() for record in meter.ledger.records]
        outcome.unpriced = sorted(meter.ledger.prices.unpriced)
        if runnable is not None:
            await _close(runnable)
        meter.close()
    return outcome


def _limit_in(stop_reason: str | None) -> bool:
    return stop_reason is not None and ("Budget" in stop_reason or "Maximum number of turns" in stop_reason)


def _caused_by_limit(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, LimitReachedError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "LimitReachedError" in str(error)


async def _close(runnable: Any) -> None:
    """Close what the run opened: agents' model clients and started workbenches (MCP server processes).

    Teams and agents keep them in attributes; they are found by type, a few levels deep. A failing close never
    hides the outcome.
    """
    from ..base import ChatAgent
    from ..tools import Workbench

    agents: list[Any] = []
    workbenches: list[Any] = []
    _collect(runnable, agents, workbenches, seen=set(), depth=0, kinds=(ChatAgent, Workbench))
    for item in workbenches:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(item.stop(), timeout=10)
    for agent in agents:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(agent.close(), timeout=10)


def _collect(
    obj: Any, agents: list[Any], workbenches: list[Any], *, seen: set[int], depth: int, kinds: tuple[type, type]
) -> None:
    if id(obj) in seen or depth > 4:
        return
    seen.add(id(obj))
    chat_agent, workbench = kinds
    if isinstance(obj, workbench):
        workbenches.append(obj)
        return
    if isinstance(obj, chat_agent):
        agents.append(obj)
    if isinstance(obj, list | tuple | set):
        children: list[Any] = list(obj)
    elif isinstance(obj, dict):
        children = list(obj.values())
    elif hasattr(obj, "__dict__") and (isinstance(obj, chat_agent) or hasattr(obj, "run_stream") or depth == 0):
        children = list(vars(obj).values())
    else:
        return
    for child in children:
        if isinstance(child, list | tuple | set | dict) or isinstance(child, chat_agent | workbench):
            _collect(child, agents, workbenches, seen=seen, depth=depth + 1, kinds=kinds)
        elif hasattr(child, "run_stream"):
            _collect(child, agents, workbenches, seen=seen, depth=depth + 1, kinds=kinds)
