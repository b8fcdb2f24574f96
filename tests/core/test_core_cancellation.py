from __future__ import annotations

import asyncio

import pytest
from core_helpers import Ping

from accord.core import (
    AgentId,
    CancellationToken,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    message_handler,
)


class Slow(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("slow")
        self.started = asyncio.Event()
        self.cancelled = False

    @message_handler
    async def on_ping(self, message: Ping, ctx: MessageContext) -> int:
        self.started.set()
        try:
            await asyncio.Event().wait()  # forever
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return 0


def test_token_basics() -> None:
    token = CancellationToken()
    calls: list[int] = []
    token.add_callback(lambda: calls.append(1))
    assert not token.is_cancelled()
    token.cancel()
    token.cancel()  # idempotent
    assert token.is_cancelled() and calls == [1]
    token.add_callback(lambda: calls.append(2))  # runs at once when already cancelled
    assert calls == [1, 2]


async def test_link_future() -> None:
    token = CancellationToken()
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    token.link_future(fut)
    token.cancel()
    assert fut.cancelled()


async def test_cancellation_reaches_the_running_handler() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Slow.register(runtime, "slow", Slow)
    runtime.start()
    token = CancellationToken()
    call = asyncio.ensure_future(runtime.send_message(Ping(1), AgentId("slow", "k"), cancellation_token=token))
    agent = await runtime.try_get_underlying_agent_instance(AgentId("slow", "k"), Slow)
    await agent.started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert agent.cancelled
    await runtime.stop_when_idle()  # nothing left behind


async def test_cancel_outer_send_cancels_nested_send_with_same_token() -> None:
    class Outer(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("outer")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> int:
            result: int = await self.send_message(
                message, AgentId("slow", "k"), cancellation_token=ctx.cancellation_token
            )
            return result

    runtime = SingleThreadedAgentRuntime()
    await Slow.register(runtime, "slow", Slow)
    await Outer.register(runtime, "outer", Outer)
    runtime.start()
    token = CancellationToken()
    call = asyncio.ensure_future(runtime.send_message(Ping(1), AgentId("outer", "k"), cancellation_token=token))
    slow = await runtime.try_get_underlying_agent_instance(AgentId("slow", "k"), Slow)
    await slow.started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert slow.cancelled
    # the caller's own task was not left in a cancelled state
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0
    await runtime.stop_when_idle()


async def test_cancel_before_processing_in_manual_mode() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Slow.register(runtime, "slow", Slow)
    token = CancellationToken()
    call = asyncio.ensure_future(runtime.send_message(Ping(1), AgentId("slow", "k"), cancellation_token=token))
    await asyncio.sleep(0)
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await runtime.process_next()  # the envelope is skipped, nothing hangs


async def test_already_cancelled_token_fails_fast() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Slow.register(runtime, "slow", Slow)
    runtime.start()
    token = CancellationToken()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runtime.send_message(Ping(1), AgentId("slow", "k"), cancellation_token=token)
    await runtime.stop_when_idle()


async def test_linked_futures_do_not_accumulate_on_a_long_lived_token() -> None:
    token = CancellationToken()
    loop = asyncio.get_running_loop()
    for _ in range(100):
        fut: asyncio.Future[int] = loop.create_future()
        token.link_future(fut)
        fut.set_result(1)
    await asyncio.sleep(0)  # done callbacks run
    assert token._callbacks == []
    calls: list[int] = []

    def callback() -> None:
        calls.append(1)

    token.add_callback(callback)
    token.remove_callback(callback)
    token.cancel()
    assert calls == []


async def test_cancelling_the_awaiting_task_cancels_the_handler() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Slow.register(runtime, "slow", Slow)
    runtime.start()
    call = asyncio.ensure_future(runtime.send_message(Ping(1), AgentId("slow", "k")))
    agent = await runtime.try_get_underlying_agent_instance(AgentId("slow", "k"), Slow)
    await agent.started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert agent.cancelled
    await runtime.stop_when_idle()  # nothing is left running
