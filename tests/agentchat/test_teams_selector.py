"""SelectorGroupChat: model selection, selector_func, candidate_func, repeats, retries and fallback, state."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence

import pytest
from test_teams_support import RUNTIMES, ScriptAgent, make_runtime, texts

from accord.agents import AssistantAgent
from accord.conditions import MaxMessageTermination, TextMentionTermination
from accord.core import SingleThreadedAgentRuntime
from accord.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    ModelClientStreamingChunkEvent,
    SelectorEvent,
    SelectSpeakerEvent,
)
from accord.model_context import BufferedChatCompletionContext
from accord.models import SystemMessage, UserMessage
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import RoundRobinGroupChat, SelectorGroupChat
from accord.teams._selector import DEFAULT_SELECTOR_PROMPT, mentioned_agents


@pytest.fixture(params=RUNTIMES)
async def runtime(request: pytest.FixtureRequest) -> AsyncGenerator[SingleThreadedAgentRuntime | None, None]:
    async for rt in make_runtime(request):
        yield rt


def _agents() -> list[ScriptAgent]:
    return [ScriptAgent(n, description=f"I am {n}.") for n in ("alpha", "beta", "gamma")]


async def test_model_selects_speakers(runtime: SingleThreadedAgentRuntime | None) -> None:
    selector = ReplayChatCompletionClient(["beta", "I pick gamma.", "alpha"])
    team = SelectorGroupChat(_agents(), selector, max_turns=3, runtime=runtime)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "beta", "gamma", "alpha"]
    prompt = selector.create_calls[0]["messages"][0]
    assert isinstance(prompt, UserMessage)  # replay's family is not OpenAI
    assert "alpha: I am alpha.\nbeta: I am beta.\ngamma: I am gamma." in prompt.content
    assert "['alpha', 'beta', 'gamma']" in prompt.content
    assert "user: go" in prompt.content
    # Later prompts include the conversation and exclude the previous speaker from the candidates.
    second = selector.create_calls[1]["messages"][0].content
    assert "beta: beta says hi" in second and "['alpha', 'gamma']" in second


async def test_openai_family_gets_system_prompt() -> None:
    selector = ReplayChatCompletionClient(
        ["beta"],
        model_info={
            "family": "gpt-4o",
            "vision": False,
            "function_calling": False,
            "json_output": False,
            "structured_output": False,
        },
    )
    team = SelectorGroupChat(_agents(), selector, max_turns=1)
    await team.run(task="go")
    assert isinstance(selector.create_calls[0]["messages"][0], SystemMessage)


async def test_retries_with_feedback_then_succeeds(runtime: SingleThreadedAgentRuntime | None) -> None:
    selector = ReplayChatCompletionClient(["nobody", "alpha and beta", "beta"])
    team = SelectorGroupChat(_agents(), selector, max_turns=1, runtime=runtime)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "beta"]
    last = selector.create_calls[-1]["messages"]
    feedback = [m.content for m in last if isinstance(m, UserMessage)][1:]
    assert feedback == [
        "No valid name was mentioned. Please select from: ['alpha', 'beta', 'gamma'].",
        "Expected exactly one name to be mentioned. Please select only one from: ['alpha', 'beta', 'gamma'].",
    ]


async def test_repeated_speaker_is_refused_then_fallback_with_event(
    runtime: SingleThreadedAgentRuntime | None, caplog: pytest.LogCaptureFixture
) -> None:
    selector = ReplayChatCompletionClient(["alpha", "alpha", "alpha", "???"])
    team = SelectorGroupChat(_agents(), selector, max_turns=2, max_selector_attempts=3, runtime=runtime)
    with caplog.at_level(logging.WARNING):
        result = await team.run(task="go")
    # Turn 1: alpha. Turn 2: the model insists on alpha (refused), then nonsense: fallback to the previous speaker.
    assert [m.source for m in result.messages if isinstance(m, BaseChatMessage)] == ["user", "alpha", "alpha"]
    events = [m for m in result.messages if isinstance(m, SelectorEvent)]
    assert len(events) == 1 and "after 3 attempts" in events[0].content and "alpha" in events[0].content
    assert "Repeated speaker is not allowed" in str(selector.create_calls[-1]["messages"])
    assert any("failed to select a speaker" in r.message for r in caplog.records)


async def test_fallback_without_previous_speaker_uses_first_candidate() -> None:
    selector = ReplayChatCompletionClient(["no", "still no"])
    team = SelectorGroupChat(_agents(), selector, max_turns=1, max_selector_attempts=2)
    result = await team.run(task="go")
    assert [m.source for m in result.messages if isinstance(m, BaseChatMessage)] == ["user", "alpha"]
    assert any(isinstance(m, SelectorEvent) and "first candidate" in m.content for m in result.messages)


async def test_allow_repeated_speaker(runtime: SingleThreadedAgentRuntime | None) -> None:
    selector = ReplayChatCompletionClient(["gamma", "gamma"])
    team = SelectorGroupChat(_agents(), selector, max_turns=2, allow_repeated_speaker=True, runtime=runtime)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "gamma", "gamma"]


async def test_two_participants_alternate_without_model(runtime: SingleThreadedAgentRuntime | None) -> None:
    selector = ReplayChatCompletionClient(["alpha"])
    team = SelectorGroupChat([ScriptAgent("alpha"), ScriptAgent("beta")], selector, max_turns=4, runtime=runtime)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "alpha", "beta", "alpha", "beta"]
    assert len(selector.create_calls) == 1  # one candidate left after the first turn: no model call


async def test_selector_func_sync_and_async(runtime: SingleThreadedAgentRuntime | None) -> None:
    def pick(thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> str | None:
        return "gamma" if thread[-1].source == "user" else None

    selector = ReplayChatCompletionClient(["alpha"])
    team = SelectorGroupChat(_agents(), selector, selector_func=pick, max_turns=2, runtime=runtime)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "gamma", "alpha"]

    async def always_beta(thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> str | None:
        return "beta"

    team = SelectorGroupChat(_agents(), ReplayChatCompletionClient([]), selector_func=always_beta, max_turns=2)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "beta", "beta"]

    def bad(thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> str | None:
        return "nobody"

    team = SelectorGroupChat(_agents(), ReplayChatCompletionClient([]), selector_func=bad, max_turns=2)
    with pytest.raises(RuntimeError, match="invalid speaker name: 'nobody'"):
        await team.run(task="go")


async def test_candidate_func(runtime: SingleThreadedAgentRuntime | None) -> None:
    def candidates(thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str]:
        return ["beta", "gamma"] if len(thread) == 1 else ["alpha"]

    selector = ReplayChatCompletionClient(["gamma"])
    team = SelectorGroupChat(_agents(), selector, candidate_func=candidates, max_turns=2, runtime=runtime)
    result = await team.run(task="go")
    assert [m.source for m in result.messages] == ["user", "gamma", "alpha"]
    assert "['beta', 'gamma']" in selector.create_calls[0]["messages"][0].content

    async def empty(thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str]:
        return []

    team = SelectorGroupChat(_agents(), selector, candidate_func=empty, max_turns=1)
    with pytest.raises(RuntimeError, match="non-empty"):
        await team.run(task="go")


async def test_streaming_selector_emits_events() -> None:
    selector = ReplayChatCompletionClient(["beta"])
    team = SelectorGroupChat(_agents(), selector, max_turns=1, model_client_streaming=True, emit_team_events=True)
    items = [i async for i in team.run_stream(task="go")]
    assert any(isinstance(i, ModelClientStreamingChunkEvent) for i in items)
    assert any(isinstance(i, SelectorEvent) and i.content == "beta" for i in items)
    assert any(isinstance(i, SelectSpeakerEvent) and i.content == ["beta"] for i in items)


async def test_state_round_trip_repopulates_model_context(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = SelectorGroupChat(_agents(), ReplayChatCompletionClient(["beta"]), max_turns=1)
    await team.run(task="go")
    state = await team.save_state()
    manager = state["agent_states"]["SelectorGroupChatManager"]
    assert manager["previous_speaker"] == "beta" and len(manager["message_thread"]) == 2

    selector = ReplayChatCompletionClient(["beta", "gamma"])
    fresh = SelectorGroupChat(_agents(), selector, max_turns=1, runtime=runtime)
    await fresh.load_state(state)
    result = await fresh.run()
    # beta is refused (repeat), gamma chosen; the prompt holds the loaded conversation.
    assert [m.source for m in result.messages] == ["gamma"]
    assert "beta: beta says hi" in selector.create_calls[0]["messages"][0].content


async def test_model_context_limits_history() -> None:
    selector = ReplayChatCompletionClient(["beta", "gamma"])
    team = SelectorGroupChat(
        _agents(), selector, max_turns=2, model_context=BufferedChatCompletionContext(buffer_size=1)
    )
    await team.run(task="the task")
    second = selector.create_calls[1]["messages"][0].content
    assert "the task" not in second and "beta: beta says hi" in second


async def test_with_assistant_agents_and_termination(runtime: SingleThreadedAgentRuntime | None) -> None:
    writer = AssistantAgent("writer", model_client=ReplayChatCompletionClient(["draft"]), description="Writes.")
    critic = AssistantAgent("critic", model_client=ReplayChatCompletionClient(["APPROVE"]), description="Reviews.")
    team = SelectorGroupChat(
        [writer, critic],
        ReplayChatCompletionClient(["writer"]),
        termination_condition=TextMentionTermination("APPROVE") | MaxMessageTermination(10),
        runtime=runtime,
    )
    result = await team.run(task="Write; APPROVE when good.")
    assert texts(result.messages)[1:] == [("writer", "draft"), ("critic", "APPROVE")]
    assert result.stop_reason == "Text 'APPROVE' mentioned"


def test_construction_errors() -> None:
    with pytest.raises(ValueError, match="At least two participants"):
        SelectorGroupChat([ScriptAgent("a")], ReplayChatCompletionClient([]))
    with pytest.raises(ValueError, match="model_client"):
        SelectorGroupChat(_agents(), "gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_selector_attempts"):
        SelectorGroupChat(_agents(), ReplayChatCompletionClient([]), max_selector_attempts=0)


def test_mentions() -> None:
    names = ["Story_writer", "critic"]
    assert mentioned_agents("Story writer should go", names) == {"Story_writer": 1}
    assert mentioned_agents("Story\\_writer", names) == {"Story_writer": 1}
    assert mentioned_agents("critic, critic!", names) == {"critic": 2}
    assert mentioned_agents("criticism", names) == {}


async def test_component_round_trip() -> None:
    team = SelectorGroupChat(
        [
            AssistantAgent("a", model_client=ReplayChatCompletionClient(["x"] * 5)),
            AssistantAgent("b", model_client=ReplayChatCompletionClient(["y"] * 5)),
        ],
        ReplayChatCompletionClient(["a", "b", "a"]),
        max_turns=3,
        allow_repeated_speaker=True,
        model_context=BufferedChatCompletionContext(buffer_size=4),
    )
    model = team.dump_component()
    assert model.provider == "autogen_agentchat.teams.SelectorGroupChat"
    assert model.config["selector_prompt"] == DEFAULT_SELECTOR_PROMPT
    loaded = SelectorGroupChat.load_component(model)
    assert loaded.dump_component().config == model.config
    result = await loaded.run(task="go")
    assert [m.source for m in result.messages] == ["user", "a", "b", "a"]


async def test_nested_team_participant_and_console(runtime: SingleThreadedAgentRuntime | None) -> None:
    import io

    from accord.ui import Console

    inner = RoundRobinGroupChat(
        [ScriptAgent("i1"), ScriptAgent("i2")], max_turns=2, name="inner", description="A pair."
    )
    selector = ReplayChatCompletionClient(["inner", "alpha"])
    team = SelectorGroupChat([ScriptAgent("alpha"), inner], selector, max_turns=2, runtime=runtime)
    out = io.StringIO()
    result = await Console(team.run_stream(task="go"), output=out)
    assert [m.source for m in result.messages] == ["user", "i1", "i2", "alpha"]
    assert "inner: A pair." in selector.create_calls[0]["messages"][0].content
    assert "---------- TextMessage (i2) ----------" in out.getvalue()
