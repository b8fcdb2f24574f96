"""ToolAgent and tool_agent_caller_loop on the real runtime with a scripted model."""

from __future__ import annotations

from accord.core import AgentId, FunctionCall, SingleThreadedAgentRuntime
from accord.models import AssistantMessage, FunctionExecutionResultMessage, UserMessage
from accord.testing import ScriptedChatCompletionClient, tool_call
from accord.tools import FunctionTool
from accord.tools.tool_agent import (
    InvalidToolArgumentsException,
    ToolAgent,
    ToolException,
    ToolExecutionException,
    ToolNotFoundException,
    tool_agent_caller_loop,
)


def add(a: int, b: int) -> int:
    return a + b


def boom() -> str:
    raise RuntimeError("kaput")


TOOLS = [FunctionTool(add, "add"), FunctionTool(boom, "boom")]


async def _runtime() -> SingleThreadedAgentRuntime:
    runtime = SingleThreadedAgentRuntime()
    await ToolAgent.register(runtime, "tools", lambda: ToolAgent("runs tools", TOOLS))
    runtime.start()
    return runtime


async def test_tool_agent_answers_and_signals_failures() -> None:
    runtime = await _runtime()
    target = AgentId("tools", "default")
    try:
        ok = await runtime.send_message(FunctionCall(id="1", arguments='{"a": 2, "b": 3}', name="add"), target)
        assert ok.content == "5" and ok.call_id == "1" and ok.name == "add" and ok.is_error is False
        cases: list[tuple[FunctionCall, type[ToolException], str]] = [
            (FunctionCall(id="2", arguments="{}", name="nope"), ToolNotFoundException, "Error: Tool not found: nope"),
            (FunctionCall(id="3", arguments="{oops", name="add"), InvalidToolArgumentsException, "Invalid arguments"),
            (FunctionCall(id="4", arguments='{"a": 1}', name="add"), InvalidToolArgumentsException, "field 'b'"),
            (FunctionCall(id="5", arguments="{}", name="boom"), ToolExecutionException, "Error: kaput"),
        ]
        for call, kind, text in cases:
            try:
                await runtime.send_message(call, target)
            except ToolException as e:
                assert type(e) is kind and text in e.content and e.call_id == call.id
            else:
                raise AssertionError(f"{call} did not fail")
    finally:
        await runtime.stop()


async def test_caller_loop_runs_tools_until_the_model_answers() -> None:
    runtime = await _runtime()
    model = ScriptedChatCompletionClient(
        [[tool_call("add", {"a": 1, "b": 2}, id="c1"), tool_call("boom", id="c2")], "The sum is 3."]
    )
    try:
        messages = await tool_agent_caller_loop(
            runtime, AgentId("tools", "default"), model, [UserMessage(content="add", source="user")], TOOLS
        )
    finally:
        await runtime.stop()
    assert [type(m) for m in messages] == [AssistantMessage, FunctionExecutionResultMessage, AssistantMessage]
    results = messages[1].content
    assert isinstance(results, list)
    assert results[0].content == "3" and results[0].is_error is False
    assert results[1].content == "Error: kaput" and results[1].is_error is True
    assert messages[2].content == "The sum is 3."
    model.assert_complete()


async def test_caller_loop_max_iterations() -> None:
    runtime = await _runtime()
    model = ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 1}), tool_call("add", {"a": 2, "b": 2})])
    try:
        messages = await tool_agent_caller_loop(
            runtime,
            AgentId("tools", "default"),
            model,
            [UserMessage(content="x", source="u")],
            TOOLS,
            max_iterations=1,
        )
    finally:
        await runtime.stop()
    assert len(messages) == 3 and isinstance(messages[-1].content, list)
