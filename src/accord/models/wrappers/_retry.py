"""Retries with exponential backoff and jitter that honour the server's retry-after."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel, Field

from ..._errors import UsageError
from ...core import CancellationToken, Component, ComponentModel
from .._call import ModelCall
from .._client import ChatCompletionClient, ToolChoice
from .._support import run_cancellable
from .._tool_schema import ToolInput
from .._types import CreateResult, LLMMessage
from ._base import WrappingChatCompletionClient, classify_error

__all__ = ["RetryingChatCompletionClient", "RetryingChatCompletionClientConfig"]

logger = logging.getLogger("accord.models")


class RetryingChatCompletionClientConfig(BaseModel):
    client: ComponentModel
    max_retries: int = Field(default=3, ge=0)
    initial_delay: float = Field(default=0.5, ge=0)
    max_delay: float = Field(default=30.0, ge=0)
    multiplier: float = Field(default=2.0, ge=1)
    jitter: float = Field(default=0.2, ge=0, le=1)
    max_retry_after: float = Field(default=60.0, ge=0)


class RetryingChatCompletionClient(WrappingChatCompletionClient, Component[RetryingChatCompletionClientConfig]):
    """Retries transient failures of ``client`` (HTTP 429, 5xx, timeouts, connection errors).

    The wait before retry *n* is ``initial_delay * multiplier**n`` (at most ``max_delay``), varied by ``jitter``
    (a fraction), unless the server sent ``retry-after`` (honoured up to ``max_retry_after``). Fatal errors (bad
    request, authentication) are raised at once. After ``max_retries`` retries the last error is raised with a
    note saying how many attempts were made. A stream is retried only if it fails before its first chunk.
    For best results give the inner client ``max_retries=0`` so the SDK does not retry on its own too.
    """

    component_provider_override = "accord.models.wrappers.RetryingChatCompletionClient"
    component_config_schema = RetryingChatCompletionClientConfig

    def __init__(
        self,
        client: ChatCompletionClient,
        *,
        max_retries: int = 3,
        initial_delay: float = 0.5,
        max_delay: float = 30.0,
        multiplier: float = 2.0,
        jitter: float = 0.2,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(client)
        if max_retries < 0:
            raise UsageError(f"max_retries must be >= 0, got {max_retries}")
        self._config = RetryingChatCompletionClientConfig(
            client=ComponentModel(provider="-", config={}),
            max_retries=max_retries,
            initial_delay=initial_delay,
            max_delay=max_delay,
            multiplier=multiplier,
            jitter=jitter,
            max_retry_after=max_retry_after,
        )
        self._sleep = sleep or asyncio.sleep
        self.retries = 0  # retries made over the client's life

    def delay_for(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        c = self._config
        if retry_after is not None:
            return min(max(retry_after, 0.0), c.max_retry_after)
        base = min(c.max_delay, c.initial_delay * c.multiplier**attempt)
        return max(0.0, base * (1 + c.jitter * (2 * random.random() - 1)))

    async def _wait_or_raise(self, error: BaseException, attempt: int, token: CancellationToken | None) -> None:
        transient, retry_after = classify_error(error)
        if not transient:
            raise error
        if attempt >= self._config.max_retries:
            error.add_note(f"accord: gave up after {attempt + 1} attempts (max_retries={self._config.max_retries})")
            raise error
        delay = self.delay_for(attempt, retry_after)
        logger.warning("Model call failed (%s); retry %d in %.2f s", error, attempt + 1, delay)
        self.retries += 1
        await run_cancellable(self._sleep(delay), token)

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
        attempt = 0
        while True:
            try:
                return await call.create(self.inner)
            except Exception as e:
                await self._wait_or_raise(e, attempt, cancellation_token)
                attempt += 1

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
        attempt = 0
        while True:
            started = False
            try:
                async for item in call.stream(self.inner):
                    started = True
                    yield item
                return
            except Exception as e:
                if started:
                    raise
                await self._wait_or_raise(e, attempt, cancellation_token)
                attempt += 1

    def _to_config(self) -> RetryingChatCompletionClientConfig:
        return self._config.model_copy(update={"client": self.inner.dump_component()})

    @classmethod
    def _from_config(cls, config: RetryingChatCompletionClientConfig) -> Self:
        return cls(
            ChatCompletionClient.load_component(config.client),
            max_retries=config.max_retries,
            initial_delay=config.initial_delay,
            max_delay=config.max_delay,
            multiplier=config.multiplier,
            jitter=config.jitter,
            max_retry_after=config.max_retry_after,
        )
