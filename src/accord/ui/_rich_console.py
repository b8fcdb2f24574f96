"""RichConsole: Console output drawn with ``rich`` panels (serves ``autogen_ext.ui.RichConsole``; extra ``cli``)."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from typing import Any, Literal, TypeVar, cast

from .._errors import UsageError
from .._imports import require
from .._terminal import terminal_safe
from ..base import Response, TaskResult
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    ModelClientStreamingChunkEvent,
    MultiModalMessage,
    UserInputRequestedEvent,
)
from ..models import RequestUsage
from ._console import UserInputManager

__all__ = ["RichConsole"]

AGENT_COLORS = {
    "user": "bright_green",
    "MagenticOneOrchestrator": "bright_blue",
    "WebSurfer": "bright_yellow",
    "FileSurfer": "bright_cyan",
    "Coder": "bright_magenta",
    "Executor": "bright_red",
}
DEFAULT_AGENT_COLOR = "white"
AGENT_ALIGNMENTS: dict[str, Literal["left", "center", "right"]] = {"user": "right", "MagenticOneOrchestrator": "center"}
DEFAULT_AGENT_ALIGNMENT: Literal["left", "center", "right"] = "left"
T = TypeVar("T", bound=TaskResult | Response)


async def RichConsole(
    stream: AsyncGenerator[BaseAgentEvent | BaseChatMessage | T, None],
    *,
    no_inline_images: bool = False,
    output_stats: bool = False,
    user_input_manager: UserInputManager | None = None,
    console: Any | None = None,
) -> T:
    """Like :func:`~accord.ui.Console`, with one coloured panel per message (titled by its source).

    Message text is printed literally (rich markup in it is not interpreted) and without control characters.
    """
    rich_console = require("rich.console", extra="cli")
    rich_panel = require("rich.panel", extra="cli")
    rich_text = require("rich.text", extra="cli")
    out = console if console is not None else rich_console.Console()
    start = time.time()
    total = RequestUsage(prompt_tokens=0, completion_tokens=0)
    last: T | None = None
    streaming = False

    def panel(text: str, title: str) -> None:
        # model text is shown as it is: no rich markup ("list[int]", "[/]"), no control characters
        out.print(
            rich_panel.Panel(
                rich_text.Text(terminal_safe(text)),
                title=rich_text.Text(terminal_safe(title)),
                title_align=AGENT_ALIGNMENTS.get(title, DEFAULT_AGENT_ALIGNMENT),
                border_style=AGENT_COLORS.get(title, DEFAULT_AGENT_COLOR),
            )
        )

    def summary(lines: list[str]) -> None:
        panel("\n".join([*lines, f"Duration: {time.time() - start:.2f} seconds"]), "Summary")

    def usage(u: RequestUsage) -> None:
        total.prompt_tokens += u.prompt_tokens
        total.completion_tokens += u.completion_tokens
        if output_stats:
            out.print(f"[Prompt tokens: {u.prompt_tokens}, Completion tokens: {u.completion_tokens}]")

    async for message in stream:
        if isinstance(message, TaskResult):
            if output_stats:
                summary(
                    [
                        f"Number of messages: {len(message.messages)}",
                        f"Finish reason: {message.stop_reason}",
                        f"Total prompt tokens: {total.prompt_tokens}",
                        f"Total completion tokens: {total.completion_tokens}",
                    ]
                )
            last = cast(T, message)
        elif isinstance(message, Response):
            panel(message.chat_message.to_text(), message.chat_message.source)
            if message.chat_message.models_usage:
                usage(message.chat_message.models_usage)
            if output_stats:
                summary(
                    [
                        f"Number of inner messages: {len(message.inner_messages or [])}",
                        f"Total prompt tokens: {total.prompt_tokens}",
                        f"Total completion tokens: {total.completion_tokens}",
                    ]
                )
            last = cast(T, message)
        elif isinstance(message, UserInputRequestedEvent):
            if user_input_manager is not None:
                user_input_manager.notify_event_received(message.request_id)
        elif isinstance(message, ModelClientStreamingChunkEvent):
            out.print(rich_text.Text(terminal_safe(message.content)), end="")
            streaming = True
        else:
            if streaming:
                out.print()
                streaming = False
            text = message.to_text(iterm=False) if isinstance(message, MultiModalMessage) else message.to_text()
            panel(text, message.source)
            if message.models_usage:
                usage(message.models_usage)
    if last is None:
        raise UsageError("No TaskResult or Response was processed.")
    return last
