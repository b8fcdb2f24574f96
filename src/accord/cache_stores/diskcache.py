"""A cache store on disk (``diskcache``); serves ``autogen_ext.cache_store.diskcache``."""

from __future__ import annotations

import logging
from typing import Any, Self, TypeVar, cast

from pydantic import BaseModel

from .._imports import require
from ..core import CacheStore, Component
from ._json import UnsafeCacheValueError, decode, encode
from ._safe_disk import PickledCacheRowError, check_cache_directory, json_only_disk

__all__ = ["DiskCacheStore", "DiskCacheStoreConfig"]

T = TypeVar("T")
logger = logging.getLogger("accord.cache_stores")


class DiskCacheStoreConfig(BaseModel):
    directory: str


class DiskCacheStore(CacheStore[T], Component[DiskCacheStoreConfig]):
    """Stores values as JSON in a ``diskcache.Cache`` (whose lifetime the caller manages).

    Values are written as JSON, never pickled, and read through a ``Disk`` that refuses pickle rows (diskcache's
    own ``Disk`` would unpickle them inside ``Cache.get``), so a cache directory cannot run code when read. A
    refused row is logged at WARNING and is a miss. ``get`` returns dicts/lists that the reader re-validates
    (``ChatCompletionCache`` does).
    """

    component_config_schema = DiskCacheStoreConfig
    component_provider_override = "autogen_ext.cache_store.diskcache.DiskCacheStore"

    def __init__(self, cache_instance: Any) -> None:
        self.cache = cache_instance
        self._reader = _safe_view(cache_instance)

    def get(self, key: str, default: T | None = None) -> T | None:
        try:
            raw = self._reader.get(key, None)
            if raw is None:
                return default
            return cast(T | None, decode(raw, key=key))
        except (PickledCacheRowError, UnsafeCacheValueError) as e:
            logger.warning("Disk cache get(%s) refused a row: %s", key, e)
            return default

    def set(self, key: str, value: T) -> None:
        self._reader.set(key, encode(value))

    def _to_config(self) -> DiskCacheStoreConfig:
        return DiskCacheStoreConfig(directory=str(self.cache.directory))

    @classmethod
    def _from_config(cls, config: DiskCacheStoreConfig) -> Self:
        diskcache = require("diskcache", extra="diskcache")
        check_cache_directory(config.directory)
        return cls(cache_instance=diskcache.Cache(config.directory, disk=json_only_disk()))


def _safe_view(cache: Any) -> Any:
    """``cache`` itself if it already reads through the JSON-only disk, else a second handle on its directory that
    does (the caller's object keeps its own disk for whatever else it stores)."""
    diskcache = require("diskcache", extra="diskcache")
    disk_cls = json_only_disk()
    if isinstance(getattr(cache, "disk", None), disk_cls) or not isinstance(cache, diskcache.Cache):
        return cache
    check_cache_directory(str(cache.directory))
    return diskcache.Cache(str(cache.directory), disk=disk_cls)
