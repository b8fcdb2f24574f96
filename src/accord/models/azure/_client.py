"""AzureAIChatCompletionClient on the official ``azure-ai-inference`` SDK (Azure AI Foundry, GitHub Models)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel, SecretStr

from ..._errors import ComponentError, UsageError
from ..._imports import require
from ...core import CancellationToken, Component, FunctionCall, Image
from .._client import ToolChoice
from .._model_info import ModelInfo, validate_model_info
from .._provider import Completion, ProviderChatCompletionClient, ProviderRequest
from .._support import check_request, parse_r1, run_cancellable
from .._tokens import token_counter
from .._tool_schema import ToolInput, tool_schemas
from .._types import (
    AssistantMessage,
    FunctionExecutionResultMessage,
    LLMMessage,
    RequestUsage,
    SystemMessage,
    UserMessage,
)
from .config import GITHUB_MODELS_ENDPOINT, AzureAIChatCompletionClientConfigModel

__all__ = ["AzureAIChatCompletionClient"]

_CREATE_KEYS = frozenset(
    {
        "frequency_penalty",
        "presence_penalty",
        "temperature",
        "top_p",
        "max_tokens",
        "response_format",
        "stop",
        "tools",
        "tool_choice",
        "seed",
        "model",
        "model_extras",
    }
)
_CLIENT_KEYS = frozenset({"endpoint", "credential", "model_info"})
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
create_kwargs = _CREATE_KEYS | {"messages", "stream"}  # AutoGen's name: the SDK's keyword arguments of complete()
DEFAULT_CONTEXT_WINDOW = 128_000


def _sdk() -> Any:
    return require("azure.ai.inference.models", extra="azure", package="azure-ai-inference")


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UsageError(f"Invalid name: {name}. Only letters, numbers, '_' and '-' are allowed (at most 64).")


def _normalize_name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64]


normalize_name = _normalize_name  # AutoGen's names for the helpers its tests call
parse_r1_content = parse_r1


def to_azure_messages(messages: Sequence[LLMMessage]) -> list[Any]:
    """accord's LLM messages as ``azure.ai.inference.models`` messages (a tool result message becomes several)."""
    m = _sdk()
    out: list[Any] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            out.append(m.SystemMessage(content=message.content))
        elif isinstance(message, UserMessage):
            _check_name(message.source)
            if isinstance(message.content, str):
                out.append(m.UserMessage(content=message.content))
                continue
            parts: list[Any] = []
            for part in message.content:
                if isinstance(part, str):
                    parts.append(m.TextContentItem(text=part))
                elif isinstance(part, Image):
                    url = m.ImageUrl(url=part.data_uri, detail=m.ImageDetailLevel.AUTO)
                    parts.append(m.ImageContentItem(image_url=url))
                else:
                    raise UsageError(f"Unknown content type in a UserMessage: {type(part).__name__}")
            out.append(m.UserMessage(content=parts))
        elif isinstance(message, AssistantMessage):
            _check_name(message.source)
            if isinstance(message.content, list):
                calls = [
                    m.ChatCompletionsToolCall(id=c.id, function=m.FunctionCall(name=c.name, arguments=c.arguments))
                    for c in message.content
                ]
                out.append(m.AssistantMessage(tool_calls=calls))
            else:
                out.append(m.AssistantMessage(content=message.content))
        elif isinstance(message, FunctionExecutionResultMessage):
            out.extend(m.ToolMessage(content=r.content, tool_call_id=r.call_id) for r in message.content)
        else:
            raise UsageError(f"Unknown message type: {type(message).__name__}")
    return out


def to_azure_message(message: LLMMessage) -> list[Any]:
    """One message as Azure messages (AutoGen's name; a tool result message becomes one per result)."""
    return to_azure_messages([message])


def assert_valid_name(name: str) -> str:
    """``name`` if providers accept it as a message source, else a ValueError naming it (AutoGen's helper)."""
    _check_name(name)
    return name


def convert_tools(tools: Sequence[ToolInput]) -> list[Any]:
    """Tools (or tool schemas) as ``ChatCompletionsToolDefinition`` objects (AutoGen's helper)."""
    return to_azure_tools(tool_schemas(tools))


def _is_github_model(endpoint: str) -> bool:
    return endpoint == GITHUB_MODELS_ENDPOINT


