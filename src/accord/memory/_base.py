from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, field_serializer

from ..core import CancellationToken, ComponentBase, Image

if TYPE_CHECKING:
    from ..model_context import ChatCompletionContext

__all__ = ["Memory", "MemoryContent", "MemoryMimeType", "MemoryQueryResult", "UpdateContextResult"]


class MemoryMimeType(Enum):
    TEXT = "text/plain"
    JSON = "application/json"
    MARKDOWN = "text/markdown"
    IMAGE = "image/*"
    BINARY = "application/octet-stream"


ContentType = str | bytes | dict[str, Any] | Image


class MemoryContent(BaseModel):
    """One item stored in a memory."""

    content: ContentType
    mime_type: MemoryMimeType | str
    metadata: dict[str, Any] | None = None

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @field_serializer("mime_type")
    def _serialize_mime_type(self, mime_type: MemoryMimeType | str) -> str:
        return mime_type.value if isinstance(mime_type, MemoryMimeType) else mime_type


class MemoryQueryResult(BaseModel):
    results: list[MemoryContent]


class UpdateContextResult(BaseModel):
    memories: MemoryQueryResult


class Memory(ABC, ComponentBase[BaseModel]):
    """A store an agent queries to enrich its model context."""

    component_type = "memory"

    @abstractmethod
    async def update_context(self, model_context: ChatCompletionContext) -> UpdateContextResult: ...

    @abstractmethod
    async def query(
        self, query: str | MemoryContent, cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> MemoryQueryResult: ...

    @abstractmethod
    async def add(self, content: MemoryContent, cancellation_token: CancellationToken | None = None) -> None: ...

    @abstractmethod
    async def clear(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...
