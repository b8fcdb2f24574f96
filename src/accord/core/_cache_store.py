from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

from ._component import Component, ComponentBase

__all__ = ["CacheStore", "InMemoryStore"]

T = TypeVar("T")


class CacheStore(ABC, Generic[T], ComponentBase[BaseModel]):
    """A key-value store used by caching wrappers (e.g. ChatCompletionCache)."""

    component_type = "cache_store"

    @abstractmethod
    def get(self, key: str, default: T | None = None) -> T | None: ...

    @abstractmethod
    def set(self, key: str, value: T) -> None: ...


class InMemoryStoreConfig(BaseModel):
    pass


class InMemoryStore(CacheStore[T], Component[InMemoryStoreConfig]):
    """A dict-backed cache store living in this process."""

    component_provider_override = "autogen_core.InMemoryStore"
    component_config_schema = InMemoryStoreConfig

    def __init__(self) -> None:
        self.store: dict[str, Any] = {}

    def get(self, key: str, default: T | None = None) -> T | None:
        return self.store.get(key, default)

    def set(self, key: str, value: T) -> None:
        self.store[key] = value

    def _to_config(self) -> InMemoryStoreConfig:
        return InMemoryStoreConfig()

    @classmethod
    def _from_config(cls, config: InMemoryStoreConfig) -> Self:
        return cls()
