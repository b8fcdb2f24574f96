"""Shared plumbing for provider clients: usage accounting, cancellation, events, finish reasons, R1 thoughts."""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from .._errors import UsageError
from ..core import CancellationToken
from ..core._constants import EVENT_LOGGER_NAME
from ._model_info import ModelInfo
from ._tool_schema import ToolInput, tool_schemas
from ._types import FinishReasons, LLMMessage, RequestUsage, UserMessage

__all__ = [
    "UsageTracker",
    "check_request",
    "event_logger",
    "normalize_finish_reason",
    "parse_r1",
    "run_cancellable",
    "validate_tool_names",
]

T = TypeVar("T")
event_logger = logging.getLogger(EVENT_LOGGER_NAME)
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class UsageTracker:
    """The last call's usage and the running total."""

    def __init__(self) -> None:
        self.actual = RequestUsage(0, 0)
        self.total = RequestUsage(0, 0)

    def add(self, usage: RequestUsage) -> None:
        self.actual = usage
        self.total = RequestUsage(
            self.total.prompt_tokens + usage.prompt_tokens, self.total.completion_tokens + usage.completion_tokens
        )


async def run_cancellable(awaitable: Awaitable[T], token: CancellationToken | None) -> T:
    """Await ``awaitable``; cancelling ``token`` cancels it (raising ``asyncio.CancelledError``)."""
    if token is None:
        return await awaitable
    future: asyncio.Future[T] = asyncio.ensure_future(awaitable)
    token.link_future(future)
    return await future


def normalize_finish_reason(reason: str | None) -> FinishReasons:
    mapping: dict[str, FinishReasons] = {
        "stop": "stop",
        "end_turn": "stop",
        "stop_sequence": "stop",
        "length": "length",
        "max_tokens": "length",
        "tool_calls": "function_calls",
        "function_call": "function_calls",
        "function_calls": "function_calls",
        "tool_use": "function_calls",
        "content_filter": "content_filter",
        "refusal": "content_filter",
    }
    return mapping.get((reason or "").lower(), "unknown")


def parse_r1(content: str) -> tuple[str | None, str]:
    """Split ``<think>...</think>`` reasoning (DeepSeek R1 style) from the answer."""
    match = re.search(r"<think>(.*?)</think>", content, re.DOTALL)
    if match is None:
        return None, content
    return match.group(1).strip(), (content[: match.start()] + content[match.end() :]).strip()


def validate_tool_names(schemas: Sequence[Mapping[str, Any]]) -> None:
    """Provider-independent check: a tool name providers reject is reported before the call, naming the tool."""
    seen: set[str] = set()
    for schema in schemas:
        name = str(schema["name"])
        if not _TOOL_NAME.match(name):
            raise UsageError(
                f"Tool name {name!r} is not accepted by model providers: use 1-64 letters, digits, '_' or '-'"
            )
        if name in seen:
            raise UsageError(f"Two tools are named {name!r}: tool names must be unique")
        seen.add(name)


def check_request(
    messages: Sequence[LLMMessage],
    tools: Sequence[ToolInput],
    json_output: bool | type[BaseModel] | None,
    model_info: ModelInfo,
    model: str,
) -> list[dict[str, Any]]:
    """Validate a request against the model's capabilities; returns the tool schemas."""
    schemas = tool_schemas(tools)
    if schemas and not model_info["function_calling"]:
        raise UsageError(
            f"Model {model!r} does not support function calling (model_info['function_calling'] is False); "
            "remove the tools or pass a model_info with function_calling=True"
        )
    validate_tool_names(schemas)
    if not model_info["vision"]:
        for message in messages:
            if isinstance(message, UserMessage) and isinstance(message.content, list):
                if any(not isinstance(part, str) for part in message.content):
                    raise UsageError(f"Model {model!r} does not support vision, but a message contains an image")
    if json_output is not None and json_output is not False:
        if isinstance(json_output, type):
            if not model_info.get("structured_output", False):
                raise UsageError(
                    f"Model {model!r} does not support structured output (model_info['structured_output'] is False)"
                )
        elif not model_info["json_output"]:
            raise UsageError(f"Model {model!r} does not support JSON output (model_info['json_output'] is False)")
    return schemas


def warn_deprecated(message: str) -> None:
    warnings.warn(message, DeprecationWarning, stacklevel=3)
