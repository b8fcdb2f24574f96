"""AssistantAgent: AutoGen's turn algorithm on replay and scripted models (deterministic, no network)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import BaseModel

from accord.agents import AssistantAgent
from accord.base import Handoff, Response, TaskResult
from accord.core import CancellationToken, FunctionCall, Image
from accord.memory import ListMemory, MemoryContent, MemoryMimeType
from accord.messages import (
    HandoffMessage,
    MemoryQueryEvent,
    ModelClientStreamingChunkEvent,
    MultiModalMessage,
    StructuredMessage,
    TextMessage,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)
from accord.model_context import BufferedChatCompletionContext
from accord.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResultMessage,
    ModelInfo,
    RequestUsage,
    SystemMessage,
    UserMessage,
)
from accord.models.replay import ReplayChatCompletionClient
from accord.testing import ScriptedChatCompletionClient, tool_call
from accord.tools import FunctionTool, StaticWorkbench

FC = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown", structured_output=True)


def calls(*items: tuple[str, dict[str, Any] | str], thought: str | None = None) -> CreateResult:
    fcs = [
        FunctionCall(id=f"c{i}", name=n, arguments=a if isinstance(a, str) else json.dumps(a))
        for i, (n, a) in enumerate(items)
    ]
    return CreateResult(
        finish_reason="function_calls", content=fcs, usage=RequestUsage(10, 5), cached=False, thought=thought
    )


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def fail(reason: str) -> str:
    """Always raises."""
    raise RuntimeError(f"broken: {reason}")


def types_of(result: TaskResult) -> list[str]:
    return [type(m).__name__ for m in result.messages]


async def test_plain_reply() -> None:
    client = ReplayChatCompletionClient(["Hello there"])
    agent = AssistantAgent("assistant", client)
    result = await agent.run(task="hi")
    assert types_of(result) == ["TextMessage", "TextMessage"]
    reply = result.messages[-1]
    assert isinstance(reply, TextMessage) and reply.content == "Hello there" and reply.source == "assistant"
    assert reply.models_usage is not None and reply.models_usage.completion_tokens == 2
    assert result.stop_reason is None
    sent = client.create_calls[0]["messages"]
    assert isinstance(sent[0], SystemMessage) and "TERMINATE" in sent[0].content
    assert sent[1] == UserMessage(content="hi", source="user")


async def test_one_tool_round_gives_a_summary_message() -> None:
    client = ReplayChatCompletionClient([calls(("add", {"a": 1, "b": 2}))], model_info=FC)
    agent = AssistantAgent("calc", client, tools=[add])
    result = await agent.run(task="1+2?")
    assert types_of(result) == [
        "TextMessage",
        "ToolCallRequestEvent",
        "ToolCallExecutionEvent",
        "ToolCallSummaryMessage",
    ]
    summary = result.messages[-1]
    assert isinstance(summary, ToolCallSummaryMessage) and summary.content == "3"
    assert summary.results[0].is_error is False and summary.tool_calls[0].name == "add"
    request = result.messages[1]
    assert isinstance(request, ToolCallRequestEvent) and request.models_usage == RequestUsage(10, 5)
    tools = client.create_calls[0]["tools"]
    assert [t["name"] for t in tools] == ["add"]
    ctx = await agent.model_context.get_messages()
    assert isinstance(ctx[1], AssistantMessage) and isinstance(ctx[2], FunctionExecutionResultMessage)


async def test_summary_format_and_formatter() -> None:
    client = ReplayChatCompletionClient([calls(("add", {"a": 1, "b": 2}), ("add", {"a": 2, "b": 2}))], model_info=FC)
    agent = AssistantAgent(
        "calc", client, tools=[add], tool_call_summary_format="{tool_name}({arguments}) = {result} [{is_error}]"
    )
    result = await agent.run(task="x")
    assert result.messages[-1].to_text() == 'add({"a": 1, "b": 2}) = 3 [False]\nadd({"a": 2, "b": 2}) = 4 [False]'

    client2 = ReplayChatCompletionClient([calls(("add", {"a": 1, "b": 2}))], model_info=FC)
    agent2 = AssistantAgent(
        "calc", client2, tools=[add], tool_call_summary_formatter=lambda c, r: f"{c.name}->{r.content}"
    )
    assert (await agent2.run(task="x")).messages[-1].to_text() == "add->3"


async def test_reflect_on_tool_use_makes_a_second_call_without_tools() -> None:
    client = ScriptedChatCompletionClient([tool_call("add", {"a": 2, "b": 3}), "The answer is 5"])
    agent = AssistantAgent("calc", client, tools=[add], reflect_on_tool_use=True)
    result = await agent.run(task="2+3")
    assert types_of(result)[-1] == "TextMessage" and result.messages[-1].to_text() == "The answer is 5"
    assert client.calls[1].tool_choice == "none" and client.calls[1].tools == []
    client.assert_complete()


async def test_max_tool_iterations_loops_until_text() -> None:
    client = ScriptedChatCompletionClient(
        [tool_call("add", {"a": 1, "b": 1}), tool_call("add", {"a": 2, "b": 2}), "four"]
    )
    agent = AssistantAgent("calc", client, tools=[add], max_tool_iterations=5)
    result = await agent.run(task="go")
    assert types_of(result) == [
        "TextMessage",
        "ToolCallRequestEvent",
        "ToolCallExecutionEvent",
        "ToolCallRequestEvent",
        "ToolCallExecutionEvent",
        "TextMessage",
    ]
    assert result.messages[-1].to_text() == "four"
    # the loop stops at max_tool_iterations and summarizes the last round
    client2 = ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 1}), tool_call("add", {"a": 2, "b": 2})])
    agent2 = AssistantAgent("calc", client2, tools=[add], max_tool_iterations=2)
    result2 = await agent2.run(task="go")
    assert isinstance(result2.messages[-1], ToolCallSummaryMessage) and result2.messages[-1].content == "4"
    client2.assert_complete()


async def test_tool_errors_go_back_to_the_model_and_the_run_continues() -> None:
    client = ScriptedChatCompletionClient(
        [
            [
                tool_call("fail", {"reason": "disk"}),
                tool_call("add", '{"a": 1, "b":'),  # malformed JSON
                tool_call("nope", {}),
                tool_call("add", "[1, 2]"),
                tool_call("add", {"a": "x", "b": 1}),  # invalid arguments
            ],
            "recovered",
        ]
    )
    agent = AssistantAgent("calc", client, tools=[add, fail], max_tool_iterations=2)
    result = await agent.run(task="go")
    execution = result.messages[2]
    assert isinstance(execution, ToolCallExecutionEvent)
    assert all(r.is_error for r in execution.content)
    assert "broken: disk" in execution.content[0].content
    assert execution.content[1].content.startswith("Error: ")
    assert execution.content[2].content == "Error: tool 'nope' not found in any workbench"
    assert "must be a JSON object" in execution.content[3].content
    assert execution.content[4].is_error
    assert result.messages[-1].to_text() == "recovered"
    # the model saw the errors
    last_prompt = client.calls[1].messages
    assert isinstance(last_prompt[-1], FunctionExecutionResultMessage)


async def test_parallel_tool_calls_run_concurrently() -> None:
    both_started = asyncio.Event()
    started: list[str] = []

    async def wait_for_other(label: str) -> str:
        """Waits until both calls have started."""
        started.append(label)
        if len(started) == 2:
            both_started.set()
        await both_started.wait()
        return label

    client = ScriptedChatCompletionClient(
        [[tool_call("wait_for_other", {"label": "a"}), tool_call("wait_for_other", {"label": "b"})]]
    )
    agent = AssistantAgent("p", client, tools=[wait_for_other])
    result = await agent.run(task="go")
    assert result.messages[-1].to_text() == "a\nb"  # results in call order


async def test_thought_event_precedes_tool_calls() -> None:
    client = ReplayChatCompletionClient([calls(("add", {"a": 1, "b": 2}), thought="let me add")], model_info=FC)
    agent = AssistantAgent("calc", client, tools=[add])
    result = await agent.run(task="x")
    assert types_of(result)[1:3] == ["ThoughtEvent", "ToolCallRequestEvent"]
    ctx = await agent.model_context.get_messages()
    assert isinstance(ctx[1], AssistantMessage) and ctx[1].thought == "let me add"


async def test_handoff_returns_handoff_message_with_context() -> None:
    client = ReplayChatCompletionClient(
        [calls(("add", {"a": 1, "b": 2}), ("transfer_to_bob", {}), thought="need bob")], model_info=FC
    )
    agent = AssistantAgent("alice", client, tools=[add], handoffs=["bob"])
    result = await agent.run(task="x")
    msg = result.messages[-1]
    assert isinstance(msg, HandoffMessage)
    assert msg.target == "bob" and msg.content == "Transferred to bob, adopting the role of bob immediately."
    assert isinstance(msg.context[0], AssistantMessage) and msg.context[0].thought == "need bob"
    assert [c.name for c in msg.context[0].content] == ["add"]  # type: ignore[union-attr]
    assert isinstance(msg.context[1], FunctionExecutionResultMessage) and msg.context[1].content[0].content == "3"
    tool_names = [t["name"] if isinstance(t, dict) else t.name for t in client.create_calls[0]["tools"]]
    assert tool_names == ["add", "transfer_to_bob"]


async def test_only_first_handoff_is_used_with_a_warning() -> None:
    client = ReplayChatCompletionClient([calls(("transfer_to_bob", {}), ("to_carol", {}))], model_info=FC)
    agent = AssistantAgent("alice", client, handoffs=["bob", Handoff(target="carol", name="to_carol", message="C!")])
    with pytest.warns(UserWarning, match="Multiple handoffs detected"):
        result = await agent.run(task="x")
    msg = result.messages[-1]
    assert isinstance(msg, HandoffMessage) and msg.target == "bob" and msg.context == []


async def test_incoming_handoff_context_goes_into_model_context() -> None:
    client = ReplayChatCompletionClient(["ok"])
    agent = AssistantAgent("bob", client)
    handoff = HandoffMessage(
        content="over to you", target="bob", source="alice", context=[AssistantMessage(content="prior", source="alice")]
    )
    await agent.run(task=handoff)
    ctx = await agent.model_context.get_messages()
    assert ctx[0] == AssistantMessage(content="prior", source="alice")
    assert ctx[1] == UserMessage(content="over to you", source="alice")


class Answer(BaseModel):
    city: str
    temperature: int


async def test_structured_output() -> None:
    client = ScriptedChatCompletionClient(['{"city": "Oslo", "temperature": 3}'])
    agent = AssistantAgent("w", client, output_content_type=Answer, output_content_type_format="{city}: {temperature}")
    result = await agent.run(task="weather?")
    msg = result.messages[-1]
    assert isinstance(msg, StructuredMessage) and msg.content == Answer(city="Oslo", temperature=3)
    assert msg.to_text() == "Oslo: 3" and msg.type == "StructuredMessage[Answer]"
    assert client.calls[0].json_output is Answer
    assert StructuredMessage in agent.produced_message_types


async def test_structured_output_reflects_after_tools_by_default() -> None:
    client = ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 2}), '{"city": "X", "temperature": 3}'])
    agent = AssistantAgent("w", client, tools=[add], output_content_type=Answer)
    result = await agent.run(task="go")
    assert isinstance(result.messages[-1], StructuredMessage)
    assert client.calls[1].tool_choice == "none" and client.calls[1].json_output is Answer


async def test_streaming_chunks_are_streamed_but_not_kept() -> None:
    client = ScriptedChatCompletionClient(["Hello brave new world"])
    agent = AssistantAgent("s", client, model_client_stream=True)
    items = [item async for item in agent.run_stream(task="hi")]
    chunks = [i for i in items if isinstance(i, ModelClientStreamingChunkEvent)]
    assert "".join(c.content for c in chunks) == "Hello brave new world"
    result = items[-1]
    assert isinstance(result, TaskResult)
    assert types_of(result) == ["TextMessage", "TextMessage"]
    final = result.messages[-1]
    assert all(c.full_message_id == final.id for c in chunks)
    response = await AssistantAgent("s2", ScriptedChatCompletionClient(["a b"]), model_client_stream=True).on_messages(
        [TextMessage(content="x", source="user")], CancellationToken()
    )
    assert response.inner_messages == []


async def test_memory_adds_context_and_event() -> None:
    memory = ListMemory(memory_contents=[MemoryContent(content="User likes tea", mime_type=MemoryMimeType.TEXT)])
    client = ScriptedChatCompletionClient(["noted"])
    agent = AssistantAgent("m", client, memory=[memory])
    result = await agent.run(task="drink?")
    assert isinstance(result.messages[1], MemoryQueryEvent)
    prompt = client.calls[0].messages
    assert any(isinstance(m, SystemMessage) and "User likes tea" in m.content for m in prompt)


async def test_images_removed_for_models_without_vision() -> None:
    img = Image.from_base64(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    )
    client = ReplayChatCompletionClient(["ok"])
    agent = AssistantAgent("v", client)
    await agent.run(task=MultiModalMessage(content=["see", img], source="user"))
    assert client.create_calls[0]["messages"][1] == UserMessage(content="see\n<image>", source="user")


async def test_state_round_trip_and_reset() -> None:
    client = ReplayChatCompletionClient(["one", "two"])
    agent = AssistantAgent("a", client)
    await agent.run(task="first")
    state = await agent.save_state()
    assert state["type"] == "AssistantAgentState"
    json.dumps(state)
    other = AssistantAgent("a", ReplayChatCompletionClient(["x"]))
    await other.load_state(state)
    assert await other.model_context.get_messages() == await agent.model_context.get_messages()
    await agent.on_reset(CancellationToken())
    assert await agent.model_context.get_messages() == []
    with pytest.raises(ValueError, match="Invalid state for 'a'"):
        await other.load_state({"llm_context": "nonsense"})


async def test_custom_model_context_is_used() -> None:
    client = ReplayChatCompletionClient(["1", "2", "3"])
    agent = AssistantAgent("a", client, model_context=BufferedChatCompletionContext(buffer_size=2), system_message=None)
    for text in ("a", "b", "c"):
        await agent.run(task=text)
    assert len(client.create_calls[2]["messages"]) == 2


async def test_cancellation_while_a_tool_runs() -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> str:
        """Blocks until released."""
        started.set()
        await release.wait()
        return "done"

    client = ScriptedChatCompletionClient([tool_call("slow", {}), "never reached"])
    agent = AssistantAgent("c", client, tools=[slow], reflect_on_tool_use=True)
    token = CancellationToken()
    run = asyncio.ensure_future(agent.run(task="go", cancellation_token=token))
    await started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert len(client.calls) == 1  # the model was not called again
    # the agent can run again afterwards
    client.add("fine")
    await agent.on_reset(CancellationToken())
    assert (await agent.run(task="again")).messages[-1].to_text() == "never reached"


async def test_cancelled_token_on_run_stream_stops_before_the_next_model_call() -> None:
    token = CancellationToken()

    def cancel_then_answer() -> str:
        """Cancels the run from inside the tool."""
        token.cancel()
        return "x"

    client = ScriptedChatCompletionClient([tool_call("cancel_then_answer", {}), "unused"])
    agent = AssistantAgent("c", client, tools=[cancel_then_answer], max_tool_iterations=3)
    with pytest.raises(asyncio.CancelledError):
        async for _ in agent.run_stream(task="go", cancellation_token=token):
            pass
    assert len(client.calls) == 1


async def test_workbench_instead_of_tools() -> None:
    wb = StaticWorkbench([FunctionTool(add, description="add")])
    client = ScriptedChatCompletionClient([tool_call("add", {"a": 5, "b": 5})])
    agent = AssistantAgent("w", client, workbench=wb)
    assert (await agent.run(task="x")).messages[-1].to_text() == "10"


async def test_on_messages_returns_response() -> None:
    agent = AssistantAgent("a", ReplayChatCompletionClient(["hey"]))
    response = await agent.on_messages([TextMessage(content="hi", source="user")], CancellationToken())
    assert isinstance(response, Response) and response.chat_message.to_text() == "hey"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"name": "not an identifier"}, ValueError, "valid Python identifier, got 'not an identifier'"),
        ({"tools": [add], "fc": False}, ValueError, "does not support function calling"),
        ({"handoffs": ["bob"], "fc": False}, ValueError, "needed for handoffs"),
        ({"tools": [add, FunctionTool(add, description="again")]}, ValueError, r"duplicated: \['add'\]"),
        ({"handoffs": ["bob", "bob"]}, ValueError, "'transfer_to_bob' appears twice"),
        ({"tools": [add], "handoffs": [Handoff(target="x", name="add")]}, ValueError, "unique from tool names"),
        ({"tools": [add], "workbench": StaticWorkbench([])}, ValueError, "Tools cannot be used with a workbench"),
        ({"max_tool_iterations": 0}, ValueError, "greater than or equal to 1, got 0"),
        ({"memory": ListMemory()}, TypeError, "Expected Memory, List\\[Memory\\], or None"),
        ({"tool_call_summary_format": "{nope}"}, ValueError, "allowed placeholders"),
        ({"output_content_type": dict}, TypeError, "pydantic BaseModel subclass"),
        ({"tools": [42]}, ValueError, "Unsupported tool type: int"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception], fragment: str) -> None:
    fc = kwargs.pop("fc", True)
    name = kwargs.pop("name", "agent")
    info = ModelInfo(vision=False, function_calling=fc, json_output=False, family="unknown", structured_output=False)
    with pytest.raises(error, match=fragment):
        AssistantAgent(name, ReplayChatCompletionClient([], model_info=info), **kwargs)


async def test_config_round_trip() -> None:
    client = ReplayChatCompletionClient(["hello"], model_info=FC)
    agent = AssistantAgent(
        "cfg",
        client,
        handoffs=["bob"],
        system_message="Be brief.",
        max_tool_iterations=3,
        tool_call_summary_format="{tool_name}: {result}",
        output_content_type=Answer,
        metadata={"team": "x"},
    )
    model = agent.dump_component()
    assert model.provider == "autogen_agentchat.agents.AssistantAgent" and model.component_version == 2
    cfg = model.config
    assert cfg["handoffs"][0]["target"] == "bob" and cfg["system_message"] == "Be brief."
    assert cfg["reflect_on_tool_use"] is True and cfg["max_tool_iterations"] == 3
    assert cfg["structured_message_factory"]["provider"] == "autogen_agentchat.messages.StructuredMessageFactory"
    loaded = AssistantAgent.load_component(model)
    assert loaded.name == "cfg" and loaded.dump_component().config["handoffs"] == cfg["handoffs"]
    result = await AssistantAgent.load_component(
        AssistantAgent("plain", ReplayChatCompletionClient(["hi there"])).dump_component()
    ).run(task="x")
    assert result.messages[-1].to_text() == "hi there"


async def test_running_twice_concurrently_is_refused() -> None:
    gate = asyncio.Event()

    async def answer(_: Any) -> str:
        await gate.wait()
        return "ok"

    agent = AssistantAgent("busy", ScriptedChatCompletionClient([answer]))
    first = asyncio.ensure_future(agent.run(task="a"))
    await asyncio.sleep(0)
    with pytest.raises(ValueError, match="already handling messages in another task"):
        await agent.run(task="b")
    gate.set()
    assert (await first).messages[-1].to_text() == "ok"


async def test_run_task_validation() -> None:
    agent = AssistantAgent("a", ReplayChatCompletionClient(["x", "y"]))
    with pytest.raises(ValueError, match="Task list cannot be empty"):
        await agent.run(task=[])
    with pytest.raises(ValueError, match="Invalid message type in sequence: str"):
        await agent.run(task=[TextMessage(content="a", source="u"), "b"])  # type: ignore[list-item]
    result = await agent.run(task=[TextMessage(content="a", source="u")], output_task_messages=False)
    assert types_of(result) == ["TextMessage"] and result.messages[0].source == "a"
    assert isinstance((await agent.run()).messages[0], TextMessage)


async def test_thought_only_response_is_not_confused_with_text() -> None:
    client = ReplayChatCompletionClient(
        [CreateResult(finish_reason="stop", content="final", usage=RequestUsage(1, 1), cached=False, thought="hmm")]
    )
    result = await AssistantAgent("t", client).run(task="x")
    assert types_of(result) == ["TextMessage", "ThoughtEvent", "TextMessage"]
    thought = result.messages[1]
    assert isinstance(thought, ThoughtEvent) and thought.id != result.messages[2].id


async def test_streaming_with_tools_and_reflection_ids() -> None:
    client = ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 1}), "two it is"])
    agent = AssistantAgent("s", client, tools=[add], model_client_stream=True, reflect_on_tool_use=True)
    items = [i async for i in agent.run_stream(task="1+1")]
    chunks = [i for i in items if isinstance(i, ModelClientStreamingChunkEvent)]
    result = items[-1]
    assert isinstance(result, TaskResult)
    final = result.messages[-1]
    assert "".join(c.content for c in chunks) == "two it is"
    assert {c.full_message_id for c in chunks} == {final.id}
    assert not any(isinstance(m, ModelClientStreamingChunkEvent) for m in result.messages)


async def test_tool_events_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    client = ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 1})])
    agent = AssistantAgent("s", client, tools=[add])
    with caplog.at_level(logging.DEBUG, logger="autogen_agentchat.events"):
        await agent.run(task="x")
    logged = [r.msg for r in caplog.records if r.name == "autogen_agentchat.events"]
    assert any(isinstance(m, ToolCallRequestEvent) for m in logged)
    assert any(isinstance(m, ToolCallExecutionEvent) for m in logged)


async def test_user_workbench_goes_through_call_tool_stream() -> None:
    from accord.tools import StaticStreamWorkbench

    class CountingWorkbench(StaticStreamWorkbench):
        streamed = 0

        async def call_tool_stream(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            CountingWorkbench.streamed += 1
            async for item in super().call_tool_stream(*args, **kwargs):
                yield item

    wb = CountingWorkbench([FunctionTool(add, description="add")])
    client = ScriptedChatCompletionClient([[tool_call("add", {"a": 1, "b": 2}), tool_call("add", {"a": 3, "b": 4})]])
    agent = AssistantAgent("w", client, workbench=[wb])
    result = await agent.run(task="x")
    assert result.messages[-1].to_text() == "3\n7" and CountingWorkbench.streamed == 2


async def test_version_1_config_with_tools_loads() -> None:
    from accord.core import load_component

    model = AssistantAgent("old", ReplayChatCompletionClient(["hi"], model_info=FC)).dump_component()
    data = model.model_dump()
    data["version"] = data["component_version"] = 1
    data["config"]["tools"] = data["config"].pop("workbench")[0]["config"]["tools"]
    loaded = load_component(data)
    assert isinstance(loaded, AssistantAgent) and loaded.name == "old"


async def test_abandoning_a_stream_does_not_block_the_next_run() -> None:
    agent = AssistantAgent(
        "a", ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 1}), "second"]), tools=[add]
    )
    async for item in agent.run_stream(task="first"):
        if isinstance(item, ToolCallRequestEvent):
            break  # the caller stops listening mid-turn
    result = await agent.run(task="again")
    assert result.messages[-1].to_text() == "second"
