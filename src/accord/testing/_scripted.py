"""Scripted model clients for tests: answers given in order, callables, errors, and a completeness check."""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeAlias

from pydantic import BaseModel

from .._errors import UsageError
from ..core import CancellationToken, Component, FunctionCall
from ..models import ChatCompletionClient, CreateResult, LLMMessage, ModelFamily, ModelInfo, RequestUsage
from ..models._client import ToolChoice
from ..models._tool_schema import ToolInput, tool_schemas

__all__ = [
    "ScriptExhaustedError",
    "ScriptItem",
    "ScriptedCall",
    "ScriptedChatCompletionClient",
    "ScriptedChatCompletionClientConfig",
    "tool_call",
]


class ScriptExhaustedError(UsageError):
    """The scripted client was called more often than its script allows."""


@dataclass
class ScriptedCall:
    """What one ``create``/``create_stream`` call received."""

    messages: list[LLMMessage]
    tools: list[dict[str, Any]]
    tool_choice: Any
    json_output: bool | type[BaseModel] | None
    extra_create_args: dict[str, Any]
    stream: bool
    tool_names: list[str] = field(default_factory=list)


Answer: TypeAlias = "str | CreateResult | FunctionCall | list[FunctionCall] | BaseException"
ScriptItem: TypeAlias = "Answer | Callable[[ScriptedCall], Answer | Awaitable[Answer]]"


def tool_call(name: str, arguments: Mapping[str, Any] | str | None = None, *, id: str | None = None) -> FunctionCall:
    """A ``FunctionCall`` for a script: ``tool_call("add", {"a": 1, "b": 2})``."""
    args = arguments if isinstance(arguments, str) else json.dumps(dict(arguments or {}))
    return FunctionCall(id=id or f"call_{uuid.uuid4().hex[:12]}", arguments=args, name=name)


def _default_model_info() -> ModelInfo:
    return ModelInfo(
        vision=True,
        function_calling=True,
        json_output=True,
        family=ModelFamily.UNKNOWN,
        structured_output=True,
        multiple_system_messages=True,
    )


def _words(messages: Sequence[LLMMessage]) -> int:
    total = 0
    for message in messages:
        content = message.content
        if isinstance(content, str):
            total += len(content.split())
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, str):
                    total += len(part.split())
                elif isinstance(part, FunctionCall):
                    total += len(part.arguments.split()) + 1
                elif hasattr(part, "content") and isinstance(part.content, str):
                    total += len(part.content.split())
    return total


class ScriptedChatCompletionClientConfig(BaseModel):
    script: list[str | CreateResult]
    model_info: ModelInfo | None = None


