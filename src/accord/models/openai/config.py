"""The OpenAI clients' configuration types (serves ``autogen_ext.models.openai.config``).

The TypedDicts are AutoGen's keyword arguments of the clients; the ``...ConfigModel`` classes are the pydantic
configs the clients dump and load (API keys as secrets, masked when written out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal, Required

from typing_extensions import TypedDict

from ...core import ComponentModel
from .._model_info import ModelCapabilities, ModelInfo
from ._config import (
    AzureOpenAIClientConfigurationConfigModel,
    BaseOpenAIClientConfigurationConfigModel,
    CreateArgumentsConfigModel,
    JSONSchema,
    OpenAIClientConfigurationConfigModel,
    ResponseFormat,
    StreamOptions,
)

__all__ = [
    "AsyncAzureADTokenProvider",
    "ComponentModel",
    "AzureOpenAIClientConfiguration",
    "AzureOpenAIClientConfigurationConfigModel",
    "BaseOpenAIClientConfiguration",
    "BaseOpenAIClientConfigurationConfigModel",
    "CreateArguments",
    "CreateArgumentsConfigModel",
    "JSONSchema",
    "OpenAIClientConfiguration",
    "OpenAIClientConfigurationConfigModel",
    "ResponseFormat",
    "StreamOptions",
]

AsyncAzureADTokenProvider = Callable[[], str | Awaitable[str]]


class CreateArguments(TypedDict, total=False):
    frequency_penalty: float | None
    logit_bias: dict[str, int] | None
    max_tokens: int | None
    n: int | None
    presence_penalty: float | None
    response_format: ResponseFormat
    seed: int | None
    stop: str | list[str] | None
    temperature: float | None
    top_p: float | None
    user: str
    stream_options: StreamOptions | None
    parallel_tool_calls: bool | None
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None


class BaseOpenAIClientConfiguration(CreateArguments, total=False):
    model: str
    api_key: str
    timeout: float | None
    max_retries: int
    model_capabilities: ModelCapabilities
    model_info: ModelInfo
    add_name_prefixes: bool
    include_name_in_message: bool
    default_headers: dict[str, str] | None


class OpenAIClientConfiguration(BaseOpenAIClientConfiguration, total=False):
    organization: str
    base_url: str


class AzureOpenAIClientConfiguration(BaseOpenAIClientConfiguration, total=False):
    azure_endpoint: Required[str]
    azure_deployment: str
    api_version: Required[str]
    azure_ad_token: str
    azure_ad_token_provider: AsyncAzureADTokenProvider
