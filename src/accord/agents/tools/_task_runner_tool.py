"""TaskRunnerTool: an agent or team exposed as a streaming tool ``{task: str} -> TaskResult``."""

from __future__ import annotations

from abc import ABC
from collections.abc import AsyncGenerator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel

from ..._errors import UsageError
from ...base import ChatAgent, TaskResult, Team
from ...core import CancellationToken
from ...messages import BaseAgentEvent, BaseChatMessage
from ...tools import BaseStreamTool
from .._errors import AgentArgumentTypeError

__all__ = ["TaskRunnerTool", "TaskRunnerToolArgs"]


class TaskRunnerToolArgs(BaseModel):
    """Arguments of a task-runner tool."""

    task: Annotated[str, "The task to be executed."]


class TaskRunnerTool(BaseStreamTool[TaskRunnerToolArgs, BaseAgentEvent | BaseChatMessage, TaskResult], ABC):
    """Runs an agent or team on the ``task`` argument; the tool result is the run's messages as text.

    The inner run does not repeat the task message (``output_task_messages=False``), so the caller's stream does not
    receive its own request back. With ``return_value_as_last_message`` the result is the last message's text; else
    ``"{source}: {text}"`` for every chat message except the user's, separated by blank lines.
    """

    component_type = "tool"

    def __init__(
        self,
        task_runner: ChatAgent | Team,
        name: str,
        description: str,
        return_value_as_last_message: bool,
    ) -> None:
        if not isinstance(task_runner, ChatAgent | Team):
            raise AgentArgumentTypeError(f"task_runner must be a chat agent or a team, got {task_runner!r}")
        self._task_runner = task_runner
        self._return_value_as_last_message = return_value_as_last_message
        super().__init__(
            args_type=TaskRunnerToolArgs, return_type=TaskResult, name=name, description=description, strict=True
        )

    async def run(self, args: TaskRunnerToolArgs, cancellation_token: CancellationToken) -> TaskResult:
        return await self._task_runner.run(
            task=args.task, cancellation_token=cancellation_token, output_task_messages=False
        )

    async def run_stream(
        self, args: TaskRunnerToolArgs, cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | TaskResult, None]:
        async for event in self._task_runner.run_stream(
            task=args.task, cancellation_token=cancellation_token, output_task_messages=False
        ):
            yield event

    def return_value_as_string(self, value: Any) -> str:
        if not isinstance(value, TaskResult):
            return str(value)
        if self._return_value_as_last_message:
            if value.messages and isinstance(value.messages[-1], BaseChatMessage):
                return value.messages[-1].to_model_text()
            raise UsageError("The last message is not a BaseChatMessage.")
        return "\n\n".join(
            f"{m.source}: {m.to_model_text()}"
            for m in value.messages
            if isinstance(m, BaseChatMessage) and m.source != "user"
        )

    async def save_state_json(self) -> Mapping[str, Any]:
        return await self._task_runner.save_state()

    async def load_state_json(self, state: Mapping[str, Any]) -> None:
        await self._task_runner.load_state(state)
