"""BaseChatAgent: the base class of chat agents, with ``run`` / ``run_stream`` built on ``on_messages(_stream)``."""

from __future__ import annotations

from contextlib import aclosing

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .._errors import StateError, UsageError
from ..base import ChatAgent, Response, TaskResult
from ..base._task import RunJournal
from ..core import CancellationToken, trace_create_agent_span, trace_invoke_agent_span
from ..messages import BaseAgentEvent, BaseChatMessage, ModelClientStreamingChunkEvent, TextMessage
from ..state import BaseState

__all__ = ["BaseChatAgent", "run_linked", "task_to_messages", "validate_state"]

S = TypeVar("S", bound=BaseModel)
T = TypeVar("T")


def task_to_messages(task: str | BaseChatMessage | Sequence[BaseChatMessage] | None) -> list[BaseChatMessage]:
    """The chat messages of a task: a string becomes ``TextMessage(source="user")``; a list must be non-empty."""
    if task is None:
        return []
    if isinstance(task, str):
        return [TextMessage(content=task, source="user")]
    if isinstance(task, BaseChatMessage):
        return [task]
    if isinstance(task, Sequence):
        if not task:
            raise UsageError("Task list cannot be empty.")
        for msg in task:
            if not isinstance(msg, BaseChatMessage):
                raise UsageError(f"Invalid message type in sequence: {type(msg).__name__} (expected BaseChatMessage)")
        return [m for m in task if isinstance(m, BaseChatMessage)]
    raise UsageError(f"Invalid task type: {type(task).__name__} (expected str, a chat message or a list of them)")


class BaseChatAgent(ChatAgent, ABC):
    """Base class for chat agents: implement ``on_messages`` (and optionally ``on_messages_stream``) and ``on_reset``.

    ``name`` must be a Python identifier. The agent keeps its own state between calls, so callers pass only the new
    messages each time.
    """

    component_type = "agent"

    def __init__(self, name: str, description: str) -> None:
        with trace_create_agent_span(name if isinstance(name, str) else repr(name), agent_description=description):
            if not isinstance(name, str) or not name.isidentifier():
                raise UsageError(f"The agent name must be a valid Python identifier, got {name!r}.")
            self._name = name
            self._description = description

    @property
    def name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return self._description

    @property
    @abstractmethod
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        """The chat message types this agent can put in its Response."""

    @abstractmethod
    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        """Handle new messages and answer."""

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        """By default: ``on_messages``, then its inner messages, then the Response."""
        response = await self.on_messages(messages, cancellation_token)
        for inner in response.inner_messages or []:
            yield inner
        yield response

    async def run(
        self,
        *,
        task: str | BaseChatMessage | Sequence[BaseChatMessage] | None = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
        journal: RunJournal | None = None,
    ) -> TaskResult:
        """Run the agent on ``task``; the result holds the task messages (if asked), inner messages and the reply.

        With ``journal`` (an ``accord.journal`` store), the run is journaled: see :mod:`accord.journal`.
        """
        if journal is not None:
            result: TaskResult | None = None
            async for item in journal.record_stream(
                self, task=task, cancellation_token=cancellation_token, output_task_messages=output_task_messages
            ):
                if isinstance(item, TaskResult):
                    result = item
            assert result is not None
            return result
        with trace_invoke_agent_span(self._name, agent_description=self._description):
            token = cancellation_token if cancellation_token is not None else CancellationToken()
            input_messages = task_to_messages(task)
            output: list[BaseAgentEvent | BaseChatMessage] = list(input_messages) if output_task_messages else []
            if cancellation_token is None:
                response = await self.on_messages(input_messages, token)
            else:
                response = await run_linked(self.on_messages(input_messages, token), token)
            if response.inner_messages:
                output.extend(m for m in response.inner_messages if not isinstance(m, ModelClientStreamingChunkEvent))
            output.append(response.chat_message)
            return TaskResult.model_construct(messages=output)

    async def run_stream(
        self,
        *,
        task: str | BaseChatMessage | Sequence[BaseChatMessage] | None = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
        journal: RunJournal | None = None,
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | TaskResult, None]:
        """Run the agent on ``task``, yielding every message and event, then the TaskResult (without stream chunks)."""
        if journal is not None:
            journaled = journal.record_stream(
                self, task=task, cancellation_token=cancellation_token, output_task_messages=output_task_messages
            )
            async with aclosing(journaled):
                async for item in journaled:
                    yield item
            return
        with trace_invoke_agent_span(self._name, agent_description=self._description):
            token = cancellation_token if cancellation_token is not None else CancellationToken()
            input_messages = task_to_messages(task)
            output: list[BaseAgentEvent | BaseChatMessage] = []
            if output_task_messages:
                for msg in input_messages:
                    output.append(msg)
                    yield msg
            async for item in self.on_messages_stream(input_messages, token):
                if isinstance(item, Response):
                    output.append(item.chat_message)
                    yield item.chat_message
                    yield TaskResult.model_construct(messages=output)
                else:
                    yield item
                    if not isinstance(item, ModelClientStreamingChunkEvent):
                        output.append(item)

    @abstractmethod
    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        """Return to the initial state."""

    async def on_pause(self, cancellation_token: CancellationToken) -> None:
        """Called when the team pauses; does nothing by default."""

    async def on_resume(self, cancellation_token: CancellationToken) -> None:
        """Called when the team resumes; does nothing by default."""

    async def save_state(self) -> Mapping[str, Any]:
        return BaseState().model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        validate_state(BaseState, state, self._name)

    async def close(self) -> None:
        """Release resources; nothing by default."""


async def run_linked(coro: Coroutine[Any, Any, T], token: CancellationToken) -> T:
    """Run ``coro`` in a task that cancelling ``token`` cancels (even work that never looks at the token).

    The link is removed afterwards, so a token reused for many runs does not accumulate callbacks.
    """
    task = asyncio.ensure_future(coro)
    loop = asyncio.get_running_loop()

    def cancel() -> None:  # tokens may be cancelled from other threads
        loop.call_soon_threadsafe(task.cancel)

    token.add_callback(cancel)
    try:
        return await task
    finally:
        token.remove_callback(cancel)


def validate_state(model: type[S], state: Mapping[str, Any], owner: str) -> S:
    """``state`` parsed as ``model``; a StateError naming the owner and the problem if it does not fit."""
    try:
        return model.model_validate(state)
    except ValidationError as e:
        raise StateError(f"Invalid state for {owner!r} (expected {model.__name__}): {e}") from e
