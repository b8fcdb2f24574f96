"""No pickle where a file or a server feeds it: a pickle planted in a real diskcache directory or in the real
Redis never runs; the cache keeps working next to it (issue 10, item 7)."""

from __future__ import annotations

import logging
import pickle
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from accord.core import load_component
from accord.models import CreateResult, UserMessage
from accord.models.cache import ChatCompletionCache
from accord.models.cache._cache import cache_key

diskcache = pytest.importorskip("diskcache", reason="the diskcache extra is part of make install")
redis = pytest.importorskip("redis", reason="the redis extra is part of make install")

MESSAGES = [UserMessage(content="What is 2+2?", source="user")]


class Payload:
    """What an attacker pickles: unpickling it creates the marker file (any code could run instead)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (Path.touch, (self.marker,))


def _cache_config(directory: Path) -> dict[str, Any]:
    return {
        "provider": "autogen_ext.models.cache.ChatCompletionCache",
        "config": {
            "client": {"provider": "accord.testing.ScriptedChatCompletionClient", "config": {"script": ["four"]}},
            "store": {
                "provider": "autogen_ext.cache_store.diskcache.DiskCacheStore",
                "config": {"directory": str(directory)},
            },
        },
    }


async def test_a_pickle_planted_in_the_cache_directory_never_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "pwned"
    directory = tmp_path / "cache"
    key = cache_key(MESSAGES, [], None, {})
    with diskcache.Cache(str(directory)) as planted:  # diskcache's own Disk writes a pickle-mode row
        planted.set(key, Payload(marker))
    cache = load_component(_cache_config(directory))
    assert isinstance(cache, ChatCompletionCache)
    with caplog.at_level(logging.WARNING, logger="accord.cache_stores"):
        first = await cache.create(MESSAGES)
    assert not marker.exists(), "the planted pickle was unpickled"
    assert first.content == "four" and not first.cached  # refused row = a miss: the model answered
    assert "is a pickle; accord never unpickles" in caplog.text and key in caplog.text
    second = await cache.create(MESSAGES)  # the legitimate use: the JSON row written in its place is a hit
    assert second.cached and second.content == "four"
    assert not marker.exists()


async def test_a_store_given_in_code_reads_through_the_json_only_disk_too(tmp_path: Path) -> None:
    from accord.cache_stores.diskcache import DiskCacheStore

    marker = tmp_path / "pwned"
    with diskcache.Cache(str(tmp_path / "c")) as user_cache:
        user_cache.set("planted", Payload(marker))
        store: DiskCacheStore[Any] = DiskCacheStore(user_cache)
        assert store.get("planted") is None and not marker.exists()
        store.set("k", {"a": 1})
        assert store.get("k") == {"a": 1}


def test_a_cache_row_pointing_outside_the_directory_is_neither_read_nor_deleted(tmp_path: Path) -> None:
    from accord.cache_stores.diskcache import DiskCacheStore

    victim = tmp_path / "victim.txt"
    victim.write_text("host file")
    directory = tmp_path / "cache"
    store = load_component(
        {"provider": "autogen_ext.cache_store.diskcache.DiskCacheStore", "config": {"directory": str(directory)}}
    )
    assert isinstance(store, DiskCacheStore)
    store.set("k", {"ok": True})
    db = sqlite3.connect(directory / "cache.db")
    db.execute(
        "UPDATE Cache SET mode = 2, filename = ?, value = NULL WHERE key = 'k'", (str(victim),)
    )  # MODE_BINARY file
    db.commit()
    db.close()
    assert store.get("k") is None  # not read
    store.set("k", {"ok": 2})  # overwriting makes diskcache remove the old row's file: not outside the directory
    assert victim.read_text() == "host file"
    assert store.get("k") == {"ok": 2}


def test_a_hostile_settings_table_is_refused_before_diskcache_opens_it(tmp_path: Path) -> None:
    from accord.cache_stores._safe_disk import UnsafeCacheDirectoryError

    directory = tmp_path / "cache"
    diskcache.Cache(str(directory)).close()
    db = sqlite3.connect(directory / "cache.db")
    db.execute("INSERT INTO Settings VALUES ('disk__directory', '/')")  # would become an attribute of the Disk
    db.commit()
    db.close()
    config = {"provider": "autogen_ext.cache_store.diskcache.DiskCacheStore", "config": {"directory": str(directory)}}
    with pytest.raises(UnsafeCacheDirectoryError, match=r"'disk__directory'.*is not a diskcache setting"):
        load_component(config)


def _redis_client() -> Any:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (real-parts.md: redis-server --daemonize yes)")
    return client


@pytest.mark.real_server
async def test_a_pickle_planted_in_redis_is_refused(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    client = _redis_client()
    marker = tmp_path / "pwned"
    messages = [UserMessage(content=f"What is 2+2? ({uuid.uuid4().hex})", source="user")]  # a key of this test only
    key = cache_key(messages, [], None, {})
    db = 15
    plain = redis.Redis(host="127.0.0.1", port=6379, db=db)
    try:
        plain.set(key, pickle.dumps(Payload(marker)))
        cache = load_component(
            {
                "provider": "autogen_ext.models.cache.ChatCompletionCache",
                "config": {
                    "client": {
                        "provider": "accord.testing.ScriptedChatCompletionClient",
                        "config": {"script": ["four"]},
                    },
                    "store": {
                        "provider": "autogen_ext.cache_store.redis.RedisStore",
                        "config": {"host": "127.0.0.1", "db": db},
                    },
                },
            }
        )
        with caplog.at_level(logging.WARNING, logger="accord.cache_stores"):
            first = await cache.create(messages)
        assert first.content == "four" and not first.cached
        assert "is a pickle; accord never unpickles" in caplog.text
        assert not marker.exists()
        second = await cache.create(messages)
        assert second.cached and isinstance(second, CreateResult)
    finally:
        plain.delete(key)
        plain.close()
        client.close()