class ScriptedChatCompletionClient(ChatCompletionClient, Component[ScriptedChatCompletionClientConfig]):
    """A fake model that plays a script, one item per call.

    Items: a ``str`` (text answer), a :class:`CreateResult`, a ``FunctionCall`` or a list of them (tool calls, see
    :func:`tool_call`), an exception instance (raised by that call), or a callable taking the :class:`ScriptedCall`
    and returning any of these (sync or async). ``respond`` answers every call after the script ends; without it,
    a call past the end raises :class:`ScriptExhaustedError`. ``calls`` records what each call received and
    :meth:`assert_complete` checks that the whole script was used. Unlike the replay client, the default
    ``model_info`` enables every capability (tools, vision, JSON, structured output).
    """

    component_provider_override = "accord.testing.ScriptedChatCompletionClient"
    component_config_schema = ScriptedChatCompletionClientConfig

    def __init__(
        self,
        script: Sequence[ScriptItem] = (),
        *,
        respond: ScriptItem | None = None,
        model_info: ModelInfo | None = None,
        token_limit: int = 128_000,
        stream_mode: Literal["words", "whole"] = "words",
    ) -> None:
        self._script: list[ScriptItem] = list(script)
        self._respond = respond
        self._model_info = model_info or _default_model_info()
        self._token_limit = token_limit
        self._stream_mode = stream_mode
        self._index = 0
        self.calls: list[ScriptedCall] = []
        self._last = RequestUsage(0, 0)
        self._total = RequestUsage(0, 0)
        self.closed = False

    @property
    def remaining_script(self) -> int:
        return len(self._script) - self._index

    def add(self, *items: ScriptItem) -> None:
        """Append items to the script."""
        self._script.extend(items)

    def assert_complete(self) -> None:
        """Raise ``AssertionError`` if some scripted items were never used."""
        if self._index < len(self._script):
            raise AssertionError(
                f"Scripted model: {len(self._script) - self._index} of {len(self._script)} scripted answers were "
                f"never requested (next: {self._script[self._index]!r})"
            )

    async def _answer(self, call: ScriptedCall) -> CreateResult:
        self.calls.append(call)
        if self._index < len(self._script):
            item = self._script[self._index]
            self._index += 1
        elif self._respond is not None:
            item = self._respond
        else:
            raise ScriptExhaustedError(
                f"Scripted model was called {len(self.calls)} times but its script has {len(self._script)} answers; "
                "add answers or pass respond="
            )
        if callable(item) and not isinstance(item, BaseException):
            produced = item(call)
            item = await produced if inspect.isawaitable(produced) else produced
        if isinstance(item, BaseException):
            raise item
        prompt = _words(call.messages)
        if isinstance(item, CreateResult):
            result = item
        elif isinstance(item, str):
            result = CreateResult(
                finish_reason="stop", content=item, usage=RequestUsage(prompt, len(item.split())), cached=False
            )
        else:
            calls = [item] if isinstance(item, FunctionCall) else list(item)
            if not all(isinstance(c, FunctionCall) for c in calls):
                raise UsageError(f"Scripted answer {item!r} is not a str, CreateResult, FunctionCall or exception")
            result = CreateResult(
                finish_reason="function_calls",
                content=calls,
                usage=RequestUsage(prompt, sum(len(c.arguments.split()) + 1 for c in calls)),
                cached=False,
            )
        self._last = RequestUsage(result.usage.prompt_tokens, result.usage.completion_tokens)
        self._total = RequestUsage(
            self._total.prompt_tokens + self._last.prompt_tokens,
            self._total.completion_tokens + self._last.completion_tokens,
        )
        return result

    @staticmethod
    def _call(
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
        stream: bool,
    ) -> ScriptedCall:
        schemas = tool_schemas(tools)
        return ScriptedCall(
            messages=list(messages),
            tools=schemas,
            tool_choice=tool_choice,
            json_output=json_output,
            extra_create_args=dict(extra_create_args),
            stream=stream,
            tool_names=[s["name"] for s in schemas],
        )

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
        return await self._answer(self._call(messages, tools, tool_choice, json_output, extra_create_args, False))

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
        result = await self._answer(self._call(messages, tools, tool_choice, json_output, extra_create_args, True))
        if isinstance(result.content, str) and result.content:
            if self._stream_mode == "whole":
                yield result.content
            else:
                words = result.content.split(" ")
                for i, word in enumerate(words):
                    yield word + " " if i < len(words) - 1 else word
        yield result

    async def close(self) -> None:
        self.closed = True

    def actual_usage(self) -> RequestUsage:
        return self._last

    def total_usage(self) -> RequestUsage:
        return self._total

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return _words(messages) + sum(len(json.dumps(s).split()) for s in tool_schemas(tools))

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return self._token_limit - self.count_tokens(messages, tools=tools)

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info

    def _to_config(self) -> ScriptedChatCompletionClientConfig:
        plain: list[str | CreateResult] = []
        for item in self._script:
            if isinstance(item, str | CreateResult):
                plain.append(item)
            elif isinstance(item, FunctionCall) or (
                isinstance(item, list) and all(isinstance(c, FunctionCall) for c in item)
            ):
                calls = [item] if isinstance(item, FunctionCall) else item
                plain.append(
                    CreateResult(finish_reason="function_calls", content=calls, usage=RequestUsage(0, 0), cached=False)
                )
            else:
                raise TypeError(f"Cannot dump a scripted client whose script holds {item!r} (only text and calls)")
        return ScriptedChatCompletionClientConfig(script=plain, model_info=self._model_info)

    @classmethod
    def _from_config(cls, config: ScriptedChatCompletionClientConfig) -> Self:
        return cls(list(config.script), model_info=config.model_info)
