"""Embedded local models with llama.cpp (serves ``autogen_ext.models.llama_cpp``)."""

from __future__ import annotations

from ._client import LlamaCppChatCompletionClient, LlamaCppChatCompletionClientConfig

__all__ = ["LlamaCppChatCompletionClient", "LlamaCppChatCompletionClientConfig"]
