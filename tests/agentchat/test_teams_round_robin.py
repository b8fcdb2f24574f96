"""RoundRobinGroupChat and the shared team machinery (run, stream, state, errors, cancellation, nesting)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest
from test_teams_support import (
    RUNTIMES,
    BlockingAgent,
    FailingAgent,
    LeakyAgent,
    ScriptAgent,
    make_runtime,
    texts,
)

from accord.agents import AssistantAgent
from accord.base import TaskResult
from accord.conditions import (
    ExternalTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    TextMentionTermination,
)
from accord.core import CancellationToken, SingleThreadedAgentRuntime
from accord.messages import (
    BaseChatMessage,
    ModelClientStreamingChunkEvent,
    SelectSpeakerEvent,
    StopMessage,
    TextMessage,
    ThoughtEvent,
)
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import RoundRobinGroupChat, TeamRunningError


@pytest.fixture(params=RUNTIMES)
async def runtime(request: pytest.FixtureRequest) -> AsyncGenerator[SingleThreadedAgentRuntime | None, None]:
    async for rt in make_runtime(request):
        yield rt


async def test_round_robin_with_assistant_agents(runtime: SingleThreadedAgentRuntime | None) -> None:
    a = AssistantAgent("a", model_client=ReplayChatCompletionClient(["a1", "a2"]))
    b = AssistantAgent("b", model_client=ReplayChatCompletionClient(["b1", "TERMINATE"]))
    team = RoundRobinGroupChat([a, b], termination_condition=TextMentionTermination("TERMINATE"), runtime=runtime)
    result = await team.run(task="Say TERMINATE when done.")
    assert texts(result.messages) == [
        ("user", "Say TERMINATE when done."),
        ("a", "a1"),
        ("b", "b1"),
        ("a", "a2"),
        ("b", "TERMINATE"),
    ]
    assert result.stop_reason == "Text 'TERMINATE' mentioned"


async def test_task_text_never_triggers_termination(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #6826: the task mentions the stop phrase; the team must still run.
    team = RoundRobinGroupChat(
        [ScriptAgent("a", ["ok"]), ScriptAgent("b", ["DONE now"])],
        termination_condition=TextMentionTermination("DONE"),
        runtime=runtime,
    )
    result = await team.run(task="Discuss, then say DONE.")
    assert [m.source for m in result.messages] == ["user", "a", "b"]
    assert result.stop_reason == "Text 'DONE' mentioned"


async def test_task_messages_are_counted_like_autogen(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen counts the task message: MaxMessageTermination(3) stops after task + two replies, and a team whose
    # limit is reached by the task alone stops before anyone speaks -- even when the task also mentions the stop text.
    team = RoundRobinGroupChat(
        [ScriptAgent("a"), ScriptAgent("b")], termination_condition=MaxMessageTermination(3), runtime=runtime
    )
    result = await team.run(task="hello")
    assert [m.source for m in result.messages] == ["user", "a", "b"]
    assert result.stop_reason == "Maximum number of messages 3 reached, current message count: 3"
    one = RoundRobinGroupChat(
        [ScriptAgent("a"), ScriptAgent("b")],
        termination_condition=TextMentionTermination("hello") | MaxMessageTermination(1),
        runtime=runtime,
    )
    result = await one.run(task="hello")
    assert [m.source for m in result.messages] == ["user"]
    assert result.stop_reason == "Maximum number of messages 1 reached, current message count: 1"


async def test_max_turns_and_resume(runtime: SingleThreadedAgentRuntime | None) -> None:
    agents = [ScriptAgent(n) for n in ("a", "b", "c")]
    team = RoundRobinGroupChat(agents, max_turns=2, runtime=runtime)
    first = await team.run(task="go")
    assert [m.source for m in first.messages] == ["user", "a", "b"]
    assert first.stop_reason == "Maximum number of turns 2 reached."
    # Running again (no task) continues with the next speaker (AutoGen #6882: teams can run twice in a row).
    second = await team.run()
    assert [m.source for m in second.messages] == ["c", "a"]
    third = await team.run(task="again")
    assert [m.source for m in third.messages] == ["user", "b", "c"]
    # c saw everything said since its last turn, in order.
    assert agents[2].seen[-3:] == ["a:a says hi", "user:again", "b:b says hi"]


async def test_every_participant_receives_new_messages_once(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b = ScriptAgent("a"), ScriptAgent("b")
    team = RoundRobinGroupChat(
        [a, b], termination_condition=MaxMessageTermination(5), runtime=runtime
    )  # the task message counts, as in AutoGen
    await team.run(task="hello")
    assert a.seen == ["user:hello", "b:b says hi"]
    assert b.seen == ["user:hello", "a:a says hi", "a:a says hi"]


async def test_run_stream_yields_task_then_messages_then_result(runtime: SingleThreadedAgentRuntime | None) -> None:
    client = ReplayChatCompletionClient(["chunked answer", "second answer"])
    a = AssistantAgent("a", model_client=client, model_client_stream=True)
    team = RoundRobinGroupChat([a], max_turns=1, runtime=runtime)
    items = [item async for item in team.run_stream(task="hi")]
    assert isinstance(items[0], TextMessage) and items[0].source == "user"
    assert any(isinstance(i, ModelClientStreamingChunkEvent) for i in items)
    result = items[-1]
    assert isinstance(result, TaskResult)
    assert not any(isinstance(m, ModelClientStreamingChunkEvent) for m in result.messages)
    assert [m.source for m in result.messages] == ["user", "a"]

    items = [item async for item in team.run_stream(task="again", output_task_messages=False)]
    assert isinstance(items[-1], TaskResult)
    assert all(m.source != "user" for m in items[-1].messages)


async def test_emit_team_events(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = RoundRobinGroupChat(
        [ScriptAgent("a"), ScriptAgent("b")], max_turns=2, emit_team_events=True, runtime=runtime
    )
    result = await team.run(task="x")
    events = [m for m in result.messages if isinstance(m, SelectSpeakerEvent)]
    assert [e.content for e in events] == [["a"], ["b"]]
    assert events[0].source == "RoundRobinGroupChatManager"


async def test_task_forms_and_bad_tasks(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = RoundRobinGroupChat([ScriptAgent("a")], max_turns=1, runtime=runtime)
    result = await team.run(task=TextMessage(content="m", source="boss"))
    assert texts(result.messages)[0] == ("boss", "m")
    result = await team.run(task=[TextMessage(content="1", source="u"), TextMessage(content="2", source="u")])
    assert [m.to_text() for m in result.messages] == ["1", "2", "a says hi"]
    with pytest.raises(ValueError, match="must not be empty"):
        await team.run(task=[])
    with pytest.raises(ValueError, match="BaseChatMessage"):
        await team.run(task=["not a message"])  # type: ignore[list-item]

    class Custom(TextMessage):
        pass

    with pytest.raises(ValueError, match="not registered"):
        await team.run(task=Custom(content="x", source="u"))
    custom_team = RoundRobinGroupChat([ScriptAgent("b")], max_turns=1, custom_message_types=[Custom], runtime=runtime)
    result = await custom_team.run(task=Custom(content="x", source="u"))
    assert isinstance(result.messages[0], Custom)


def test_bad_participants_and_options() -> None:
    with pytest.raises(ValueError, match="at least one participant"):
        RoundRobinGroupChat([])
    with pytest.raises(ValueError, match=r"duplicated: \['a'\]"):
        RoundRobinGroupChat([ScriptAgent("a"), ScriptAgent("a"), ScriptAgent("b")])
    bad = ScriptAgent("ok")
    bad._name = "not ok"
    with pytest.raises(ValueError, match="not ok"):
        RoundRobinGroupChat([bad])
    with pytest.raises(ValueError, match="ChatAgent or Team"):
        RoundRobinGroupChat(["a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="TerminationCondition"):
        RoundRobinGroupChat([ScriptAgent("a")], termination_condition="TERMINATE")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_turns"):
        RoundRobinGroupChat([ScriptAgent("a")], max_turns=0)


async def test_running_twice_at_once_is_a_clear_error(runtime: SingleThreadedAgentRuntime | None) -> None:
    blocker = BlockingAgent("a")
    team = RoundRobinGroupChat([blocker], max_turns=1, runtime=runtime)
    first = asyncio.create_task(team.run(task="x"))
    await blocker.started.wait()
    with pytest.raises(ValueError, match="already running"):
        await team.run(task="y")
    with pytest.raises(RuntimeError, match="running"):
        await team.reset()
    with pytest.raises(RuntimeError, match="running"):
        await team.load_state({"agent_states": {}})
    with pytest.raises(TeamRunningError):
        await team.run()
    blocker.release.set()
    result = await first
    assert result.stop_reason == "Maximum number of turns 1 reached."


async def test_agent_error_surfaces_and_team_runs_again(runtime: SingleThreadedAgentRuntime | None) -> None:
    failing = FailingAgent("b")
    team = RoundRobinGroupChat([ScriptAgent("a"), failing], max_turns=3, runtime=runtime)
    with pytest.raises(RuntimeError, match="b failed on purpose") as info:
        await team.run(task="x")
    assert isinstance(info.value.__cause__, ValueError)
    await team.reset()
    solo = RoundRobinGroupChat([ScriptAgent("c")], max_turns=1, runtime=runtime)
    assert (await solo.run(task="y")).stop_reason == "Maximum number of turns 1 reached."


async def test_cancellation_reaches_the_working_agent(runtime: SingleThreadedAgentRuntime | None) -> None:
    blocker = BlockingAgent("a")
    team = RoundRobinGroupChat([blocker], max_turns=1, runtime=runtime)
    token = CancellationToken()
    run = asyncio.create_task(team.run(task="x", cancellation_token=token))
    await blocker.started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert blocker.cancelled
    # The team is usable after cancellation.
    blocker.release.set()
    result = await team.run()
    assert [m.source for m in result.messages] == ["a"]


async def test_cancellation_reaches_nested_team(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #8091 / #7100: cancelling the outer run stops the agent working inside the inner team.
    inner_blocker = BlockingAgent("inner")
    inner = RoundRobinGroupChat([inner_blocker], max_turns=1, name="inner_team")
    outer = RoundRobinGroupChat([ScriptAgent("a"), inner], max_turns=2, runtime=runtime)
    token = CancellationToken()
    run = asyncio.create_task(outer.run(task="x", cancellation_token=token))
    await inner_blocker.started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert inner_blocker.cancelled


async def test_external_termination_stops_after_current_turn(runtime: SingleThreadedAgentRuntime | None) -> None:
    stop = ExternalTermination()
    blocker = BlockingAgent("a")
    team = RoundRobinGroupChat([blocker, ScriptAgent("b")], termination_condition=stop, runtime=runtime)
    run = asyncio.create_task(team.run(task="x"))
    await blocker.started.wait()
    stop.set()
    blocker.release.set()
    result = await run
    assert [m.source for m in result.messages] == ["user", "a"]
    assert result.stop_reason == "External termination requested"


async def test_pause_and_resume_reach_agents(runtime: SingleThreadedAgentRuntime | None) -> None:
    blocker = BlockingAgent("a")
    other = ScriptAgent("b")
    team = RoundRobinGroupChat([blocker, other], max_turns=2, runtime=runtime)
    run = asyncio.create_task(team.run(task="x"))
    await blocker.started.wait()
    await team.pause()
    assert blocker.calls == ["pause"] and other.calls == ["pause"]
    await team.resume()
    assert blocker.calls == ["pause", "resume"]
    blocker.release.set()
    result = await run
    assert [m.source for m in result.messages] == ["user", "a", "b"]


async def test_state_round_trip_mid_run(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = RoundRobinGroupChat([ScriptAgent("a", ["a1", "a2"]), ScriptAgent("b", ["b1", "b2"])], max_turns=3)
    await team.run(task="start")
    state = await team.save_state()
    assert set(state["agent_states"]) == {"a", "b", "RoundRobinGroupChatManager"}
    manager_state = state["agent_states"]["RoundRobinGroupChatManager"]
    assert manager_state["next_speaker_index"] == 1 and len(manager_state["message_thread"]) == 4
    # b has not seen a's second message yet: it is in b's buffer.
    assert [m["content"] for m in state["agent_states"]["b"]["message_buffer"]] == ["a2"]

    fresh = RoundRobinGroupChat(
        [ScriptAgent("a", ["a1", "a2"]), ScriptAgent("b", ["b1", "b2"])], max_turns=3, runtime=runtime
    )
    await fresh.load_state(state)
    assert await fresh.save_state() == state
    result = await fresh.run()
    assert texts(result.messages) == [("b", "b2"), ("a", "a1"), ("b", "b1")]

    with pytest.raises(ValueError, match="Invalid state format"):
        await fresh.load_state({"agent_states": {"a": {}}})


async def test_reset_returns_to_initial_state(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b = ScriptAgent("a"), ScriptAgent("b")
    team = RoundRobinGroupChat([a, b], max_turns=1, runtime=runtime)
    await team.run(task="x")
    await team.reset()
    assert a.calls == ["reset"] and b.calls == ["reset"]
    result = await team.run(task="y")
    assert [m.source for m in result.messages] == ["user", "a"]


async def test_nested_team_as_participant(runtime: SingleThreadedAgentRuntime | None) -> None:
    inner = RoundRobinGroupChat([ScriptAgent("i1"), ScriptAgent("i2")], max_turns=2, name="inner")
    watcher = ScriptAgent("w")
    outer = RoundRobinGroupChat([watcher, inner], max_turns=3, runtime=runtime)
    result = await outer.run(task="task")
    assert [m.source for m in result.messages] == ["user", "w", "i1", "i2", "w"]
    # The outer agent sees the inner team's chat messages, each once; the inner team never echoes its task.
    assert watcher.seen == ["user:task", "i1:i1 says hi", "i2:i2 says hi"]
    state = await outer.save_state()
    assert "inner" in state["agent_states"]
    await outer.load_state(state)


async def test_nested_work_does_not_leak_into_outer_logic(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #6123: messages of agents nested inside a participant are visible to observers but do not reach
    # the outer termination condition, thread or other participants.
    leaky = LeakyAgent("som", ["outer answer"])
    other = ScriptAgent("b")
    team = RoundRobinGroupChat(
        [leaky, other], termination_condition=TextMentionTermination("TERMINATE"), max_turns=2, runtime=runtime
    )
    result = await team.run(task="x")
    assert result.stop_reason == "Maximum number of turns 2 reached."
    assert ("inner_agent", "inner says TERMINATE") in texts(result.messages)
    assert other.seen == ["user:x", "som:outer answer"]
    state = await team.save_state()
    thread = state["agent_states"]["RoundRobinGroupChatManager"]["message_thread"]
    assert [m["source"] for m in thread] == ["user", "som", "som", "b"]


async def test_inner_events_reach_termination(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = RoundRobinGroupChat(
        [ScriptAgent("a", events=2)],
        termination_condition=MaxMessageTermination(3, include_agent_event=True),
        runtime=runtime,
    )
    result = await team.run(task="x")
    assert sum(isinstance(m, ThoughtEvent) for m in result.messages) == 2
    assert result.stop_reason is not None and result.stop_reason.startswith("Maximum number of messages 3")


async def test_termination_condition_combinations(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = RoundRobinGroupChat(
        [ScriptAgent("a"), ScriptAgent("b"), ScriptAgent("c")],
        termination_condition=SourceMatchTermination(["c"]) | MaxMessageTermination(10),
        runtime=runtime,
    )
    result = await team.run(task="x")
    assert [m.source for m in result.messages] == ["user", "a", "b", "c"]
    assert result.stop_reason == "'c' answered"
    assert not any(isinstance(m, StopMessage) for m in result.messages)


async def test_component_round_trip() -> None:
    a = AssistantAgent("a", model_client=ReplayChatCompletionClient(["x"] * 10))
    inner = RoundRobinGroupChat([AssistantAgent("b", model_client=ReplayChatCompletionClient(["y"] * 10))], max_turns=1)
    team = RoundRobinGroupChat(
        [a, inner],
        termination_condition=TextMentionTermination("STOP")
        | MaxMessageTermination(6),  # the task message counts, as in AutoGen
        max_turns=7,
        name="my_team",
        description="desc",
        emit_team_events=True,
    )
    model = team.dump_component()
    assert model.provider == "autogen_agentchat.teams.RoundRobinGroupChat"
    assert model.config["max_turns"] == 7
    loaded = RoundRobinGroupChat.load_component(model)
    assert loaded.name == "my_team" and loaded.description == "desc"
    assert loaded.dump_component().config == model.config
    result = await loaded.run(task="go")
    chat = [m.source for m in result.messages if isinstance(m, BaseChatMessage)]
    assert chat == ["user", "a", "b", "a", "b", "a"]
    assert sum(isinstance(m, SelectSpeakerEvent) for m in result.messages) == 5


async def test_stop_iterating_at_the_result_then_run_again(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #6882: a team whose stream was left at the TaskResult can run again immediately.
    team = RoundRobinGroupChat([ScriptAgent("a"), ScriptAgent("b")], max_turns=1, runtime=runtime)
    stream = team.run_stream(task="first")
    async for item in stream:
        if isinstance(item, TaskResult):
            break
    second = await team.run(task="second")
    assert [m.source for m in second.messages] == ["user", "b"]
    await stream.aclose()  # closing the old stream later does not disturb the team
    third = await team.run()
    assert [m.source for m in third.messages] == ["a"]
    if runtime is None:
        assert not team._runtime.is_running  # type: ignore[attr-defined]


async def test_abandoned_stream_is_closed_and_team_reusable(runtime: SingleThreadedAgentRuntime | None) -> None:
    blocker = BlockingAgent("b")
    team = RoundRobinGroupChat([ScriptAgent("a"), blocker], max_turns=2, runtime=runtime)
    stream = team.run_stream(task="x")
    first = await stream.__anext__()
    assert first.source == "user"  # type: ignore[union-attr]
    await blocker.started.wait()
    await stream.aclose()  # stops the run: the working agent is cancelled
    assert blocker.cancelled
    blocker.release.set()
    result = await team.run()
    # The interrupted speaker keeps its turn and its unread messages; the turn count carries over.
    assert [m.source for m in result.messages] == ["b"]
    assert result.stop_reason == "Maximum number of turns 2 reached."
    assert blocker.seen == ["user:x", "a:a says hi"]


async def test_society_of_mind_inner_team_does_not_leak(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #6123 with the real SocietyOfMindAgent: the inner agents' "TERMINATE" is shown on the stream but
    # does not stop the outer team, and the outer agent only receives the society's answer.
    from accord.agents import SocietyOfMindAgent

    inner = RoundRobinGroupChat(
        [
            AssistantAgent("writer", model_client=ReplayChatCompletionClient(["draft", "draft 2"])),
            AssistantAgent("editor", model_client=ReplayChatCompletionClient(["TERMINATE", "TERMINATE"])),
        ],
        termination_condition=TextMentionTermination("TERMINATE"),
    )
    society = SocietyOfMindAgent("society", team=inner, model_client=ReplayChatCompletionClient(["final text"] * 2))
    listener = ScriptAgent("listener")
    outer = RoundRobinGroupChat(
        [society, listener], termination_condition=TextMentionTermination("TERMINATE"), max_turns=2, runtime=runtime
    )
    result = await outer.run(task="Write something.")
    assert result.stop_reason == "Maximum number of turns 2 reached."
    assert ("editor", "TERMINATE") in texts(result.messages)  # visible to observers
    assert listener.seen == ["user:Write something.", "society:final text"]


async def test_bad_state_leaves_the_team_unchanged() -> None:
    a, b = ScriptAgent("a"), ScriptAgent("b")
    team = RoundRobinGroupChat([a, b], max_turns=1)
    await team.run(task="x")
    before = await team.save_state()
    broken = {"agent_states": dict(before["agent_states"])}
    broken["agent_states"]["a"] = {"agent_state": {"index": 5}, "message_buffer": []}
    broken["agent_states"]["b"] = {"agent_state": {}, "message_buffer": [{"type": "NoSuchMessage"}]}
    with pytest.raises(ValueError, match="NoSuchMessage"):
        await team.load_state(broken)
    assert await team.save_state() == before
