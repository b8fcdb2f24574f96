"""Fallback: when a client fails, the same request goes to the next one."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Literal, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ...core import CancellationToken, Component, ComponentModel
from .._call import ModelCall
from .._client import ChatCompletionClient, ToolChoice
from .._errors import ModelAPIError
from .._tool_schema import ToolInput
from .._types import CreateResult, LLMMessage
from ._base import WrappingChatCompletionClient, classify_error, model_name

__all__ = ["AllClientsFailedError", "FallbackChatCompletionClient", "FallbackChatCompletionClientConfig"]

logger = logging.getLogger("accord.models")


class AllClientsFailedError(ModelAPIError):
    """Every client of a fallback chain failed; ``errors`` holds each one's error in order."""

    def __init__(self, errors: list[tuple[str, BaseException]]) -> None:
        summary = "; ".join(f"{name}: {type(e).__name__}: {e}" for name, e in errors)
        super().__init__(f"All {len(errors)} model clients failed: {summary}")
        self.errors = errors
        self.transient = all(classify_error(e)[0] for _, e in errors)


class FallbackChatCompletionClientConfig(BaseModel):
    clients: list[ComponentModel]
    fallback_on: Literal["provider_errors", "transient"] = "provider_errors"


class FallbackChatCompletionClient(WrappingChatCompletionClient, Component[FallbackChatCompletionClientConfig]):
    """Tries ``clients`` in order until one answers.

    ``fallback_on="provider_errors"`` (default) moves on for any provider failure (rate limits, outages, auth,
    rejected requests, connection errors); ``"transient"`` only for failures a retry could fix. Errors in the
    request itself (``UsageError``, e.g. tools for a model without function calling) are raised at once. A stream
    falls back only if it fails before its first chunk. ``model_info`` is the first client's.
    """

    component_provider_override = "accord.models.wrappers.FallbackChatCompletionClient"
    component_config_schema = FallbackChatCompletionClientConfig

    def __init__(
        self,
        clients: Sequence[ChatCompletionClient],
        *,
        fallback_on: Literal["provider_errors", "transient"] = "provider_errors",
    ) -> None:
        if not clients:
            raise UsageError("FallbackChatCompletionClient needs at least one client")
        super().__init__(clients[0])
        self.clients = list(clients)
        self._fallback_on = fallback_on
        self.last_client: ChatCompletionClient | None = None

    def _should_fall_back(self, error: Exception) -> bool:
        if isinstance(error, UsageError):
            return False
        transient, _ = classify_error(error)
        if self._fallback_on == "transient":
            return transient
        return transient or isinstance(error, ModelAPIError) or hasattr(error, "status_code")

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
        errors: list[tuple[str, BaseException]] = []
        for client in self.clients:
            try:
                result = await call.create(client)
            except Exception as e:
                if not self._should_fall_back(e):
                    raise
                logger.warning("Model %s failed (%s); falling back", model_name(client), e)
                errors.append((model_name(client), e))
                continue
            self.last_client = client
            return result
        raise AllClientsFailedError(errors) from errors[-1][1]

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
        errors: list[tuple[str, BaseException]] = []
        for client in self.clients:
            started = False
            try:
                async for item in call.stream(client):
                    started = True
                    self.last_client = client
                    yield item
                return
            except Exception as e:
                if started or not self._should_fall_back(e):
                    raise
                logger.warning("Model %s failed (%s); falling back", model_name(client), e)
                errors.append((model_name(client), e))
        raise AllClientsFailedError(errors) from errors[-1][1]

    def actual_usage(self) -> Any:
        return (self.last_client or self.inner).actual_usage()

    def total_usage(self) -> Any:
        from .._types import RequestUsage

        usages = [c.total_usage() for c in self.clients]
        return RequestUsage(sum(u.prompt_tokens for u in usages), sum(u.completion_tokens for u in usages))

    async def close(self) -> None:
        for client in self.clients:
            await client.close()

    def _to_config(self) -> FallbackChatCompletionClientConfig:
        return FallbackChatCompletionClientConfig(
            clients=[c.dump_component() for c in self.clients], fallback_on=self._fallback_on
        )

    @classmethod
    def _from_config(cls, config: FallbackChatCompletionClientConfig) -> Self:
        return cls([ChatCompletionClient.load_component(c) for c in config.clients], fallback_on=config.fallback_on)
