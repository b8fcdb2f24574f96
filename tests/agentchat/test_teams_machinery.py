"""Team machinery pieces: SequentialRoutedAgent ordering, internal events' serialization, container errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

import pytest
from pydantic import BaseModel
from test_teams_support import ScriptAgent

from accord.agents import BaseChatAgent
from accord.base import Response, TaskResult
from accord.core import (
    AgentId,
    CancellationToken,
    MessageContext,
    SingleThreadedAgentRuntime,
    TopicId,
    TypeSubscription,
    message_handler,
)
from accord.messages import BaseAgentEvent, BaseChatMessage, StructuredMessage, TextMessage, ThoughtEvent
from accord.teams import RoundRobinGroupChat
from accord.teams._events import GroupChatAgentResponse, GroupChatStart, GroupChatTeamResponse, SerializableException
from accord.teams._sequential import FIFOLock, SequentialRoutedAgent


@dataclass
class Numbered:
    n: int


class _Recorder(SequentialRoutedAgent):
    def __init__(self) -> None:
        super().__init__("records in order", sequential_message_types=[Numbered])
        self.seen: list[int] = []

    @message_handler
    async def on_numbered(self, message: Numbered, ctx: MessageContext) -> None:
        # Later messages wait less: without the FIFO lock they would finish first.
        await asyncio.sleep(0.001 * (10 - message.n) / 10)
        self.seen.append(message.n)


async def test_sequential_routed_agent_handles_in_arrival_order() -> None:
    runtime = SingleThreadedAgentRuntime()
    agent = _Recorder()
    await runtime.register_agent_instance(agent, AgentId("recorder", "default"))
    await runtime.add_subscription(TypeSubscription(topic_type="numbers", agent_type="recorder"))
    runtime.start()
    for n in range(10):
        await runtime.publish_message(Numbered(n), TopicId("numbers", "default"))
    await runtime.stop_when_idle()
    assert agent.seen == list(range(10))


async def test_fifo_lock_survives_cancelled_waiters() -> None:
    lock = FIFOLock()
    await lock.acquire()
    order: list[str] = []

    async def waiter(name: str) -> None:
        await lock.acquire()
        order.append(name)
        lock.release()

    first = asyncio.create_task(waiter("first"))
    second = asyncio.create_task(waiter("second"))
    third = asyncio.create_task(waiter("third"))
    await asyncio.sleep(0)
    second.cancel()
    lock.release()
    await asyncio.gather(first, third)
    assert second.cancelled() and order == ["first", "third"]


class Weather(BaseModel):
    city: str
    degrees: int


class Custom(TextMessage):
    extra: str = "x"


def test_events_keep_message_subclass_fields() -> None:
    structured = StructuredMessage[Weather](content=Weather(city="Oslo", degrees=3), source="w")
    event = GroupChatAgentResponse(
        response=Response(chat_message=structured, inner_messages=[ThoughtEvent(content="t", source="w")]),
        name="w",
    )
    dumped = event.model_dump(mode="json")
    assert dumped["response"]["chat_message"]["content"] == {"city": "Oslo", "degrees": 3}
    assert dumped["response"]["inner_messages"][0]["type"] == "ThoughtEvent"
    team_event = GroupChatTeamResponse(
        result=TaskResult(messages=[Custom(content="c", source="s", extra="y")]), name="t"
    )
    assert team_event.model_dump(mode="json")["result"]["messages"][0]["extra"] == "y"
    start = GroupChatStart(messages=[Custom(content="c", source="s", extra="z")])
    assert start.model_dump()["messages"][0]["extra"] == "z"
    error = SerializableException.from_exception(ValueError("boom"))
    assert str(error) == "ValueError: boom" and error.traceback is not None


class _Silent(BaseChatAgent):
    """Finishes its stream without a Response."""

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        raise AssertionError("not used")

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        yield ThoughtEvent(content="hmm", source=self.name)

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        return None


async def test_agent_without_response_is_a_clear_error() -> None:
    team = RoundRobinGroupChat([ScriptAgent("a"), _Silent("silent", "never answers")], max_turns=3)
    with pytest.raises(RuntimeError, match="'silent' finished on_messages_stream without a Response"):
        await team.run(task="x")


async def test_two_teams_share_one_runtime() -> None:
    runtime = SingleThreadedAgentRuntime()
    runtime.start()
    first = RoundRobinGroupChat([ScriptAgent("a")], max_turns=1, runtime=runtime)
    second = RoundRobinGroupChat([ScriptAgent("a")], max_turns=1, runtime=runtime)
    one, two = await asyncio.gather(first.run(task="1"), second.run(task="2"))
    assert [m.to_text() for m in one.messages] == ["1", "a says hi"]
    assert [m.to_text() for m in two.messages] == ["2", "a says hi"]
    await runtime.stop()


async def test_each_turn_is_an_invoke_agent_span_when_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    from contextlib import contextmanager
    from typing import Any

    from accord.teams import _container

    spans: list[tuple[str, str | None]] = []

    @contextmanager
    def record(name: str, **kwargs: Any) -> Any:
        spans.append((name, kwargs.get("agent_id")))
        yield None

    pytest.importorskip("opentelemetry.trace", reason="the otel extra is not installed")  # "uses OpenTelemetry"

    assert "opentelemetry.trace" in sys.modules
    monkeypatch.setattr(_container, "trace_invoke_agent_span", record)
    team = RoundRobinGroupChat([ScriptAgent("a"), ScriptAgent("b")], max_turns=2)
    await team.run(task="x")
    assert [name for name, _ in spans] == ["a", "b"]
    assert spans[0][1] is not None and spans[0][1].startswith("a_")
