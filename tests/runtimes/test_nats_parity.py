"""The local runtime's semantics, checked on SingleThreadedAgentRuntime and on NatsAgentRuntime (a real nats-server).

What AutoGen's distributed runtime shares with the local one: publish never reaches its sender, a removed
subscription stops deliveries, an unknown agent type is undeliverable, handler errors reach the caller, state
round-trips, interventions drop, the envelope stream sees sends and responses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from accord.core import (
    AgentId,
    DefaultInterventionHandler,
    DropMessage,
    SingleThreadedAgentRuntime,
    TopicId,
    TypeSubscription,
)
from accord.core.exceptions import MessageDroppedException, UndeliverableException
from accord.runtimes.nats import LocalNatsServer, NatsAgentRuntime

from .nats_agents import Boom, Get, Inc, Snapshot, Tally

pytestmark = pytest.mark.real_server


@pytest.fixture(params=["local", "nats"])
def make_runtime(request: pytest.FixtureRequest, deployment: str) -> Any:
    def make(**kwargs: Any) -> Any:
        if request.param == "local":
            return SingleThreadedAgentRuntime(**kwargs)
        server: LocalNatsServer = request.getfixturevalue("nats_server")
        return NatsAgentRuntime(server.url, deployment=deployment, **kwargs)

    return make


@pytest.fixture
async def runtime(make_runtime: Any) -> AsyncIterator[Any]:
    rt = make_runtime()
    yield rt
    if isinstance(rt, NatsAgentRuntime):
        await rt.close()
    elif rt.is_running:
        await rt.stop()


async def start(rt: Any) -> None:
    rt.start()
    if isinstance(rt, NatsAgentRuntime):
        await rt.started()


async def seqs(rt: Any, agent: AgentId) -> list[int]:
    snapshot = await rt.send_message(Get(), agent)
    assert isinstance(snapshot, Snapshot)
    return snapshot.seqs


async def test_publish_is_never_delivered_back_to_its_sender(runtime: Any) -> None:
    await Tally.register(runtime, "a", Tally)
    await Tally.register(runtime, "b", Tally)
    await runtime.add_subscription(TypeSubscription("t", "a"))
    await runtime.add_subscription(TypeSubscription("t", "b"))
    await start(runtime)
    await runtime.publish_message(Inc(1), TopicId("t", "k"), sender=AgentId("a", "k"))
    await runtime.stop_when_idle()
    await start(runtime)
    assert await seqs(runtime, AgentId("a", "k")) == []
    assert await seqs(runtime, AgentId("b", "k")) == [1]


async def test_removed_subscription_stops_deliveries(runtime: Any) -> None:
    await Tally.register(runtime, "a", Tally)
    sub = TypeSubscription("t", "a")
    await runtime.add_subscription(sub)
    await start(runtime)
    await runtime.publish_message(Inc(1), TopicId("t", "k"))
    await runtime.stop_when_idle()
    await runtime.remove_subscription(sub.id)
    await start(runtime)
    await runtime.publish_message(Inc(2), TopicId("t", "k"))
    await runtime.stop_when_idle()
    await start(runtime)
    assert await seqs(runtime, AgentId("a", "k")) == [1]
    with pytest.raises(ValueError, match="does not exist"):
        await runtime.remove_subscription(sub.id)


async def test_unknown_agent_type_is_undeliverable(runtime: Any) -> None:
    await Tally.register(runtime, "a", Tally)
    await start(runtime)
    with pytest.raises(UndeliverableException, match="'nobody'"):
        await runtime.send_message(Get(), AgentId("nobody", "k"))
    with pytest.raises(LookupError):
        await runtime.get("nobody")


async def test_handler_error_reaches_the_caller_with_type_and_message(runtime: Any) -> None:
    await Tally.register(runtime, "a", Tally)
    await start(runtime)
    with pytest.raises(KeyError, match="no such thing"):
        await runtime.send_message(Boom("no such thing"), AgentId("a", "k"))


async def test_state_round_trips_per_agent(runtime: Any) -> None:
    await Tally.register(runtime, "a", Tally)
    await start(runtime)
    agent = AgentId("a", "k")
    await runtime.agent_load_state(agent, {"seqs": [4, 5]})
    assert await runtime.agent_save_state(agent) == {"seqs": [4, 5]}
    assert await seqs(runtime, agent) == [4, 5]
    assert (await runtime.agent_metadata(agent))["key"] == "k"


async def test_intervention_drop_raises_at_the_sender(make_runtime: Any) -> None:
    class DropGets(DefaultInterventionHandler):
        async def on_send(self, message: Any, *, message_context: Any, recipient: AgentId) -> Any:
            return DropMessage if isinstance(message, Get) else message

    rt = make_runtime(intervention_handlers=[DropGets()])
    try:
        await Tally.register(rt, "a", Tally)
        await start(rt)
        with pytest.raises(MessageDroppedException):
            await rt.send_message(Get(), AgentId("a", "k"))
    finally:
        if isinstance(rt, NatsAgentRuntime):
            await rt.close()
        else:
            await rt.stop()


async def test_envelope_stream_sees_send_and_response(runtime: Any) -> None:
    events: list[Any] = []
    runtime.add_envelope_listener(events.append)
    await Tally.register(runtime, "a", Tally)
    await start(runtime)
    await runtime.send_message(Get(), AgentId("a", "k"), message_id="m1")
    kinds = [(e.kind, e.message_id) for e in events]
    assert ("send", "m1") in kinds and ("response", "m1") in kinds
