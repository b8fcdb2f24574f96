"""The Ollama client's configuration types (serves ``autogen_ext.models.ollama.config``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from typing_extensions import TypedDict

from .._model_info import ModelCapabilities, ModelInfo
from ._client import BaseOllamaClientConfigurationConfigModel

__all__ = [
    "BaseOllamaClientConfiguration",
    "BaseOllamaClientConfigurationConfigModel",
    "CreateArguments",
    "CreateArgumentsConfigModel",
]


class CreateArguments(TypedDict, total=False):
    model: str
    host: str | None
    response_format: Any


class BaseOllamaClientConfiguration(CreateArguments, total=False):
    follow_redirects: bool
    timeout: Any
    headers: Mapping[str, str] | None
    model_capabilities: ModelCapabilities
    model_info: ModelInfo
    options: Mapping[str, Any] | None


class CreateArgumentsConfigModel(BaseModel):
    model: str
    host: str | None = None
    response_format: Any = None
