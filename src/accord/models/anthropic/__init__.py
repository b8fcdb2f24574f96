"""Anthropic (Claude) client (serves ``autogen_ext.models.anthropic``)."""

from __future__ import annotations

from ._client import AnthropicChatCompletionClient, AnthropicClientConfigurationConfigModel

__all__ = ["AnthropicChatCompletionClient", "AnthropicClientConfigurationConfigModel"]
