"""Executing a model's tool calls for AssistantAgent: argument parsing, handoffs, workbench lookup, streaming events.

Errors never escape to the caller: bad JSON, unknown tools and tools that raise all become error results that go back
to the model, so it can correct itself and the run continues.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

from ..base import Handoff
from ..core import CancellationToken, FunctionCall
from ..messages import BaseAgentEvent, BaseChatMessage
from ..models import FunctionExecutionResult
from ..tools import BaseTool, StreamWorkbench, ToolResult, Workbench
from ..tools._result import DEFAULT_MAX_OUTPUT_CHARS, truncate_text
from ..tools._workbench import format_error

__all__ = ["check_summary_format", "execute_tool_calls", "needs_stream", "run_tool_call", "summarize_tool_calls"]

Event = BaseAgentEvent | BaseChatMessage


def _error(call: FunctionCall, content: str) -> FunctionExecutionResult:
    return FunctionExecutionResult(content=content, call_id=call.id, is_error=True, name=call.name)


def _prepare(
    call: FunctionCall, tool_index: Mapping[str, Workbench], handoffs: Mapping[str, Handoff]
) -> FunctionExecutionResult | tuple[dict[str, Any], Workbench]:
    """An immediate result (bad arguments, handoff, unknown tool) or the parsed arguments and the workbench."""
    try:
        arguments = json.loads(call.arguments) if call.arguments else {}
    except json.JSONDecodeError as e:
        return _error(call, f"Error: {e}")
    if not isinstance(arguments, dict):
        return _error(call, f"Error: the arguments of tool '{call.name}' must be a JSON object, got {call.arguments}")
    handoff = handoffs.get(call.name)
    if handoff is not None:
        return FunctionExecutionResult(content=handoff.message, call_id=call.id, is_error=False, name=call.name)
    wb = tool_index.get(call.name)
    if wb is None:
        return _error(call, f"Error: tool '{call.name}' not found in any workbench")
    return arguments, wb


def _from_tool_result(call: FunctionCall, result: ToolResult | None) -> FunctionExecutionResult:
    if result is None:
        return _error(call, f"Error: tool '{call.name}' returned no result")
    return FunctionExecutionResult(content=result.to_text(), call_id=call.id, is_error=result.is_error, name=call.name)


def needs_stream(
    call: FunctionCall, tool_index: Mapping[str, Workbench], own: Mapping[str, BaseTool[Any, Any]]
) -> bool:
    """Whether the call goes through a streaming workbench (``own`` tools are known not to stream)."""
    return call.name not in own and isinstance(tool_index.get(call.name), StreamWorkbench)


async def _call_own_tool(
    tool: BaseTool[Any, Any], call: FunctionCall, arguments: dict[str, Any], token: CancellationToken
) -> FunctionExecutionResult:
    """Run one of the agent's own tools the way its static workbench would, without the workbench's extra task.

    Cancelling the token while the tool runs cancels the running turn (CancelledError), as in AutoGen.
    """
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    running = True

    def cancel_now() -> None:
        if running and task is not None:
            task.cancel()

    def cancel() -> None:  # the token may be cancelled from another thread (a sync tool, a UI)
        loop.call_soon_threadsafe(cancel_now)

    token.add_callback(cancel)
    try:
        value = await tool.run_json(arguments, token, call_id=call.id)
        text = truncate_text(tool.return_value_as_string(value), DEFAULT_MAX_OUTPUT_CHARS)
        return FunctionExecutionResult(content=text, call_id=call.id, is_error=False, name=call.name)
    except Exception as e:
        return _error(call, truncate_text(format_error(e), DEFAULT_MAX_OUTPUT_CHARS))
    finally:
        running = False
        token.remove_callback(cancel)


async def run_tool_call(
    call: FunctionCall,
    tool_index: Mapping[str, Workbench],
    handoffs: Mapping[str, Handoff],
    token: CancellationToken,
    own: Mapping[str, BaseTool[Any, Any]],
) -> FunctionExecutionResult:
    """Execute one call without streaming (the agent's own tool directly, else ``call_tool``)."""
    prepared = _prepare(call, tool_index, handoffs)
    if isinstance(prepared, FunctionExecutionResult):
        return prepared
    arguments, wb = prepared
    tool = own.get(call.name)
    if tool is not None:
        return await _call_own_tool(tool, call, arguments, token)
    try:
        result = await wb.call_tool(call.name, arguments, token, call.id)
    except Exception as e:  # a workbench that raises instead of returning an error result
        return _error(call, f"Error: {type(e).__name__}: {e}")
    return _from_tool_result(call, result)


async def _run_call(
    call: FunctionCall,
    tool_index: Mapping[str, Workbench],
    handoffs: Mapping[str, Handoff],
    token: CancellationToken,
    own: Mapping[str, BaseTool[Any, Any]],
) -> AsyncGenerator[Event | FunctionExecutionResult, None]:
    """Yields the events the tool streams, then its FunctionExecutionResult."""
    if not needs_stream(call, tool_index, own):
        yield await run_tool_call(call, tool_index, handoffs, token, own)
        return
    prepared = _prepare(call, tool_index, handoffs)
    if isinstance(prepared, FunctionExecutionResult):
        yield prepared
        return
    arguments, wb = prepared
    assert isinstance(wb, StreamWorkbench)
    result: ToolResult | None = None
    try:
        async for item in wb.call_tool_stream(call.name, arguments, token, call.id):
            if isinstance(item, ToolResult):
                result = item
            elif isinstance(item, BaseAgentEvent | BaseChatMessage):
                yield item
            else:
                warnings.warn(
                    f"Unexpected event type: {type(item).__name__} in tool call streaming.", UserWarning, stacklevel=2
                )
    except Exception as e:  # a workbench that raises instead of returning an error result
        yield _error(call, f"Error: {type(e).__name__}: {e}")
        return
    yield _from_tool_result(call, result)


async def _consume(
    call: FunctionCall,
    tool_index: Mapping[str, Workbench],
    handoffs: Mapping[str, Handoff],
    token: CancellationToken,
    own: Mapping[str, BaseTool[Any, Any]],
    queue: asyncio.Queue[Event | None],
) -> FunctionExecutionResult:
    result: FunctionExecutionResult | None = None
    async for item in _run_call(call, tool_index, handoffs, token, own):
        if isinstance(item, FunctionExecutionResult):
            result = item
        else:
            queue.put_nowait(item)
    assert result is not None
    return result


async def execute_tool_calls(
    calls: Sequence[FunctionCall],
    tool_index: Mapping[str, Workbench],
    handoffs: Mapping[str, Handoff],
    token: CancellationToken,
    own: Mapping[str, BaseTool[Any, Any]],
) -> AsyncGenerator[Event | list[FunctionExecutionResult], None]:
    """Runs all calls concurrently; yields streamed events as they come, then the list of results in call order."""
    if len(calls) == 1:
        results: list[FunctionExecutionResult] = []
        async for item in _run_call(calls[0], tool_index, handoffs, token, own):
            if isinstance(item, FunctionExecutionResult):
                results.append(item)
            else:
                yield item
        yield results
        return
    queue: asyncio.Queue[Event | None] = asyncio.Queue()

    async def run_all() -> list[FunctionExecutionResult]:
        try:
            return list(await asyncio.gather(*(_consume(c, tool_index, handoffs, token, own, queue) for c in calls)))
        finally:
            queue.put_nowait(None)

    task = asyncio.ensure_future(run_all())
    try:
        while True:
            event = await queue.get()
            if event is None:
                break
            yield event
        yield await task
    finally:
        if not task.done():
            task.cancel()


def summarize_tool_calls(
    calls_and_results: Sequence[tuple[FunctionCall, FunctionExecutionResult]],
    summary_format: str,
    formatter: Callable[[FunctionCall, FunctionExecutionResult], str] | None,
) -> str:
    """One line per call: ``formatter(call, result)`` or ``summary_format`` with {tool_name} {arguments} {result}
    {is_error}."""
    lines: list[str] = []
    for call, result in calls_and_results:
        if formatter is not None:
            lines.append(formatter(call, result))
        else:
            lines.append(
                summary_format.format(
                    tool_name=call.name, arguments=call.arguments, result=result.content, is_error=result.is_error
                )
            )
    return "\n".join(lines)


def check_summary_format(summary_format: Any) -> None:
    """Raise a UsageError now if ``summary_format`` is not a string or uses an unknown placeholder."""
    from .._errors import UsageError

    if not isinstance(summary_format, str):
        raise UsageError(f"tool_call_summary_format must be a string, got {summary_format!r}")
    try:
        summary_format.format(tool_name="t", arguments="{}", result="r", is_error=False)
    except (KeyError, IndexError, ValueError) as e:
        raise UsageError(
            f"tool_call_summary_format {summary_format!r} is not valid: {e!r}; "
            "allowed placeholders are {tool_name}, {arguments}, {result}, {is_error}"
        ) from e
