"""Anthropic's Messages API on the official ``anthropic`` SDK."""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Required, Self

from pydantic import BaseModel, SecretStr
from typing_extensions import TypedDict

from ..._errors import UsageError
from ..._imports import require
from ..._secrets import SecretMap, reveal_map
from ...core import CancellationToken, Component, FunctionCall
from ...core.logging import LLMCallEvent, LLMStreamEndEvent, LLMStreamStartEvent
from .._catalog import lookup
from .._client import ChatCompletionClient, ToolChoice
from .._errors import MissingApiKeyError, UnknownModelError
from .._model_info import ModelInfo, validate_model_info
from .._settings import PROVIDER_SETTINGS, config_credentials
from .._support import UsageTracker, check_request, event_logger, normalize_finish_reason, run_cancellable
from .._tokens import count_messages, token_counter
from .._tool_schema import ToolInput, tool_schemas
from .._types import CreateResult, LLMMessage, RequestUsage
from ..openai._errors import translate_openai_error
from ._transform import to_anthropic_messages, to_anthropic_tool_choice, to_anthropic_tools

__all__ = [
    "AnthropicBedrockChatCompletionClient",
    "AnthropicBedrockClientConfigurationConfigModel",
    "AnthropicChatCompletionClient",
    "AnthropicClientConfigurationConfigModel",
    "BedrockInfo",
]

