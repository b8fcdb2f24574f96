"""Memory: stores an agent queries to enrich its model context (``autogen_core.memory``)."""

from __future__ import annotations

from ._base import Memory, MemoryContent, MemoryMimeType, MemoryQueryResult, UpdateContextResult
from ._list_memory import ListMemory, ListMemoryConfig

__all__ = [
    "ListMemory",
    "ListMemoryConfig",
    "Memory",
    "MemoryContent",
    "MemoryMimeType",
    "MemoryQueryResult",
    "UpdateContextResult",
]
