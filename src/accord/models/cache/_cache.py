"""A caching wrapper: identical requests are answered from a store (serves ``autogen_ext.models.cache``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel, ValidationError

from ...core import CacheStore, CancellationToken, Component, ComponentModel, InMemoryStore
from .._call import ModelCall
from .._client import ChatCompletionClient, ToolChoice
from .._tool_schema import ToolInput, tool_schemas
from .._types import CreateResult, LLMMessage
from ..wrappers._base import WrappingChatCompletionClient

__all__ = ["CHAT_CACHE_VALUE_TYPE", "ChatCompletionCache", "ChatCompletionCacheConfig"]

CHAT_CACHE_VALUE_TYPE = CreateResult | list[str | CreateResult]


class ChatCompletionCacheConfig(BaseModel):
    client: ComponentModel
    store: ComponentModel | None = None


def cache_key(
    messages: Sequence[LLMMessage],
    tools: Sequence[ToolInput],
    json_output: bool | type[BaseModel] | None,
    extra_create_args: Mapping[str, Any],
) -> str:
    """sha256 of the request (messages, tool schemas, json_output, extra args) as sorted JSON."""
    json_data: str | bool | None = None
    if isinstance(json_output, type) and issubclass(json_output, BaseModel):
        json_data = json.dumps(json_output.model_json_schema())
    elif isinstance(json_output, bool):
        json_data = json_output
    data = {
        "messages": [message.model_dump() for message in messages],
        "tools": tool_schemas(tools),
        "json_output": json_data,
        "extra_create_args": dict(extra_create_args),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _revive(value: Any) -> CreateResult | list[str | CreateResult] | None:
    """A cached value as stored by any store: objects, dicts (disk/Redis JSON), or JSON text."""
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    try:
        if isinstance(value, CreateResult):
            return value
        if isinstance(value, dict):
            return CreateResult.model_validate(value)
        if isinstance(value, list):
            items: list[str | CreateResult] = []
            for item in value:
                if isinstance(item, CreateResult | str):
                    items.append(item)
                elif isinstance(item, dict):
                    items.append(CreateResult.model_validate(item))
                else:
                    return None
            return items
    except ValidationError:
        return None
    return None


def _as_cached(result: CreateResult) -> CreateResult:
    return result.model_copy(update={"cached": True})


class ChatCompletionCache(WrappingChatCompletionClient, Component[ChatCompletionCacheConfig]):
    """Answers a request seen before from ``store`` (default: in memory); otherwise asks ``client`` and stores it.

    Hits come back with ``cached=True``; a cached stream is replayed chunk by chunk, and a stream request that hits
    a non-stream result yields its text then the result. The cancellation token is ignored for hits.
    """

    component_type = "chat_completion_cache"
    component_provider_override = "autogen_ext.models.cache.ChatCompletionCache"
    component_config_schema = ChatCompletionCacheConfig

    def __init__(self, client: ChatCompletionClient, store: CacheStore[Any] | None = None) -> None:
        super().__init__(client)
        self.client = client
        self.store: CacheStore[Any] = store if store is not None else InMemoryStore()

    def _lookup(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> tuple[CreateResult | list[str | CreateResult] | None, str]:
        key = cache_key(messages, tools, json_output, extra_create_args)
        found = self.store.get(key)
        return (None if found is None else _revive(found)), key

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        cached, key = self._lookup(messages, tools, json_output, extra_create_args)
        if isinstance(cached, CreateResult):
            return _as_cached(cached)
        if isinstance(cached, list):
            for item in reversed(cached):
                if isinstance(item, CreateResult):
                    return _as_cached(item)
        result = await call.create(self.client)
        self.store.set(key, result)
        return result

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        cached, key = self._lookup(messages, tools, json_output, extra_create_args)
        if isinstance(cached, list):
            for item in cached:
                yield _as_cached(item) if isinstance(item, CreateResult) else item
            return
        if isinstance(cached, CreateResult):
            if isinstance(cached.content, str) and cached.content:
                yield cached.content
            yield _as_cached(cached)
            return
        output: list[str | CreateResult] = []
        async for item in call.stream(self.client):
            output.append(item)
            yield item
        self.store.set(key, output)

    def _to_config(self) -> ChatCompletionCacheConfig:
        store = None if isinstance(self.store, InMemoryStore) else self.store.dump_component()
        return ChatCompletionCacheConfig(client=self.client.dump_component(), store=store)

    @classmethod
    def _from_config(cls, config: ChatCompletionCacheConfig) -> Self:
        client = ChatCompletionClient.load_component(config.client)
        store: CacheStore[Any] | None = None
        if config.store is not None:
            store = CacheStore.load_component(config.store)
        return cls(client=client, store=store)
