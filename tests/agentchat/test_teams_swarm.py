"""Swarm: handoffs decide the speaker; HandoffTermination and resuming with a HandoffMessage; state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest
from test_teams_support import RUNTIMES, HandoffAgent, ScriptAgent, make_runtime

from accord.agents import AssistantAgent
from accord.conditions import HandoffTermination, MaxMessageTermination
from accord.core import FunctionCall, SingleThreadedAgentRuntime
from accord.messages import HandoffMessage
from accord.models import CreateResult, RequestUsage
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import RoundRobinGroupChat, Swarm


@pytest.fixture(params=RUNTIMES)
async def runtime(request: pytest.FixtureRequest) -> AsyncGenerator[SingleThreadedAgentRuntime | None, None]:
    async for rt in make_runtime(request):
        yield rt


async def test_handoffs_choose_the_speaker(runtime: SingleThreadedAgentRuntime | None) -> None:
    alice = HandoffAgent("alice", ["->bob", "alice again"])
    bob = HandoffAgent("bob", ["bob speaks", "->alice"])
    team = Swarm(
        [alice, bob], termination_condition=MaxMessageTermination(6), runtime=runtime
    )  # the task message counts, as in AutoGen
    result = await team.run(task="start")
    # alice hands off to bob; bob keeps speaking until he hands back.
    assert [m.source for m in result.messages] == ["user", "alice", "bob", "bob", "alice", "alice"]
    assert isinstance(result.messages[1], HandoffMessage)


async def test_handoff_termination_and_resume(runtime: SingleThreadedAgentRuntime | None) -> None:
    alice = HandoffAgent("alice", ["->user", "thanks"])
    team = Swarm([alice, HandoffAgent("bob")], termination_condition=HandoffTermination("user"), runtime=runtime)
    result = await team.run(task="help me")
    assert result.stop_reason == "Handoff to user from alice detected."
    # Resuming with plain text is refused: the last handoff targets a non-participant.
    with pytest.raises(ValueError, match="existing handoff target 'user'"):
        await team.run(task="here is the info")
    with pytest.raises(ValueError, match="target 'nobody'"):
        await team.run(task=HandoffMessage(content="x", target="nobody", source="user"))
    result = await team.run(
        task=HandoffMessage(content="here is the info", target="alice", source="user"), output_task_messages=False
    )
    assert [m.source for m in result.messages][:1] == ["alice"]


async def test_assistant_agent_handoff_tool(runtime: SingleThreadedAgentRuntime | None) -> None:
    model_info = {
        "family": "unknown",
        "vision": False,
        "function_calling": True,
        "json_output": False,
        "structured_output": False,
    }
    call = CreateResult(
        finish_reason="function_calls",
        content=[FunctionCall(id="1", name="transfer_to_bob", arguments="{}")],
        usage=RequestUsage(prompt_tokens=0, completion_tokens=0),
        cached=False,
    )
    alice = AssistantAgent(
        "alice", model_client=ReplayChatCompletionClient([call], model_info=model_info), handoffs=["bob"]
    )
    bob = AssistantAgent("bob", model_client=ReplayChatCompletionClient(["bob here"], model_info=model_info))
    team = Swarm([alice, bob], max_turns=2, runtime=runtime)
    result = await team.run(task="go")
    chat = [m for m in result.messages if m.source in ("alice", "bob") and not hasattr(m, "call_id")]
    assert any(isinstance(m, HandoffMessage) and m.target == "bob" for m in chat)
    assert result.messages[-1].source == "bob" and result.messages[-1].to_text() == "bob here"


async def test_state_round_trip(runtime: SingleThreadedAgentRuntime | None) -> None:
    team = Swarm([HandoffAgent("alice", ["->bob"]), HandoffAgent("bob", ["b1", "b2"])], max_turns=2)
    await team.run(task="go")
    state = await team.save_state()
    assert state["agent_states"]["SwarmGroupChatManager"]["current_speaker"] == "bob"
    fresh = Swarm([HandoffAgent("alice", ["->bob"]), HandoffAgent("bob", ["b1", "b2"])], max_turns=1, runtime=runtime)
    await fresh.load_state(state)
    result = await fresh.run()
    assert [m.source for m in result.messages] == ["bob"]
    assert result.messages[0].to_text() == "b2"


def test_construction_errors() -> None:
    with pytest.raises(ValueError, match="handoff"):
        Swarm([ScriptAgent("a"), HandoffAgent("b")])
    with pytest.raises(ValueError, match="nested teams are not supported"):
        Swarm([HandoffAgent("a"), RoundRobinGroupChat([ScriptAgent("b")])])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"duplicated: \['a'\]"):
        Swarm([HandoffAgent("a"), HandoffAgent("a")])


async def test_component_round_trip() -> None:
    info = {
        "family": "unknown",
        "vision": False,
        "function_calling": True,
        "json_output": False,
        "structured_output": False,
    }
    alice = AssistantAgent(
        "alice",
        model_client=ReplayChatCompletionClient(["hi"], model_info=info),
        handoffs=["bob"],  # type: ignore[arg-type]
    )
    bob = AssistantAgent("bob", model_client=ReplayChatCompletionClient(["yo"]))
    team = Swarm([alice, bob], termination_condition=HandoffTermination("user"), max_turns=3)
    model = team.dump_component()
    assert model.provider == "autogen_agentchat.teams.Swarm"
    loaded = Swarm.load_component(model)
    assert loaded.dump_component().config == model.config


async def test_pause_resume_while_running(runtime: SingleThreadedAgentRuntime | None) -> None:
    from test_teams_support import BlockingAgent

    class BlockingHandoff(BlockingAgent, HandoffAgent):
        pass

    alice = BlockingHandoff("alice", replies=["->bob"])
    bob = HandoffAgent("bob", ["done"])
    team = Swarm([alice, bob], max_turns=2, runtime=runtime)
    run = asyncio.create_task(team.run(task="go"))
    await alice.started.wait()
    await team.pause()
    await team.resume()
    assert alice.calls == ["pause", "resume"] and bob.calls == ["pause", "resume"]
    alice.release.set()
    result = await run
    assert [m.source for m in result.messages] == ["user", "alice", "bob"]
