"""Console: print a run's stream (agent or team) as it happens, and return its final result."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TextIO, TypeVar, cast

from .._errors import UsageError
from .._terminal import terminal_safe
from ..agents import UserProxyAgent
from ..base import Response, TaskResult
from ..core import CancellationToken
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    ModelClientStreamingChunkEvent,
    MultiModalMessage,
    UserInputRequestedEvent,
)
from ..models import RequestUsage

__all__ = ["Console", "UserInputManager"]

SyncInputFunc = Callable[[str], str]
AsyncInputFunc = Callable[[str, CancellationToken | None], Awaitable[str]]
InputFuncType = SyncInputFunc | AsyncInputFunc
T = TypeVar("T", bound=TaskResult | Response)


class UserInputManager:
    """Makes a UserProxyAgent's input function wait until the Console has shown the request for input.

    Pass ``manager.get_wrapped_callback()`` as the agent's ``input_func`` and the manager to :func:`Console`.
    """

    def __init__(self, callback: InputFuncType) -> None:
        self.input_events: dict[str, asyncio.Event] = {}
        self.callback = callback

    def get_wrapped_callback(self) -> AsyncInputFunc:
        async def user_input_func_wrapper(prompt: str, cancellation_token: CancellationToken | None) -> str:
            request_id = UserProxyAgent.InputRequestContext.request_id()
            event = self.input_events.setdefault(request_id, asyncio.Event())
            await event.wait()
            del self.input_events[request_id]
            if inspect.iscoroutinefunction(self.callback):
                return await cast(AsyncInputFunc, self.callback)(prompt, cancellation_token)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, cast(SyncInputFunc, self.callback), prompt)

        return user_input_func_wrapper

    def notify_event_received(self, request_id: str) -> None:
        """The Console has shown the input request ``request_id``: let its input function prompt."""
        self.input_events.setdefault(request_id, asyncio.Event()).set()


def _shown(message: BaseChatMessage, iterm: bool) -> str:
    """The text of a message, terminal-safe; only accord's own inline-image sequence (iTerm) stays."""
    if isinstance(message, MultiModalMessage) and iterm:
        parts = [
            terminal_safe(c) if isinstance(c, str) else MultiModalMessage(content=[c], source="").to_text(iterm=True)
            for c in message.content
        ]
        return "\n".join(parts)
    return terminal_safe(message.to_text())


def _usage_line(usage: RequestUsage) -> str:
    return f"[Prompt tokens: {usage.prompt_tokens}, Completion tokens: {usage.completion_tokens}]\n"


async def Console(
    stream: AsyncGenerator[BaseAgentEvent | BaseChatMessage | T, None],
    *,
    no_inline_images: bool = False,
    output_stats: bool = False,
    user_input_manager: UserInputManager | None = None,
    output: TextIO | None = None,
) -> T:
    """Print every message of ``stream`` (from ``run_stream`` or ``on_messages_stream``) and return its last
    TaskResult or Response.

    Each message is shown under a ``---------- {Type} ({source}) ----------`` header; streaming chunks are printed
    inline as they arrive. Control characters in the text (escape sequences from a model) are removed.
    ``output_stats`` adds token usage per message and a summary. Images are drawn inline in
    iTerm when printing to a terminal (unless ``no_inline_images``). ``output`` defaults to ``sys.stdout``.
    """
    out = output if output is not None else sys.stdout
    iterm = os.getenv("TERM_PROGRAM") == "iTerm.app" and out.isatty() and not no_inline_images
    start = time.time()
    total = RequestUsage(prompt_tokens=0, completion_tokens=0)
    last: T | None = None
    streaming = False

    def write(text: str, *, raw: bool = False) -> None:
        out.write(text if raw else terminal_safe(text))
        out.flush()

    def add_usage(usage: RequestUsage) -> None:
        total.prompt_tokens += usage.prompt_tokens
        total.completion_tokens += usage.completion_tokens

    async for message in stream:
        if isinstance(message, TaskResult):
            if output_stats:
                write(
                    f"{'-' * 10} Summary {'-' * 10}\n"
                    f"Number of messages: {len(message.messages)}\n"
                    f"Finish reason: {message.stop_reason}\n"
                    f"Total prompt tokens: {total.prompt_tokens}\n"
                    f"Total completion tokens: {total.completion_tokens}\n"
                    f"Duration: {time.time() - start:.2f} seconds\n"
                )
            last = cast(T, message)
        elif isinstance(message, Response):
            chat = message.chat_message
            content = _shown(chat, iterm)
            text = f"{'-' * 10} {terminal_safe(chat.source)} {'-' * 10}\n{content}\n"
            if chat.models_usage:
                if output_stats:
                    text += _usage_line(chat.models_usage)
                add_usage(chat.models_usage)
            write(text, raw=True)
            if output_stats:
                write(
                    f"{'-' * 10} Summary {'-' * 10}\n"
                    f"Number of inner messages: {len(message.inner_messages or [])}\n"
                    f"Total prompt tokens: {total.prompt_tokens}\n"
                    f"Total completion tokens: {total.completion_tokens}\n"
                    f"Duration: {time.time() - start:.2f} seconds\n"
                )
            last = cast(T, message)
        elif isinstance(message, UserInputRequestedEvent):
            if user_input_manager is not None:
                user_input_manager.notify_event_received(message.request_id)
        else:
            if not streaming:
                write(f"{'-' * 10} {type(message).__name__} ({message.source}) {'-' * 10}\n")
            if isinstance(message, ModelClientStreamingChunkEvent):
                write(message.to_text())
                streaming = True
                continue
            if streaming:
                streaming = False  # the full message after its chunks: end the line instead of repeating it
                write("\n")
            elif isinstance(message, MultiModalMessage):
                write(_shown(message, iterm) + "\n", raw=True)
            else:
                write(message.to_text() + "\n")
            if message.models_usage:
                if output_stats:
                    write(_usage_line(message.models_usage))
                add_usage(message.models_usage)
    if last is None:
        raise UsageError("No TaskResult or Response was processed.")
    return last
