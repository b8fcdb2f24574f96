from __future__ import annotations

from typing import Any

import pytest
from core_helpers import Counter, Ping, Pong

from accord.core import (
    AgentId,
    DefaultInterventionHandler,
    DefaultTopicId,
    DropMessage,
    MessageContext,
    SingleThreadedAgentRuntime,
)
from accord.core.exceptions import MessageDroppedException


class Recorder(DefaultInterventionHandler):
    def __init__(self) -> None:
        self.sends: list[Any] = []
        self.publishes: list[Any] = []
        self.responses: list[Any] = []

    async def on_send(self, message: Any, *, message_context: MessageContext, recipient: AgentId) -> Any:
        self.sends.append((message, recipient))
        return message

    async def on_publish(self, message: Any, *, message_context: MessageContext) -> Any:
        self.publishes.append(message)
        return message

    async def on_response(self, message: Any, *, sender: AgentId, recipient: AgentId | None) -> Any:
        self.responses.append((message, sender))
        return message


async def test_handlers_see_every_message_in_order_and_can_rewrite() -> None:
    class Doubler(DefaultInterventionHandler):
        async def on_send(self, message: Any, *, message_context: MessageContext, recipient: AgentId) -> Any:
            return Ping(message.n * 2)

    recorder = Recorder()
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[Doubler(), recorder])
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    assert await runtime.send_message(Ping(2), AgentId("counter", "k")) == Pong(4)
    await runtime.publish_message(Ping(5), DefaultTopicId())
    await runtime.stop_when_idle()
    assert recorder.sends == [(Ping(4), AgentId("counter", "k"))]
    assert recorder.publishes == [Ping(5)]
    assert recorder.responses == [(Pong(4), AgentId("counter", "k"))]


async def test_drop_send_raises_message_dropped_for_the_caller() -> None:
    class DropSends(DefaultInterventionHandler):
        async def on_send(self, message: Any, *, message_context: MessageContext, recipient: AgentId) -> Any:
            return DropMessage

    runtime = SingleThreadedAgentRuntime(intervention_handlers=[DropSends()])
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    with pytest.raises(MessageDroppedException):
        await runtime.send_message(Ping(1), AgentId("counter", "k"))
    await runtime.stop_when_idle()
    agent = await runtime.try_get_underlying_agent_instance(AgentId("counter", "k"), Counter)
    assert agent.received == []


async def test_drop_response_raises_message_dropped() -> None:
    class DropResponses(DefaultInterventionHandler):
        async def on_response(self, message: Any, *, sender: AgentId, recipient: AgentId | None) -> Any:
            return DropMessage()

    runtime = SingleThreadedAgentRuntime(intervention_handlers=[DropResponses()])
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    with pytest.raises(MessageDroppedException):
        await runtime.send_message(Ping(1), AgentId("counter", "k"))
    await runtime.stop_when_idle()


async def test_drop_publish_is_silent() -> None:
    class DropPublishes(DefaultInterventionHandler):
        async def on_publish(self, message: Any, *, message_context: MessageContext) -> Any:
            return DropMessage

    runtime = SingleThreadedAgentRuntime(intervention_handlers=[DropPublishes()])
    await Counter.register(runtime, "counter", Counter)
    events: list[str] = []
    runtime.add_envelope_listener(lambda e: events.append(e.kind))
    runtime.start()
    await runtime.publish_message(Ping(1), DefaultTopicId())
    await runtime.stop_when_idle()
    assert events == ["publish", "drop"]


async def test_exception_in_on_send_reaches_the_caller() -> None:
    class Broken(DefaultInterventionHandler):
        async def on_send(self, message: Any, *, message_context: MessageContext, recipient: AgentId) -> Any:
            raise PermissionError("not allowed")

    runtime = SingleThreadedAgentRuntime(intervention_handlers=[Broken()])
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    with pytest.raises(PermissionError, match="not allowed"):
        await runtime.send_message(Ping(1), AgentId("counter", "k"))
    await runtime.stop_when_idle()


async def test_returning_none_warns() -> None:
    class ReturnsNone(DefaultInterventionHandler):
        async def on_send(self, message: Any, *, message_context: MessageContext, recipient: AgentId) -> Any:
            return None

    runtime = SingleThreadedAgentRuntime(intervention_handlers=[ReturnsNone()])
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    with pytest.warns(RuntimeWarning, match="returned None"):
        assert await runtime.send_message(Ping(1), AgentId("counter", "k")) is None
    await runtime.stop_when_idle()
