"""Azure AI Search as a tool (serves ``autogen_ext.tools.azure``); needs ``accord[azure]``
(``azure-search-documents``)."""

from __future__ import annotations

from typing import Any

from ._ai_search import AzureAISearchTool, BaseAzureAISearchTool, SearchQuery, SearchResult, SearchResults
from ._config import AzureAISearchConfig

__all__ = [
    "AzureAISearchConfig",
    "AzureAISearchTool",
    "BaseAzureAISearchTool",
    "SearchQuery",
    "SearchResult",
    "SearchResults",
    "VectorizableTextQuery",
]


def __getattr__(name: str) -> Any:
    if name == "VectorizableTextQuery":  # the SDK's own class, imported when asked for
        from ..._imports import require

        models = require("azure.search.documents.models", extra="azure", package="azure-search-documents")
        return models.VectorizableTextQuery
    raise AttributeError(f"module 'accord.tools.azure' has no attribute {name!r}")
