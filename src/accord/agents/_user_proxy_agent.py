"""UserProxyAgent: an agent whose replies come from a person (``input()`` or a function you give it)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, Self, cast

from pydantic import BaseModel

from .._errors import RunError
from ..base import Response
from ..core import CancellationToken, Component
from ..messages import BaseAgentEvent, BaseChatMessage, HandoffMessage, TextMessage, UserInputRequestedEvent
from ..messages._base import _new_id
from ._base_chat_agent import BaseChatAgent

__all__ = [
    "AsyncInputFunc",
    "InputFuncType",
    "SyncInputFunc",
    "UserProxyAgent",
    "UserProxyAgentConfig",
    "cancellable_input",
]

SyncInputFunc = Callable[[str], str]
AsyncInputFunc = Callable[[str, CancellationToken | None], Awaitable[str]]
InputFuncType = SyncInputFunc | AsyncInputFunc


async def cancellable_input(prompt: str, cancellation_token: CancellationToken | None) -> str:
    """``input(prompt)`` in a worker thread; cancelling the token stops waiting for it."""
    task: asyncio.Task[str] = asyncio.ensure_future(asyncio.to_thread(input, prompt))
    if cancellation_token is not None:
        cancellation_token.link_future(task)
    return await task


class UserProxyAgentConfig(BaseModel):
    """Config of UserProxyAgent (the input function is not serialized)."""

    name: str
    description: str = "A human user"
    input_func: str | None = None


class UserProxyAgent(BaseChatAgent, Component[UserProxyAgentConfig]):
    """Replies with what a person types: a TextMessage, or a HandoffMessage back when it was handed the conversation.

    ``input_func`` is ``f(prompt) -> str`` (run in a worker thread) or ``async f(prompt, cancellation_token) -> str``;
    the default reads the terminal. A :class:`UserInputRequestedEvent` is emitted before asking; inside the input
    function ``UserProxyAgent.InputRequestContext.request_id()`` gives that event's ``request_id``.
    """

    component_type = "agent"
    component_provider_override = "autogen_agentchat.agents.UserProxyAgent"
    component_config_schema = UserProxyAgentConfig

    class InputRequestContext:
        """Gives the input function the id of the current input request."""

        _INPUT_REQUEST_CONTEXT_VAR: ClassVar[ContextVar[str]] = ContextVar("_INPUT_REQUEST_CONTEXT_VAR")

        def __init__(self) -> None:
            raise RunError("InputRequestContext cannot be instantiated; use its class methods.")

        @classmethod
        @contextmanager
        def populate_context(cls, ctx: str) -> Generator[None, Any, None]:
            token = cls._INPUT_REQUEST_CONTEXT_VAR.set(ctx)
            try:
                yield
            finally:
                cls._INPUT_REQUEST_CONTEXT_VAR.reset(token)

        @classmethod
        def request_id(cls) -> str:
            """The id of the input request being answered (only inside the input function)."""
            try:
                return cls._INPUT_REQUEST_CONTEXT_VAR.get()
            except LookupError as e:
                raise RunError(
                    "InputRequestContext.request_id() must be called within the input callback of a UserProxyAgent."
                ) from e

    def __init__(
        self, name: str, *, description: str = "A human user", input_func: InputFuncType | None = None
    ) -> None:
        super().__init__(name=name, description=description)
        if input_func is not None and not callable(input_func):
            raise RunError(f"input_func must be callable, got {input_func!r}")
        self.input_func: InputFuncType = input_func or cancellable_input
        self._is_async = inspect.iscoroutinefunction(self.input_func) or inspect.iscoroutinefunction(
            type(self.input_func).__call__  # an object with an async __call__
        )

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage, HandoffMessage)

    def _latest_handoff(self, messages: Sequence[BaseChatMessage]) -> HandoffMessage | None:
        if messages and isinstance(messages[-1], HandoffMessage):
            if messages[-1].target == self._name:
                return messages[-1]
            raise RunError(
                f"Handoff message target does not match agent name: {messages[-1].target!r} "
                f"(from {messages[-1].source!r}), this agent is {self._name!r}"
            )
        return None

    async def _get_input(self, prompt: str, cancellation_token: CancellationToken) -> str:
        try:
            if self._is_async:
                return await cast(AsyncInputFunc, self.input_func)(prompt, cancellation_token)
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(None, cast(SyncInputFunc, self.input_func), prompt)
            cancellation_token.link_future(future)
            return await future
        except asyncio.CancelledError:
            raise
        except Exception as e:
            raise RunError(f"Failed to get user input: {e}") from e

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        response: Response | None = None
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                response = item
        if response is None:
            raise AssertionError("The stream should have returned the final result.")
        return response

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        try:
            handoff = self._latest_handoff(messages)
            prompt = (
                f"Handoff received from {handoff.source}. Enter your response: " if handoff else "Enter your response: "
            )
            request_id = _new_id()
            yield UserInputRequestedEvent(request_id=request_id, source=self._name)
            with UserProxyAgent.InputRequestContext.populate_context(request_id):
                user_input = await self._get_input(prompt, cancellation_token)
            if handoff is not None:
                yield Response(
                    chat_message=HandoffMessage(content=user_input, target=handoff.source, source=self._name)
                )
            else:
                yield Response(chat_message=TextMessage(content=user_input, source=self._name))
        except asyncio.CancelledError:
            raise
        except RunError as e:
            if str(e).startswith("Failed to get user input: "):
                raise
            raise RunError(f"Failed to get user input: {e}") from e
        except Exception as e:
            raise RunError(f"Failed to get user input: {e}") from e

    async def on_reset(self, cancellation_token: CancellationToken | None = None) -> None:
        return None

    def _to_config(self) -> UserProxyAgentConfig:
        return UserProxyAgentConfig(name=self._name, description=self._description, input_func=None)

    @classmethod
    def _from_config(cls, config: UserProxyAgentConfig) -> Self:
        return cls(name=config.name, description=config.description, input_func=None)
