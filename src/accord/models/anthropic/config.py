"""The Anthropic clients' configuration types (serves ``autogen_ext.models.anthropic.config``).

The TypedDicts are AutoGen's keyword arguments of the clients; ``AnthropicClientConfigurationConfigModel`` and
``AnthropicBedrockClientConfigurationConfigModel`` are the configs accord's clients dump and load (secrets masked).
"""

from __future__ import annotations

from typing import Any, Literal, Required

from pydantic import BaseModel, SecretStr
from typing_extensions import TypedDict

from .._model_info import ModelCapabilities, ModelInfo
from ._client import (
    AnthropicBedrockClientConfigurationConfigModel,
    AnthropicClientConfigurationConfigModel,
    BedrockInfo,
)

__all__ = [
    "AnthropicBedrockClientConfiguration",
    "AnthropicBedrockClientConfigurationConfigModel",
    "AnthropicClientConfiguration",
    "AnthropicClientConfigurationConfigModel",
    "BaseAnthropicClientConfiguration",
    "BaseAnthropicClientConfigurationConfigModel",
    "BedrockInfo",
    "BedrockInfoConfigModel",
    "CreateArguments",
    "CreateArgumentsConfigModel",
    "ResponseFormat",
    "ThinkingConfig",
    "ThinkingConfigModel",
]


class ResponseFormat(TypedDict):
    type: Literal["text", "json_object"]


class ThinkingConfig(TypedDict, total=False):
    type: Required[Literal["enabled", "disabled"]]
    budget_tokens: int | None


class CreateArguments(TypedDict, total=False):
    model: str
    max_tokens: int | None
    temperature: float | None
    top_p: float | None
    top_k: int | None
    stop_sequences: list[str] | None
    response_format: ResponseFormat | None
    metadata: dict[str, str] | None
    thinking: ThinkingConfig | None


class BaseAnthropicClientConfiguration(CreateArguments, total=False):
    api_key: str
    base_url: str | None
    model_capabilities: ModelCapabilities
    model_info: ModelInfo
    timeout: float | None
    max_retries: int | None
    default_headers: dict[str, str] | None


class AnthropicClientConfiguration(BaseAnthropicClientConfiguration, total=False):
    tools: list[dict[str, Any]] | None
    tool_choice: Literal["auto", "any", "none"] | dict[str, Any] | None


class AnthropicBedrockClientConfiguration(AnthropicClientConfiguration, total=False):
    bedrock_info: BedrockInfo


class ThinkingConfigModel(BaseModel):
    type: Literal["enabled", "disabled"]
    budget_tokens: int | None = None


class CreateArgumentsConfigModel(BaseModel):
    model: str
    max_tokens: int | None = 4096
    temperature: float | None = 1.0
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: list[str] | None = None
    response_format: ResponseFormat | None = None
    metadata: dict[str, str] | None = None
    thinking: ThinkingConfigModel | None = None


# accord's client config holds the create arguments and the client options in one model.
BaseAnthropicClientConfigurationConfigModel = AnthropicClientConfigurationConfigModel


class BedrockInfoConfigModel(TypedDict):
    aws_access_key: Required[SecretStr]
    aws_session_token: Required[SecretStr]
    aws_region: Required[str]
    aws_secret_key: Required[SecretStr]
