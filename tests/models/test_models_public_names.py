"""The public names of the model packages (what AutoGen programs and accord users import)."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "accord.model_context": {
        "ChatCompletionContext",
        "ChatCompletionContextState",
        "UnboundedChatCompletionContext",
        "BufferedChatCompletionContext",
        "HeadAndTailChatCompletionContext",
        "TokenLimitedChatCompletionContext",
    },
    "accord.models.openai": {
        "OpenAIChatCompletionClient",
        "AzureOpenAIChatCompletionClient",
        "BaseOpenAIChatCompletionClient",
        "OpenAIClientConfigurationConfigModel",
        "AzureOpenAIClientConfigurationConfigModel",
        "BaseOpenAIClientConfigurationConfigModel",
        "CreateArgumentsConfigModel",
        "AZURE_OPENAI_USER_AGENT",
    },
    "accord.models.anthropic": {
        "AnthropicChatCompletionClient",
        "AnthropicBedrockChatCompletionClient",
        "BaseAnthropicChatCompletionClient",
        "AnthropicClientConfigurationConfigModel",
        "AnthropicBedrockClientConfigurationConfigModel",
        "BedrockInfo",
    },
    "accord.models.ollama": {"OllamaChatCompletionClient", "BaseOllamaClientConfigurationConfigModel"},
    "accord.models.llama_cpp": {"LlamaCppChatCompletionClient"},
    "accord.models.replay": {"ReplayChatCompletionClient"},
    "accord.models.cache": {"ChatCompletionCache", "CHAT_CACHE_VALUE_TYPE"},
    "accord.models.wrappers": {
        "RetryingChatCompletionClient",
        "FallbackChatCompletionClient",
        "RouterChatCompletionClient",
        "SimpleComplexPolicy",
        "LedgerChatCompletionClient",
        "UsageLedger",
        "UsageRecord",
        "PriceTable",
        "ModelPrice",
    },
    "accord.testing": {"ScriptedChatCompletionClient", "ReplayChatCompletionClient", "tool_call"},
}


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_public_names(module: str) -> None:
    imported = importlib.import_module(module)
    assert EXPECTED[module] <= set(imported.__all__)
    for name in imported.__all__:
        assert hasattr(imported, name), f"{module}.{name} is listed in __all__ but missing"
