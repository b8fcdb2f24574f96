"""Caching wrapper for model clients (serves ``autogen_ext.models.cache``)."""

from __future__ import annotations

from ._cache import CHAT_CACHE_VALUE_TYPE, ChatCompletionCache, ChatCompletionCacheConfig

__all__ = ["CHAT_CACHE_VALUE_TYPE", "ChatCompletionCache", "ChatCompletionCacheConfig"]
