"""Recording, resuming, replaying and forking teams in-process (the crash tests with kill -9 are in test_crash.py).

Models answer from what they are asked (``respond=``), not from a position in a script, so a resumed run asks the
same questions and gets the same answers whether a call was served from the journal or made for real; each model
counts the calls that really reached it.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from collections.abc import Sequence
from typing import Any

import pytest

from accord.agents import AssistantAgent, SocietyOfMindAgent, UserProxyAgent
from accord.agents.tools import AgentTool
from accord.base import TaskResult
from accord.conditions import HandoffTermination, MaxMessageTermination, TextMentionTermination
from accord.journal import (
    Decision,
    Journal,
    JournalStore,
    NeedsDecisionError,
    SqliteStore,
    TeamMismatchError,
    UnknownRunError,
    transcript,
)
from accord.teams import DiGraphBuilder, GraphFlow, RoundRobinGroupChat, SelectorGroupChat, Swarm
from accord.testing import ScriptedCall, ScriptedChatCompletionClient, tool_call
from accord.tools import FunctionTool


class Counter:
    def __init__(self) -> None:
        self.calls = 0


def model(name: str, counter: Counter, answer: Any = None) -> ScriptedChatCompletionClient:
    def respond(call: ScriptedCall) -> Any:
        counter.calls += 1
        if answer is not None:
            return answer(call)
        return f"{name} answers message {len(call.messages)}"

    return ScriptedChatCompletionClient(respond=respond)


def round_robin(counter: Counter, n: int = 7) -> RoundRobinGroupChat:
    agents = [AssistantAgent(name, model_client=model(name, counter)) for name in ("writer", "critic", "editor")]
    return RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(n))  # type: ignore[arg-type]


def texts(messages: Sequence[Any]) -> list[tuple[str, str, str]]:
    return [(type(m).__name__, m.source, str(m.content)) for m in messages]


async def test_round_robin_run_is_journaled(store: JournalStore) -> None:
    counter = Counter()
    team = round_robin(counter)
    result = await team.run(task="Write a haiku.", journal=store)
    assert len(result.messages) == 7 and counter.calls == 6
    runs = await store.list_runs()
    assert len(runs) == 1 and runs[0].status == "completed" and runs[0].kind == "team"
    records = await store.read_records(runs[0].run_id)
    assert [m["content"] for m in transcript(records)] == [m.content for m in result.messages]  # type: ignore[attr-defined]
    kinds = {r.kind for r in records}
    assert {"segment", "message", "step", "envelope", "result", "state"} <= kinds
    effects = await store.read_effects(runs[0].run_id)
    assert sorted(effects) == sorted(f"{a}/{s}/model/1" for s, a in enumerate(["writer", "critic", "editor"] * 2, 1))
    assert all(e.status == "done" for e in effects.values())


async def test_replay_serves_everything_and_matches(store: JournalStore) -> None:
    counter = Counter()
    await round_robin(counter).run(task="Write a haiku.", journal=store)
    run_id = (await store.list_runs())[0].run_id
    replay_counter = Counter()
    report = await Journal(store).replay(round_robin(replay_counter), run_id)
    assert report.ok, report.divergence
    assert report.matched == 7 and replay_counter.calls == 0
    # ids come from the run's seed: the replay is the same bit for bit (the creation time aside)
    records = transcript(await store.read_records(run_id))
    assert [m.id for m in report.messages] == [r["id"] for r in records]


async def test_replay_shows_the_first_divergence(store: JournalStore) -> None:
    await round_robin(Counter()).run(task="Write a haiku.", journal=store)
    run_id = (await store.list_runs())[0].run_id
    changed = round_robin(Counter())
    changed._participants[1]._system_messages[0].content = "You are a harsh critic."  # type: ignore[attr-defined]
    report = await Journal(store).replay(changed, run_id)
    assert not report.ok
    assert report.diverged_at == 2 and "critic/2/model/1" in (report.divergence or "")


async def test_resume_after_a_crash_serves_journaled_calls(store: JournalStore) -> None:
    reference = await round_robin(Counter()).run(task="Write a haiku.")
    crashed = Counter()
    team = round_robin(crashed)

    async def crash_after_three_messages() -> None:
        async with aclosing(team.run_stream(task="Write a haiku.", journal=store)) as stream:
            async for item in stream:
                if getattr(item, "source", None) == "critic":
                    raise KeyboardInterrupt  # the run stops here (the kill -9 tests are in test_crash.py)

    with pytest.raises(KeyboardInterrupt):
        await crash_after_three_messages()
    run_id = (await store.list_runs())[0].run_id
    assert (await store.get_run(run_id)).status == "failed"
    journaled = sum(e.status == "done" for e in (await store.read_effects(run_id)).values())
    assert 2 <= journaled <= crashed.calls
    again = Counter()
    result = await round_robin(again).resume(run_id, store=store)
    assert texts(result.messages) == texts(reference.messages)
    # no journaled call is made again (a call whose result was not yet durable when the run stopped is re-made)
    assert again.calls == 6 - journaled
    assert (await store.get_run(run_id)).status == "completed"
    assert texts_from(await store.read_records(run_id)) == texts(reference.messages)


def texts_from(records: Any) -> list[tuple[str, str, str]]:
    return [(m["type"], m["source"], str(m["content"])) for m in transcript(records)]


async def test_different_team_definition_names_the_first_mismatch(store: JournalStore) -> None:
    await round_robin(Counter()).run(task="t", journal=store)
    run_id = (await store.list_runs())[0].run_id
    await store.set_status(run_id, "failed")
    agents = [AssistantAgent(n, model_client=model(n, Counter())) for n in ("writer", "reviewer", "editor")]
    other = RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(7))  # type: ignore[arg-type]
    with pytest.raises(TeamMismatchError) as info:
        await other.resume(run_id, store=store)
    assert "participants[1] (critic).config.name" in str(info.value) and "'reviewer'" in str(info.value)


async def test_unknown_run_id_lists_recent_runs(store: JournalStore) -> None:
    await round_robin(Counter()).run(task="t", journal=store)
    run_id = (await store.list_runs())[0].run_id
    with pytest.raises(UnknownRunError) as info:
        await round_robin(Counter()).resume("no-such-run", store=store)
    assert run_id in str(info.value)


# ---------------------------------------------------------------- tools: idempotent or not


def tool_team(counter: Counter, tool: FunctionTool) -> RoundRobinGroupChat:
    def answer(call: ScriptedCall) -> Any:
        if call.messages[-1].type == "FunctionExecutionResultMessage":  # type: ignore[union-attr]
            return "booked. DONE"
        return tool_call("book", {"city": "Oslo"}, id="call_1")

    agent = AssistantAgent("agent", model_client=model("agent", counter, answer), tools=[tool])
    return RoundRobinGroupChat([agent], termination_condition=TextMentionTermination("DONE"))


class Booking:
    """What the ``book`` tool does now: hang (the process dies during the call) or book."""

    hang = False
    started = asyncio.Event()
    calls: list[str] = []  # noqa: RUF012


async def book(city: str) -> str:
    if Booking.hang:
        Booking.started.set()
        await asyncio.sleep(3600)
    Booking.calls.append(city)
    return f"booked {city}"


async def _crash_during_tool(store: JournalStore, idempotent: bool) -> str:
    Booking.hang, Booking.started, Booking.calls = True, asyncio.Event(), []
    tool = FunctionTool(book, name="book", description="Book a trip.")
    tool.idempotent = idempotent  # type: ignore[attr-defined]
    running = asyncio.ensure_future(tool_team(Counter(), tool).run(task="Book Oslo.", journal=store))
    await Booking.started.wait()
    running.cancel()  # the run stops while the tool runs
    with pytest.raises(asyncio.CancelledError):
        await running
    Booking.hang = False
    return (await store.list_runs())[0].run_id


async def test_non_idempotent_tool_in_flight_needs_a_decision(store: JournalStore) -> None:
    run_id = await _crash_during_tool(store, idempotent=False)
    tool = FunctionTool(book, name="book", description="Book a trip.")
    with pytest.raises(NeedsDecisionError) as info:
        await tool_team(Counter(), tool).resume(run_id, store=store)
    assert "agent/1/tool/1" in str(info.value) and "book" in str(info.value)
    assert (await store.get_run(run_id)).status == "needs_decision" and Booking.calls == []
    result = await tool_team(Counter(), tool).resume(run_id, store=store, decision=Decision("skip", "booked Oslo"))
    assert Booking.calls == [] and "DONE" in (result.stop_reason or "")
    events = [m for m in result.messages if type(m).__name__ == "ToolCallExecutionEvent"]
    assert events[0].content[0].content == "booked Oslo"  # type: ignore[attr-defined]
    assert (await store.get_run(run_id)).status == "completed"


async def test_needs_decision_retry_and_abort(store: JournalStore) -> None:
    run_id = await _crash_during_tool(store, idempotent=False)
    tool = FunctionTool(book, name="book", description="Book a trip.")
    result = await tool_team(Counter(), tool).resume(run_id, store=store, decision=Decision("retry"))
    assert Booking.calls == ["Oslo"] and "DONE" in (result.stop_reason or "")
    run_id = await _crash_during_tool(store, idempotent=False)
    aborted = await tool_team(Counter(), tool).resume(run_id, store=store, decision=Decision("abort"))
    assert "aborted" in (aborted.stop_reason or "") and (await store.get_run(run_id)).status == "aborted"


async def test_idempotent_tool_in_flight_runs_again(store: JournalStore) -> None:
    run_id = await _crash_during_tool(store, idempotent=True)
    tool = FunctionTool(book, name="book", description="Book a trip.")
    tool.idempotent = True  # type: ignore[attr-defined]
    result = await tool_team(Counter(), tool).resume(run_id, store=store)
    assert Booking.calls == ["Oslo"] and "DONE" in (result.stop_reason or "")


# ---------------------------------------------------------------- humans


async def test_user_proxy_pause_and_resume_with_input(tmp_path: Any) -> None:
    store = SqliteStore(tmp_path / "runs.db")

    def team() -> RoundRobinGroupChat:
        writer = AssistantAgent("writer", model_client=model("writer", Counter()))
        user = UserProxyAgent("user", input_func=lambda prompt: pytest.fail("the human is not asked in-process"))
        return RoundRobinGroupChat([writer, user], termination_condition=MaxMessageTermination(4))

    journal = Journal(store, pause_on_human=True)
    paused = await journal.run(team(), task="Draft it.")
    run_id = journal.last_run_id
    assert run_id is not None and "Waiting for input from user" in (paused.stop_reason or "")
    info = await store.get_run(run_id)
    assert info.status == "waiting" and info.meta["waiting"]["agent"] == "user"
    result = await team().resume(run_id, store=store, input="Looks good")
    chat = [t for t in texts(result.messages) if t[0] == "TextMessage"]
    assert chat[2] == ("TextMessage", "user", "Looks good")
    assert len(chat) == 4 and (await store.get_run(run_id)).status == "completed"
    await store.close()


async def test_swarm_handoff_to_user_waits_then_continues(store: JournalStore) -> None:
    counter = Counter()

    def answer(call: ScriptedCall) -> Any:
        last = call.messages[-1]
        if getattr(last, "source", None) == "user" and "Oslo" in str(last.content):
            return "Booked Oslo. TERMINATE"
        return tool_call("transfer_to_user", {}, id="call_h")

    def swarm() -> Swarm:
        agent = AssistantAgent("agent", model_client=model("agent", counter, answer), handoffs=["user"])
        return Swarm([agent], termination_condition=HandoffTermination("user") | TextMentionTermination("TERMINATE"))

    first = await swarm().run(task="Book a trip.", journal=store)
    run_id = (await store.list_runs())[0].run_id
    info = await store.get_run(run_id)
    assert type(first.messages[-1]).__name__ == "HandoffMessage"
    assert info.status == "waiting" and info.meta["waiting"] == {
        "type": "handoff",
        "agent": "agent",
        "content": first.messages[-1].content,  # type: ignore[attr-defined]
    }
    calls_before = counter.calls
    result = await swarm().resume(run_id, store=store, input="Oslo please")
    assert counter.calls == calls_before + 1  # the first segment was served, only the new turn called the model
    assert result.messages[0].source == "user" and "TERMINATE" in str(result.messages[-1].content)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- every team kind


def _selector(counter: Counter) -> SelectorGroupChat:
    agents = [AssistantAgent(n, model_client=model(n, counter)) for n in ("alice", "bob")]

    def pick(call: ScriptedCall) -> str:
        return "bob" if len(call.messages[-1].content) % 2 else "alice"  # type: ignore[arg-type]

    return SelectorGroupChat(
        agents,  # type: ignore[arg-type]
        model_client=model("selector", counter, pick),
        termination_condition=MaxMessageTermination(5),
        allow_repeated_speaker=True,
    )


def _graph(counter: Counter) -> GraphFlow:
    a, b, c = (AssistantAgent(n, model_client=model(n, counter)) for n in ("a", "b", "c"))
    builder = DiGraphBuilder()
    builder.add_node(a).add_node(b).add_node(c)
    builder.add_edge(a, b).add_edge(a, c)
    return GraphFlow([a, b, c], graph=builder.build())


def _society(counter: Counter) -> RoundRobinGroupChat:
    inner = RoundRobinGroupChat(
        [AssistantAgent(n, model_client=model(n, counter)) for n in ("x", "y")],
        termination_condition=MaxMessageTermination(3),
    )
    som = SocietyOfMindAgent("society", team=inner, model_client=model("society", counter))
    outer = AssistantAgent("outer", model_client=model("outer", counter))
    return RoundRobinGroupChat([outer, som], termination_condition=MaxMessageTermination(5))


def _agent_tool(counter: Counter) -> RoundRobinGroupChat:
    helper = AssistantAgent("helper", model_client=model("helper", counter), description="A helper.")

    def answer(call: ScriptedCall) -> Any:
        if call.messages[-1].type == "FunctionExecutionResultMessage":  # type: ignore[union-attr]
            return "Done with help."
        return tool_call("helper", {"task": "help me"}, id="call_t")

    boss = AssistantAgent("boss", model_client=model("boss", counter, answer), tools=[AgentTool(helper)])
    return RoundRobinGroupChat([boss], termination_condition=MaxMessageTermination(4))


def _nested(counter: Counter) -> RoundRobinGroupChat:
    inner = RoundRobinGroupChat(
        [AssistantAgent(n, model_client=model(n, counter)) for n in ("p", "q")],
        termination_condition=MaxMessageTermination(2),
        name="inner",
    )
    return RoundRobinGroupChat(
        [AssistantAgent("top", model_client=model("top", counter)), inner],
        termination_condition=MaxMessageTermination(6),
    )


TEAMS = {"selector": _selector, "graphflow": _graph, "society": _society, "agent_tool": _agent_tool, "nested": _nested}


@pytest.mark.parametrize("kind", sorted(TEAMS))
async def test_every_team_resumes_and_replays(kind: str, sqlite_store: SqliteStore) -> None:
    build = TEAMS[kind]
    reference = await build(Counter()).run(task="Go.")
    crashed = Counter()
    team = build(crashed)
    stop_after = max(2, len(reference.messages) // 2)

    async def crash() -> None:
        seen = 0
        async with aclosing(team.run_stream(task="Go.", journal=sqlite_store)) as stream:
            async for item in stream:
                if not isinstance(item, TaskResult) and type(item).__name__ != "ModelClientStreamingChunkEvent":
                    seen += 1
                    if seen >= stop_after:
                        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await crash()
    run_id = (await sqlite_store.list_runs())[0].run_id
    again = Counter()
    result = await build(again).resume(run_id, store=sqlite_store)
    assert texts(result.messages) == texts(reference.messages)
    total = Counter()
    await build(total).run(task="Go.")
    assert crashed.calls + again.calls == total.calls  # every journaled call was served, none made twice
    report = await Journal(sqlite_store).replay(build(Counter()), run_id)
    assert report.ok, report.divergence


async def test_bare_assistant_agent(sqlite_store: SqliteStore) -> None:
    counter = Counter()
    agent = AssistantAgent("solo", model_client=model("solo", counter))
    result = await agent.run(task="Hi", journal=sqlite_store)
    run_id = (await sqlite_store.list_runs())[0].run_id
    assert (await sqlite_store.get_run(run_id)).kind == "agent" and counter.calls == 1
    report = await Journal(sqlite_store).replay(AssistantAgent("solo", model_client=model("solo", counter)), run_id)
    assert report.ok and counter.calls == 1
    assert texts(report.messages) == texts(result.messages)


async def test_fork_at_a_step_with_a_changed_system_message(sqlite_store: SqliteStore) -> None:
    counter = Counter()
    await round_robin(counter).run(task="Write.", journal=sqlite_store)
    source = (await sqlite_store.list_runs())[0].run_id
    forked_counter = Counter()
    changed = round_robin(forked_counter)
    editor = changed._participants[2]
    editor._system_messages[0].content = "You are terse."  # type: ignore[attr-defined]
    journal = Journal(sqlite_store)
    result = None
    async for item in journal.fork_stream(changed, source, at_step=3):
        result = item
    assert isinstance(result, TaskResult)
    assert forked_counter.calls == 4  # steps 1-2 served from the source run, 3-6 called for real
    fork_id = journal.last_run_id
    assert fork_id is not None and fork_id != source
    from accord.journal import diff_runs

    diff = await diff_runs(sqlite_store, source, fork_id)
    assert diff.first_divergence is None  # a changed system message, same scripted answers: same transcript
    assert diff.totals_a.model_calls == 6 and diff.totals_b.model_calls == 6
    info = await sqlite_store.get_run(fork_id)
    assert info.meta["forked_from"] == source and info.meta["fork_at"] == 3
