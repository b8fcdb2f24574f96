"""Anthropic (Claude) clients, direct and on Amazon Bedrock (serves ``autogen_ext.models.anthropic``)."""

from __future__ import annotations

from ._client import (
    AnthropicBedrockChatCompletionClient,
    AnthropicBedrockClientConfigurationConfigModel,
    AnthropicChatCompletionClient,
    AnthropicClientConfigurationConfigModel,
    BedrockInfo,
)

BaseAnthropicChatCompletionClient = AnthropicChatCompletionClient

__all__ = [
    "AnthropicBedrockChatCompletionClient",
    "AnthropicBedrockClientConfigurationConfigModel",
    "AnthropicChatCompletionClient",
    "AnthropicClientConfigurationConfigModel",
    "BaseAnthropicChatCompletionClient",
    "BedrockInfo",
]
