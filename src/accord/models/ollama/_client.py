"""Ollama's native chat API on the official ``ollama`` SDK."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ..._imports import require
from ..._secrets import SecretMap, reveal_map
from ...core import CancellationToken, Component, FunctionCall, Image
from .._client import ChatCompletionClient, ToolChoice
from .._errors import ModelAPIError, ModelConnectionError, ToolSchemaError, UnknownModelError, status_error
from .._model_info import ModelFamily, ModelInfo, validate_model_info
from .._support import UsageTracker, check_request, normalize_finish_reason, parse_r1, run_cancellable
from .._tokens import count_messages, token_counter
from .._tool_schema import ToolInput, tool_schemas
from .._types import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    RequestUsage,
    SystemMessage,
    UserMessage,
)
from ..openai._errors import find_rejected_tool
from ..openai._transform import to_openai_tools
from ._model_info import ollama_context_window, ollama_model_info

__all__ = ["BaseOllamaClientConfigurationConfigModel", "OllamaChatCompletionClient"]

_OPTION_KEYS = frozenset(
    {"temperature", "top_p", "top_k", "seed", "num_predict", "num_ctx", "stop", "repeat_penalty", "min_p"}
)


class BaseOllamaClientConfigurationConfigModel(BaseModel):
    model: str
    host: str | None = None
    response_format: Any = None
    follow_redirects: bool = True
    timeout: float | None = None
    headers: SecretMap | None = None
    model_info: ModelInfo | None = None
    options: dict[str, Any] | None = None


def _to_ollama_messages(messages: Sequence[LLMMessage]) -> list[dict[str, Any]]:
    wire: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            wire.append({"role": "system", "content": message.content})
        elif isinstance(message, UserMessage):
            if isinstance(message.content, str):
                wire.append({"role": "user", "content": message.content})
            else:
                text = "\n".join(p for p in message.content if isinstance(p, str))
                images = [p.to_base64() for p in message.content if isinstance(p, Image)]
                wire.append({"role": "user", "content": text, "images": images})
        elif isinstance(message, AssistantMessage):
            if isinstance(message.content, str):
                wire.append({"role": "assistant", "content": message.content})
            else:
                calls = []
                for call in message.content:
                    try:
                        arguments = json.loads(call.arguments) if call.arguments else {}
                    except json.JSONDecodeError:
                        arguments = {"_raw_arguments": call.arguments}
                    calls.append({"function": {"name": call.name, "arguments": arguments}})
                wire.append({"role": "assistant", "content": message.thought or "", "tool_calls": calls})
        elif isinstance(message, FunctionExecutionResultMessage):
            for result in message.content:
                wire.append({"role": "tool", "content": result.content, "tool_name": result.name})
    return wire


class OllamaChatCompletionClient(ChatCompletionClient, Component[BaseOllamaClientConfigurationConfigModel]):
    """Models served by Ollama (``host``, default ``http://localhost:11434``), through its native API.

    Structured output uses Ollama's ``format`` (a JSON schema from ``json_output=<model>`` or ``response_format``);
    text returned alongside tool calls becomes ``thought``. ``options`` (temperature, num_ctx, seed...) are sent
    with every request. Common models are known by name; others need ``model_info``.
    """

    component_type = "model"
    component_config_schema = BaseOllamaClientConfigurationConfigModel
    component_provider_override = "autogen_ext.models.ollama.OllamaChatCompletionClient"

    def __init__(self, **kwargs: Any) -> None:
        transport = kwargs.pop("transport", None)  # accord extra: an httpx transport (tests, proxies)
        self._raw = dict(kwargs)
        config = BaseOllamaClientConfigurationConfigModel.model_validate(
            {k: v for k, v in kwargs.items() if k in BaseOllamaClientConfigurationConfigModel.model_fields}
        )
        extra = set(kwargs) - set(BaseOllamaClientConfigurationConfigModel.model_fields) - _OPTION_KEYS
        if extra:
            raise UsageError(f"Unknown Ollama client options: {sorted(extra)}")
        self._model = config.model
        if config.model_info is not None:
            validate_model_info(config.model_info)
            self._model_info: ModelInfo = config.model_info
        else:
            known = ollama_model_info(config.model)
            if known is None:
                raise UnknownModelError(config.model, "Ollama")
            self._model_info = known
        self._options = {**(config.options or {}), **{k: v for k, v in kwargs.items() if k in _OPTION_KEYS}}
        self._response_format = config.response_format
        self._host = config.host or "http://localhost:11434"
        ollama = require("ollama", extra="ollama")
        client_args: dict[str, Any] = {"follow_redirects": config.follow_redirects}
        if config.timeout is not None:
            client_args["timeout"] = config.timeout
        if config.headers:
            client_args["headers"] = reveal_map(config.headers)
        if transport is not None:
            client_args["transport"] = transport
        self._client = ollama.AsyncClient(host=self._host, **client_args)
        self._usage = UsageTracker()
        self._counter = token_counter(self._model)

    def _prepare(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        schemas = check_request(messages, tools, json_output, self._model_info, self._model)
        request: dict[str, Any] = {"model": self._model, "messages": _to_ollama_messages(messages)}
        options = dict(self._options)
        extra = dict(extra_create_args)
        options.update(extra.pop("options", None) or {})
        for key in list(extra):
            if key in _OPTION_KEYS:
                options[key] = extra.pop(key)
        if isinstance(json_output, type) and issubclass(json_output, BaseModel):
            request["format"] = json_output.model_json_schema()
        elif json_output is True:
            request["format"] = "json"
        elif self._response_format is not None:
            fmt = self._response_format
            is_model = isinstance(fmt, type) and issubclass(fmt, BaseModel)
            request["format"] = fmt.model_json_schema() if is_model else fmt
        if options:
            request["options"] = options
        if schemas:
            request["tools"] = to_openai_tools(schemas)
        request.update(extra)
        return request, schemas

    def _error(self, error: Exception, schemas: Sequence[Mapping[str, Any]] = ()) -> Exception:
        import ollama

        if isinstance(error, ollama.ResponseError):
            tool = find_rejected_tool(str(error.error), schemas) if error.status_code == 400 and schemas else None
            if tool is not None:
                return ToolSchemaError(
                    f"Ollama rejected the schema of tool {tool!r}: {error.error}",
                    tool_name=tool,
                    provider="Ollama",
                    status_code=400,
                )
            return status_error("Ollama", error.status_code, str(error.error))
        if isinstance(error, ConnectionError):
            return ModelConnectionError(
                f"Cannot reach the Ollama server at {self._host}: is `ollama serve` running?", provider="Ollama"
            )
        return ModelAPIError(f"Ollama call failed: {error}", provider="Ollama")

    def _result(
        self, text: str, thinking: str | None, raw_calls: Sequence[Any], reason: str | None, usage: RequestUsage
    ) -> CreateResult:
        calls = [
            FunctionCall(
                id=f"call_{uuid.uuid4().hex[:12]}",
                arguments=json.dumps(c.function.arguments)
                if not isinstance(c.function.arguments, str)
                else c.function.arguments,
                name=c.function.name,
            )
            for c in raw_calls
        ]
        if calls:
            return CreateResult(
                finish_reason="function_calls",
                content=calls,
                usage=usage,
                cached=False,
                thought=thinking or text or None,
            )
        if thinking is None and self._model_info["family"] == ModelFamily.R1:
            thinking, text = parse_r1(text)
        return CreateResult(
            finish_reason=normalize_finish_reason(reason or "stop"),
            content=text,
            usage=usage,
            cached=False,
            thought=thinking,
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
        request, schemas = self._prepare(
            messages, [] if tool_choice == "none" else tools, json_output, extra_create_args
        )
        import ollama

        try:
            response = await run_cancellable(self._client.chat(**request), cancellation_token)
        except (ollama.ResponseError, ConnectionError) as e:
            raise self._error(e, schemas) from e
        usage = RequestUsage(response.prompt_eval_count or 0, response.eval_count or 0)
        self._usage.add(usage)
        message = response.message
        return self._result(
            message.content or "",
            getattr(message, "thinking", None),
            message.tool_calls or [],
            response.done_reason,
            usage,
        )

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
        request, _ = self._prepare(messages, [] if tool_choice == "none" else tools, json_output, extra_create_args)
        import ollama

        try:
            stream = await run_cancellable(self._client.chat(stream=True, **request), cancellation_token)
        except (ollama.ResponseError, ConnectionError) as e:
            raise self._error(e) from e
        texts: list[str] = []
        thoughts: list[str] = []
        calls: list[Any] = []
        reason: str | None = None
        usage = RequestUsage(0, 0)
        iterator = stream.__aiter__()
        while True:
            try:
                chunk = await run_cancellable(iterator.__anext__(), cancellation_token)
            except StopAsyncIteration:
                break
            except (ollama.ResponseError, ConnectionError) as e:
                raise self._error(e) from e
            message = chunk.message
            if message.content:
                texts.append(message.content)
                yield message.content
            if getattr(message, "thinking", None):
                thoughts.append(message.thinking)
            calls.extend(message.tool_calls or [])
            if chunk.done:
                reason = chunk.done_reason
                usage = RequestUsage(chunk.prompt_eval_count or 0, chunk.eval_count or 0)
        self._usage.add(usage)
        yield self._result("".join(texts), "".join(thoughts) or None, calls, reason, usage)

    async def close(self) -> None:
        inner = getattr(self._client, "_client", None)
        if inner is not None:
            await inner.aclose()

    def actual_usage(self) -> RequestUsage:
        return self._usage.actual

    def total_usage(self) -> RequestUsage:
        return self._usage.total

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return count_messages(messages, tool_schemas(tools), self._counter)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        window = int(self._options.get("num_ctx") or ollama_context_window(self._model))
        return window - self.count_tokens(messages, tools=tools)

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info

    def _to_config(self) -> BaseOllamaClientConfigurationConfigModel:
        raw = {k: v for k, v in self._raw.items() if k in BaseOllamaClientConfigurationConfigModel.model_fields}
        options = {**(raw.get("options") or {}), **{k: v for k, v in self._raw.items() if k in _OPTION_KEYS}}
        if options:
            raw["options"] = options
        fmt = raw.get("response_format")
        if isinstance(fmt, type) and issubclass(fmt, BaseModel):
            raw["response_format"] = fmt.model_json_schema()
        return BaseOllamaClientConfigurationConfigModel(**raw)

    @classmethod
    def _from_config(cls, config: BaseOllamaClientConfigurationConfigModel) -> Self:
        return cls(**config.model_dump(exclude_none=True))
