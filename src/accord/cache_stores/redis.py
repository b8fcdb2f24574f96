"""A cache store in Redis; serves ``autogen_ext.cache_store.redis``."""

from __future__ import annotations

import logging
from typing import Any, Self, TypeVar, cast

from pydantic import BaseModel, SecretStr

from .._imports import require
from ..core import CacheStore, Component
from ._json import UnsafeCacheValueError, decode, encode

__all__ = ["RedisStore", "RedisStoreConfig"]

T = TypeVar("T")
logger = logging.getLogger("accord.cache_stores")


class RedisStoreConfig(BaseModel):
    host: str = "localhost"
    port: int = 6379
    db: int = 0
    username: str | None = None
    password: SecretStr | None = None
    ssl: bool = False
    socket_timeout: float | None = None


class RedisStore(CacheStore[T], Component[RedisStoreConfig]):
    """Stores values as JSON in Redis through a ``redis.Redis`` client (whose lifetime the caller manages).

    A cache must not take the application down: Redis errors are logged at WARNING and treated as misses. Values
    are JSON; anything else read back (a pickle someone planted) is refused, logged at WARNING and a miss.
    """

    component_config_schema = RedisStoreConfig
    component_provider_override = "autogen_ext.cache_store.redis.RedisStore"

    def __init__(self, redis_instance: Any) -> None:
        self.cache = redis_instance

    def get(self, key: str, default: T | None = None) -> T | None:
        redis = require("redis", extra="redis")
        try:
            raw = self.cache.get(key)
        except (redis.RedisError, ConnectionError) as e:
            logger.warning("Redis cache get(%s) failed: %s", key, e)
            return default
        if raw is None:
            return default
        try:
            return cast(T | None, decode(raw, key=key))
        except UnsafeCacheValueError as e:
            logger.warning("Redis cache get(%s) refused a value: %s", key, e)
            return default

    def set(self, key: str, value: T) -> None:
        redis = require("redis", extra="redis")
        try:
            self.cache.set(key, encode(value))
        except (redis.RedisError, ConnectionError, TypeError, ValueError) as e:
            logger.warning("Redis cache set(%s) failed: %s", key, e)

    def _to_config(self) -> RedisStoreConfig:
        kwargs: dict[str, Any] = self.cache.connection_pool.connection_kwargs
        timeout = kwargs.get("socket_timeout")
        return RedisStoreConfig(
            host=str(kwargs.get("host", "localhost")),
            port=int(kwargs.get("port", 6379)),
            db=int(kwargs.get("db", 0)),
            username=kwargs.get("username"),
            password=kwargs.get("password"),
            ssl=bool(kwargs.get("ssl", False))
            or "SSL" in getattr(self.cache.connection_pool.connection_class, "__name__", ""),
            socket_timeout=float(timeout) if timeout is not None else None,
        )

    @classmethod
    def _from_config(cls, config: RedisStoreConfig) -> Self:
        redis = require("redis", extra="redis")
        return cls(
            redis.Redis(
                host=config.host,
                port=config.port,
                db=config.db,
                username=config.username,
                password=config.password.get_secret_value() if config.password is not None else None,
                ssl=config.ssl,
                socket_timeout=config.socket_timeout,
            )
        )
