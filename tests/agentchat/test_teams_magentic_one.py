"""MagenticOneGroupChat: task ledger, progress ledger, stall counting and replanning, final answer, state."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator

import pytest
from test_teams_support import RUNTIMES, BlockingAgent, ScriptAgent, make_runtime

from accord.conditions import MaxMessageTermination
from accord.core import CancellationToken, SingleThreadedAgentRuntime
from accord.messages import BaseChatMessage, SelectSpeakerEvent
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import MagenticOneGroupChat, RoundRobinGroupChat

ORCH = "MagenticOneOrchestrator"


@pytest.fixture(params=RUNTIMES)
async def runtime(request: pytest.FixtureRequest) -> AsyncGenerator[SingleThreadedAgentRuntime | None, None]:
    async for rt in make_runtime(request):
        yield rt


def ledger(
    *, done: bool = False, loop: bool = False, progress: bool = True, speaker: str = "coder", say: str = "go"
) -> str:
    return json.dumps(
        {
            "is_request_satisfied": {"reason": "finished" if done else "not yet", "answer": done},
            "is_in_loop": {"reason": "", "answer": loop},
            "is_progress_being_made": {"reason": "", "answer": progress},
            "next_speaker": {"reason": "", "answer": speaker},
            "instruction_or_question": {"reason": "", "answer": say},
        }
    )


def _chat(result_messages: object) -> list[tuple[str, str]]:
    return [(m.source, m.to_text()) for m in result_messages if isinstance(m, BaseChatMessage)]  # type: ignore[attr-defined]


async def test_basic_flow(runtime: SingleThreadedAgentRuntime | None) -> None:
    client = ReplayChatCompletionClient(
        ["FACTS", "PLAN", ledger(say="Write the code."), ledger(done=True), "The final answer."]
    )
    coder = ScriptAgent("coder", ["print(42)"], description="Writes code.")
    reviewer = ScriptAgent("reviewer", description="Reviews code.")
    team = MagenticOneGroupChat([coder, reviewer], client, runtime=runtime, emit_team_events=True)
    result = await team.run(task="Compute 42.")
    chat = _chat(result.messages)
    assert chat[0] == ("user", "Compute 42.")
    assert chat[1][0] == ORCH and "Compute 42." in chat[1][1] and "FACTS" in chat[1][1] and "PLAN" in chat[1][1]
    assert chat[2:] == [(ORCH, "Write the code."), ("coder", "print(42)"), (ORCH, "The final answer.")]
    assert result.stop_reason == "finished"
    assert [m.content for m in result.messages if isinstance(m, SelectSpeakerEvent)] == [["coder"]]
    # Entering the outer loop resets the participants: the coder saw the task ledger and its instruction.
    assert coder.calls == ["reset"]
    assert coder.seen[0].startswith(f"{ORCH}:We are working on") and coder.seen[-1] == f"{ORCH}:Write the code."
    # The planning calls name the team; the progress ledger prompt names the participants.
    assert "coder: Writes code." in client.create_calls[1]["messages"][-1].content
    assert "['coder', 'reviewer']" in client.create_calls[2]["messages"][-1].content


async def test_stalls_trigger_replanning(runtime: SingleThreadedAgentRuntime | None) -> None:
    client = ReplayChatCompletionClient(
        [
            "FACTS",
            "PLAN",
            ledger(progress=False, say="try 1"),
            ledger(loop=True, say="try 2"),
            "NEW FACTS",
            "NEW PLAN",
            ledger(say="try 3"),
            ledger(done=True),
            "answer",
        ]
    )
    coder = ScriptAgent("coder", ["attempt"])
    team = MagenticOneGroupChat([coder, ScriptAgent("other")], client, max_stalls=2, runtime=runtime)
    result = await team.run(task="Do it.")
    contents = [c for s, c in _chat(result.messages) if s == ORCH]
    assert contents[1] == "try 1" and "NEW FACTS" in contents[2] and "NEW PLAN" in contents[2]
    assert contents[3] == "try 3" and contents[-1] == "answer" and "try 2" not in contents
    # Replanning restarts the participants.
    assert coder.calls == ["reset", "reset"]
    state = await team.save_state()
    orch = state["agent_states"][ORCH]
    assert orch["facts"] == "NEW FACTS" and orch["plan"] == "NEW PLAN" and orch["n_stalls"] == 1


async def test_invalid_ledgers_are_retried_then_fail(runtime: SingleThreadedAgentRuntime | None) -> None:
    client = ReplayChatCompletionClient(["F", "P", "not json", ledger(speaker="nobody"), ledger(), ledger(), "x"])
    coder = ScriptAgent("coder")
    team = MagenticOneGroupChat([coder, ScriptAgent("other")], client, max_turns=1, runtime=runtime)
    result = await team.run(task="t")
    assert ("coder", "coder says hi") in _chat(result.messages)
    assert result.stop_reason == "Max rounds reached."

    bad = ReplayChatCompletionClient(["F", "P", *["{}"] * 10])
    team = MagenticOneGroupChat([ScriptAgent("coder")], bad, runtime=runtime)
    with pytest.raises(RuntimeError, match="Failed to parse ledger information after multiple retries"):
        await team.run(task="t")


async def test_termination_condition_and_resume(runtime: SingleThreadedAgentRuntime | None) -> None:
    client = ReplayChatCompletionClient(["F", "P", ledger(say="one"), ledger(say="two"), ledger(done=True), "end"])
    team = MagenticOneGroupChat(
        [ScriptAgent("coder")], client, termination_condition=MaxMessageTermination(1), runtime=runtime
    )
    first = await team.run(task="t")
    assert first.stop_reason is not None and first.stop_reason.startswith("Maximum number of messages 1")
    state = await team.save_state()
    fresh_client = ReplayChatCompletionClient([ledger(say="two"), ledger(done=True), "end"])
    fresh = MagenticOneGroupChat([ScriptAgent("coder")], fresh_client, runtime=runtime)
    await fresh.load_state(state)
    second = await fresh.run()
    assert [c for s, c in _chat(second.messages) if s == ORCH] == ["two", "end"]
    assert second.stop_reason == "finished"


async def test_cancellation(runtime: SingleThreadedAgentRuntime | None) -> None:
    blocker = BlockingAgent("coder")
    team = MagenticOneGroupChat([blocker], ReplayChatCompletionClient(["F", "P", ledger()]), runtime=runtime)
    token = CancellationToken()
    run = asyncio.create_task(team.run(task="t", cancellation_token=token))
    await blocker.started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert blocker.cancelled


def test_construction() -> None:
    client = ReplayChatCompletionClient([])
    with pytest.raises(ValueError, match="nested teams are not supported"):
        MagenticOneGroupChat([RoundRobinGroupChat([ScriptAgent("a")])], client)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="max_stalls"):
        MagenticOneGroupChat([ScriptAgent("a")], client, max_stalls=0)
    team = MagenticOneGroupChat([ScriptAgent("a")], client)
    assert team.name == "MagenticOneGroupChat"


async def test_no_task_is_an_error() -> None:
    team = MagenticOneGroupChat([ScriptAgent("a")], ReplayChatCompletionClient([]))
    with pytest.raises(RuntimeError, match="needs a task"):
        await team.run()


async def test_magentic_one_preset(tmp_path: object) -> None:
    from accord.code_executors import approve_all
    from accord.code_executors.local import LocalCommandLineCodeExecutor
    from accord.teams.magentic_one import MagenticOne

    info = {
        "family": "unknown",
        "vision": False,
        "function_calling": True,
        "json_output": True,
        "structured_output": False,
    }
    client = ReplayChatCompletionClient(
        ["F", "P", ledger(speaker="Coder", say="Explain."), "It is 42.", ledger(done=True, speaker="Coder"), "42"],
        model_info=info,  # type: ignore[arg-type]
    )
    executor = LocalCommandLineCodeExecutor(work_dir=str(tmp_path))
    with pytest.warns(UserWarning, match="does not provide FileSurfer, MultimodalWebSurfer"):
        team = MagenticOne(client, code_executor=executor, approval_func=approve_all)
    assert [p.name for p in team._participants] == ["Coder", "ComputerTerminal"]
    result = await team.run(task="What is 6 x 7?")
    assert _chat(result.messages)[-2:] == [("Coder", "It is 42."), (ORCH, "42")]
    with pytest.warns(UserWarning):
        hil = MagenticOne(client, hil_mode=True, code_executor=executor, approval_func=approve_all)
    assert [p.name for p in hil._participants][-1] == "User"


def test_preset_does_not_take_over_the_group_chat_provider() -> None:
    import accord.teams.magentic_one  # noqa: F401 - importing the preset must not change what the provider loads
    from accord.agents import AssistantAgent
    from accord.base import Team

    coder = AssistantAgent("coder", model_client=ReplayChatCompletionClient(["c"]))
    team = MagenticOneGroupChat([coder], ReplayChatCompletionClient(["x"]), max_turns=3)
    loaded = Team.load_component(team.dump_component())
    assert type(loaded) is MagenticOneGroupChat
