"""A model client that replays scripted answers in order (serves ``autogen_ext.models.replay``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ...core import CancellationToken, Component
from ...core._constants import EVENT_LOGGER_NAME
from .._client import ChatCompletionClient, ToolChoice
from .._model_info import ModelFamily, ModelInfo, validate_model_info
from .._tool_schema import ToolInput
from .._types import CreateResult, LLMMessage, RequestUsage

__all__ = ["NoMoreResponsesError", "ReplayChatCompletionClient", "ReplayChatCompletionClientConfig"]

logger = logging.getLogger(EVENT_LOGGER_NAME)


class NoMoreResponsesError(UsageError):
    """The replay client was asked for more answers than it was given."""


class ReplayChatCompletionClientConfig(BaseModel):
    chat_completions: Sequence[str | CreateResult]
    model_info: ModelInfo | None = None


def _default_model_info() -> ModelInfo:
    return ModelInfo(
        vision=False, function_calling=False, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
    )


def _split(messages: str | LLMMessage | Sequence[LLMMessage]) -> list[str]:
    """Whitespace tokens of the string content (AutoGen's replay token count)."""
    if isinstance(messages, str):
        return messages.split()
    items: Sequence[Any] = [messages] if hasattr(messages, "content") else messages  # type: ignore[list-item]
    tokens: list[str] = []
    for message in items:
        content = getattr(message, "content", None)
        if isinstance(content, str):
            tokens.extend(content.split())
        else:
            logger.warning("Token count has been done only on string content")
    return tokens


def _count(messages: str | LLMMessage | Sequence[LLMMessage]) -> int:
    """The number of whitespace tokens, without building the token list (called on the whole prompt per call)."""
    if isinstance(messages, str):
        return len(messages.split())
    if hasattr(messages, "content"):
        return len(_split(messages))
    count = 0
    for message in messages:  # type: ignore[union-attr]
        content = getattr(message, "content", None)
        if isinstance(content, str):
            count += len(content.split())
        else:
            logger.warning("Token count has been done only on string content")
    return count


class ReplayChatCompletionClient(ChatCompletionClient, Component[ReplayChatCompletionClientConfig]):
    """Returns the given answers one per call, in order; for tests and demos.

    A ``str`` answer becomes ``CreateResult(finish_reason="stop", content=..., cached=True)`` whose usage counts
    whitespace-separated words; streaming yields the words (each but the last followed by a space), then the result.
    ``CreateResult`` answers are returned as they are. When the answers run out, ``ValueError("No more mock responses
    available")``. The default ``model_info`` has ``function_calling=False``: pass one to use tools.
    """

    component_type = "replay_chat_completion_client"
    component_provider_override = "autogen_ext.models.replay.ReplayChatCompletionClient"
    component_config_schema = ReplayChatCompletionClientConfig

    def __init__(self, chat_completions: Sequence[str | CreateResult], model_info: ModelInfo | None = None) -> None:
        self.chat_completions: list[str | CreateResult] = list(chat_completions)
        self.provided_message_count = len(self.chat_completions)
        if model_info is not None:
            validate_model_info(model_info)
            self._model_info = model_info
        else:
            self._model_info = _default_model_info()
        self._total_available_tokens = 10000
        self._cur_usage = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._total_usage = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._current_index = 0
        self._cached_bool_value = True
        self._create_calls: list[dict[str, Any]] = []

    @property
    def create_calls(self) -> list[dict[str, Any]]:
        """The arguments of every ``create`` call so far."""
        return self._create_calls

    def _next(self, tool_choice: ToolChoice) -> str | CreateResult:
        if tool_choice != "auto":
            logger.warning("tool_choice parameter specified but is ignored in replay mode")
        if self._current_index >= len(self.chat_completions):
            raise NoMoreResponsesError("No more mock responses available")
        return self.chat_completions[self._current_index]

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
        response = self._next(tool_choice)
        prompt_tokens = _count(messages)
        if isinstance(response, str):
            self._cur_usage = RequestUsage(prompt_tokens=prompt_tokens, completion_tokens=_count(response))
            result = CreateResult(
                finish_reason="stop", content=response, usage=self._cur_usage, cached=self._cached_bool_value
            )
        else:
            self._cur_usage = RequestUsage(
                prompt_tokens=prompt_tokens, completion_tokens=response.usage.completion_tokens
            )
            result = response
        self._update_total_usage()
        self._current_index += 1
        self._create_calls.append(
            {
                "messages": messages,
                "tools": tools,
                "json_output": json_output,
                "extra_create_args": extra_create_args,
                "cancellation_token": cancellation_token,
            }
        )
        return result

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
        response = self._next(tool_choice)
        prompt_tokens = _count(messages)
        if isinstance(response, str):
            words = _split(response)
            self._cur_usage = RequestUsage(prompt_tokens=prompt_tokens, completion_tokens=len(words))
            last = len(words) - 1
            for i, word in enumerate(words):
                yield word + " " if i < last else word
            yield CreateResult(
                finish_reason="stop", content=response, usage=self._cur_usage, cached=self._cached_bool_value
            )
        else:
            self._cur_usage = RequestUsage(
                prompt_tokens=prompt_tokens, completion_tokens=response.usage.completion_tokens
            )
            yield response
        self._update_total_usage()
        self._current_index += 1

    async def close(self) -> None:
        pass

    def actual_usage(self) -> RequestUsage:
        return self._cur_usage

    def total_usage(self) -> RequestUsage:
        return self._total_usage

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return _count(messages)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        used = self._total_usage.prompt_tokens + self._total_usage.completion_tokens
        return max(0, self._total_available_tokens - used)

    def set_cached_bool_value(self, value: bool) -> None:
        """Set the ``cached`` flag of the results made from ``str`` answers."""
        self._cached_bool_value = value

    def _update_total_usage(self) -> None:
        self._total_usage.completion_tokens += self._cur_usage.completion_tokens
        self._total_usage.prompt_tokens += self._cur_usage.prompt_tokens

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info

    def reset(self) -> None:
        """Start again from the first answer, with usage at zero."""
        self._cur_usage = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._total_usage = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._current_index = 0

    def _to_config(self) -> ReplayChatCompletionClientConfig:
        return ReplayChatCompletionClientConfig(chat_completions=self.chat_completions, model_info=self._model_info)

    @classmethod
    def _from_config(cls, config: ReplayChatCompletionClientConfig) -> Self:
        return cls(chat_completions=config.chat_completions, model_info=config.model_info)
