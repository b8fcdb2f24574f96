"""The base of every provider client: it owns results, usage, model-call events and tracing.

A provider (OpenAI, Anthropic, Ollama, llama.cpp) only says how to build its request, how to call its API once
(:meth:`ProviderChatCompletionClient._complete`) and how to stream (:meth:`ProviderChatCompletionClient._stream`),
answering with a :class:`Completion` (text, tool calls, thought, finish reason, usage). This base turns that into
the :class:`CreateResult` (tool calls win over text; R1 ``<think>`` parsing), keeps the usage totals, emits AutoGen's
model-call log events (``LLMCallEvent``, ``LLMStreamStartEvent``/``LLMStreamEndEvent``) and an OpenTelemetry
``chat {model}`` span, so every provider is observable the same way.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..core import CancellationToken, FunctionCall
from ..core._telemetry import trace_chat_span
from ..core.logging import LLMCallEvent, LLMStreamEndEvent, LLMStreamStartEvent
from ._client import ChatCompletionClient, ToolChoice
from ._model_info import ModelFamily, ModelInfo
from ._support import UsageTracker, event_logger, normalize_finish_reason, parse_r1
from ._tokens import count_messages
from ._tool_schema import ToolInput, tool_schemas
from ._types import CreateResult, LLMMessage, RequestUsage

__all__ = ["Completion", "ProviderChatCompletionClient", "ProviderRequest"]


@dataclass(slots=True)
class ProviderRequest:
    """One request, built and checked by the provider before anything is sent."""

    messages: Sequence[LLMMessage]
    """What the caller passed (token estimates count these)."""
    wire_messages: list[dict[str, Any]]
    """The messages as the provider receives them (the log events carry these)."""
    schemas: list[dict[str, Any]]
    """The tool schemas of the request."""
    payload: dict[str, Any]
    """The provider's own call arguments."""
    wire_tools: list[Any] = field(default_factory=list)
    """The tools as the provider receives them (the log events carry these)."""


@dataclass(slots=True)
class Completion:
    """What one provider call produced, before it becomes a :class:`CreateResult`."""

    text: str
    calls: list[FunctionCall]
    thought: str | None
    finish_reason: str | None
    usage: RequestUsage
    response: Any = None
    """The provider's raw response (a pydantic model or a dict), for ``LLMCallEvent``."""


def _dump(response: Any) -> dict[str, Any]:
    if isinstance(response, BaseModel):
        return response.model_dump()
    if isinstance(response, Mapping):
        return dict(response)
    return {}


class ProviderChatCompletionClient(ChatCompletionClient):
    """A ChatCompletionClient over one provider API; subclasses implement the request and the call.

    Subclasses set ``self._model_info`` and ``self._counter`` (text -> tokens) in ``__init__`` and call
    :meth:`_init_usage`; they implement :meth:`_request`, :meth:`_complete`, :meth:`_stream`, :meth:`_context_window`
    and :meth:`close`.
    """

    _provider: str = "model"
    _model_info: ModelInfo
    _counter: Callable[[str], int]
    _usage: UsageTracker

    def _init_usage(self) -> None:
        self._usage = UsageTracker()

    # -- what a provider implements -------------------------------------------------------------------------------

    @abstractmethod
    def _request(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> ProviderRequest:
        """Check the request against the model and build it (raising before anything is sent)."""

    @abstractmethod
    async def _complete(self, request: ProviderRequest, token: CancellationToken | None) -> Completion:
        """Call the provider once."""

    @abstractmethod
    def _stream(
        self, request: ProviderRequest, token: CancellationToken | None
    ) -> AsyncGenerator[str | Completion, None]:
        """Stream from the provider: text chunks, then the Completion (last)."""

    @abstractmethod
    def _context_window(self) -> int: ...

    def _model_name(self) -> str:
        return str(getattr(self, "_model", "") or getattr(self, "model_name", "") or type(self).__name__)

    # -- results, usage, events -----------------------------------------------------------------------------------

    def _result(self, completion: Completion) -> CreateResult:
        """Tool calls are the content when there are any (text beside them is the thought); else the text."""
        if completion.calls:
            return CreateResult(
                finish_reason="function_calls",
                content=completion.calls,
                usage=completion.usage,
                cached=False,
                thought=completion.thought or completion.text or None,
            )
        thought, text = completion.thought, completion.text
        if thought is None and self._model_info["family"] == ModelFamily.R1:
            thought, text = parse_r1(text)
        return CreateResult(
            finish_reason=normalize_finish_reason(completion.finish_reason),
            content=text,
            usage=completion.usage,
            cached=False,
            thought=thought,
        )

    def _estimate_usage(self, request: ProviderRequest, text: str, calls: Sequence[FunctionCall]) -> RequestUsage:
        """Usage counted locally, for a provider that did not report it."""
        count = self._counter
        completion = count(text) + sum(count(c.name) + count(c.arguments) for c in calls)
        return RequestUsage(count_messages(request.messages, request.schemas, count), completion)

    # -- ChatCompletionClient -------------------------------------------------------------------------------------

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
        request = self._request(messages, tools, tool_choice, json_output, extra_create_args)
        with trace_chat_span(self._model_name(), self._provider) as span:
            completion = await self._complete(request, cancellation_token)
            result = self._result(completion)
            if span is not None:
                _describe(span, result)
        usage = result.usage
        self._usage.add(usage)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                LLMCallEvent(
                    messages=request.wire_messages,
                    response=_dump(completion.response),
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    tools=request.wire_tools,
                )
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
        request = self._request(messages, tools, tool_choice, json_output, extra_create_args)
        async for item in self._run_stream(request, cancellation_token):
            yield item

    async def _run_stream(
        self, request: ProviderRequest, token: CancellationToken | None
    ) -> AsyncGenerator[str | CreateResult, None]:
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(LLMStreamStartEvent(messages=request.wire_messages))
        # the span is not made current: a generator's caller runs between its yields
        with trace_chat_span(self._model_name(), self._provider, current=False) as span:
            completion: Completion | None = None
            async for item in self._stream(request, token):
                if isinstance(item, str):
                    yield item
                else:
                    completion = item
            if completion is None:
                raise RuntimeError(f"{type(self).__name__}._stream ended without a Completion")
            result = self._result(completion)
            if span is not None:
                _describe(span, result)
        usage = result.usage
        self._usage.add(usage)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                LLMStreamEndEvent(
                    response=result.model_dump(),
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                )
            )
        yield result

    def actual_usage(self) -> RequestUsage:
        return self._usage.actual

    def total_usage(self) -> RequestUsage:
        return self._usage.total

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return count_messages(messages, tool_schemas(tools), self._counter)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return self._context_window() - self.count_tokens(messages, tools=tools)

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info


def _describe(span: Any, result: CreateResult) -> None:
    span.set_attribute("gen_ai.usage.input_tokens", result.usage.prompt_tokens)
    span.set_attribute("gen_ai.usage.output_tokens", result.usage.completion_tokens)
    span.set_attribute("gen_ai.response.finish_reasons", [result.finish_reason])
