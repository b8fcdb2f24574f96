"""What running a task returns, and the protocol of anything that runs tasks (agents and teams)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, SerializeAsAny

from ..core import CancellationToken
from ..messages import BaseAgentEvent, BaseChatMessage

__all__ = ["RunJournal", "TaskResult", "TaskRunner"]


class TaskResult(BaseModel):
    """The messages a run produced (streaming chunks excluded) and why it stopped (None for a single agent)."""

    messages: Sequence[SerializeAsAny[BaseAgentEvent | BaseChatMessage]]
    stop_reason: str | None = None


class TaskRunner(Protocol):
    """Something that runs a task: a chat agent or a team."""

    async def run(
        self,
        *,
        task: str | BaseChatMessage | Sequence[BaseChatMessage] | None = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
    ) -> TaskResult:
        """Run the task and return its result."""
        ...

    def run_stream(
        self,
        *,
        task: str | BaseChatMessage | Sequence[BaseChatMessage] | None = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | TaskResult, None]:
        """Run the task, yielding each message and event as it happens and the :class:`TaskResult` last."""
        ...


class RunJournal(Protocol):
    """What ``run(..., journal=...)`` takes: an ``accord.journal`` store or ``Journal`` (typed here, built there)."""

    def record_stream(
        self,
        runnable: Any,
        *,
        task: Any = None,
        cancellation_token: Any = None,
        output_task_messages: bool = True,
    ) -> AsyncGenerator[Any, None]: ...

    async def resume_run(self, runnable: Any, run_id: str, **options: Any) -> TaskResult: ...
