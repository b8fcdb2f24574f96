"""StaticWorkbench / StaticStreamWorkbench / GuardedWorkbench as a caller (agent) sees them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from pydantic import BaseModel

from accord.core import CancellationToken, load_component
from accord.errors import ComponentError, UsageError
from accord.tools import (
    BaseStreamTool,
    BaseToolWithState,
    FunctionTool,
    GuardedWorkbench,
    StaticStreamWorkbench,
    StaticWorkbench,
    ToolApprovalDecision,
    ToolApprovalRequest,
    ToolOverride,
    ToolResult,
    Workbench,
    register_function,
    unregister_function,
)


def add(a: int, b: int) -> int:
    return a + b


def fail() -> str:
    raise ExceptionGroup("many", [ValueError("first bad"), KeyError("second")])


def huge() -> str:
    return "x" * 300_000


class CountArgs(BaseModel):
    n: int


class CountState(BaseModel):
    total: int = 0


class Counter(BaseToolWithState[CountArgs, int, CountState]):
    def __init__(self) -> None:
        super().__init__(CountArgs, int, CountState, "counter", "counts")
        self.total = 0

    async def run(self, args: CountArgs, cancellation_token: CancellationToken) -> int:
        self.total += args.n
        return self.total

    def save_state(self) -> CountState:
        return CountState(total=self.total)

    def load_state(self, state: CountState) -> None:
        self.total = state.total


class Ticker(BaseStreamTool[CountArgs, str, int]):
    def __init__(self) -> None:
        super().__init__(CountArgs, int, "ticker", "ticks")

    async def run(self, args: CountArgs, cancellation_token: CancellationToken) -> int:
        return args.n

    async def run_stream(self, args: CountArgs, cancellation_token: CancellationToken) -> AsyncGenerator[Any, None]:
        for i in range(args.n):
            yield f"tick {i}"
        yield args.n


async def test_call_list_and_errors() -> None:
    async with StaticWorkbench([FunctionTool(add, "add"), FunctionTool(fail, "fail")]) as wb:
        names = [t["name"] for t in await wb.list_tools()]
        assert names == ["add", "fail"]
        ok = await wb.call_tool("add", {"a": 1, "b": 2})
        assert ok == ToolResult(name="add", result=ok.result) and ok.to_text() == "3" and not ok.is_error
        missing = await wb.call_tool("nope")
        assert missing.is_error and missing.to_text() == "Tool nope not found."
        failed = await wb.call_tool("fail")
        assert failed.is_error and failed.to_text() == "first bad\n'second'"
        bad_args = await wb.call_tool("add", {"a": 1})
        assert bad_args.is_error and "field 'b'" in bad_args.to_text()


async def test_huge_output_is_truncated_with_a_note() -> None:
    wb = StaticWorkbench([FunctionTool(huge, "huge")], max_output_chars=1000)
    text = (await wb.call_tool("huge")).to_text()
    assert len(text) < 1100 and "output truncated: 299000 of 300000 characters omitted" in text


async def test_overrides_rename_and_conflicts() -> None:
    wb = StaticWorkbench(
        [FunctionTool(add, "add")], tool_overrides={"add": ToolOverride(name="plus", description="Sum")}
    )
    schema = (await wb.list_tools())[0]
    assert schema["name"] == "plus" and schema["description"] == "Sum"
    assert (await wb.call_tool("plus", {"a": 2, "b": 2})).to_text() == "4"
    with pytest.raises(ValueError, match="conflicts with existing tool name"):
        StaticWorkbench(
            [FunctionTool(add, "add"), FunctionTool(fail, "fail")], tool_overrides={"add": ToolOverride(name="fail")}
        )


async def test_cancelled_call_returns_error_result() -> None:
    started = asyncio.Event()

    async def wait_forever() -> str:
        started.set()
        await asyncio.Event().wait()
        return ""

    wb = StaticWorkbench([FunctionTool(wait_forever, "waits", name="wait")])
    token = CancellationToken()
    call = asyncio.ensure_future(wb.call_tool("wait", {}, token))
    await started.wait()
    token.cancel()
    result = await call
    assert result.is_error and "cancelled" in result.to_text()


async def test_state_roundtrip() -> None:
    counter = Counter()
    wb = StaticWorkbench([counter])
    await wb.call_tool("counter", {"n": 5})
    state = await wb.save_state()
    assert state == {"type": "StaticWorkbenchState", "tools": {"counter": {"total": 5}}}
    other = Counter()
    await StaticWorkbench([other]).load_state(state)
    assert other.total == 5


async def test_stream_workbench_yields_intermediate_values() -> None:
    wb = StaticStreamWorkbench([Ticker(), FunctionTool(add, "add")])
    items = [item async for item in wb.call_tool_stream("ticker", {"n": 2})]
    assert items[:2] == ["tick 0", "tick 1"]
    assert isinstance(items[-1], ToolResult) and items[-1].to_text() == "2"
    plain = [item async for item in wb.call_tool_stream("add", {"a": 1, "b": 1})]
    assert len(plain) == 1 and plain[0].to_text() == "2"


async def test_workbench_config_roundtrip() -> None:
    register_function(add)
    try:
        wb = StaticWorkbench([FunctionTool(add, "add")], tool_overrides={"add": ToolOverride(name="plus")})
        model = wb.dump_component()
        assert model.provider == "autogen_core.tools.StaticWorkbench" and model.component_type == "workbench"
        loaded = Workbench.load_component(model)
        assert [t["name"] for t in await loaded.list_tools()] == ["plus"]
    finally:
        unregister_function(add)


async def test_guard_modes_and_approver() -> None:
    asked: list[ToolApprovalRequest] = []

    async def approver(request: ToolApprovalRequest) -> ToolApprovalDecision:
        asked.append(request)
        return ToolApprovalDecision(approved=request.arguments.get("a") != 13, reason="unlucky number")

    inner = StaticWorkbench([FunctionTool(add, "add"), FunctionTool(fail, "fail"), FunctionTool(huge, "huge")])
    guarded = GuardedWorkbench(inner, approval={"add": "ask", "fail": "auto", "*": "deny"}, approver=approver)
    assert [t["name"] for t in await guarded.list_tools()] == ["add", "fail"]
    assert (await guarded.call_tool("add", {"a": 1, "b": 1}, call_id="c1")).to_text() == "2"
    assert asked[0] == ToolApprovalRequest("add", {"a": 1, "b": 1}, "c1")
    denied = await guarded.call_tool("add", {"a": 13, "b": 1})
    assert denied.is_error and denied.to_text() == "Tool call to 'add' was denied by the approver: unlucky number"
    hidden = await guarded.call_tool("huge")
    assert hidden.is_error and "not allowed" in hidden.to_text()


async def test_guard_limits_tool_calls_per_agent() -> None:
    guarded = GuardedWorkbench(StaticWorkbench([FunctionTool(add, "add")]), max_tool_calls=2)
    for _ in range(2):
        assert not (await guarded.call_tool("add", {"a": 1, "b": 1})).is_error
    limited = await guarded.call_tool("add", {"a": 1, "b": 1})
    assert limited.is_error and "at most 2 tool calls" in limited.to_text()
    await guarded.reset()
    assert not (await guarded.call_tool("add", {"a": 1, "b": 1})).is_error


def test_guard_misuse_and_config() -> None:
    with pytest.raises(UsageError, match="needs an approver"):
        GuardedWorkbench(StaticWorkbench([]), approval="ask")
    with pytest.raises(UsageError, match="'maybe'"):
        GuardedWorkbench(StaticWorkbench([]), approval={"x": "maybe"})  # type: ignore[dict-item]
    with pytest.raises(ComponentError):
        GuardedWorkbench(StaticWorkbench([]), approval="ask", approver=lambda r: True).dump_component()
    model = GuardedWorkbench(StaticWorkbench([]), approval={"*": "deny"}, max_tool_calls=3).dump_component()
    loaded = load_component(model)
    assert isinstance(loaded, GuardedWorkbench) and loaded.mode_for("x") == "deny"


async def test_assistant_agent_with_guarded_workbench() -> None:
    from accord.agents import AssistantAgent
    from accord.testing import ScriptedChatCompletionClient, tool_call

    model = ScriptedChatCompletionClient([tool_call("add", {"a": 1, "b": 2}), tool_call("add", {"a": 1, "b": 1})])
    guarded = GuardedWorkbench(
        StaticWorkbench([FunctionTool(add, "add"), FunctionTool(fail, "fail")]),
        approval={"fail": "deny"},
        max_tool_calls=1,
    )
    agent = AssistantAgent("assistant", model, workbench=guarded)
    first = await agent.run(task="add")
    assert first.messages[-1].to_text() == "3"
    assert "fail" not in model.calls[0].tool_names
    second = await agent.run(task="again")  # the per-agent budget of one tool call is used up
    assert "at most 1 tool calls" in second.messages[-1].to_text()
