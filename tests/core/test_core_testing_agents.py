from __future__ import annotations

import pytest

from accord.core import AgentId, AgentProxy, DefaultTopicId, SingleThreadedAgentRuntime, TopicId
from accord.core.exceptions import CantHandleException
from accord.testing.agents import (
    CascadingAgent,
    CascadingMessageType,
    LoopbackAgent,
    LoopbackAgentWithDefaultSubscription,
    MessageType,
    NoopAgent,
)


async def test_cascade_reaches_every_agent_each_round() -> None:
    runtime = SingleThreadedAgentRuntime()
    num_agents, rounds = 5, 4
    for i in range(num_agents):
        await CascadingAgent.register(runtime, f"name{i}", lambda: CascadingAgent(rounds))
    runtime.start()
    await runtime.publish_message(CascadingMessageType(round=1), DefaultTopicId())
    await runtime.stop_when_idle()
    for i in range(num_agents):
        agent = await runtime.try_get_underlying_agent_instance(AgentId(f"name{i}", "default"), CascadingAgent)
        # round 1 from outside reaches all; later rounds come from the other agents (never back to the sender)
        assert agent.num_calls == 1 + sum((num_agents - 1) ** r for r in range(1, rounds))


async def test_loopback_through_agent_proxy_and_state() -> None:
    runtime = SingleThreadedAgentRuntime()
    await LoopbackAgentWithDefaultSubscription.register(runtime, "loop", LoopbackAgentWithDefaultSubscription)
    await NoopAgent.register(runtime, "noop", NoopAgent)
    runtime.start()
    proxy = AgentProxy(AgentId("loop", "default"), runtime)
    assert await proxy.send_message(MessageType(), sender=AgentId("test", "x")) == MessageType()
    await runtime.publish_message(MessageType(), TopicId("default", "default"))
    await runtime.stop_when_idle()
    assert (await proxy.metadata)["type"] == "loop"
    assert await proxy.save_state() == {"num_calls": 2}
    await proxy.load_state({"num_calls": 7})
    agent = await runtime.try_get_underlying_agent_instance(proxy.id, LoopbackAgent)
    assert agent.num_calls == 7
    runtime.start()
    with pytest.raises(CantHandleException, match="NoopAgent handles no messages"):
        await runtime.send_message(MessageType(), AgentId("noop", "k"))
    await runtime.stop_when_idle()
