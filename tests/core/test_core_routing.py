from __future__ import annotations

from dataclasses import dataclass

import pytest
from core_helpers import Ping, Pong

from accord.core import (
    AgentId,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    TopicId,
    TypeSubscription,
    event,
    message_handler,
    rpc,
)
from accord.core.exceptions import CantHandleException
from accord.errors import UsageError


@dataclass
class SubPing(Ping):
    pass


class Router(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("router")
        self.log: list[str] = []

    # alphabetical order decides: a_special is tried before b_general
    @message_handler(match=lambda m, ctx: m.n == 42)
    async def a_special(self, message: Ping, ctx: MessageContext) -> Pong:
        self.log.append("special")
        return Pong(-1)

    @message_handler
    async def b_general(self, message: Ping, ctx: MessageContext) -> Pong:
        self.log.append("general")
        return Pong(message.n)

    @event
    async def on_pong_event(self, message: Pong, ctx: MessageContext) -> None:
        self.log.append(f"event {message.n}")

    @rpc
    async def on_pong_rpc(self, message: Pong, ctx: MessageContext) -> str:
        self.log.append(f"rpc {message.n}")
        return "rpc"


async def _runtime() -> SingleThreadedAgentRuntime:
    runtime = SingleThreadedAgentRuntime()
    await Router.register(runtime, "router", Router)
    await runtime.add_subscription(TypeSubscription("t", "router"))
    runtime.start()
    return runtime


async def test_match_and_alphabetical_order() -> None:
    runtime = await _runtime()
    assert await runtime.send_message(Ping(42), AgentId("router", "k")) == Pong(-1)
    assert await runtime.send_message(Ping(1), AgentId("router", "k")) == Pong(1)
    agent = await runtime.try_get_underlying_agent_instance(AgentId("router", "k"), Router)
    assert agent.log == ["special", "general"]
    await runtime.stop_when_idle()


async def test_event_vs_rpc_selected_by_delivery_kind() -> None:
    runtime = await _runtime()
    assert await runtime.send_message(Pong(1), AgentId("router", "k")) == "rpc"
    await runtime.publish_message(Pong(2), TopicId("t", "k"))
    await runtime.stop_when_idle()
    agent = await runtime.try_get_underlying_agent_instance(AgentId("router", "k"), Router)
    assert agent.log == ["rpc 1", "event 2"]


async def test_exact_type_routing_ignores_subclasses() -> None:
    runtime = await _runtime()
    assert await runtime.send_message(SubPing(3), AgentId("router", "k")) is None
    agent = await runtime.try_get_underlying_agent_instance(AgentId("router", "k"), Router)
    assert agent.log == []
    await runtime.stop_when_idle()


async def test_union_annotation_expands_to_each_type() -> None:
    class Both(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("both")

        @message_handler
        async def on_any(self, message: Ping | Pong, ctx: MessageContext) -> int:
            return message.n

    runtime = SingleThreadedAgentRuntime()
    await Both.register(runtime, "both", Both)
    runtime.start()
    assert await runtime.send_message(Ping(1), AgentId("both", "k")) == 1
    assert await runtime.send_message(Pong(2), AgentId("both", "k")) == 2
    await runtime.stop_when_idle()


async def test_strict_return_type_check() -> None:
    class Liar(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("liar")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> Pong:
            return "not a pong"  # type: ignore[return-value]

    runtime = SingleThreadedAgentRuntime()
    await Liar.register(runtime, "liar", Liar)
    runtime.start()
    with pytest.raises(ValueError, match="returned str"):
        await runtime.send_message(Ping(1), AgentId("liar", "k"))
    await runtime.stop_when_idle()


async def test_direct_call_with_wrong_type_raises_cant_handle() -> None:
    agent = Router()
    ctx = MessageContext(sender=None, topic_id=None, is_rpc=True, cancellation_token=None, message_id="m")  # type: ignore[arg-type]
    with pytest.raises(CantHandleException):
        await Router.b_general(agent, Pong(1), ctx)  # type: ignore[arg-type]


def test_handler_declaration_errors() -> None:
    with pytest.raises(UsageError, match="must annotate its return type"):

        @message_handler
        async def no_return(self: object, message: Ping, ctx: MessageContext):  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(UsageError, match="must annotate its message parameter"):

        @message_handler
        async def no_message_type(self: object, message, ctx: MessageContext) -> None:  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(UsageError, match="must return None"):

        @event
        async def event_returning(self: object, message: Ping, ctx: MessageContext) -> int:
            return 1
