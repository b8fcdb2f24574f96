"""AssistantAgent's constructor arguments, checked and normalised one concept at a time.

Each function takes what the caller passed and returns what the agent keeps, or raises the error that names the bad
argument. AssistantAgent.__init__ is the sequence of these calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .._errors import UsageError
from ..base import Handoff
from ..memory import Memory
from ..messages import StructuredMessage, StructuredMessageFactory
from ..model_context import ChatCompletionContext, UnboundedChatCompletionContext
from ..models import ChatCompletionClient
from ..tools import BaseStreamTool, BaseTool, FunctionTool, StaticStreamWorkbench, Workbench
from .._duck import CHAT_COMPLETION_CLIENT, CHAT_COMPLETION_CONTEXT, MEMORY, WORKBENCH, quacks_like
from ._errors import AgentArgumentTypeError

__all__ = [
    "StructuredOutput",
    "ToolArg",
    "check_max_tool_iterations",
    "check_memory",
    "check_model_client",
    "check_model_context",
    "collect_handoffs",
    "collect_tools",
    "own_direct_tools",
    "structured_output",
    "workbenches",
]

ToolArg = BaseTool[Any, Any] | Callable[..., Any] | Callable[..., Awaitable[Any]]


def check_model_client(model_client: object) -> ChatCompletionClient:
    if not quacks_like(model_client, ChatCompletionClient, CHAT_COMPLETION_CLIENT):
        raise AgentArgumentTypeError(f"model_client must be a ChatCompletionClient, got {model_client!r}")
    return model_client  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class StructuredOutput:
    """What ``output_content_type`` gives the agent: the factory it dumps and the message class it answers with."""

    factory: StructuredMessageFactory
    message_cls: type[StructuredMessage[BaseModel]]


def structured_output(output_content_type: object, format_string: str | None) -> StructuredOutput | None:
    if output_content_type is None:
        return None
    if not (isinstance(output_content_type, type) and issubclass(output_content_type, BaseModel)):
        raise AgentArgumentTypeError(
            f"output_content_type must be a pydantic BaseModel subclass, got {output_content_type!r}"
        )
    return StructuredOutput(
        factory=StructuredMessageFactory(input_model=output_content_type, format_string=format_string),
        message_cls=StructuredMessage[output_content_type],  # type: ignore[valid-type]
    )


def check_memory(memory: Sequence[Memory] | None) -> list[Memory] | None:
    if memory is None:
        return None
    if not isinstance(memory, list):
        raise AgentArgumentTypeError(f"Expected Memory, List[Memory], or None, got {type(memory).__name__}")
    for m in memory:
        if not quacks_like(m, Memory, MEMORY):
            raise AgentArgumentTypeError(f"memory must hold Memory objects, got {m!r}")
    return memory


def _function_calling(model_client: ChatCompletionClient) -> bool:
    return bool(model_client.model_info.get("function_calling", False))


def collect_tools(
    tools: Sequence[ToolArg] | None, model_client: ChatCompletionClient, agent_name: str
) -> list[BaseTool[Any, Any]]:
    """The agent's tools (plain callables wrapped in FunctionTool), with unique names, on a model that can call them."""
    collected: list[BaseTool[Any, Any]] = []
    if tools:
        if not _function_calling(model_client):
            raise UsageError(
                "The model does not support function calling (model_info['function_calling'] is False), "
                f"so agent {agent_name!r} cannot use tools."
            )
        for tool in tools:
            if isinstance(tool, BaseTool):
                collected.append(tool)
            elif callable(tool):
                collected.append(FunctionTool(tool, description=getattr(tool, "__doc__", None) or ""))
            else:
                raise UsageError(f"Unsupported tool type: {type(tool).__name__} ({tool!r})")
    names = [t.name for t in collected]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"Tool names must be unique: {names} (duplicated: {dupes})")
    return collected


def collect_handoffs(
    handoffs: Sequence[Handoff | str] | None,
    tools: Sequence[BaseTool[Any, Any]],
    model_client: ChatCompletionClient,
    agent_name: str,
) -> dict[str, Handoff]:
    """The agent's handoffs by tool name (a string is a target), unique among themselves and against the tools."""
    collected: dict[str, Handoff] = {}
    if not handoffs:
        return collected
    if not _function_calling(model_client):
        raise UsageError(
            "The model does not support function calling, which is needed for handoffs "
            f"(agent {agent_name!r}, handoffs {list(handoffs)!r})."
        )
    tool_names = {t.name for t in tools}
    for h in handoffs:
        handoff = Handoff(target=h) if isinstance(h, str) else h
        if not isinstance(handoff, Handoff):
            raise UsageError(f"Unsupported handoff type: {type(h).__name__} ({h!r})")
        if handoff.name in collected:
            raise UsageError(f"Handoff names must be unique: {handoff.name!r} appears twice")
        if handoff.name in tool_names or handoff.target in tool_names:
            raise UsageError(f"Handoff names must be unique from tool names: {handoff.name!r}")
        collected[handoff.name] = handoff
    return collected


def workbenches(workbench: Workbench | Sequence[Workbench] | None, tools: list[BaseTool[Any, Any]]) -> list[Workbench]:
    """The workbenches the agent lists tools from: the caller's, or one static workbench over ``tools``."""
    if workbench is None:
        return [StaticStreamWorkbench(tools)]
    if tools:
        raise UsageError("Tools cannot be used with a workbench.")
    collected = list(workbench) if isinstance(workbench, Sequence) else [workbench]
    for wb in collected:
        if not quacks_like(wb, Workbench, WORKBENCH):
            raise AgentArgumentTypeError(f"workbench must hold Workbench objects, got {wb!r}")
    return collected


def own_direct_tools(
    tools: list[BaseTool[Any, Any]], workbench: Workbench | Sequence[Workbench] | None
) -> dict[str, BaseTool[Any, Any]]:
    """Tools of the agent's own workbench that cannot stream: the agent calls them with call_tool directly (same
    result, without the per-call stream-protocol check)."""
    if workbench is not None:
        return {}
    return {t.name: t for t in tools if not isinstance(t, BaseStreamTool)}


def check_model_context(model_context: ChatCompletionContext | None) -> ChatCompletionContext:
    if model_context is None:
        return UnboundedChatCompletionContext()
    if not quacks_like(model_context, ChatCompletionContext, CHAT_COMPLETION_CONTEXT):
        raise AgentArgumentTypeError(f"model_context must be a ChatCompletionContext, got {model_context!r}")
    return model_context


def check_max_tool_iterations(max_tool_iterations: int) -> int:
    if isinstance(max_tool_iterations, bool) or not isinstance(max_tool_iterations, int) or max_tool_iterations < 1:
        raise UsageError(
            f"Maximum number of tool iterations must be greater than or equal to 1, got {max_tool_iterations}"
        )
    return max_tool_iterations
