from __future__ import annotations

import pytest
from core_helpers import Counter, Ping

from accord.core import (
    AgentId,
    DefaultSubscription,
    DefaultTopicId,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    TopicId,
    TypePrefixSubscription,
    TypeSubscription,
    message_handler,
    type_subscription,
)
from accord.core.exceptions import CantHandleException


def test_type_subscription_match_and_map() -> None:
    sub = TypeSubscription("news", "reader")
    assert sub.is_match(TopicId("news", "s1"))
    assert not sub.is_match(TopicId("sports", "s1"))
    assert sub.map_to_agent(TopicId("news", "s1")) == AgentId("reader", "s1")
    with pytest.raises(CantHandleException):
        sub.map_to_agent(TopicId("sports", "s1"))


def test_prefix_subscription() -> None:
    sub = TypePrefixSubscription("agent:", "reader")
    assert sub.is_match(TopicId("agent:rpc", "k"))
    assert sub.map_to_agent(TopicId("agent:x", "k")) == AgentId("reader", "k")
    assert not sub.is_match(TopicId("other", "k"))


def test_subscription_equality_by_id_or_content() -> None:
    a = TypeSubscription("t", "a", id="1")
    assert a == TypeSubscription("t", "a", id="2")  # same content
    assert a == TypeSubscription("other", "b", id="1")  # same id
    assert a != TypeSubscription("t", "b")
    assert TypePrefixSubscription("p", "a") == TypePrefixSubscription("p", "a")
    assert TypePrefixSubscription("p", "a") != TypeSubscription("p", "a")


async def test_duplicate_subscription_rejected_and_removal() -> None:
    runtime = SingleThreadedAgentRuntime()
    sub = TypeSubscription("t", "a")
    await runtime.add_subscription(sub)
    with pytest.raises(ValueError, match="Subscription already exists"):
        await runtime.add_subscription(TypeSubscription("t", "a"))
    await runtime.remove_subscription(sub.id)
    with pytest.raises(ValueError, match="does not exist"):
        await runtime.remove_subscription(sub.id)


def test_default_subscription_needs_registration_context() -> None:
    with pytest.raises(CantHandleException):
        DefaultSubscription()
    assert DefaultSubscription(agent_type="x").agent_type == "x"


async def test_type_subscription_decorator_and_default_topic_inside_handler() -> None:
    seen: list[TopicId] = []

    @type_subscription("alerts")
    class Alerts(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("alerts")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
            assert ctx.topic_id is not None
            seen.append(ctx.topic_id)
            if message.n:
                # inside a handler, DefaultTopicId's source is the handling agent's key
                await self.publish_message(Ping(0), DefaultTopicId())

    runtime = SingleThreadedAgentRuntime()
    await Alerts.register(runtime, "alerts", Alerts)
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    await runtime.publish_message(Ping(1), TopicId("alerts", "room1"))
    await runtime.stop_when_idle()
    assert seen == [TopicId("alerts", "room1")]
    counter = await runtime.try_get_underlying_agent_instance(AgentId("counter", "room1"), Counter)
    assert counter.received == [0]


async def test_removing_subscription_stops_delivery() -> None:
    runtime = SingleThreadedAgentRuntime()
    await runtime.register_factory("counter", Counter)
    sub = TypeSubscription("t", "counter")
    await runtime.add_subscription(sub)
    runtime.start()
    await runtime.publish_message(Ping(1), TopicId("t", "k"))
    await runtime.stop_when_idle()
    await runtime.remove_subscription(sub.id)
    runtime.start()
    await runtime.publish_message(Ping(2), TopicId("t", "k"))
    await runtime.stop_when_idle()
    agent = await runtime.try_get_underlying_agent_instance(AgentId("counter", "k"), Counter)
    assert agent.received == [1]
