from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from accord.core import CacheStore, FunctionCall, InMemoryStore, load_component
from accord.models import CreateResult, RequestUsage, UserMessage
from accord.models.cache import ChatCompletionCache
from accord.models.replay import ReplayChatCompletionClient

MESSAGES = [UserMessage(content="hello", source="user")]


async def _exercise(store: CacheStore[Any] | None) -> None:
    inner = ReplayChatCompletionClient(["first answer", "second answer", "third one"])
    cache = ChatCompletionCache(inner, store)
    first = await cache.create(MESSAGES)
    again = await cache.create(MESSAGES)
    assert again.content == first.content == "first answer" and again.cached is True
    assert len(inner.create_calls) == 1
    other = await cache.create([UserMessage(content="different", source="user")])
    assert other.content == "second answer"
    # streams are cached chunk by chunk and replayed
    streamed = [item async for item in cache.create_stream([UserMessage(content="s", source="user")])]
    replayed = [item async for item in cache.create_stream([UserMessage(content="s", source="user")])]
    assert replayed[:-1] == streamed[:-1] == ["third ", "one"]
    last = replayed[-1]
    assert isinstance(last, CreateResult) and last.cached is True
    # a stream request that hits a create() result yields its text then the result
    hit = [item async for item in cache.create_stream(MESSAGES)]
    assert hit[0] == "first answer" and isinstance(hit[1], CreateResult)
    # a create() that hits a cached stream returns the stream's final result
    assert (await cache.create([UserMessage(content="s", source="user")])).content == "third one"


async def test_in_memory_cache() -> None:
    await _exercise(None)


async def test_disk_cache_store(tmp_path: Path) -> None:
    diskcache = pytest.importorskip("diskcache", reason="diskcache is not installed (accord[diskcache])")
    from accord.cache_stores.diskcache import DiskCacheStore

    with diskcache.Cache(str(tmp_path)) as disk:
        store: DiskCacheStore[Any] = DiskCacheStore(disk)
        await _exercise(store)
        model = store.dump_component()
        assert model.provider == "autogen_ext.cache_store.diskcache.DiskCacheStore"
        assert model.config == {"directory": str(tmp_path)}
    # tool-call results survive the JSON round trip through disk
    with diskcache.Cache(str(tmp_path / "calls")) as disk:
        store = DiskCacheStore(disk)
        call = CreateResult(
            finish_reason="function_calls",
            content=[FunctionCall(id="1", arguments="{}", name="f")],
            usage=RequestUsage(1, 1),
            cached=False,
        )
        cache = ChatCompletionCache(ReplayChatCompletionClient([call]), store)
        await cache.create(MESSAGES)
        hit = await cache.create(MESSAGES)
        assert hit.content == call.content and hit.cached


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.real_server
async def test_redis_store_against_local_redis() -> None:
    redis = pytest.importorskip("redis", reason="redis is not installed (accord[redis])")
    if not _redis_up():
        pytest.skip("No Redis server on 127.0.0.1:6379 (.ci/run starts one)")
    from accord.cache_stores.redis import RedisStore

    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    prefix = uuid.uuid4().hex

    class PrefixedRedis:
        """Keeps this test's keys apart from other users of the shared Redis."""

        connection_pool = client.connection_pool

        def get(self, key: str) -> Any:
            return client.get(prefix + key)

        def set(self, key: str, value: Any) -> Any:
            return client.set(prefix + key, value, ex=60)

    store: RedisStore[Any] = RedisStore(PrefixedRedis())
    try:
        await _exercise(store)
        model = store.dump_component()
        assert model.provider == "autogen_ext.cache_store.redis.RedisStore"
        assert model.config["host"] == "127.0.0.1" and model.config["port"] == 6379
        loaded = load_component(model)
        assert isinstance(loaded, RedisStore)
        loaded.cache.close()
    finally:
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)
        client.close()


def test_redis_errors_are_misses() -> None:
    redis = pytest.importorskip("redis", reason="redis is not installed (accord[redis])")
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from accord.cache_stores.redis import RedisStore

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    store: RedisStore[Any] = RedisStore(dead)
    assert store.get("k", "default") == "default"
    store.set("k", "v")  # logged, not raised
    dead.close()


def test_cache_config_round_trip() -> None:
    cache = ChatCompletionCache(ReplayChatCompletionClient(["a"]))
    model = cache.dump_component()
    assert model.provider == "autogen_ext.models.cache.ChatCompletionCache"
    assert model.component_type == "chat_completion_cache"
    assert "store" not in model.config
    loaded = load_component(model)
    assert isinstance(loaded, ChatCompletionCache) and isinstance(loaded.store, InMemoryStore)
