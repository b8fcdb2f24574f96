"""A client that wraps another: everything not overridden is delegated to the inner client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ...core import CancellationToken
from .._call import ModelCall
from .._client import ChatCompletionClient, ToolChoice
from .._errors import ModelAPIError, parse_retry_after
from .._model_info import ModelInfo
from .._tool_schema import ToolInput
from .._types import CreateResult, LLMMessage, RequestUsage

__all__ = ["WrappingChatCompletionClient", "classify_error", "model_name"]


def model_name(client: ChatCompletionClient) -> str:
    """Best-effort name of the model behind ``client`` (for ledgers, routing logs)."""
    for attr in ("model_name", "_model"):
        value = getattr(client, attr, None)
        if isinstance(value, str) and value:
            return value
    create_args = getattr(client, "_create_args", None)
    if isinstance(create_args, Mapping) and create_args.get("model"):
        return str(create_args["model"])
    inner = getattr(client, "inner", None)
    if isinstance(inner, ChatCompletionClient):
        return model_name(inner)
    return type(client).__name__


def classify_error(error: BaseException) -> tuple[bool, float | None]:
    """``(transient, retry_after)`` for an error from any provider or SDK."""
    if isinstance(error, ModelAPIError):
        return error.transient, error.retry_after
    if isinstance(error, asyncio.CancelledError):
        return False, None
    if isinstance(error, TimeoutError | ConnectionError):
        return True, None
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        response = getattr(error, "response", None)
        retry_after = parse_retry_after(getattr(response, "headers", None)) if response is not None else None
        return status == 429 or status >= 500 or status in (408, 409), retry_after
    name = type(error).__name__
    if name in ("APIConnectionError", "APITimeoutError", "ConnectError", "ReadTimeout", "ConnectTimeout", "ReadError"):
        return True, None
    return False, None


class WrappingChatCompletionClient(ChatCompletionClient):
    """Delegates every method to ``inner``; subclasses override what they change."""

    def __init__(self, inner: ChatCompletionClient) -> None:
        self.inner = inner

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        return await call.create(self.inner)

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        async for item in call.stream(self.inner):
            yield item

    async def close(self) -> None:
        await self.inner.close()

    def actual_usage(self) -> RequestUsage:
        return self.inner.actual_usage()

    def total_usage(self) -> RequestUsage:
        return self.inner.total_usage()

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return self.inner.count_tokens(messages, tools=tools)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return self.inner.remaining_tokens(messages, tools=tools)

    @property
    def model_info(self) -> ModelInfo:
        return self.inner.model_info
