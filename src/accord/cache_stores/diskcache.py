"""A cache store on disk (``diskcache``); serves ``autogen_ext.cache_store.diskcache``."""

from __future__ import annotations

from typing import Any, Self, TypeVar, cast

from pydantic import BaseModel

from .._imports import require
from ..core import CacheStore, Component
from ._json import decode, encode

__all__ = ["DiskCacheStore", "DiskCacheStoreConfig"]

T = TypeVar("T")


class DiskCacheStoreConfig(BaseModel):
    directory: str


class DiskCacheStore(CacheStore[T], Component[DiskCacheStoreConfig]):
    """Stores values as JSON in a ``diskcache.Cache`` (whose lifetime the caller manages).

    Values are written as JSON, never pickled, so a cache directory cannot run code when read; ``get`` returns
    dicts/lists that the reader re-validates (``ChatCompletionCache`` does).
    """

    component_config_schema = DiskCacheStoreConfig
    component_provider_override = "autogen_ext.cache_store.diskcache.DiskCacheStore"

    def __init__(self, cache_instance: Any) -> None:
        self.cache = cache_instance

    def get(self, key: str, default: T | None = None) -> T | None:
        raw = self.cache.get(key, None)
        if raw is None:
            return default
        return cast(T | None, decode(raw))

    def set(self, key: str, value: T) -> None:
        self.cache.set(key, encode(value))

    def _to_config(self) -> DiskCacheStoreConfig:
        return DiskCacheStoreConfig(directory=str(self.cache.directory))

    @classmethod
    def _from_config(cls, config: DiskCacheStoreConfig) -> Self:
        diskcache = require("diskcache", extra="diskcache")
        return cls(cache_instance=diskcache.Cache(config.directory))