_CREATE_KEYS = frozenset(
    {"max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "response_format", "metadata", "thinking"}
)
_CLIENT_KEYS = frozenset({"api_key", "base_url", "timeout", "max_retries", "default_headers", "http_client"})


class AnthropicClientConfigurationConfigModel(BaseModel):
    model: str
    max_tokens: int | None = 4096
    temperature: float | None = 1.0
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: list[str] | None = None
    response_format: dict[str, Any] | None = None
    metadata: dict[str, str] | None = None
    thinking: dict[str, Any] | None = None
    api_key: SecretStr | None = None
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    default_headers: SecretMap | None = None
    model_info: ModelInfo | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None


class AnthropicChatCompletionClient(ChatCompletionClient, Component[AnthropicClientConfigurationConfigModel]):
    """Claude models through Anthropic's Messages API.

    System messages become the ``system`` parameter (merged); tool calls are ``tool_use`` blocks; thinking blocks
    come back as ``thought``. Structured output (``json_output=<model>``) is not supported by this API.
    The key comes from ``api_key`` or ``ANTHROPIC_API_KEY``.
    """

    component_type = "model"
    component_config_schema = AnthropicClientConfigurationConfigModel
    component_provider_override = "autogen_ext.models.anthropic.AnthropicChatCompletionClient"
    _extra_keys: frozenset[str] = frozenset()

    def _make_sdk_client(self, anthropic: Any, client_args: dict[str, Any], config: dict[str, Any]) -> Any:
        api_key = client_args.get("api_key") or os.environ.get("ANTHROPIC_API_KEY")
        if isinstance(api_key, SecretStr):
            api_key = api_key.get_secret_value()
        if not api_key:
            raise MissingApiKeyError("Anthropic", "ANTHROPIC_API_KEY")
        args = {**client_args, "api_key": api_key}
        if "default_headers" in args:
            args["default_headers"] = reveal_map(args["default_headers"])
        return anthropic.AsyncAnthropic(**args)

    def __init__(self, **kwargs: Any) -> None:
        http_client = kwargs.pop("http_client", None)
        self._raw = dict(kwargs)
        config = dict(kwargs)
        if not config.get("model"):
            raise UsageError("model is required: AnthropicChatCompletionClient(model='claude-3-5-sonnet-20241022')")
        self._model = str(config["model"])
        unknown = set(config) - _CREATE_KEYS - _CLIENT_KEYS - {"model", "model_info", "tools", "tool_choice"}
        unknown -= self._extra_keys
        if unknown:
            raise UsageError(f"Unknown Anthropic client options: {sorted(unknown)}")
        card = lookup(self._model)
        if config.get("model_info") is not None:
            validate_model_info(config["model_info"])
            self._model_info: ModelInfo = config["model_info"]
        elif card is not None:
            self._model_info = card.model_info()
        else:
            raise UnknownModelError(self._model, "Anthropic")
        self._window = card.context_window if card is not None else 200_000
        anthropic = require("anthropic", extra="anthropic")
        client_args = {k: v for k, v in config.items() if k in _CLIENT_KEYS and v is not None}
        if http_client is not None:
            client_args["http_client"] = http_client
        self._client = self._make_sdk_client(anthropic, client_args, config)
        self._create_args = {k: v for k, v in config.items() if k in _CREATE_KEYS and v is not None}
        self._create_args.setdefault("max_tokens", 4096)
        self._default_tools: list[Any] = list(config.get("tools") or [])
        self._default_tool_choice = config.get("tool_choice")
        self._sdk_params = frozenset(inspect.signature(self._client.messages.create).parameters)
        self._usage = UsageTracker()
        self._counter = token_counter("cl100k_base")  # Anthropic's tokenizer is not public: an approximation

    def _prepare(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if isinstance(json_output, type):
            raise UsageError("Structured output is currently not supported for Anthropic models")
        tools = list(tools) or self._default_tools
        schemas = check_request(messages, tools, json_output, self._model_info, self._model)
        system, wire = to_anthropic_messages(messages)
        args = {**self._create_args, **extra_create_args}
        response_format = args.pop("response_format", None)
        if json_output is True or (isinstance(response_format, dict) and response_format.get("type") == "json_object"):
            note = "Respond with a single valid JSON object and nothing else."
            system = f"{system}\n\n{note}" if system else note
        request: dict[str, Any] = {"model": self._model, "messages": wire}
        if system:
            request["system"] = system
        if schemas:
            request["tools"] = to_anthropic_tools(schemas)
            choice = (
                tool_choice if tool_choice != "auto" or self._default_tool_choice is None else self._default_tool_choice
            )
            request["tool_choice"] = to_anthropic_tool_choice(choice, [s["name"] for s in schemas])
        extra_body: dict[str, Any] = dict(args.pop("extra_body", None) or {})
        for key, value in args.items():
            if key in self._sdk_params:
                request[key] = value
            else:
                extra_body[key] = value  # sampling options this SDK version has no parameter for
        if extra_body:
            request["extra_body"] = extra_body
        return request, schemas

    def _error(self, error: Exception, schemas: Sequence[Mapping[str, Any]]) -> Exception:
        import anthropic

        base_url = str(getattr(self._client, "base_url", "") or "") or None
        return translate_openai_error(error, provider="Anthropic", base_url=base_url, schemas=schemas, sdk=anthropic)

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
        request, schemas = self._prepare(messages, tools, tool_choice, json_output, extra_create_args)
        import anthropic

        try:
            response = await run_cancellable(self._client.messages.create(**request), cancellation_token)
        except anthropic.AnthropicError as e:
            raise self._error(e, schemas) from e
        texts: list[str] = []
        thoughts: list[str] = []
        calls: list[FunctionCall] = []
        for block in response.content:
            kind = getattr(block, "type", "")
            if kind == "text":
                texts.append(block.text)
            elif kind == "thinking":
                thoughts.append(block.thinking)
            elif kind == "tool_use":
                calls.append(FunctionCall(id=block.id, arguments=json.dumps(block.input), name=block.name))
        usage = RequestUsage(response.usage.input_tokens or 0, response.usage.output_tokens or 0)
        self._usage.add(usage)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                LLMCallEvent(
                    messages=request["messages"],
                    response=response.model_dump(),
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                )
            )
        text = "".join(texts)
        thought = "\n".join(thoughts) or None
        if calls:
            return CreateResult(
                finish_reason="function_calls",
                content=calls,
                usage=usage,
                cached=False,
                thought=thought or text or None,
            )
        return CreateResult(
            finish_reason=normalize_finish_reason(response.stop_reason),
            content=text,
            usage=usage,
            cached=False,
            thought=thought,
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
        request, schemas = self._prepare(messages, tools, tool_choice, json_output, extra_create_args)
        import anthropic

        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(LLMStreamStartEvent(messages=request["messages"]))
        try:
            stream = await run_cancellable(self._client.messages.create(stream=True, **request), cancellation_token)
        except anthropic.AnthropicError as e:
            raise self._error(e, schemas) from e
        texts: list[str] = []
        thoughts: list[str] = []
        blocks: dict[int, dict[str, str]] = {}
        prompt_tokens = completion_tokens = 0
        stop_reason: str | None = None
        iterator = stream.__aiter__()
        try:
            while True:
                try:
                    event = await run_cancellable(iterator.__anext__(), cancellation_token)
                except StopAsyncIteration:
                    break
                except anthropic.AnthropicError as e:
                    raise self._error(e, schemas) from e
                kind = event.type
                if kind == "message_start":
                    prompt_tokens = event.message.usage.input_tokens or 0
                elif kind == "content_block_start" and event.content_block.type == "tool_use":
                    blocks[event.index] = {"id": event.content_block.id, "name": event.content_block.name, "json": ""}
                elif kind == "content_block_delta":
                    delta = event.delta
                    if delta.type == "text_delta":
                        texts.append(delta.text)
                        yield delta.text
                    elif delta.type == "thinking_delta":
                        thoughts.append(delta.thinking)
                        yield delta.thinking
                    elif delta.type == "input_json_delta" and event.index in blocks:
                        blocks[event.index]["json"] += delta.partial_json
                elif kind == "message_delta":
                    stop_reason = event.delta.stop_reason or stop_reason
                    completion_tokens = event.usage.output_tokens or completion_tokens
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                await close()
        usage = RequestUsage(prompt_tokens, completion_tokens)
        self._usage.add(usage)
        calls = [
            FunctionCall(id=b["id"], arguments=b["json"] or "{}", name=b["name"]) for _, b in sorted(blocks.items())
        ]
        text = "".join(texts)
        thought = "".join(thoughts) or None
        if calls:
            result = CreateResult(
                finish_reason="function_calls",
                content=calls,
                usage=usage,
                cached=False,
                thought=thought or text or None,
            )
        else:
            result = CreateResult(
                finish_reason=normalize_finish_reason(stop_reason),
                content=text,
                usage=usage,
                cached=False,
                thought=thought,
            )
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                LLMStreamEndEvent(
                    response=result.model_dump(), prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
                )
            )
        yield result

    async def close(self) -> None:
        await self._client.close()

    def actual_usage(self) -> RequestUsage:
        return self._usage.actual

    def total_usage(self) -> RequestUsage:
        return self._usage.total

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return count_messages(messages, tool_schemas(tools), self._counter)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return self._window - self.count_tokens(messages, tools=tools)

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info

    def _to_config(self) -> AnthropicClientConfigurationConfigModel:
        raw = dict(self._raw)
        if raw.get("tools"):
            raw["tools"] = tool_schemas(raw["tools"])
        return AnthropicClientConfigurationConfigModel(**raw)

    @classmethod
    def _from_config(cls, config: AnthropicClientConfigurationConfigModel) -> Self:
        values = config.model_dump(exclude_none=True)
        if isinstance(config.api_key, SecretStr):
            values["api_key"] = config.api_key.get_secret_value()
        values.update(config_credentials(PROVIDER_SETTINGS["anthropic"], values))  # no ambient key for a data endpoint
        return cls(**values)


class BedrockInfo(TypedDict):
    """AWS credentials and region for Claude on Amazon Bedrock."""

    aws_access_key: Required[str]
    aws_secret_key: Required[str]
    aws_session_token: Required[str]
    aws_region: Required[str]


class AnthropicBedrockClientConfigurationConfigModel(AnthropicClientConfigurationConfigModel):
    bedrock_info: dict[str, Any] | None = None


class AnthropicBedrockChatCompletionClient(
    AnthropicChatCompletionClient, Component[AnthropicBedrockClientConfigurationConfigModel]
):
    """Claude on Amazon Bedrock: like :class:`AnthropicChatCompletionClient`, authenticated with ``bedrock_info``
    (``aws_region`` and, optionally, ``aws_access_key``/``aws_secret_key``/``aws_session_token``; without them the
    AWS SDK's default credentials are used). Bedrock model ids are not in accord's catalog: pass ``model_info``."""

    component_config_schema = AnthropicBedrockClientConfigurationConfigModel  # type: ignore[assignment]
    component_provider_override = "autogen_ext.models.anthropic.AnthropicBedrockChatCompletionClient"
    _extra_keys = frozenset({"bedrock_info"})

    def _make_sdk_client(self, anthropic: Any, client_args: dict[str, Any], config: dict[str, Any]) -> Any:
        info = config.get("bedrock_info")
        if not info or not info.get("aws_region"):
            raise UsageError(
                "bedrock_info with at least aws_region is required for AnthropicBedrockChatCompletionClient"
            )
        args = {k: v for k, v in client_args.items() if k not in ("api_key",)}
        if "default_headers" in args:
            args["default_headers"] = reveal_map(args["default_headers"])
        args["aws_region"] = info["aws_region"]
        for key in ("aws_access_key", "aws_secret_key", "aws_session_token"):
            value = info.get(key)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value:
                args[key] = value
        return anthropic.AsyncAnthropicBedrock(**args)

    def _to_config(self) -> AnthropicBedrockClientConfigurationConfigModel:
        raw = dict(self._raw)
        if raw.get("tools"):
            raw["tools"] = tool_schemas(raw["tools"])
        info = dict(raw.get("bedrock_info") or {})
        for key in ("aws_access_key", "aws_secret_key", "aws_session_token"):
            if isinstance(info.get(key), str):
                info[key] = SecretStr(info[key])
        raw["bedrock_info"] = info
        return AnthropicBedrockClientConfigurationConfigModel(**raw)

    @classmethod
    def _from_config(cls, config: AnthropicBedrockClientConfigurationConfigModel) -> Self:  # type: ignore[override]
        values = config.model_dump(exclude_none=True)
        info = dict(values.get("bedrock_info") or {})
        for key, value in list(info.items()):
            if isinstance(value, SecretStr):
                info[key] = value.get_secret_value()
        values["bedrock_info"] = info
        if isinstance(config.api_key, SecretStr):
            values["api_key"] = config.api_key.get_secret_value()
        return cls(**values)
