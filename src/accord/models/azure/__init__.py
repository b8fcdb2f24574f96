"""Models served by Azure AI Inference: Azure AI Foundry, GitHub Models (serves ``autogen_ext.models.azure``).

Needs the ``azure`` extra (``azure-ai-inference``).
"""

from __future__ import annotations

from ._client import AzureAIChatCompletionClient
from .config import AzureAIChatCompletionClientConfig, AzureAIChatCompletionClientConfigModel

__all__ = ["AzureAIChatCompletionClient", "AzureAIChatCompletionClientConfig", "AzureAIChatCompletionClientConfigModel"]
