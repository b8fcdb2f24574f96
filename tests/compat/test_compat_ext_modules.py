"""The autogen_ext modules served on their official SDKs: each AutoGen path imports through compat and holds the
names AutoGen 0.7.5 defines there (read from the autogen-ext 0.7.5 wheel), and accord's own public names are pinned.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import pytest

# AutoGen 0.7.5 module -> the public names it defines (from the autogen-ext 0.7.5 wheel).
AUTOGEN_NAMES: dict[str, set[str]] = {
    "autogen_ext.models.azure": {"AzureAIChatCompletionClient", "AzureAIChatCompletionClientConfig"},
    "autogen_ext.models.azure.config": {
        "AzureAIChatCompletionClientConfig",
        "AzureAIClientArguments",
        "AzureAICreateArguments",
        "GITHUB_MODELS_ENDPOINT",
        "JsonSchemaFormat",
    },
    "autogen_ext.models.openai.config": {
        "JSONSchema",
        "ResponseFormat",
        "StreamOptions",
        "CreateArguments",
        "AsyncAzureADTokenProvider",
        "BaseOpenAIClientConfiguration",
        "OpenAIClientConfiguration",
        "AzureOpenAIClientConfiguration",
        "CreateArgumentsConfigModel",
        "BaseOpenAIClientConfigurationConfigModel",
        "OpenAIClientConfigurationConfigModel",
        "AzureOpenAIClientConfigurationConfigModel",
    },
    "autogen_ext.models.anthropic.config": {
        "ResponseFormat",
        "ThinkingConfig",
        "CreateArguments",
        "BedrockInfo",
        "BaseAnthropicClientConfiguration",
        "AnthropicClientConfiguration",
        "AnthropicBedrockClientConfiguration",
        "ThinkingConfigModel",
        "CreateArgumentsConfigModel",
        "BaseAnthropicClientConfigurationConfigModel",
        "AnthropicClientConfigurationConfigModel",
        "BedrockInfoConfigModel",
        "AnthropicBedrockClientConfigurationConfigModel",
    },
    "autogen_ext.models.ollama.config": {
        "CreateArguments",
        "BaseOllamaClientConfiguration",
        "CreateArgumentsConfigModel",
        "BaseOllamaClientConfigurationConfigModel",
    },
    "autogen_ext.agents.openai": {"OpenAIAgent", "OpenAIAssistantAgent"},
    "autogen_ext.tools.http": {"HttpTool"},
    "autogen_ext.tools.langchain": {"LangChainToolAdapter"},
    "autogen_ext.auth.azure": {"AzureTokenProvider", "TokenProviderConfig"},
    "autogen_ext.code_executors.azure": {"ACADynamicSessionsCodeExecutor", "TokenProvider"},
    "autogen_ext.tools.azure": {
        "AzureAISearchTool",
        "BaseAzureAISearchTool",
        "SearchQuery",
        "SearchResult",
        "SearchResults",
        "AzureAISearchConfig",
        "VectorizableTextQuery",
    },
    "autogen_ext.code_executors.docker_jupyter": {
        "DockerJupyterCodeExecutor",
        "DockerJupyterServer",
        "JupyterClient",
        "JupyterKernelClient",
        "DockerJupyterCodeResult",
    },
}

ACCORD_ALL: dict[str, set[str]] = {
    "accord.models.azure": {
        "AzureAIChatCompletionClient",
        "AzureAIChatCompletionClientConfig",
        "AzureAIChatCompletionClientConfigModel",
    },
    "accord.agents.openai": {
        "AssistantRunError",
        "OpenAIAgent",
        "OpenAIAgentConfig",
        "OpenAIAgentState",
        "OpenAIAssistantAgent",
        "OpenAIAssistantAgentState",
    },
    "accord.tools.http": {"HttpTool", "HttpToolConfig"},
    "accord.tools.langchain": {"LangChainToolAdapter"},
    "accord.auth.azure": {"AzureTokenProvider", "TokenProviderConfig"},
    "accord.code_executors.azure": {"ACADynamicSessionsCodeExecutor", "TokenProvider"},
    "accord.tools.azure": {
        "AzureAISearchConfig",
        "AzureAISearchTool",
        "BaseAzureAISearchTool",
        "SearchQuery",
        "SearchResult",
        "SearchResults",
        "VectorizableTextQuery",
    },
    "accord.code_executors.docker_jupyter": {
        "DockerJupyterCodeExecutor",
        "DockerJupyterCodeExecutorConfig",
        "DockerJupyterCodeResult",
        "DockerJupyterServer",
        "JupyterClient",
        "JupyterConnectable",
        "JupyterConnectionInfo",
        "JupyterKernelClient",
    },
}


@pytest.mark.parametrize("module", sorted(ACCORD_ALL))
def test_accord_public_names(module: str) -> None:
    assert set(importlib.import_module(module).__all__) == ACCORD_ALL[module]


def test_every_module_imports_under_autogens_path_with_autogens_names() -> None:
    code = f"""
        import importlib, json
        import accord.compat.autogen
        names = json.loads({json.dumps(json.dumps({k: sorted(v) for k, v in AUTOGEN_NAMES.items()}))})
        missing = {{}}
        for module, expected in names.items():
            imported = importlib.import_module(module)
            assert imported.__name__.startswith("accord."), (module, imported.__name__)
            absent = [n for n in expected if not hasattr(imported, n)]
            if absent:
                missing[module] = absent
        print(json.dumps(missing))
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {}


def test_a_path_autogen_never_had_is_not_found() -> None:
    code = """
        import accord.compat.autogen
        try:
            import autogen_ext.tools.http_client
        except ModuleNotFoundError as e:
            print(e.name)
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "autogen_ext.tools.http_client", result.stderr
