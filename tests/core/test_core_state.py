from __future__ import annotations

import json

import pytest
from core_helpers import Counter, Ping

from accord.core import AgentId, SingleThreadedAgentRuntime
from accord.errors import StateError


async def _runtime_with_state() -> SingleThreadedAgentRuntime:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    await runtime.send_message(Ping(1), AgentId("counter", "a"))
    await runtime.send_message(Ping(2), AgentId("counter", "b"))
    await runtime.stop_when_idle()
    return runtime


async def test_runtime_state_round_trip_is_json() -> None:
    runtime = await _runtime_with_state()
    state = await runtime.save_state()
    assert json.loads(json.dumps(state)) == {"counter/a": {"received": [1]}, "counter/b": {"received": [2]}}

    fresh = SingleThreadedAgentRuntime()
    await Counter.register(fresh, "counter", Counter)
    await fresh.load_state(state)
    a = await fresh.try_get_underlying_agent_instance(AgentId("counter", "a"), Counter)
    assert a.received == [1]


async def test_agent_state_round_trip() -> None:
    runtime = await _runtime_with_state()
    state = await runtime.agent_save_state(AgentId("counter", "a"))
    await runtime.agent_load_state(AgentId("counter", "b"), state)
    b = await runtime.try_get_underlying_agent_instance(AgentId("counter", "b"), Counter)
    assert b.received == [1]


@pytest.mark.parametrize(
    "bad, message",
    [
        (["not", "a", "mapping"], "must be a mapping"),
        ({"no-slash": {}}, "is not an agent id"),
        ({"counter/a": "oops"}, "State of agent 'counter/a' must be a mapping"),
    ],
)
async def test_malformed_runtime_state_is_rejected_before_any_change(bad: object, message: str) -> None:
    runtime = await _runtime_with_state()
    with pytest.raises(StateError, match=message):
        await runtime.load_state(bad)  # type: ignore[arg-type]
    a = await runtime.try_get_underlying_agent_instance(AgentId("counter", "a"), Counter)
    assert a.received == [1]


async def test_agent_rejecting_its_state_rolls_back_the_others() -> None:
    runtime = await _runtime_with_state()
    bad = {"counter/a": {"received": [10, 11]}, "counter/b": {"received": "garbage"}}
    with pytest.raises(StateError, match="agents keep their previous state"):
        await runtime.load_state(bad)
    a = await runtime.try_get_underlying_agent_instance(AgentId("counter", "a"), Counter)
    b = await runtime.try_get_underlying_agent_instance(AgentId("counter", "b"), Counter)
    assert (a.received, b.received) == ([1], [2])


async def test_agent_load_state_wrong_shape() -> None:
    runtime = await _runtime_with_state()
    with pytest.raises(StateError, match="must be a mapping"):
        await runtime.agent_load_state(AgentId("counter", "a"), [1, 2])  # type: ignore[arg-type]
