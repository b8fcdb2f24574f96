"""Configuration of the OpenAI clients (AutoGen's keys and config models)."""

from __future__ import annotations

from typing import Literal, Required

from pydantic import BaseModel, SecretStr
from typing_extensions import TypedDict

from ..._secrets import SecretMap
from ...core import ComponentModel
from .._model_info import ModelCapabilities, ModelInfo

__all__ = [
    "CREATE_ARG_KEYS",
    "AzureOpenAIClientConfigurationConfigModel",
    "BaseOpenAIClientConfigurationConfigModel",
    "CreateArgumentsConfigModel",
    "JSONSchema",
    "OpenAIClientConfigurationConfigModel",
    "ResponseFormat",
    "StreamOptions",
]


class JSONSchema(TypedDict, total=False):
    name: Required[str]
    description: str
    schema: dict[str, object]
    strict: bool | None


class ResponseFormat(TypedDict):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JSONSchema | None


class StreamOptions(TypedDict):
    include_usage: bool


class CreateArgumentsConfigModel(BaseModel):
    frequency_penalty: float | None = None
    logit_bias: dict[str, int] | None = None
    max_tokens: int | None = None
    n: int | None = None
    presence_penalty: float | None = None
    response_format: ResponseFormat | None = None
    seed: int | None = None
    stop: str | list[str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    user: str | None = None
    stream_options: StreamOptions | None = None
    parallel_tool_calls: bool | None = None
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = None


CREATE_ARG_KEYS = frozenset(CreateArgumentsConfigModel.model_fields)


class BaseOpenAIClientConfigurationConfigModel(CreateArgumentsConfigModel):
    model: str
    api_key: SecretStr | None = None
    timeout: float | None = None
    max_retries: int | None = None
    model_capabilities: ModelCapabilities | None = None
    model_info: ModelInfo | None = None
    add_name_prefixes: bool | None = None
    include_name_in_message: bool | None = None
    default_headers: SecretMap | None = None


class OpenAIClientConfigurationConfigModel(BaseOpenAIClientConfigurationConfigModel):
    organization: str | None = None
    base_url: str | None = None


class AzureOpenAIClientConfigurationConfigModel(BaseOpenAIClientConfigurationConfigModel):
    azure_endpoint: str
    azure_deployment: str | None = None
    api_version: str
    azure_ad_token: SecretStr | None = None
    azure_ad_token_provider: ComponentModel | None = None
