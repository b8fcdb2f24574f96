from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from core_helpers import Counter, Ping, Pong

from accord.core import (
    AgentId,
    AgentInstantiationContext,
    BaseAgent,
    DefaultTopicId,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    TopicId,
    TypePrefixSubscription,
    TypeSubscription,
    message_handler,
)
from accord.core.exceptions import RecipientNotFoundError, UndeliverableException
from accord.errors import RunError, UsageError


async def test_send_round_trip_and_lazy_instantiation() -> None:
    runtime = SingleThreadedAgentRuntime()
    created: list[AgentId] = []

    def factory() -> Counter:
        created.append(AgentInstantiationContext.current_agent_id())
        return Counter()

    await Counter.register(runtime, "counter", factory)
    assert created == []  # nothing created at registration
    runtime.start()
    assert await runtime.send_message(Ping(1), AgentId("counter", "a")) == Pong(1)
    assert await runtime.send_message(Ping(2), AgentId("counter", "a")) == Pong(2)
    assert await runtime.send_message(Ping(3), AgentId("counter", "b")) == Pong(3)
    await runtime.stop_when_idle()
    assert created == [AgentId("counter", "a"), AgentId("counter", "b")]
    agent = await runtime.try_get_underlying_agent_instance(AgentId("counter", "a"), Counter)
    assert agent.received == [1, 2]
    assert agent.id == AgentId("counter", "a")
    assert (await runtime.agent_metadata(AgentId("counter", "a")))["description"] == "counter"


async def test_send_to_unregistered_type_names_the_type() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    with pytest.raises(RecipientNotFoundError, match="agent type 'ghost' is not registered") as info:
        await runtime.send_message(Ping(1), AgentId("ghost", "k"))
    assert isinstance(info.value, UndeliverableException) and isinstance(info.value, LookupError)
    assert "counter" in str(info.value)  # lists what is registered
    await runtime.stop()


async def test_register_factory_twice_and_bad_type_name() -> None:
    runtime = SingleThreadedAgentRuntime()
    await runtime.register_factory("t", Counter)
    with pytest.raises(ValueError, match="already exists"):
        await runtime.register_factory("t", Counter)
    with pytest.raises(UsageError, match=r"Invalid agent type 'bad name'.*must match"):
        await runtime.register_factory("bad name", Counter)


async def test_factory_of_wrong_class_is_rejected() -> None:
    runtime = SingleThreadedAgentRuntime()
    await runtime.register_factory("t", lambda: Counter(), expected_class=Echo)  # type: ignore[arg-type, return-value]
    runtime.start()
    with pytest.raises(UsageError, match="expected Echo"):
        await runtime.send_message(Ping(1), AgentId("t", "k"))
    await runtime.stop()


