"""Console: what it prints for agent and team streams, usage stats, streaming chunks, input coordination."""

from __future__ import annotations

import asyncio
import io

import pytest

from accord.agents import AssistantAgent, UserProxyAgent
from accord.base import Response, TaskResult
from accord.conditions import MaxMessageTermination
from accord.core import CancellationToken
from accord.messages import TextMessage
from accord.teams import RoundRobinGroupChat
from accord.testing import ScriptedChatCompletionClient
from accord.ui import Console, UserInputManager


async def test_console_prints_team_run_and_returns_task_result() -> None:
    a = AssistantAgent("a", ScriptedChatCompletionClient(["hello from a"], respond="again a"))
    b = AssistantAgent("b", ScriptedChatCompletionClient(["hello from b"], respond="again b"))
    team = RoundRobinGroupChat([a, b], termination_condition=MaxMessageTermination(3))
    out = io.StringIO()
    result = await Console(team.run_stream(task="greet"), output=out, output_stats=True)
    assert isinstance(result, TaskResult)
    text = out.getvalue()
    assert "---------- TextMessage (user) ----------\ngreet\n" in text
    assert "---------- TextMessage (a) ----------\nhello from a\n[Prompt tokens:" in text
    assert f"---------- Summary ----------\nNumber of messages: {len(result.messages)}\n" in text
    assert f"Finish reason: {result.stop_reason}" in text


async def test_console_streams_chunks_inline() -> None:
    agent = AssistantAgent("s", ScriptedChatCompletionClient(["one two three"]), model_client_stream=True)
    out = io.StringIO()
    await Console(agent.run_stream(task="count"), output=out)
    assert out.getvalue() == (
        "---------- TextMessage (user) ----------\ncount\n"
        "---------- ModelClientStreamingChunkEvent (s) ----------\none two three\n"
    )


async def test_console_on_messages_stream_returns_response(capsys: pytest.CaptureFixture[str]) -> None:
    agent = AssistantAgent("r", ScriptedChatCompletionClient(["reply"]))
    response = await Console(
        agent.on_messages_stream([TextMessage(content="hi", source="user")], CancellationToken()), output_stats=True
    )
    assert isinstance(response, Response)
    printed = capsys.readouterr().out
    assert "---------- r ----------\nreply\n" in printed
    assert "Number of inner messages: 0" in printed


async def test_console_without_result_raises() -> None:
    async def empty():  # type: ignore[no-untyped-def]
        yield TextMessage(content="x", source="y")

    with pytest.raises(ValueError, match="No TaskResult or Response"):
        await Console(empty(), output=io.StringIO())


async def test_user_input_manager_waits_for_the_console() -> None:
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return "typed"

    manager = UserInputManager(answer)
    user = UserProxyAgent("user", input_func=manager.get_wrapped_callback())
    out = io.StringIO()
    result = await asyncio.wait_for(
        Console(user.run_stream(task="question"), output=out, user_input_manager=manager), timeout=30
    )
    assert isinstance(result, TaskResult) and result.messages[-1].to_text() == "typed"
    assert asked == ["Enter your response: "]
    assert "UserInputRequestedEvent" not in out.getvalue()


async def test_rich_console_draws_panels() -> None:
    from rich.console import Console as RichTerminal

    from accord.ui import RichConsole

    buffer = io.StringIO()
    terminal = RichTerminal(file=buffer, width=60, color_system=None)
    agent = AssistantAgent("helper", ScriptedChatCompletionClient(["panel text"]))
    result = await RichConsole(agent.run_stream(task="hi"), console=terminal, output_stats=True)
    assert isinstance(result, TaskResult)
    drawn = buffer.getvalue()
    assert "helper" in drawn and "panel text" in drawn and "Summary" in drawn and "Number of messages: 2" in drawn
