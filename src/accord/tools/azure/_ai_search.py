"""AzureAISearchTool: full-text, semantic, vector and hybrid queries of an Azure AI Search index.

On the official ``azure-search-documents`` SDK. The model gives only the query text; everything else (fields,
filter, top, vector fields) is fixed when the tool is built. A config loaded from data must carry its own
credentials: it never makes accord send an ambient Azure identity token to an endpoint the config names.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, SecretStr, ValidationError

from ..._errors import ComponentError, UsageError
from ..._imports import require
from ...core import CancellationToken, Component
from .._base import BaseTool
from .._schema import ToolSchema
from ._config import DEFAULT_API_VERSION, AzureAISearchConfig

__all__ = ["AzureAISearchTool", "BaseAzureAISearchTool", "SearchQuery", "SearchResult", "SearchResults"]

logger = logging.getLogger(__name__)
SearchType = Literal["full_text", "vector", "hybrid"]
ContentDict = dict[str, Any]
MetadataDict = dict[str, Any]


class SearchQuery(BaseModel):
    query: str = Field(description="Search query text")


class SearchResult(BaseModel):
    score: float = Field(description="The search score")
    content: dict[str, Any] = Field(description="The document content")
    metadata: dict[str, Any] = Field(description="Additional metadata about the document")


class SearchResults(BaseModel):
    results: list[SearchResult] = Field(description="List of search results")


def _credential(value: Any) -> Any:
    credentials = require("azure.core.credentials", extra="azure", package="azure-core")
    if isinstance(value, Mapping):
        key = value.get("api_key")
        if key is None:
            raise UsageError("If credential is a dict, it must contain an 'api_key' key")
        return credentials.AzureKeyCredential(key.get_secret_value() if isinstance(key, SecretStr) else str(key))
    if isinstance(value, str):
        raise TypeError("Credential must be AzureKeyCredential, AsyncTokenCredential, or a valid dict")
    if isinstance(value, credentials.AzureKeyCredential) or hasattr(value, "get_token"):
        return value
    raise TypeError("Credential must be AzureKeyCredential, AsyncTokenCredential, or a valid dict")


class BaseAzureAISearchTool(BaseTool[SearchQuery, SearchResults], Component[AzureAISearchConfig]):
    """The search itself; :class:`AzureAISearchTool` adds client-side embeddings and the factory methods."""

    component_type = "tool"
    component_config_schema = AzureAISearchConfig

    def __init__(
        self,
        name: str,
        endpoint: str,
        index_name: str,
        credential: Any,
        description: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        query_type: Literal["simple", "full", "semantic", "vector"] = "simple",
        search_fields: list[str] | None = None,
        select_fields: list[str] | None = None,
        vector_fields: list[str] | None = None,
        top: int | None = None,
        filter: str | None = None,
        semantic_config_name: str | None = None,
        enable_caching: bool = False,
        cache_ttl_seconds: int = 300,
        embedding_provider: str | None = None,
        embedding_model: str | None = None,
        openai_api_key: str | SecretStr | None = None,
        openai_api_version: str | None = None,
        openai_endpoint: str | None = None,
    ) -> None:
        if description is None:
            description = (
                f"Search for information in the {index_name} index using Azure AI Search. "
                "Supports full-text search with optional filters and semantic capabilities."
            )
        super().__init__(SearchQuery, SearchResults, name, description)
        self._credential = _credential(credential)
        try:
            self.search_config = AzureAISearchConfig(
                name=name,
                description=description,
                endpoint=endpoint,
                index_name=index_name,
                credential=None,
                api_version=api_version or DEFAULT_API_VERSION,
                query_type=query_type,
                search_fields=search_fields,
                select_fields=select_fields,
                vector_fields=vector_fields,
                top=top,
                filter=filter,
                semantic_config_name=semantic_config_name,
                enable_caching=enable_caching,
                cache_ttl_seconds=cache_ttl_seconds,
                embedding_provider=embedding_provider,
                embedding_model=embedding_model,
                openai_api_key=SecretStr(openai_api_key) if isinstance(openai_api_key, str) else openai_api_key,
                openai_api_version=openai_api_version,
                openai_endpoint=openai_endpoint,
            )
        except ValidationError as e:
            raise UsageError(f"Invalid configuration: {e}") from e
        self._client: Any = None
        self._cache: dict[str, tuple[float, list[SearchResult]]] = {}

    @property
    def schema(self) -> ToolSchema:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string", "description": "Search query text"}},
                "required": ["query"],
                "additionalProperties": False,
            },
            "strict": True,
        }

    async def _get_client(self) -> Any:
        if self._client is None:
            aio = require("azure.search.documents.aio", extra="azure", package="azure-search-documents")
            config = self.search_config
            self._client = aio.SearchClient(
                endpoint=config.endpoint,
                index_name=config.index_name,
                credential=self._credential,
                api_version=config.api_version,
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def _get_embedding(self, query: str) -> list[float]:
        raise UsageError(f"{type(self).__name__} has no client-side embeddings")

    def _cache_key(self, query: str) -> str:
        c = self.search_config
        parts = [
            query,
            str(c.top),
            c.query_type,
            *(",".join(sorted(f or [])) for f in (c.search_fields, c.select_fields, c.vector_fields)),
        ]
        return ":".join([*parts, c.filter or "", c.semantic_config_name or ""])

    async def _search_arguments(self, query: str) -> dict[str, Any]:
        c = self.search_config
        kwargs: dict[str, Any] = {}
        if c.query_type != "vector":
            kwargs["search_text"] = query
            kwargs["query_type"] = c.query_type
            if c.search_fields:
                kwargs["search_fields"] = c.search_fields
            if c.query_type == "semantic" and c.semantic_config_name:
                kwargs["semantic_configuration_name"] = c.semantic_config_name
        if c.select_fields:
            kwargs["select"] = c.select_fields
        if c.filter:
            kwargs["filter"] = c.filter
        if c.top is not None:
            kwargs["top"] = c.top
        if c.vector_fields:
            models = require("azure.search.documents.models", extra="azure", package="azure-search-documents")
            k = c.top or 5
            if c.embedding_model and c.embedding_provider:
                vector = await self._get_embedding(query)
                kwargs["vector_queries"] = [
                    models.VectorizedQuery(vector=vector, k_nearest_neighbors=k, fields=f) for f in c.vector_fields
                ]
            else:  # the service vectorizes the text with the index's vectorizer
                kwargs["vector_queries"] = [
                    models.VectorizableTextQuery(text=query, k_nearest_neighbors=k, fields=f) for f in c.vector_fields
                ]
        return kwargs

    async def run(
        self, args: SearchQuery | str | Mapping[str, Any], cancellation_token: CancellationToken | None = None
    ) -> SearchResults:
        if isinstance(args, str):
            args = SearchQuery(query=args)
        elif isinstance(args, Mapping) and "query" in args:
            args = SearchQuery(query=str(args["query"]))
        elif not isinstance(args, SearchQuery):
            raise UsageError("Invalid search query format. Expected string, dict with 'query', or SearchQuery")
        if not args.query.strip():
            raise UsageError("Search query cannot be empty")
        token = cancellation_token or CancellationToken()
        if token.is_cancelled():
            raise asyncio.CancelledError("Operation cancelled")
        config = self.search_config
        key = self._cache_key(args.query)
        cached = self._cache.get(key) if config.enable_caching else None
        if cached is not None and time.time() - cached[0] < config.cache_ttl_seconds:
            return SearchResults(results=[r.model_copy() for r in cached[1]])
        future = asyncio.ensure_future(self._search(args.query))
        token.link_future(future)
        results = await future
        if config.enable_caching:
            self._cache[key] = (time.time(), results)
        return SearchResults(results=results)

    async def _search(self, query: str) -> list[SearchResult]:
        exceptions = require("azure.core.exceptions", extra="azure", package="azure-core")
        arguments = await self._search_arguments(query)
        client = await self._get_client()
        results: list[SearchResult] = []
        try:
            async for doc in await client.search(**arguments):
                metadata = {k: v for k, v in doc.items() if isinstance(k, str) and k.startswith(("@", "_"))}
                content = {str(k): v for k, v in doc.items() if k not in metadata}
                results.append(
                    SearchResult(score=float(metadata.get("@search.score", 0.0)), content=content, metadata=metadata)
                )
        except exceptions.ResourceNotFoundError as e:
            raise UsageError(f"Index '{self.search_config.index_name}' not found.") from e
        except exceptions.ClientAuthenticationError as e:
            raise UsageError(f"Authentication failed: {e.message}") from e
        except exceptions.HttpResponseError as e:
            raise UsageError(f"Error from Azure AI Search: {e.message}") from e
        return results

    def return_value_as_string(self, value: Any) -> str:
        if not isinstance(value, SearchResults):
            return str(value)
        if not value.results:
            return "No results found."
        lines = []
        for i, result in enumerate(value.results, 1):
            content = ", ".join(f"{k}: {v if v is not None else 'None'}" for k, v in result.content.items())
            lines.append(f"Result {i} (Score: {result.score:.2f}): {content}")
        return "\n".join(lines)

    def _to_config(self) -> AzureAISearchConfig:
        credentials = require("azure.core.credentials", extra="azure", package="azure-core")
        if not isinstance(self._credential, credentials.AzureKeyCredential):
            raise ComponentError("AzureAISearchTool: a token credential cannot be written into a config")
        return self.search_config.model_copy(update={"credential": {"api_key": SecretStr(self._credential.key)}})

    @classmethod
    def _from_config(cls, config: AzureAISearchConfig) -> Self:
        if (config.embedding_provider or "").lower() == "azure_openai" and config.openai_api_key is None:
            raise ComponentError(
                "An AzureAISearchTool config with embedding_provider 'azure_openai' must carry openai_api_key: "
                "accord does not send your ambient Azure identity token to an endpoint named by a config. "
                "Build the tool in code (AzureAISearchTool.create_vector_search(...)) to use DefaultAzureCredential."
            )
        values = {k: getattr(config, k) for k in type(config).model_fields}
        return cls(**values)


class AzureAISearchTool(BaseAzureAISearchTool):
    """Azure AI Search as a tool (AutoGen's ``AzureAISearchTool``); build it with ``create_full_text_search``,
    ``create_vector_search`` or ``create_hybrid_search``.

    Client-side embeddings (``embedding_provider`` ``"openai"`` or ``"azure_openai"`` with ``embedding_model``) are
    computed with the openai SDK; without them, vector queries ask the service to vectorize the text.
    """

    component_provider_override = "autogen_ext.tools.azure.AzureAISearchTool"

    async def _get_embedding(self, query: str) -> list[float]:
        c = self.search_config
        provider = (c.embedding_provider or "").lower()
        if not provider or not c.embedding_model:
            raise UsageError(
                "Client-side embedding is not configured. `embedding_provider` and `embedding_model` must be set."
            )
        openai = require("openai", extra="openai")
        key = c.openai_api_key.get_secret_value() if c.openai_api_key is not None else None
        if provider == "azure_openai":
            if not c.openai_endpoint:
                raise UsageError(
                    "Azure OpenAI endpoint (`openai_endpoint`) must be provided for client-side Azure OpenAI "
                    "embeddings."
                )
            version = c.openai_api_version or "2023-11-01"
            if key:
                client = openai.AsyncAzureOpenAI(api_key=key, api_version=version, azure_endpoint=c.openai_endpoint)
            else:
                from ...auth.azure import AzureTokenProvider

                identity = require("azure.identity", extra="azure", package="azure-identity")
                provider_fn = AzureTokenProvider(
                    identity.DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default"
                )
                client = openai.AsyncAzureOpenAI(
                    azure_ad_token_provider=provider_fn, api_version=version, azure_endpoint=c.openai_endpoint
                )
        elif provider == "openai":
            client = openai.AsyncOpenAI(api_key=key)
        else:
            raise UsageError(
                f"Unsupported client-side embedding provider: {c.embedding_provider}. "
                "Currently supported providers are 'azure_openai' and 'openai'."
            )
        try:
            response = await client.embeddings.create(model=c.embedding_model, input=query)
        except openai.OpenAIError as e:
            raise UsageError(f"Failed to generate embeddings with {c.embedding_provider}: {e}") from e
        finally:
            await client.close()
        return list(response.data[0].embedding)

    @classmethod
    def _create(cls, search_type: SearchType, **options: Any) -> Self:
        vector_fields, search_fields = options.get("vector_fields"), options.get("search_fields")
        if search_type in ("vector", "hybrid") and not vector_fields:
            raise UsageError(
                f"vector_fields must contain at least one field name for {search_type.replace('_', ' ')} search"
            )
        if search_type == "hybrid" and not search_fields:
            raise UsageError("search_fields must contain at least one field name for hybrid search")
        if options.get("query_type") == "semantic" and not options.get("semantic_config_name"):
            raise UsageError("semantic_config_name is required when query_type is 'semantic'")
        if (options.get("embedding_provider") or "").lower() == "azure_openai" and not options.get("openai_endpoint"):
            raise UsageError("openai_endpoint is required when embedding_provider is 'azure_openai'")
        return cls(**{k: v for k, v in options.items() if v is not None or k == "description"})

    @classmethod
    def create_full_text_search(
        cls,
        name: str,
        endpoint: str,
        index_name: str,
        credential: Any,
        description: str | None = None,
        api_version: str | None = None,
        query_type: Literal["simple", "full", "semantic"] = "simple",
        search_fields: list[str] | None = None,
        select_fields: list[str] | None = None,
        top: int | None = 5,
        filter: str | None = None,
        semantic_config_name: str | None = None,
        enable_caching: bool = False,
        cache_ttl_seconds: int = 300,
    ) -> Self:
        """Keyword ("simple"), Lucene ("full") or semantically re-ranked ("semantic") search."""
        return cls._create("full_text", **{k: v for k, v in locals().items() if k not in ("cls", "__class__")})

    @classmethod
    def create_vector_search(
        cls,
        name: str,
        endpoint: str,
        index_name: str,
        credential: Any,
        vector_fields: list[str],
        description: str | None = None,
        api_version: str | None = None,
        select_fields: list[str] | None = None,
        top: int = 5,
        filter: str | None = None,
        enable_caching: bool = False,
        cache_ttl_seconds: int = 300,
        embedding_provider: str | None = None,
        embedding_model: str | None = None,
        openai_api_key: str | None = None,
        openai_api_version: str | None = None,
        openai_endpoint: str | None = None,
    ) -> Self:
        """Pure similarity search over ``vector_fields``."""
        options = {k: v for k, v in locals().items() if k not in ("cls", "__class__")}
        return cls._create("vector", query_type="vector", **options)

    @classmethod
    def create_hybrid_search(
        cls,
        name: str,
        endpoint: str,
        index_name: str,
        credential: Any,
        vector_fields: list[str],
        search_fields: list[str],
        description: str | None = None,
        api_version: str | None = None,
        query_type: Literal["simple", "full", "semantic"] = "simple",
        select_fields: list[str] | None = None,
        top: int = 5,
        filter: str | None = None,
        semantic_config_name: str | None = None,
        enable_caching: bool = False,
        cache_ttl_seconds: int = 300,
        embedding_provider: str | None = None,
        embedding_model: str | None = None,
        openai_api_key: str | None = None,
        openai_api_version: str | None = None,
        openai_endpoint: str | None = None,
    ) -> Self:
        """Text (simple, full or semantic) and vector search together."""
        return cls._create("hybrid", **{k: v for k, v in locals().items() if k not in ("cls", "__class__")})