def to_azure_tools(schemas: Sequence[Mapping[str, Any]]) -> list[Any]:
    m = _sdk()
    tools: list[Any] = []
    for schema in schemas:
        function: dict[str, Any] = {"name": schema["name"]}
        if schema.get("description"):
            function["description"] = schema["description"]
        if "parameters" in schema:
            parameters = json.loads(json.dumps(schema["parameters"]))
            for value in (parameters.get("properties") or {}).values():
                if isinstance(value, dict):
                    value.pop("title", None)
            function["parameters"] = parameters
        tools.append(m.ChatCompletionsToolDefinition(function=m.FunctionDefinition(**function)))
    return tools


def _reason(reason: Any) -> str | None:
    """The SDK's finish reason (an enum or a string) as the string the base normalises."""
    value = getattr(reason, "value", reason)
    return str(value) if value is not None else None


class AzureAIChatCompletionClient(ProviderChatCompletionClient, Component[AzureAIChatCompletionClientConfigModel]):
    """Chat completions from a model deployed on Azure AI Foundry or served by GitHub Models (AutoGen's
    ``AzureAIChatCompletionClient``), on the official ``azure-ai-inference`` SDK.

    Args (keyword only):
        endpoint: the inference endpoint (``https://<resource>.services.ai.azure.com/models``,
            ``https://models.github.ai/inference``).
        credential: an ``azure.core.credentials.AzureKeyCredential`` or an async token credential
            (``azure.identity.aio.DefaultAzureCredential()``).
        model_info: the model's capabilities (required: the endpoint serves any model).
        model: the model to call (required for GitHub Models).
        frequency_penalty, presence_penalty, temperature, top_p, max_tokens, response_format, stop, tools,
        tool_choice, seed, model_extras: default arguments of every request.

    Only a client with an ``AzureKeyCredential`` can be dumped to a config (the key is masked when the config is
    written out); a token credential is a live object.
    """

    _provider = "azure_ai"
    component_type = "model"
    component_config_schema = AzureAIChatCompletionClientConfigModel
    component_provider_override = "autogen_ext.models.azure.AzureAIChatCompletionClient"

    def __init__(self, **kwargs: Any) -> None:
        config = self._validate_config(kwargs)
        self._model_info: ModelInfo = config["model_info"]
        self._config = config
        self._create_args = {k: v for k, v in config.items() if k in _CREATE_KEYS}
        self._model = str(config.get("model") or "")
        self._counter = token_counter(self._model or "gpt-4o")
        self._init_usage()
        self._client = self._create_client(config)

    @staticmethod
    def _validate_config(config: dict[str, Any]) -> dict[str, Any]:
        for key in ("endpoint", "credential", "model_info"):
            if key not in config:
                raise UsageError(f"{key} is required for AzureAIChatCompletionClient")
        unknown = set(config) - _CLIENT_KEYS - _CREATE_KEYS
        if unknown:
            raise UsageError(
                f"Unknown AzureAIChatCompletionClient options: {sorted(unknown)} "
                f"(known: {sorted(_CLIENT_KEYS | _CREATE_KEYS)})"
            )
        validate_model_info(config["model_info"])
        if _is_github_model(config["endpoint"]) and "model" not in config:
            raise UsageError("model is required for when using a Github model with AzureAIChatCompletionClient")
        return dict(config)

    @staticmethod
    def _create_client(config: Mapping[str, Any]) -> Any:
        aio = require("azure.ai.inference.aio", extra="azure", package="azure-ai-inference")
        return aio.ChatCompletionsClient(**{k: v for k, v in config.items() if k != "model_info"})

    # -- requests ---------------------------------------------------------------------------------------------

    def _prepare(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> tuple[list[Any], dict[str, Any], list[dict[str, Any]]]:
        unknown = set(extra_create_args) - _CREATE_KEYS
        if unknown:
            raise UsageError(f"Extra create args are invalid: {sorted(unknown)} (valid: {sorted(_CREATE_KEYS)})")
        if isinstance(json_output, type):
            raise UsageError("Structured output is not currently supported for AzureAIChatCompletionClient")
        schemas = check_request(messages, tools, json_output, self._model_info, self._model or "the model")
        kwargs = {**self._create_args, **extra_create_args}
        if json_output is True:
            kwargs.setdefault("response_format", "json_object")
        if schemas:
            kwargs["tools"] = to_azure_tools(schemas)
            kwargs["tool_choice"] = self._tool_choice(tool_choice, [str(s["name"]) for s in schemas])
        return to_azure_messages(messages), kwargs, schemas

    @staticmethod
    def _tool_choice(choice: ToolChoice, names: list[str]) -> Any:
        if isinstance(choice, str):
            if choice not in ("auto", "required", "none"):
                raise UsageError(f"tool_choice must be 'auto', 'required', 'none' or a tool, not {choice!r}")
            return choice
        name = getattr(choice, "name", None)
        if name not in names:
            raise UsageError(f"tool_choice names tool {name!r}, which is not among the tools passed: {names}")
        m = _sdk()
        return m.ChatCompletionsNamedToolChoice(function=m.ChatCompletionsNamedToolChoiceFunction(name=name))

    def _request(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> ProviderRequest:
        wire, kwargs, schemas = self._prepare(messages, tools, tool_choice, json_output, extra_create_args)
        return ProviderRequest(
            messages=messages,
            wire_messages=[w.as_dict() for w in wire],
            schemas=schemas,
            payload={"messages": wire, **kwargs},
            wire_tools=list(schemas),
        )

    async def _complete(self, request: ProviderRequest, token: CancellationToken | None) -> Completion:
        response = await run_cancellable(self._client.complete(**request.payload), token)
        choice = response.choices[0]
        calls = [
            FunctionCall(id=c.id, arguments=c.function.arguments, name=_normalize_name(c.function.name))
            for c in (choice.message.tool_calls or [])
        ]
        text = choice.message.content or ""
        if response.usage is not None:
            usage = RequestUsage(response.usage.prompt_tokens, response.usage.completion_tokens)
        else:
            usage = self._estimate_usage(request, text, calls)
        return Completion(text, calls, None, _reason(choice.finish_reason), usage, response.as_dict())

    async def _stream(
        self, request: ProviderRequest, token: CancellationToken | None
    ) -> AsyncGenerator[str | Completion, None]:
        stream = await run_cancellable(self._client.complete(stream=True, **request.payload), token)
        text_parts: list[str] = []
        slots: dict[Any, dict[str, str]] = {}
        reason: Any = None
        reported: Any = None
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    reported = chunk.usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.finish_reason is not None:
                    reason = choice.finish_reason
                delta = choice.delta
                if delta.content:
                    text_parts.append(delta.content)
                    yield delta.content
                for i, call in enumerate(delta.tool_calls or []):
                    key = call.get("index", call.id or i)
                    slot = slots.setdefault(key, {"id": "", "name": "", "arguments": ""})
                    slot["id"] = slot["id"] or (call.id or "")
                    if call.function is not None:
                        slot["name"] += call.function.name or ""
                        slot["arguments"] += call.function.arguments or ""
        finally:
            await stream.aclose()
        if reason is None:
            raise UsageError("The stream ended without a finish reason")
        calls = [
            FunctionCall(id=s["id"] or f"call_{i}", arguments=s["arguments"], name=_normalize_name(s["name"]))
            for i, s in enumerate(slots.values())
        ]
        text = "".join(text_parts)
        if reported is not None:
            usage = RequestUsage(reported.prompt_tokens, reported.completion_tokens)
        else:
            usage = self._estimate_usage(request, text, calls)
        yield Completion(text, calls, None, _reason(reason), usage)

    def _context_window(self) -> int:
        return DEFAULT_CONTEXT_WINDOW

    # -- the rest of the protocol -----------------------------------------------------------------------------

    async def close(self) -> None:
        await self._client.close()

    def add_usage(self, usage: RequestUsage) -> None:
        self._usage.add(usage)

    def _to_config(self) -> AzureAIChatCompletionClientConfigModel:
        credentials = require("azure.core.credentials", extra="azure", package="azure-core")
        credential = self._config["credential"]
        if not isinstance(credential, credentials.AzureKeyCredential):
            raise ComponentError(
                f"AzureAIChatCompletionClient with a {type(credential).__name__} cannot be dumped: only an "
                "AzureKeyCredential is serializable (its key is masked when the config is written out)"
            )
        values = {k: v for k, v in self._config.items() if k in _CREATE_KEYS and k not in ("tools", "tool_choice")}
        return AzureAIChatCompletionClientConfigModel(
            endpoint=self._config["endpoint"],
            api_key=SecretStr(credential.key),
            model_info=self._model_info,
            **values,
        )

    @classmethod
    def _from_config(cls, config: AzureAIChatCompletionClientConfigModel) -> Self:
        credentials = require("azure.core.credentials", extra="azure", package="azure-core")
        values = config.model_dump(exclude_none=True, exclude={"api_key"})
        return cls(credential=credentials.AzureKeyCredential(config.api_key.get_secret_value()), **values)