class Echo(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("echo")

    @message_handler
    async def on_ping(self, message: Ping, ctx: MessageContext) -> Ping:
        return message


async def test_publish_reaches_each_source_key_and_never_the_sender() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)

    class Publisher(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("publisher")

        @message_handler
        async def on_pong(self, message: Pong, ctx: MessageContext) -> None:
            await self.publish_message(Ping(message.n), DefaultTopicId())

    await runtime.register_factory("publisher", Publisher)
    await runtime.add_subscription(TypeSubscription("default", "publisher"))
    runtime.start()
    await runtime.publish_message(Ping(1), TopicId("default", "s1"))
    await runtime.publish_message(Ping(2), TopicId("default", "s2"))
    await runtime.stop_when_idle()
    s1 = await runtime.try_get_underlying_agent_instance(AgentId("counter", "s1"), Counter)
    s2 = await runtime.try_get_underlying_agent_instance(AgentId("counter", "s2"), Counter)
    assert (s1.received, s2.received) == ([1], [2])


async def test_publish_skips_the_sender_but_not_other_keys_of_its_type() -> None:
    runtime = SingleThreadedAgentRuntime()

    class Relay(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("relay")
            self.got: list[int] = []

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
            self.got.append(message.n)

        @message_handler
        async def on_pong(self, message: Pong, ctx: MessageContext) -> None:
            await self.publish_message(Ping(message.n), TopicId("news", "shared"))

    await runtime.register_factory("relay", Relay)
    await runtime.add_subscription(TypeSubscription("news", "relay"))
    await runtime.register_factory("relay2", Relay)
    await runtime.add_subscription(TypeSubscription("news", "relay2"))
    runtime.start()
    # the "relay/shared" agent publishes on news/shared: it must not get its own message, relay2/shared must.
    await runtime.send_message(Pong(7), AgentId("relay", "shared"))
    await runtime.stop_when_idle()
    me = await runtime.try_get_underlying_agent_instance(AgentId("relay", "shared"), Relay)
    other = await runtime.try_get_underlying_agent_instance(AgentId("relay2", "shared"), Relay)
    assert me.got == []
    assert other.got == [7]


async def test_direct_message_topic_prefix_subscription_added_by_register() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter, skip_class_subscriptions=True)
    subs = runtime.subscriptions
    assert any(isinstance(s, TypePrefixSubscription) and s.topic_type_prefix == "counter:" for s in subs)
    assert not any(isinstance(s, TypeSubscription) and s.topic_type == "default" for s in subs)
    runtime.start()
    await runtime.publish_message(Ping(5), TopicId("counter:rpc", "x"))
    await runtime.stop_when_idle()
    agent = await runtime.try_get_underlying_agent_instance(AgentId("counter", "x"), Counter)
    assert agent.received == [5]


async def test_rpc_handler_exception_reaches_the_caller() -> None:
    class Failing(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("failing")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
            raise KeyError(f"boom {message.n}")

    runtime = SingleThreadedAgentRuntime()
    await Failing.register(runtime, "failing", Failing)
    runtime.start()
    with pytest.raises(KeyError, match="boom 3"):
        await runtime.send_message(Ping(3), AgentId("failing", "k"))
    # the runtime keeps working afterwards
    with pytest.raises(KeyError):
        await runtime.send_message(Ping(4), AgentId("failing", "k"))
    await runtime.stop_when_idle()


async def test_publish_handler_exception_raised_from_stop_when_idle_when_not_ignored() -> None:
    class Failing(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("failing")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
            raise ValueError("publish handler failed")

    runtime = SingleThreadedAgentRuntime(ignore_unhandled_exceptions=False)
    await runtime.register_factory("failing", Failing)
    await runtime.add_subscription(TypeSubscription("t", "failing"))
    runtime.start()
    await runtime.publish_message(Ping(1), TopicId("t", "s"))
    with pytest.raises(ValueError, match="publish handler failed"):
        await runtime.stop_when_idle()

    ignoring = SingleThreadedAgentRuntime()
    await ignoring.register_factory("failing", Failing)
    await ignoring.add_subscription(TypeSubscription("t", "failing"))
    ignoring.start()
    await ignoring.publish_message(Ping(1), TopicId("t", "s"))
    await ignoring.stop_when_idle()  # swallowed (logged)


async def test_stop_when_idle_waits_for_cascades() -> None:
    done: list[int] = []

    class Cascade(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("cascade")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
            await asyncio.sleep(0)
            done.append(message.n)
            if message.n > 0:
                await self.publish_message(Ping(message.n - 1), TopicId("cascade", "k"))
                await self.send_message(Pong(message.n), AgentId("sink", "k"))

    class Sink(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("sink")

        @message_handler
        async def on_pong(self, message: Pong, ctx: MessageContext) -> None:
            await asyncio.sleep(0)
            done.append(-message.n)

    runtime = SingleThreadedAgentRuntime()
    await runtime.register_factory("cascade", Cascade)
    await runtime.add_subscription(TypeSubscription("cascade", "cascade"))
    await runtime.register_factory("cascade2", Cascade)
    await runtime.add_subscription(TypeSubscription("cascade", "cascade2"))
    await runtime.register_factory("sink", Sink)
    runtime.start()
    await runtime.publish_message(Ping(3), TopicId("cascade", "k"))
    await runtime.stop_when_idle()
    # two subscribers; each level publishes to the other (never back to the publisher)
    assert sorted(done) == sorted([3, 3, 2, 2, 1, 1, 0, 0, -3, -3, -2, -2, -1, -1])
    assert not runtime.is_running


async def test_reentrant_sends_do_not_deadlock_or_lose_messages() -> None:
    class Ponger(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("ponger")
            self.calls = 0

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> Pong:
            self.calls += 1
            if message.n == 0:
                return Pong(0)
            # call the other agent, which calls us back, and also ourselves
            other = AgentId("ponger", "b" if self.id.key == "a" else "a")
            back = await self.send_message(Ping(message.n - 1), other)
            assert isinstance(back, Pong)
            me = await self.send_message(Ping(0), self.id)
            return Pong(back.n + me.n + message.n)

    runtime = SingleThreadedAgentRuntime()
    await Ponger.register(runtime, "ponger", Ponger)
    runtime.start()
    result = await asyncio.wait_for(runtime.send_message(Ping(6), AgentId("ponger", "a")), timeout=5)
    assert result == Pong(6 + 5 + 4 + 3 + 2 + 1)
    await runtime.stop_when_idle()


async def test_manual_stepping_with_process_next_is_deterministic() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    fut = asyncio.ensure_future(runtime.send_message(Ping(1), AgentId("counter", "a")))
    await asyncio.sleep(0)
    await runtime.publish_message(Ping(2), DefaultTopicId())
    assert runtime.unprocessed_messages_count == 2
    await runtime.process_next()  # the send
    assert await fut == Pong(1)
    assert runtime.unprocessed_messages_count == 1
    await runtime.process_next()  # the publish
    await asyncio.sleep(0)
    default = await runtime.try_get_underlying_agent_instance(AgentId("counter", "default"), Counter)
    assert default.received == [2]
    assert runtime.unprocessed_messages_count == 0


async def test_queued_messages_are_processed_on_start_and_runtime_restarts() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    await runtime.publish_message(Ping(1), DefaultTopicId())
    runtime.start()
    with pytest.raises(RunError, match="already started"):
        runtime.start()
    await runtime.stop_when_idle()
    runtime.start()
    await runtime.publish_message(Ping(2), DefaultTopicId())
    await runtime.stop_when_idle()
    agent = await runtime.try_get_underlying_agent_instance(AgentId("counter", "default"), Counter)
    assert agent.received == [1, 2]
    with pytest.raises(RunError, match="not started"):
        await runtime.stop()


async def test_stop_discards_queued_sends_with_cancellation() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    fut = asyncio.ensure_future(runtime.send_message(Ping(1), AgentId("counter", "a")))
    await asyncio.sleep(0)
    runtime.start()
    await runtime.stop()
    # The send was dispatched by start(); the runtime still finishes messages being handled.
    assert await fut == Pong(1)


async def test_stop_when_condition() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    await runtime.send_message(Ping(1), AgentId("counter", "a"))
    agent = await runtime.try_get_underlying_agent_instance(AgentId("counter", "a"), Counter)
    await runtime.stop_when(lambda: agent.received == [1], check_period=0.001)
    assert not runtime.is_running


async def test_register_agent_instance_rules() -> None:
    runtime = SingleThreadedAgentRuntime()
    a = Counter()
    agent_id = await a.register_instance(runtime, AgentId("inst", "a"))
    assert a.id == agent_id
    with pytest.raises(ValueError, match="already exists"):
        await runtime.register_agent_instance(Counter(), AgentId("inst", "a"))
    with pytest.raises(ValueError, match="already holds instances of Counter"):
        await runtime.register_agent_instance(Echo(), AgentId("inst", "b"))
    await runtime.register_factory("fact", Counter)
    with pytest.raises(ValueError, match="registered with a factory"):
        await runtime.register_agent_instance(Counter(), AgentId("fact", "x"))
    b = Counter()
    await b.register_instance(runtime, AgentId("inst", "b"))  # a second key of the same type is fine
    runtime.start()
    # register_instance subscribes the instance to the topic type equal to its key
    await runtime.publish_message(Ping(9), TopicId("a", "a"))
    await runtime.stop_when_idle()
    assert a.received == [9] and b.received == []
    with pytest.raises(RunError, match="already bound"):
        await a.bind_id_and_runtime(AgentId("inst", "zzz"), runtime)


async def test_get_lazy_and_eager() -> None:
    runtime = SingleThreadedAgentRuntime()
    created: list[str] = []

    def factory() -> Counter:
        created.append("x")
        return Counter()

    await runtime.register_factory("counter", factory)
    assert await runtime.get("counter", "k") == AgentId("counter", "k")
    assert created == []
    await runtime.get("counter", "k", lazy=False)
    assert created == ["x"]
    with pytest.raises(TypeError, match="not a Echo"):
        await runtime.try_get_underlying_agent_instance(AgentId("counter", "k"), Echo)


async def test_async_factory_and_close_closes_agents() -> None:
    closed: list[AgentId] = []

    class Closing(Counter):
        async def close(self) -> None:
            closed.append(self.id)

    async def factory() -> Closing:
        await asyncio.sleep(0)
        return Closing()

    runtime = SingleThreadedAgentRuntime()
    await runtime.register_factory("c", factory)
    runtime.start()
    results = await asyncio.gather(*(runtime.send_message(Ping(i), AgentId("c", "same")) for i in range(5)))
    assert [r.n for r in results] == [0, 1, 2, 3, 4]
    agent = await runtime.try_get_underlying_agent_instance(AgentId("c", "same"), Closing)
    assert sorted(agent.received) == [0, 1, 2, 3, 4]  # one instance despite concurrent first messages
    await runtime.close()
    assert closed == [AgentId("c", "same")]


async def test_agent_constructed_outside_runtime_is_unbound() -> None:
    agent = Counter()
    with pytest.raises(RunError, match="not bound"):
        _ = agent.id
    with pytest.raises(ValueError, match="description must be a string"):
        Counter(description=123)  # type: ignore[arg-type]


async def test_base_agent_default_state_warns() -> None:
    class Plain(BaseAgent):
        async def on_message_impl(self, message: Any, ctx: MessageContext) -> Any:
            return message

    runtime = SingleThreadedAgentRuntime()
    await runtime.register_factory("plain", lambda: Plain("p"))
    runtime.start()
    assert await runtime.send_message("hi", AgentId("plain", "k")) == "hi"
    with pytest.warns(UserWarning, match="save_state not implemented"):
        assert await runtime.agent_save_state(AgentId("plain", "k")) == {}
    await runtime.stop_when_idle()


@dataclass
class Unhandled:
    x: int


async def test_unhandled_message_type_returns_none() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    assert await runtime.send_message(Unhandled(1), AgentId("counter", "k")) is None
    await runtime.stop_when_idle()
