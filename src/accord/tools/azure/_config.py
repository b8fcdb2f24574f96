"""AzureAISearchConfig: the settings of an Azure AI Search tool (AutoGen's fields; secrets as SecretStr)."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = ["DEFAULT_API_VERSION", "AzureAISearchConfig", "QueryTypeLiteral"]

QueryTypeLiteral = Literal["simple", "full", "semantic", "vector"]
DEFAULT_API_VERSION = "2023-10-01-preview"


class AzureAISearchConfig(BaseModel):
    """``credential`` is an ``AzureKeyCredential``, an async token credential, or ``{"api_key": ...}`` (the form a
    dumped config holds, the key masked when written out)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = Field(description="The name of this tool instance")
    description: str | None = Field(default=None, description="Description explaining the tool's purpose")
    endpoint: str = Field(description="The full URL of your Azure AI Search service")
    index_name: str = Field(description="Name of the search index to query")
    credential: dict[str, SecretStr] | None = Field(
        default=None, description="{'api_key': ...} (masked when written out); a token credential is not serialisable"
    )
    api_version: str = Field(default=DEFAULT_API_VERSION, description="Azure AI Search API version to use")
    query_type: QueryTypeLiteral = Field(default="simple", description="Type of search to perform")
    search_fields: list[str] | None = Field(default=None, description="Fields to search within documents")
    select_fields: list[str] | None = Field(default=None, description="Fields to return in search results")
    vector_fields: list[str] | None = Field(default=None, description="Fields to use for vector search")
    top: int | None = Field(default=None, description="Maximum number of results to return")
    filter: str | None = Field(default=None, description="OData filter expression to refine search results")
    semantic_config_name: str | None = Field(default=None, description="Semantic configuration name")
    enable_caching: bool = Field(default=False, description="Whether to cache search results")
    cache_ttl_seconds: int = Field(default=300, description="How long to cache results in seconds")
    embedding_provider: str | None = Field(default=None, description="'openai' or 'azure_openai' (client-side)")
    embedding_model: str | None = Field(default=None, description="Model name for client-side embeddings")
    openai_api_key: SecretStr | None = Field(default=None, description="API key for OpenAI/Azure OpenAI embeddings")
    openai_api_version: str | None = Field(default=None, description="API version for Azure OpenAI embeddings")
    openai_endpoint: str | None = Field(default=None, description="Endpoint URL for Azure OpenAI embeddings")

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("endpoint must be a valid URL starting with http:// or https://")
        return value

    @field_validator("query_type", mode="before")
    @classmethod
    def _normalize_query_type(cls, value: Any) -> Any:
        if not value:
            return "simple"
        return "full" if isinstance(value, str) and value.lower() == "fulltext" else value

    @field_validator("top")
    @classmethod
    def _top_is_positive(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError("top must be a positive integer")
        return value

    @model_validator(mode="after")
    def _check_dependent_fields(self) -> Self:
        if self.query_type == "semantic" and not self.semantic_config_name:
            raise ValueError("semantic_config_name must be provided when query_type is 'semantic'")
        if self.query_type == "vector" and not self.vector_fields:
            raise ValueError("vector_fields must be provided for vector search")
        provider = (self.embedding_provider or "").lower()
        if provider == "azure_openai" and self.embedding_model and not self.openai_endpoint:
            raise ValueError("openai_endpoint must be provided for azure_openai embedding provider")
        return self
