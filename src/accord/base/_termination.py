"""Termination conditions: when a team run stops. Combine them with ``|`` (either) and ``&`` (both).

A condition is called with the *delta*: the messages produced since it was last called.

The task text never stops a run (AutoGen #6826). A team hands the task messages of a run to its condition through
:func:`check_task_messages`, which marks the call: conditions that count (``MaxMessageTermination``,
``TokenUsageTermination``) count the task messages exactly as AutoGen does, so stop reasons such as "Maximum number
of messages 6 reached, current message count: 6" stay the same; conditions that react to content (text mentions,
text messages, sources, stop and handoff messages, function calls, functional conditions) ignore them. Custom
conditions can ask :func:`evaluating_task_messages` to do the same.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self

from pydantic import BaseModel

from .._errors import AccordSignal, RunError, UsageError
from ..core import Component, ComponentBase, ComponentModel
from ..messages import BaseAgentEvent, BaseChatMessage, StopMessage

__all__ = [
    "AndTerminationCondition",
    "InvalidConditionError",
    "OrTerminationCondition",
    "TerminatedException",
    "TerminationCondition",
    "check_task_messages",
    "evaluating_task_messages",
    "task_messages_context",
]

_TASK_MESSAGES: ContextVar[bool] = ContextVar("accord_termination_task_messages", default=False)


def evaluating_task_messages() -> bool:
    """True while a condition is being given the task messages of a run (see :func:`check_task_messages`)."""
    return _TASK_MESSAGES.get()


@contextmanager
def task_messages_context() -> Iterator[None]:
    """Mark condition calls in this block as calls with task messages."""
    token = _TASK_MESSAGES.set(True)
    try:
        yield
    finally:
        _TASK_MESSAGES.reset(token)


async def check_task_messages(
    condition: TerminationCondition, messages: Sequence[BaseAgentEvent | BaseChatMessage]
) -> StopMessage | None:
    """Give ``condition`` the task messages of a run: they are counted, but their content cannot stop the run."""
    with task_messages_context():
        return await condition(messages)


class TerminatedException(AccordSignal):
    """A termination condition that already fired was called again (reset it first)."""


class InvalidConditionError(UsageError, TypeError):
    """A termination condition was given a value of the wrong type (raised at construction)."""


class TerminationCondition(ABC, ComponentBase[BaseModel]):
    """Decides, from the messages produced since the last check, whether a run must stop."""

    component_type = "termination"

    @property
    @abstractmethod
    def terminated(self) -> bool:
        """Whether the condition has fired (until :meth:`reset`)."""

    @abstractmethod
    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        """A StopMessage if the run must stop after ``messages`` (the delta since the last call), else None."""

    @abstractmethod
    async def reset(self) -> None:
        """Return to the initial state."""

    def __and__(self, other: TerminationCondition) -> TerminationCondition:
        return AndTerminationCondition(self, other)

    def __or__(self, other: TerminationCondition) -> TerminationCondition:
        return OrTerminationCondition(self, other)


def _check_conditions(kind: str, conditions: Sequence[Any]) -> tuple[TerminationCondition, ...]:
    if not conditions:
        raise InvalidConditionError(f"{kind} needs at least one termination condition")
    for c in conditions:
        if not isinstance(c, TerminationCondition):
            raise InvalidConditionError(
                f"{kind} combines TerminationCondition objects, got {c!r} of type {type(c).__name__}"
            )
    return tuple(conditions)


def _combine(stops: Sequence[StopMessage]) -> StopMessage:
    return StopMessage(content=", ".join(s.content for s in stops), source=", ".join(s.source for s in stops))


class AndTerminationConditionConfig(BaseModel):
    conditions: list[ComponentModel]


class AndTerminationCondition(TerminationCondition, Component[AndTerminationConditionConfig]):
    """Fires when every sub-condition has fired (not necessarily on the same delta)."""

    component_config_schema = AndTerminationConditionConfig
    component_type = "termination"
    component_provider_override = "autogen_agentchat.base.AndTerminationCondition"

    def __init__(self, *conditions: TerminationCondition) -> None:
        self._conditions = _check_conditions("AndTerminationCondition", conditions)
        self._stop_messages: list[StopMessage] = []

    @property
    def terminated(self) -> bool:
        return all(c.terminated for c in self._conditions)

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        if self.terminated:
            raise TerminatedException("Termination condition has already been reached.")
        pending = [c for c in self._conditions if not c.terminated]
        if len(pending) == 1:
            results: list[StopMessage | None] = [await pending[0](messages)]
        else:
            results = list(await asyncio.gather(*(c(messages) for c in pending)))
        self._stop_messages.extend(r for r in results if r is not None)
        if any(r is None for r in results):
            return None
        return _combine(self._stop_messages)

    async def reset(self) -> None:
        for c in self._conditions:
            await c.reset()
        self._stop_messages.clear()

    def _to_config(self) -> AndTerminationConditionConfig:
        return AndTerminationConditionConfig(conditions=[c.dump_component() for c in self._conditions])

    @classmethod
    def _from_config(cls, config: AndTerminationConditionConfig) -> Self:
        return cls(*(TerminationCondition.load_component(m) for m in config.conditions))


class OrTerminationConditionConfig(BaseModel):
    conditions: list[ComponentModel]


class OrTerminationCondition(TerminationCondition, Component[OrTerminationConditionConfig]):
    """Fires when any sub-condition fires; the StopMessage joins those that fired on this delta."""

    component_config_schema = OrTerminationConditionConfig
    component_type = "termination"
    component_provider_override = "autogen_agentchat.base.OrTerminationCondition"

    def __init__(self, *conditions: TerminationCondition) -> None:
        self._conditions = _check_conditions("OrTerminationCondition", conditions)

    @property
    def terminated(self) -> bool:
        return any(c.terminated for c in self._conditions)

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        if self.terminated:
            raise RunError("Termination condition has already been reached")
        results = await asyncio.gather(*(c(messages) for c in self._conditions))
        fired = [r for r in results if r is not None]
        return _combine(fired) if fired else None

    async def reset(self) -> None:
        for c in self._conditions:
            await c.reset()

    def _to_config(self) -> OrTerminationConditionConfig:
        return OrTerminationConditionConfig(conditions=[c.dump_component() for c in self._conditions])

    @classmethod
    def _from_config(cls, config: OrTerminationConditionConfig) -> Self:
        return cls(*(TerminationCondition.load_component(m) for m in config.conditions))
