"""OpenAI Chat Completions clients on the official ``openai`` SDK (OpenAI, Azure, any compatible server)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Self
from urllib.parse import urlparse

from pydantic import BaseModel, SecretStr

from ..._errors import UsageError
from ..._imports import require
from ..._secrets import reveal, reveal_map
from ...core import CancellationToken, Component, ComponentModel, FunctionCall, load_component
from ...core.logging import LLMCallEvent, LLMStreamEndEvent, LLMStreamStartEvent
from .._catalog import lookup
from .._client import ChatCompletionClient, ToolChoice
from .._errors import MissingApiKeyError, UnknownModelError
from .._model_info import ModelCapabilities, ModelFamily, ModelInfo, validate_model_info
from .._settings import PROVIDER_SETTINGS, ambient_credentials, config_credentials
from .._support import (
    UsageTracker,
    check_request,
    event_logger,
    normalize_finish_reason,
    parse_r1,
    run_cancellable,
    warn_deprecated,
)
from .._tokens import count_messages, token_counter
from .._tool_schema import ToolInput, tool_schemas
from .._types import CreateResult, FinishReasons, LLMMessage, RequestUsage
from ._config import (
    CREATE_ARG_KEYS,
    AzureOpenAIClientConfigurationConfigModel,
    OpenAIClientConfigurationConfigModel,
)
from ._errors import translate_openai_error
from ._transform import to_openai_messages, to_openai_tool_choice, to_openai_tools

__all__ = [
    "AZURE_OPENAI_USER_AGENT",
    "AzureOpenAIChatCompletionClient",
    "BaseOpenAIChatCompletionClient",
    "OpenAIChatCompletionClient",
]

AZURE_OPENAI_USER_AGENT = "autogen-python/accord"
DEFAULT_CONTEXT_WINDOW = 128_000
_CLIENT_KEYS = frozenset(
    {"api_key", "base_url", "organization", "timeout", "max_retries", "default_headers", "http_client"}
)
_SHORTCUTS = {  # model prefix -> (OpenAI-compatible endpoint, API key variable, provider name)
    "gemini-": ("https://generativelanguage.googleapis.com/v1beta/openai/", "GEMINI_API_KEY", "Gemini"),
    "claude-": ("https://api.anthropic.com/v1/", "ANTHROPIC_API_KEY", "Anthropic"),
    "Llama-": ("https://api.llama.com/compat/v1/", "LLAMA_API_KEY", "Llama API"),
}
_sdk_create_params: frozenset[str] | None = None


def _is_local(base_url: str) -> bool:
    host = urlparse(base_url).hostname or ""
    return host in ("localhost", "0.0.0.0", "::1") or host.startswith("127.")


def _structured_response_format(model: type[BaseModel]) -> dict[str, Any]:
    try:
        from openai.lib._parsing import type_to_response_format_param

        return dict(type_to_response_format_param(model))  # type: ignore[arg-type]
    except (ImportError, TypeError):
        return {
            "type": "json_schema",
            "json_schema": {"name": model.__name__, "schema": model.model_json_schema(), "strict": False},
        }


def _tool_name(name: str | None) -> str:
    name = name or ""
    return name[len("functions.") :] if name.startswith("functions.") else name


class BaseOpenAIChatCompletionClient(ChatCompletionClient):
    """Shared implementation over an ``openai.AsyncOpenAI``-like client."""

    _provider = "OpenAI"

    def __init__(
        self,
        client: Any,
        create_args: dict[str, Any],
        model_capabilities: ModelCapabilities | None = None,
        model_info: ModelInfo | None = None,
        add_name_prefixes: bool = False,
        include_name_in_message: bool = True,
    ) -> None:
        self._client = client
        if "model" not in create_args or not create_args["model"]:
            raise UsageError("model is required: pass model='gpt-4o' (or the name your server serves)")
        self._model: str = str(create_args["model"])
        self._card = lookup(self._model)
        if model_info is not None:
            validate_model_info(model_info)
            self._model_info = model_info
        elif model_capabilities is not None:
            warn_deprecated("model_capabilities is deprecated, use model_info instead")
            self._model_info = ModelInfo(
                vision=model_capabilities["vision"],
                function_calling=model_capabilities["function_calling"],
                json_output=model_capabilities["json_output"],
                family=ModelFamily.UNKNOWN,
                structured_output=False,
            )
        elif self._card is not None:
            self._model_info = self._card.model_info()
        else:
            raise UnknownModelError(self._model, self._provider)
        self._create_args = {k: v for k, v in create_args.items() if v is not None}
        self._add_name_prefixes = add_name_prefixes
        self._include_name = include_name_in_message
        self._usage = UsageTracker()
        self._counter = token_counter(self._model)
        self._base_url: str | None = str(getattr(client, "base_url", "") or "") or None

    # -- request building -------------------------------------------------------------------------------------

    def _allowed_extra_keys(self) -> frozenset[str]:
        global _sdk_create_params
        if _sdk_create_params is None:
            try:
                params = inspect.signature(self._client.chat.completions.create).parameters
                _sdk_create_params = frozenset(params) - {"messages", "stream"}
            except (AttributeError, TypeError, ValueError):
                _sdk_create_params = frozenset()
        return _sdk_create_params | CREATE_ARG_KEYS

    def _prepare(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
        if extra_create_args:
            unknown = set(extra_create_args) - self._allowed_extra_keys()
            if unknown and self._allowed_extra_keys() - CREATE_ARG_KEYS:
                raise UsageError(f"Extra create args are invalid: {sorted(unknown)}")
        schemas = check_request(messages, tools, json_output, self._model_info, self._model)
        kwargs = {**self._create_args, **extra_create_args}
        if json_output is not None:
            if isinstance(json_output, type) and issubclass(json_output, BaseModel):
                if "response_format" in extra_create_args:
                    raise UsageError("Pass either json_output=<model> or response_format, not both")
                kwargs["response_format"] = _structured_response_format(json_output)
            elif json_output is True:
                kwargs["response_format"] = {"type": "json_object"}
            elif json_output is False:
                kwargs.setdefault("response_format", {"type": "text"})
            else:
                raise UsageError(f"json_output must be a bool or a pydantic model class, got {json_output!r}")
        if schemas:
            kwargs["tools"] = to_openai_tools(schemas)
            kwargs["tool_choice"] = to_openai_tool_choice(tool_choice, [s["name"] for s in schemas])
        else:
            kwargs.pop("parallel_tool_calls", None)
            if not isinstance(tool_choice, str) or tool_choice not in ("auto", "none"):
                if tool_choice != "auto":
                    raise UsageError(f"tool_choice={tool_choice!r} was given but no tools were passed")
        wire = to_openai_messages(
            messages, self._model_info, include_name=self._include_name, add_name_prefixes=self._add_name_prefixes
        )
        return wire, kwargs, schemas

    def _error(self, error: Exception, schemas: Sequence[Mapping[str, Any]]) -> Exception:
        return translate_openai_error(error, provider=self._provider, base_url=self._base_url, schemas=schemas)

    def _estimate_usage(
        self, messages: Sequence[LLMMessage], schemas: list[dict[str, Any]], text: str, calls: list[FunctionCall]
    ) -> RequestUsage:
        completion = self._counter(text) + sum(self._counter(c.name) + self._counter(c.arguments) for c in calls)
        return RequestUsage(count_messages(messages, schemas, self._counter), completion)

    def _finish(
        self,
        text: str,
        calls: list[FunctionCall],
        thought: str | None,
        finish_reason: str | None,
        usage: RequestUsage,
    ) -> CreateResult:
        if calls:
            return CreateResult(
                finish_reason="function_calls",
                content=calls,
                usage=usage,
                cached=False,
                thought=thought or text or None,
            )
        if self._model_info["family"] == ModelFamily.R1 and thought is None:
            thought, text = parse_r1(text)
        reason: FinishReasons = normalize_finish_reason(finish_reason)
        return CreateResult(finish_reason=reason, content=text, usage=usage, cached=False, thought=thought)

    # -- ChatCompletionClient ---------------------------------------------------------------------------------

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
        wire, kwargs, schemas = self._prepare(messages, tools, tool_choice, json_output, extra_create_args)
        import openai

        try:
            response = await run_cancellable(
                self._client.chat.completions.create(messages=wire, stream=False, **kwargs), cancellation_token
            )
        except openai.OpenAIError as e:
            raise self._error(e, schemas) from e
        choice = response.choices[0]
        message = choice.message
        calls = [
            FunctionCall(
                id=tc.id or f"call_{i}",
                arguments=tc.function.arguments
                if isinstance(tc.function.arguments, str)
                else json.dumps(tc.function.arguments),
                name=_tool_name(tc.function.name),
            )
            for i, tc in enumerate(message.tool_calls or [])
            if getattr(tc, "function", None) is not None
        ]
        text = message.content or ""
        extra = getattr(message, "model_extra", None) or {}
        thought = extra.get("reasoning_content") or None
        if response.usage is not None:
            usage = RequestUsage(response.usage.prompt_tokens or 0, response.usage.completion_tokens or 0)
        else:
            usage = self._estimate_usage(messages, schemas, text, calls)
        result = self._finish(text, calls, thought, choice.finish_reason, usage)
        self._usage.add(usage)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                LLMCallEvent(
                    messages=wire,
                    response=response.model_dump(),
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    tools=kwargs.get("tools", []),
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
        max_consecutive_empty_chunk_tolerance: int = 0,
        include_usage: bool | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        """Yield text chunks as they arrive, then the :class:`CreateResult`.

        Usage is requested from the server by default (``include_usage``); a server that does not report it gets
        usage counted locally, so ``usage`` is never zero for a non-empty exchange.
        """
        if max_consecutive_empty_chunk_tolerance:
            warn_deprecated("max_consecutive_empty_chunk_tolerance is deprecated and ignored")
        wire, kwargs, schemas = self._prepare(messages, tools, tool_choice, json_output, extra_create_args)
        options = dict(kwargs.pop("stream_options", None) or {})
        if include_usage is not None:
            if "include_usage" in options and options["include_usage"] != include_usage:
                raise UsageError(
                    "include_usage and stream_options['include_usage'] disagree: "
                    f"{include_usage} vs {options['include_usage']}"
                )
            options["include_usage"] = include_usage
        options.setdefault("include_usage", True)
        import openai

        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(LLMStreamStartEvent(messages=wire))
        try:
            stream = await run_cancellable(
                self._client.chat.completions.create(messages=wire, stream=True, stream_options=options, **kwargs),
                cancellation_token,
            )
        except openai.OpenAIError as e:
            raise self._error(e, schemas) from e
        text_parts: list[str] = []
        thought_parts: list[str] = []
        tool_parts: dict[int, dict[str, Any]] = {}
        finish_reason: str | None = None
        reported: Any = None
        iterator = stream.__aiter__()
        try:
            while True:
                try:
                    if cancellation_token is None:
                        chunk = await iterator.__anext__()
                    else:
                        if cancellation_token.is_cancelled():
                            raise asyncio.CancelledError("create_stream was cancelled")
                        chunk = await run_cancellable(iterator.__anext__(), cancellation_token)
                except StopAsyncIteration:
                    break
                except openai.OpenAIError as e:
                    raise self._error(e, schemas) from e
                if chunk.usage is not None:
                    reported = chunk.usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.finish_reason is not None:
                    finish_reason = choice.finish_reason
                delta = choice.delta
                if delta is None:
                    continue
                extra = getattr(delta, "model_extra", None) or {}
                if extra.get("reasoning_content"):
                    thought_parts.append(extra["reasoning_content"])
                if delta.content:
                    text_parts.append(delta.content)
                    yield delta.content
                for tc in delta.tool_calls or []:
                    slot = tool_parts.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                    if tc.id:
                        slot["id"] = tc.id
                    if tc.function is not None:
                        if tc.function.name:
                            slot["name"] += tc.function.name
                        if tc.function.arguments:
                            slot["arguments"] += tc.function.arguments
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                await close()
        calls = [
            FunctionCall(id=slot["id"] or f"call_{i}", arguments=slot["arguments"], name=_tool_name(slot["name"]))
            for i, slot in sorted(tool_parts.items())
        ]
        text = "".join(text_parts)
        if reported is not None:
            usage = RequestUsage(reported.prompt_tokens or 0, reported.completion_tokens or 0)
        else:
            usage = self._estimate_usage(messages, schemas, text, calls)
        result = self._finish(text, calls, "".join(thought_parts) or None, finish_reason, usage)
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

    async def close(self) -> None:
        await self._client.close()

    def actual_usage(self) -> RequestUsage:
        return self._usage.actual

    def total_usage(self) -> RequestUsage:
        return self._usage.total

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        return count_messages(messages, tool_schemas(tools), self._counter)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int:
        window = self._card.context_window if self._card is not None else DEFAULT_CONTEXT_WINDOW
        return window - self.count_tokens(messages, tools=tools)

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_client"] = None
        state["_counter"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._counter = token_counter(self._model)
        raw = state.get("_raw_config")
        if raw is not None:
            self._client = self._make_sdk_client(dict(raw))

    @classmethod
    def _make_sdk_client(cls, config: dict[str, Any]) -> Any:
        raise NotImplementedError


def _split_config(config: dict[str, Any]) -> dict[str, Any]:
    unknown = (
        set(config)
        - CREATE_ARG_KEYS
        - _CLIENT_KEYS
        - {
            "model",
            "model_capabilities",
            "model_info",
            "add_name_prefixes",
            "include_name_in_message",
            "azure_endpoint",
            "azure_deployment",
            "api_version",
            "azure_ad_token",
            "azure_ad_token_provider",
        }
    )
    if unknown:
        raise UsageError(f"Unknown OpenAI client options: {sorted(unknown)}")
    return {k: v for k, v in config.items() if k in CREATE_ARG_KEYS or k == "model"}


class OpenAIChatCompletionClient(BaseOpenAIChatCompletionClient, Component[OpenAIClientConfigurationConfigModel]):
    """OpenAI's Chat Completions API, or any compatible server through ``base_url`` (vLLM, Ollama, llama.cpp
    server, Gemini's and OpenRouter's OpenAI endpoints).

    ``model_info`` is required for models accord does not know. The API key comes from ``api_key`` or
    ``OPENAI_API_KEY`` (``GEMINI_API_KEY`` / ``ANTHROPIC_API_KEY`` / ``LLAMA_API_KEY`` for ``gemini-*``, ``claude-*``,
    ``Llama-*`` models, which also get their provider's endpoint); a local ``base_url`` needs no key.
    """

    component_type = "model"
    component_config_schema = OpenAIClientConfigurationConfigModel
    component_provider_override = "autogen_ext.models.openai.OpenAIChatCompletionClient"

    def __init__(self, **kwargs: Any) -> None:
        http_client = kwargs.pop("http_client", None)  # accord extra: an httpx.AsyncClient (proxies, tests)
        config = dict(kwargs)
        if "model" not in config:
            raise UsageError("model is required: OpenAIChatCompletionClient(model='gpt-4o', ...)")
        model = str(config["model"])
        env_var, provider = "OPENAI_API_KEY", "OpenAI"
        for prefix, (url, shortcut_env, name) in _SHORTCUTS.items():
            if model.startswith(prefix):
                config.setdefault("base_url", url)
                if config["base_url"] == url:
                    env_var, provider = shortcut_env, name
                break
        if not config.get("api_key"):
            key = os.environ.get(env_var)
            if key:
                config["api_key"] = key
            elif config.get("base_url") and _is_local(str(config["base_url"])):
                config["api_key"] = "sk-no-key-required"
            else:
                raise MissingApiKeyError(provider, env_var)
        create_args = _split_config(config)
        self._raw_config: dict[str, Any] = dict(kwargs)
        self._provider = provider if provider != "OpenAI" or not config.get("base_url") else "OpenAI-compatible server"
        client = self._make_sdk_client({**config, "http_client": http_client})
        super().__init__(
            client,
            create_args,
            model_capabilities=config.get("model_capabilities"),
            model_info=config.get("model_info"),
            add_name_prefixes=bool(config.get("add_name_prefixes", False)),
            include_name_in_message=bool(config.get("include_name_in_message", True)),
        )

    @classmethod
    def _make_sdk_client(cls, config: dict[str, Any]) -> Any:
        openai = require("openai", extra="openai")
        args = {k: v for k, v in config.items() if k in _CLIENT_KEYS and v is not None}
        args["api_key"] = reveal(args.get("api_key"))
        if "default_headers" in args:
            args["default_headers"] = reveal_map(args["default_headers"])
        if not args.get("api_key"):
            args["api_key"] = "sk-no-key-required"
        return openai.AsyncOpenAI(**args)

    def _to_config(self) -> OpenAIClientConfigurationConfigModel:
        return OpenAIClientConfigurationConfigModel(**self._raw_config)

    @classmethod
    def _from_config(cls, config: OpenAIClientConfigurationConfigModel) -> Self:
        values = config.model_dump(exclude_none=True)
        if "api_key" in values and isinstance(config.api_key, SecretStr):
            values["api_key"] = config.api_key.get_secret_value()
        values.update(config_credentials(PROVIDER_SETTINGS["openai"], values))  # no ambient key for a data endpoint
        return cls(**values)


class AzureOpenAIChatCompletionClient(
    BaseOpenAIChatCompletionClient, Component[AzureOpenAIClientConfigurationConfigModel]
):
    """Azure OpenAI deployments: ``azure_endpoint``, ``api_version``, ``azure_deployment`` and a key
    (``api_key`` / ``AZURE_OPENAI_API_KEY``) or Entra ID token (``azure_ad_token`` / ``azure_ad_token_provider``)."""

    component_type = "model"
    component_config_schema = AzureOpenAIClientConfigurationConfigModel
    component_provider_override = "autogen_ext.models.openai.AzureOpenAIChatCompletionClient"
    _provider = "Azure OpenAI"

    def __init__(self, **kwargs: Any) -> None:
        http_client = kwargs.pop("http_client", None)
        config = dict(kwargs)
        for required in ("azure_endpoint", "api_version"):
            if not config.get(required):
                raise UsageError(f"{required} is required for AzureOpenAIChatCompletionClient")
        if not config.get("model"):
            if config.get("azure_deployment"):
                config["model"] = config["azure_deployment"]
            else:
                raise UsageError("model (or azure_deployment) is required for AzureOpenAIChatCompletionClient")
        if not (config.get("api_key") or config.get("azure_ad_token") or config.get("azure_ad_token_provider")):
            found = ambient_credentials(PROVIDER_SETTINGS["azure"], None)  # AZURE_OPENAI_API_KEY or _AD_TOKEN
            if not found:
                raise MissingApiKeyError("Azure OpenAI", "AZURE_OPENAI_API_KEY (or AZURE_OPENAI_AD_TOKEN)")
            config.update({name: secret.get_secret_value() for name, secret in found.items()})
        provider = config.get("azure_ad_token_provider")
        if isinstance(provider, dict | ComponentModel):
            config["azure_ad_token_provider"] = load_component(provider)
        self._raw_config = dict(kwargs)
        create_args = _split_config(config)
        client = self._make_sdk_client({**config, "http_client": http_client})
        super().__init__(
            client,
            create_args,
            model_capabilities=config.get("model_capabilities"),
            model_info=config.get("model_info"),
            add_name_prefixes=bool(config.get("add_name_prefixes", False)),
            include_name_in_message=bool(config.get("include_name_in_message", True)),
        )

    @classmethod
    def _make_sdk_client(cls, config: dict[str, Any]) -> Any:
        openai = require("openai", extra="openai")
        keys = _CLIENT_KEYS - {"base_url", "organization"} | {
            "azure_endpoint",
            "azure_deployment",
            "api_version",
            "azure_ad_token",
            "azure_ad_token_provider",
        }
        args = {k: v for k, v in config.items() if k in keys and v is not None}
        for secret in ("api_key", "azure_ad_token"):
            if secret in args:
                args[secret] = reveal(args[secret])
        headers = reveal_map(args.get("default_headers")) or {}
        headers.setdefault("User-Agent", AZURE_OPENAI_USER_AGENT)
        args["default_headers"] = headers
        return openai.AsyncAzureOpenAI(**args)

    def _to_config(self) -> AzureOpenAIClientConfigurationConfigModel:
        raw = dict(self._raw_config)
        provider = raw.get("azure_ad_token_provider")
        if provider is not None and not isinstance(provider, dict | ComponentModel):
            dump = getattr(provider, "dump_component", None)
            if dump is None:
                raise TypeError("azure_ad_token_provider is a plain callable and cannot be serialized")
            raw["azure_ad_token_provider"] = dump()
        return AzureOpenAIClientConfigurationConfigModel(**raw)

    @classmethod
    def _from_config(cls, config: AzureOpenAIClientConfigurationConfigModel) -> Self:
        values = config.model_dump(exclude_none=True)
        if isinstance(config.api_key, SecretStr):
            values["api_key"] = config.api_key.get_secret_value()
        if not values.get("azure_ad_token_provider"):
            values.update(config_credentials(PROVIDER_SETTINGS["azure"], values))
        return cls(**values)
