"""Ollama client (serves ``autogen_ext.models.ollama``)."""

from __future__ import annotations

from ._client import BaseOllamaClientConfigurationConfigModel, OllamaChatCompletionClient

__all__ = ["BaseOllamaClientConfigurationConfigModel", "OllamaChatCompletionClient"]
