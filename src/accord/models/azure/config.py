"""Configuration of the Azure AI Inference client (serves ``autogen_ext.models.azure.config``).

The TypedDicts are AutoGen's keyword arguments; :class:`AzureAIChatCompletionClientConfigModel` is accord's
serializable form (the key of an ``AzureKeyCredential`` is a secret, masked when dumped).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

from pydantic import BaseModel, SecretStr

from .._model_info import ModelInfo

if TYPE_CHECKING:
    from azure.core.credentials import AzureKeyCredential
    from azure.core.credentials_async import AsyncTokenCredential

__all__ = [
    "GITHUB_MODELS_ENDPOINT",
    "AzureAIChatCompletionClientConfig",
    "AzureAIChatCompletionClientConfigModel",
    "AzureAIClientArguments",
    "AzureAICreateArguments",
    "JsonSchemaFormat",
]

GITHUB_MODELS_ENDPOINT = "https://models.github.ai/inference"


class JsonSchemaFormat(TypedDict, total=False):
    """The fields of ``azure.ai.inference.models.JsonSchemaFormat``."""

    name: str
    schema: dict[str, Any]
    description: str | None
    strict: bool | None


class AzureAIClientArguments(TypedDict, total=False):
    endpoint: str
    credential: AzureKeyCredential | AsyncTokenCredential
    model_info: ModelInfo


class AzureAICreateArguments(TypedDict, total=False):
    frequency_penalty: float | None
    presence_penalty: float | None
    temperature: float | None
    top_p: float | None
    max_tokens: int | None
    response_format: Literal["text", "json_object"] | None
    stop: list[str] | None
    tools: list[Any] | None
    tool_choice: Any
    seed: int | None
    model: str | None
    model_extras: dict[str, Any] | None


class AzureAIChatCompletionClientConfig(AzureAIClientArguments, AzureAICreateArguments):
    pass


class AzureAIChatCompletionClientConfigModel(BaseModel):
    """What ``dump_component`` writes: an API-key credential only (token credentials are live objects)."""

    endpoint: str
    api_key: SecretStr
    model_info: ModelInfo
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    response_format: Literal["text", "json_object"] | None = None
    stop: list[str] | None = None
    seed: int | None = None
    model: str | None = None
    model_extras: dict[str, Any] | None = None
