"""NatsAgentRuntime against a real nats-server: workers in one process talking over NATS, and bad input."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from typing import Any

import pytest

from accord._errors import RunError, UsageError
from accord.core import AgentId, CancellationToken, MessageContext, RoutedAgent, TopicId, TypeSubscription, message_handler
from accord.core import try_get_known_serializers_for_type
from accord.core.exceptions import NotAccessibleError, UndeliverableException
from accord.runtimes.nats import (
    LocalNatsServer,
    MessageTooLargeError,
    NatsAgentRuntime,
    NoSerializerError,
    RemoteHandlerError,
)

from .nats_agents import Boom, Get, Inc, Slow, Snapshot, Tally

pytestmark = pytest.mark.real_server


@pytest.fixture
async def pair(nats_server: LocalNatsServer, deployment: str) -> Any:
    """A client worker (no agents) and a worker serving ``tally`` (subscribed to ``inc``)."""
    client = NatsAgentRuntime(nats_server.url, deployment=deployment, worker_id="client")
    client.add_message_serializer(try_get_known_serializers_for_type(Snapshot))  # the reply type, as in AutoGen
    worker = NatsAgentRuntime(nats_server.url, deployment=deployment, worker_id="server")
    await Tally.register(worker, "tally", Tally)
    await worker.add_subscription(TypeSubscription("inc", "tally"))
    worker.start()
    await worker.started()
    client.start()
    await client.started()
    yield client, worker
    await client.close()
    await worker.close()


async def test_send_and_publish_cross_workers(pair: Any) -> None:
    client, worker = pair
    for i in range(5):
        await client.publish_message(Inc(i), TopicId("inc", "k1"))
    await client.stop_when_idle()
    snapshot = await worker.send_message(Get(), AgentId("tally", "k1"))
    assert snapshot.seqs == [0, 1, 2, 3, 4]
    client.start()
    await client.started()
    remote = await client.send_message(Get(), AgentId("tally", "k1"))
    assert isinstance(remote, Snapshot) and remote.seqs == [0, 1, 2, 3, 4]
    assert worker.metrics()["rpc_handled"] >= 1


async def test_remote_error_keeps_type_and_message(pair: Any) -> None:
    client, _ = pair
    with pytest.raises(RemoteHandlerError) as info:
        await client.send_message(Boom("lost key"), AgentId("tally", "k"))
    assert isinstance(info.value, KeyError)
    assert info.value.error_type == "KeyError" and "lost key" in info.value.error_message
    assert "worker server" in str(info.value)


async def test_remote_instance_is_not_accessible(pair: Any) -> None:
    client, worker = pair
    await client.get("tally", "k", lazy=False)
    with pytest.raises(NotAccessibleError, match="worker server"):
        await client.try_get_underlying_agent_instance(AgentId("tally", "k"))
    assert isinstance(await worker.try_get_underlying_agent_instance(AgentId("tally", "k")), Tally)


CANCELLED: list[str] = []


@dataclass
class Wait:
    seconds: float


class Waiter(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("waits")

    @message_handler
    async def on_wait(self, message: Wait, ctx: MessageContext) -> None:
        try:
            await asyncio.sleep(message.seconds)
        except asyncio.CancelledError:
            CANCELLED.append(self.id.key)
            raise


async def test_cancellation_reaches_the_remote_handler(nats_server: LocalNatsServer, deployment: str) -> None:
    async with (
        NatsAgentRuntime(nats_server.url, deployment=deployment) as client,
        NatsAgentRuntime(nats_server.url, deployment=deployment) as worker,
    ):
        await Waiter.register(worker, "waiter", Waiter)
        await asyncio.sleep(0.1)  # the client sees the new type in the worker's heartbeat
        for _ in range(50):
            if client._membership.serves("waiter"):
                break
            await asyncio.sleep(0.05)
        token = CancellationToken()
        call = asyncio.ensure_future(client.send_message(Wait(30), AgentId("waiter", "c1"), cancellation_token=token))
        await asyncio.sleep(0.3)
        token.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        for _ in range(100):
            if "c1" in CANCELLED:
                break
            await asyncio.sleep(0.02)
        assert "c1" in CANCELLED


async def test_deadline_cancels_the_remote_handler(nats_server: LocalNatsServer, deployment: str) -> None:
    async with (
        NatsAgentRuntime(nats_server.url, deployment=deployment, rpc_timeout=0.5) as client,
        NatsAgentRuntime(nats_server.url, deployment=deployment) as worker,
    ):
        await Waiter.register(worker, "waiter", Waiter)
        for _ in range(50):
            if client._membership.serves("waiter"):
                break
            await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(Exception, match="deadline|TimeoutError"):
            await client.send_message(Wait(30), AgentId("waiter", "d1"))
        assert time.monotonic() - started < 3
        for _ in range(100):
            if "d1" in CANCELLED:
                break
            await asyncio.sleep(0.02)
        assert "d1" in CANCELLED


# ---------------------------------------------------------------- bad input


async def test_unreachable_nats_names_the_url_within_the_timeout() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runtime = NatsAgentRuntime(f"nats://user:secret@127.0.0.1:{port}", connect_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(RunError, match=f"127.0.0.1:{port}") as info:
        await runtime.register_factory("x", Tally)
    assert time.monotonic() - started < 2.5
    assert "secret" not in str(info.value)


class Opaque:
    """A message type with no serializer."""


async def test_type_without_serializer_fails_at_send_naming_it(pair: Any) -> None:
    client, _ = pair
    with pytest.raises(NoSerializerError, match="Opaque"):
        await client.send_message(Opaque(), AgentId("tally", "k"))
    with pytest.raises(NoSerializerError, match="Opaque"):
        await client.publish_message(Opaque(), TopicId("inc", "k"))


@dataclass
class Blob:
    data: str


async def test_message_over_max_payload_names_both_sizes(pair: Any) -> None:
    client, _ = pair
    limit = client._nc.max_payload
    with pytest.raises(MessageTooLargeError, match=rf"larger than .* max payload of {limit} bytes") as info:
        await client.publish_message(Blob("x" * (limit + 10)), TopicId("inc", "k"))
    assert str(limit + 10) in str(info.value) or "bytes" in str(info.value)
    with pytest.raises(MessageTooLargeError, match=str(limit)):
        await client.send_message(Blob("x" * (limit + 10)), AgentId("tally", "k"))


async def test_same_type_with_another_version_is_refused_naming_both(
    nats_server: LocalNatsServer, deployment: str
) -> None:
    async with (
        NatsAgentRuntime(nats_server.url, deployment=deployment, worker_id="old") as first,
        NatsAgentRuntime(nats_server.url, deployment=deployment, worker_id="new") as second,
    ):
        await first.register_factory("svc", Tally, version="1.0")
        for _ in range(50):
            if second._membership.serves("svc"):
                break
            await asyncio.sleep(0.05)
        with pytest.raises(UsageError, match=r"'1\.0'.*'2\.0'"):
            await second.register_factory("svc", Tally, version="2.0")
        await second.register_factory("svc", Tally, version="1.0")


async def test_send_before_start_says_so(nats_server: LocalNatsServer, deployment: str) -> None:
    runtime = NatsAgentRuntime(nats_server.url, deployment=deployment)
    try:
        with pytest.raises(RunError, match="start"):
            await runtime.send_message(Get(), AgentId("tally", "k"))
    finally:
        await runtime.close()


async def test_slow_rpc_answers(pair: Any) -> None:
    client, _ = pair
    result = await client.send_message(Slow(0.2), AgentId("tally", "s"))
    assert isinstance(result, Snapshot)
    with pytest.raises(UndeliverableException):
        await client.send_message(Get(), AgentId("other", "k"))
