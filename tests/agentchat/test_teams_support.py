"""Shared helpers for the team tests (no tests here): scripted agents and the runtime fixture."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

import pytest

from accord.agents import BaseChatAgent
from accord.base import Response
from accord.core import CancellationToken, SingleThreadedAgentRuntime
from accord.messages import BaseAgentEvent, BaseChatMessage, HandoffMessage, TextMessage, ThoughtEvent

RUNTIMES = ["embedded", "external"]


async def make_runtime(request: pytest.FixtureRequest) -> AsyncGenerator[SingleThreadedAgentRuntime | None, None]:
    """For a ``runtime`` fixture: None (the team's embedded runtime) or a runtime the test started (and stops)."""
    if request.param == "embedded":
        yield None
        return
    rt = SingleThreadedAgentRuntime()
    rt.start()
    yield rt
    if rt.is_running:
        await rt.stop()


class ScriptAgent(BaseChatAgent):
    """Answers with the next text of its script (cycling); records what it saw and its lifecycle calls."""

    def __init__(
        self,
        name: str,
        replies: Sequence[str] | None = None,
        *,
        description: str = "A scripted agent.",
        events: int = 0,
    ) -> None:
        super().__init__(name, description)
        self.replies = list(replies) if replies else [f"{name} says hi"]
        self.index = 0
        self.seen: list[str] = []
        self.calls: list[str] = []
        self.events = events

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        self.seen.extend(f"{m.source}:{m.to_text()}" for m in messages)
        text = self.replies[self.index % len(self.replies)]
        self.index += 1
        inner: list[BaseAgentEvent | BaseChatMessage] = [
            ThoughtEvent(content=f"{self.name} thinking {i}", source=self.name) for i in range(self.events)
        ]
        return Response(chat_message=TextMessage(content=text, source=self.name), inner_messages=inner)

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        self.calls.append("reset")
        self.index = 0
        self.seen.clear()

    async def on_pause(self, cancellation_token: CancellationToken) -> None:
        self.calls.append("pause")

    async def on_resume(self, cancellation_token: CancellationToken) -> None:
        self.calls.append("resume")

    async def save_state(self) -> Mapping[str, Any]:
        return {"index": self.index}

    async def load_state(self, state: Mapping[str, Any]) -> None:
        self.index = int(state["index"])


class HandoffAgent(ScriptAgent):
    """Script items "->target" become HandoffMessages to target; other items are text."""

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage, HandoffMessage)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        self.seen.extend(f"{m.source}:{m.to_text()}" for m in messages)
        item = self.replies[self.index % len(self.replies)]
        self.index += 1
        if item.startswith("->"):
            target = item[2:]
            msg: BaseChatMessage = HandoffMessage(content=f"to {target}", target=target, source=self.name)
        else:
            msg = TextMessage(content=item, source=self.name)
        return Response(chat_message=msg)


class FailingAgent(ScriptAgent):
    """Raises on its turn."""

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        raise ValueError(f"{self.name} failed on purpose")


class BlockingAgent(ScriptAgent):
    """Waits on its turn until released or cancelled; records cancellation."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = False

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        self.started.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return await super().on_messages(messages, cancellation_token)


class LeakyAgent(ScriptAgent):
    """Like a SocietyOfMindAgent: its inner messages include messages of agents nested inside it."""

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        response = await super().on_messages(messages, cancellation_token)
        inner: list[BaseAgentEvent | BaseChatMessage] = [
            TextMessage(content="inner says TERMINATE", source="inner_agent"),
            ThoughtEvent(content="own thought", source=self.name),
        ]
        return Response(chat_message=response.chat_message, inner_messages=inner)


def texts(messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[tuple[str, str]]:
    return [(m.source, m.to_text()) for m in messages]
