"""GraphFlow and DiGraph: sequences, fan-out, joins, conditions, loops with exits, validation, state."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest
from test_teams_support import RUNTIMES, ScriptAgent, make_runtime

from accord.agents import AssistantAgent
from accord.conditions import MaxMessageTermination
from accord.core import SingleThreadedAgentRuntime
from accord.messages import BaseChatMessage
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import DiGraph, DiGraphBuilder, DiGraphEdge, DiGraphNode, GraphFlow, RoundRobinGroupChat

DONE = "Digraph execution is complete"


@pytest.fixture(params=RUNTIMES)
async def runtime(request: pytest.FixtureRequest) -> AsyncGenerator[SingleThreadedAgentRuntime | None, None]:
    async for rt in make_runtime(request):
        yield rt


def _sources(messages: list[object] | tuple[object, ...] | object) -> list[str]:
    return [m.source for m in messages if isinstance(m, BaseChatMessage)]  # type: ignore[attr-defined]


async def test_sequential(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b, c = ScriptAgent("A"), ScriptAgent("B"), ScriptAgent("C")
    graph = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_edge(a, b).add_edge(b, c).build()
    team = GraphFlow([a, b, c], graph, runtime=runtime)
    result = await team.run(task="go")
    assert _sources(result.messages) == ["user", "A", "B", "C"]
    assert result.stop_reason == DONE
    # Every participant receives every message.
    assert c.seen == ["user:go", "A:A says hi", "B:B says hi"]
    # Running again starts from the start node again.
    again = await team.run(task="again")
    assert _sources(again.messages) == ["user", "A", "B", "C"]


async def test_fan_out_and_join_all(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b, c, d = (ScriptAgent(n) for n in "ABCD")
    builder = DiGraphBuilder()
    for agent in (a, b, c, d):
        builder.add_node(agent)
    builder.add_edge(a, b).add_edge(a, c).add_edge(b, d).add_edge(c, d)
    team = GraphFlow(builder.get_participants(), builder.build(), runtime=runtime)
    result = await team.run(task="go")
    sources = _sources(result.messages)
    assert sources[:2] == ["user", "A"] and sorted(sources[2:4]) == ["B", "C"] and sources[4:] == ["D"]
    assert result.stop_reason == DONE


async def test_join_any(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b, c, d = (ScriptAgent(n) for n in "ABCD")
    builder = DiGraphBuilder()
    for agent in (a, b, c, d):
        builder.add_node(agent)
    builder.add_edge(a, b).add_edge(a, c)
    builder.add_edge(b, d, activation_condition="any").add_edge(c, d, activation_condition="any")
    team = GraphFlow(builder.get_participants(), builder.build(), runtime=runtime)
    result = await team.run(task="go")
    assert _sources(result.messages).count("D") == 1
    assert result.stop_reason == DONE


async def test_multiple_start_nodes_run_concurrently(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b, c = ScriptAgent("A"), ScriptAgent("B"), ScriptAgent("C")
    graph = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_edge(a, c).add_edge(b, c).build()
    assert graph.get_start_nodes() == {"A", "B"} and graph.get_leaf_nodes() == {"C"}
    assert graph.get_parents() == {"A": [], "B": [], "C": ["A", "B"]}
    result = await GraphFlow([a, b, c], graph, runtime=runtime).run(task="go")
    assert sorted(_sources(result.messages)[1:3]) == ["A", "B"] and _sources(result.messages)[3:] == ["C"]


async def test_conditional_edges_string_and_callable(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, yes, no = ScriptAgent("A", ["answer: yes"]), ScriptAgent("Yes"), ScriptAgent("No")
    graph = (
        DiGraphBuilder()
        .add_node(a)
        .add_node(yes)
        .add_node(no)
        .add_edge(a, yes, condition="yes")
        .add_edge(a, no, condition=lambda m: "no" in m.to_model_text())
        .build()
    )
    result = await GraphFlow([a, yes, no], graph, runtime=runtime).run(task="go")
    assert _sources(result.messages) == ["user", "A", "Yes"]


async def test_loop_with_exit_condition(runtime: SingleThreadedAgentRuntime | None) -> None:
    writer = ScriptAgent("writer", ["draft"])
    reviewer = ScriptAgent("reviewer", ["revise", "revise", "approve"])
    done = ScriptAgent("done")
    graph = (
        DiGraphBuilder()
        .add_node(writer)
        .add_node(reviewer)
        .add_node(done)
        .add_edge(writer, reviewer)
        .add_edge(reviewer, writer, condition="revise")
        .add_edge(reviewer, done, condition="approve")
        .set_entry_point(writer)
        .build()
    )
    team = GraphFlow([writer, reviewer, done], graph, max_turns=20, runtime=runtime)
    result = await team.run(task="go")
    assert _sources(result.messages) == [
        "user",
        "writer",
        "reviewer",
        "writer",
        "reviewer",
        "writer",
        "reviewer",
        "done",
    ]
    assert result.stop_reason == DONE


async def test_loop_back_into_a_node_with_a_forward_parent(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #6643: the writer has a forward parent (planner) and a loop-back parent (reviewer); it must run
    # after the planner, and again after each "revise", instead of stopping after the first node.
    planner = ScriptAgent("planner")
    writer = ScriptAgent("writer")
    reviewer = ScriptAgent("reviewer", ["revise", "approve"])
    done = ScriptAgent("done")
    graph = (
        DiGraphBuilder()
        .add_node(planner)
        .add_node(writer)
        .add_node(reviewer)
        .add_node(done)
        .add_edge(planner, writer)
        .add_edge(writer, reviewer)
        .add_edge(reviewer, writer, condition="revise")
        .add_edge(reviewer, done, condition="approve")
        .build()
    )
    team = GraphFlow([planner, writer, reviewer, done], graph, termination_condition=MaxMessageTermination(20))
    result = await team.run(task="go")
    assert _sources(result.messages) == ["user", "planner", "writer", "reviewer", "writer", "reviewer", "done"]


async def test_self_loop(runtime: SingleThreadedAgentRuntime | None) -> None:
    a = ScriptAgent("A", ["again", "again", "stop"])
    b = ScriptAgent("B")
    graph = (
        DiGraphBuilder()
        .add_node(a)
        .add_node(b)
        .add_edge(a, a, condition="again")
        .add_edge(a, b, condition="stop")
        .set_entry_point(a)
        .build()
    )
    result = await GraphFlow([a, b], graph, max_turns=10, runtime=runtime).run(task="go")
    assert _sources(result.messages) == ["user", "A", "A", "A", "B"]


def test_cycle_validation() -> None:
    a, b, c = ScriptAgent("A"), ScriptAgent("B"), ScriptAgent("C")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c)
    builder.add_edge(a, b).add_edge(b, a).add_edge(b, c).set_entry_point(a)
    with pytest.raises(ValueError, match="Cycle detected without exit condition: A -> B -> A"):
        builder.build()

    # An unconditional inner cycle is found even when the outer cycle has a conditional edge.
    nodes = {
        "A": DiGraphNode(
            name="A", edges=[DiGraphEdge(target="B", condition="x"), DiGraphEdge(target="E", condition="y")]
        ),
        "B": DiGraphNode(name="B", edges=[DiGraphEdge(target="C")]),
        "C": DiGraphNode(name="C", edges=[DiGraphEdge(target="D")]),
        "D": DiGraphNode(name="D", edges=[DiGraphEdge(target="C"), DiGraphEdge(target="A")]),
        "E": DiGraphNode(name="E"),
    }
    graph = DiGraph(nodes=nodes, default_start_node="A")
    with pytest.raises(ValueError, match="C -> D -> C"):
        graph.graph_validate()

    # A graph with cycles that all have exits is valid and reports its cycles.
    ok = DiGraphBuilder().add_node(a).add_node(b).add_node(c)
    ok.add_edge(a, b).add_edge(b, a, condition="again").add_edge(b, c, condition="done").set_entry_point(a)
    assert ok.build().get_has_cycles()
    with pytest.raises(ValueError, match="termination condition is required"):
        GraphFlow([a, b, c], ok.build())


def test_graph_validation_errors() -> None:
    a, b = ScriptAgent("A"), ScriptAgent("B")
    with pytest.raises(ValueError, match="no nodes"):
        DiGraph(nodes={}).graph_validate()
    with pytest.raises(ValueError, match="mix of conditional and unconditional"):
        DiGraphBuilder().add_node(a).add_node(b).add_edge(a, b).add_edge(a, b, condition="x").build()
    with pytest.raises(ValueError, match="start node"):
        DiGraphBuilder().add_node(a).add_node(b).add_edge(a, b, condition="x").add_edge(b, a, condition="y").build()
    with pytest.raises(ValueError, match="Conflicting activation conditions"):
        c = ScriptAgent("C")
        builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c)
        builder.add_edge(a, c, activation_condition="all").add_edge(b, c, activation_condition="any").build()
    with pytest.raises(ValueError, match="must be added before"):
        DiGraphBuilder().add_node(a).add_edge(a, "B")
    with pytest.raises(ValueError, match="entry point"):
        DiGraphBuilder().add_node(a).set_entry_point("Z")
    with pytest.raises(ValueError, match="not in the graph"):
        DiGraph(nodes={"A": DiGraphNode(name="A", edges=[DiGraphEdge(target="Z")])}).graph_validate()
    graph = DiGraphBuilder().add_node(a).build()
    with pytest.raises(ValueError, match="nested teams are not supported"):
        GraphFlow([RoundRobinGroupChat([ScriptAgent("X")])], graph)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not participants"):
        GraphFlow([b], graph)
    with pytest.deprecated_call():
        DiGraphBuilder().add_node(a).add_node(b).add_conditional_edges(a, {"go": b})


async def test_state_round_trip_mid_loop(runtime: SingleThreadedAgentRuntime | None) -> None:
    def build() -> tuple[list[ScriptAgent], DiGraph]:
        writer = ScriptAgent("writer")
        reviewer = ScriptAgent("reviewer", ["revise", "approve"])
        done = ScriptAgent("done")
        graph = (
            DiGraphBuilder()
            .add_node(writer)
            .add_node(reviewer)
            .add_node(done)
            .add_edge(writer, reviewer)
            .add_edge(reviewer, writer, condition="revise")
            .add_edge(reviewer, done, condition="approve")
            .set_entry_point(writer)
            .build()
        )
        return [writer, reviewer, done], graph

    agents, graph = build()
    team = GraphFlow(agents, graph, max_turns=3)
    first = await team.run(task="go")
    assert _sources(first.messages) == ["user", "writer", "reviewer", "writer"]
    state = await team.save_state()
    manager = state["agent_states"]["GraphManager"]
    assert manager["ready"] == ["reviewer"]

    agents2, graph2 = build()
    agents2[1].index = 1  # the reviewer's script continues where it was
    fresh = GraphFlow(agents2, graph2, max_turns=10, runtime=runtime)
    await fresh.load_state(state)
    rest = await fresh.run()
    assert _sources(rest.messages) == ["reviewer", "done"]
    assert rest.stop_reason == DONE


async def test_component_round_trip() -> None:
    a = AssistantAgent("A", model_client=ReplayChatCompletionClient(["yes"] * 3))
    b = AssistantAgent("B", model_client=ReplayChatCompletionClient(["b"] * 3))
    graph = DiGraphBuilder().add_node(a).add_node(b).add_edge(a, b, condition="yes").build()
    team = GraphFlow([a, b], graph, name="flow")
    model = team.dump_component()
    assert model.provider == "autogen_agentchat.teams.GraphFlow"
    assert model.config["graph"]["nodes"]["A"]["edges"][0]["condition"] == "yes"
    loaded = GraphFlow.load_component(model)
    assert loaded.dump_component().config == model.config
    result = await loaded.run(task="go")
    assert _sources(result.messages) == ["user", "A", "B"]
    # Callable conditions are not serialized.
    edge = DiGraphEdge(target="B", condition=lambda m: True)
    assert edge.condition is None and edge.condition_function is not None
    assert "condition_function" not in edge.model_dump()


async def test_message_filter_agent_in_graph(runtime: SingleThreadedAgentRuntime | None) -> None:
    from accord.agents import MessageFilterAgent, MessageFilterConfig, PerSourceFilter

    a, b = ScriptAgent("A", ["a1"]), ScriptAgent("B", ["b1"])
    inner = ScriptAgent("C", ["c1"])
    c = MessageFilterAgent(
        "C", wrapped_agent=inner, filter=MessageFilterConfig(per_source=[PerSourceFilter(source="B", position="last")])
    )
    graph = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_edge(a, b).add_edge(b, c).build()
    result = await GraphFlow([a, b, c], graph, runtime=runtime).run(task="go")
    assert _sources(result.messages) == ["user", "A", "B", "C"]
    assert inner.seen == ["B:b1"]


async def test_parallel_failure_cancels_the_other_speakers(runtime: SingleThreadedAgentRuntime | None) -> None:
    from test_teams_support import BlockingAgent, FailingAgent

    a, slow, bad = ScriptAgent("A"), BlockingAgent("slow"), FailingAgent("bad")
    graph = DiGraphBuilder().add_node(a).add_node(slow).add_node(bad).add_edge(a, slow).add_edge(a, bad).build()
    team = GraphFlow([a, slow, bad], graph, runtime=runtime)
    with pytest.raises(RuntimeError, match="bad failed on purpose"):
        await team.run(task="go")
    assert slow.cancelled


async def test_join_inside_a_loop(runtime: SingleThreadedAgentRuntime | None) -> None:
    # Fan-out and join inside a loop: D waits for both B and C on every iteration; only D -> A is a loop-back edge.
    a, b, c = ScriptAgent("A"), ScriptAgent("B"), ScriptAgent("C")
    d, e = ScriptAgent("D", ["again", "done"]), ScriptAgent("E")
    builder = DiGraphBuilder()
    for agent in (a, b, c, d, e):
        builder.add_node(agent)
    builder.add_edge(a, b).add_edge(a, c).add_edge(b, d).add_edge(c, d)
    builder.add_edge(d, a, condition="again").add_edge(d, e, condition="done").set_entry_point(a)
    graph = builder.build()
    assert graph.get_back_edges() == {("D", 0)}
    result = await GraphFlow([a, b, c, d, e], graph, max_turns=20, runtime=runtime).run(task="go")
    sources = _sources(result.messages)
    assert sources.count("D") == 2 and sources.count("A") == 2 and sources[-1] == "E"
    first_d = sources.index("D")
    assert sorted(sources[first_d - 2 : first_d]) == ["B", "C"]
    assert result.stop_reason == DONE


async def test_pause_resume_reach_graph_participants(runtime: SingleThreadedAgentRuntime | None) -> None:
    a, b = ScriptAgent("A"), ScriptAgent("B")
    graph = DiGraphBuilder().add_node(a).add_node(b).add_edge(a, b).build()
    team = GraphFlow([a, b], graph, runtime=runtime)
    await team.pause()
    await team.resume()
    assert a.calls == ["pause", "resume"] and b.calls == ["pause", "resume"]
    assert _sources((await team.run(task="go")).messages) == ["user", "A", "B"]


# A GraphFlow manager state saved by AutoGen 0.7.5 mid-loop (writer -> reviewer -> writer, reviewer ready).
AUTOGEN_LOOP_STATE = {
    "message_thread": [
        {
            "id": "1",
            "source": "user",
            "models_usage": None,
            "metadata": {},
            "created_at": "2026-11-25T06:54:08Z",
            "content": "go",
            "type": "TextMessage",
        },
        {
            "id": "2",
            "source": "writer",
            "models_usage": None,
            "metadata": {},
            "created_at": "2026-11-25T06:54:08Z",
            "content": "draft",
            "type": "TextMessage",
        },
        {
            "id": "3",
            "source": "reviewer",
            "models_usage": None,
            "metadata": {},
            "created_at": "2026-11-25T06:54:08Z",
            "content": "revise",
            "type": "TextMessage",
        },
        {
            "id": "4",
            "source": "writer",
            "models_usage": None,
            "metadata": {},
            "created_at": "2026-11-25T06:54:08Z",
            "content": "draft",
            "type": "TextMessage",
        },
    ],
    "current_turn": 0,
    "remaining": {"reviewer": {"reviewer": 0}, "writer": {"writer": 1}, "done": {"done": 1}},
    "enqueued_any": {"reviewer": {"reviewer": False}, "writer": {"writer": False}, "done": {"done": False}},
    "ready": ["reviewer"],
}


async def test_loads_autogen_state_saved_mid_loop(runtime: SingleThreadedAgentRuntime | None) -> None:
    # AutoGen #7043: its states lack the triggered activation groups; accord rebuilds them, so the loop goes on.
    writer = ScriptAgent("writer", ["draft"])
    reviewer = ScriptAgent("reviewer", ["revise", "revise", "approve"])
    done = ScriptAgent("done")
    reviewer.index = 1
    graph = (
        DiGraphBuilder()
        .add_node(writer)
        .add_node(reviewer)
        .add_node(done)
        .add_edge(writer, reviewer)
        .add_edge(reviewer, writer, condition="revise")
        .add_edge(reviewer, done, condition="approve")
        .set_entry_point(writer)
        .build()
    )
    team = GraphFlow([writer, reviewer, done], graph, max_turns=10, runtime=runtime)
    await team.load_state(
        {
            "agent_states": {
                "writer": {"agent_state": {"index": 0}, "message_buffer": []},
                "reviewer": {"agent_state": {"index": 1}, "message_buffer": []},
                "done": {"agent_state": {"index": 0}, "message_buffer": []},
                "GraphManager": AUTOGEN_LOOP_STATE,
            }
        }
    )
    result = await team.run()
    assert _sources(result.messages) == ["reviewer", "writer", "reviewer", "done"]
    with pytest.raises(ValueError, match="not in the graph"):
        bad = dict(AUTOGEN_LOOP_STATE, ready=["ghost"])
        await team.load_state({"agent_states": {**(await team.save_state())["agent_states"], "GraphManager": bad}})
