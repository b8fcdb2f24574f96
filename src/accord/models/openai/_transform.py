"""accord messages and tools -> OpenAI Chat Completions wire format (and back for results)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ...core import FunctionCall, Image
from .._model_info import ModelFamily, ModelInfo
from .._types import AssistantMessage, FunctionExecutionResultMessage, LLMMessage, SystemMessage, UserMessage

__all__ = ["to_openai_messages", "to_openai_tool_choice", "to_openai_tools"]

_NAME_BAD = re.compile(r"[^a-zA-Z0-9_-]")


def _name(source: str) -> str:
    """OpenAI accepts names matching ``^[a-zA-Z0-9_-]+$``: other characters become ``_``."""
    return _NAME_BAD.sub("_", source)[:64] or "user"


def _normalize_system(messages: Sequence[LLMMessage], model_info: ModelInfo) -> list[LLMMessage]:
    """Merge runs of system messages; later system messages become user messages unless the model allows several.

    Providers differ: OpenAI accepts system messages anywhere, Gemini/Claude/many local servers accept one at the
    start. AutoGen raises for a second, non-adjacent system message; accord keeps the team running by sending it
    as a user message from "system" when ``model_info['multiple_system_messages']`` is not true.
    """
    if model_info.get("multiple_system_messages"):
        return list(messages)
    out: list[LLMMessage] = []
    seen_other = False
    for message in messages:
        if isinstance(message, SystemMessage):
            if out and isinstance(out[-1], SystemMessage):
                out[-1] = SystemMessage(content=out[-1].content + "\n" + message.content)
            elif not seen_other:
                out.append(message)
            else:
                out.append(UserMessage(content=message.content, source="system"))
        else:
            seen_other = True
            out.append(message)
    return out


def _user(message: UserMessage, *, include_name: bool, prefix: bool) -> dict[str, Any]:
    wire: dict[str, Any] = {"role": "user"}
    if include_name:
        wire["name"] = _name(message.source)
    lead = f"{message.source} said:\n" if prefix else ""
    if isinstance(message.content, str):
        wire["content"] = lead + message.content if message.content or lead else " "
        return wire
    parts: list[dict[str, Any]] = []
    for i, part in enumerate(message.content):
        if isinstance(part, Image):
            parts.append(part.to_openai_format())
        else:
            parts.append({"type": "text", "text": (lead if i == 0 else "") + part})
    wire["content"] = parts
    return wire


def _assistant(message: AssistantMessage, *, include_name: bool, family: str) -> dict[str, Any]:
    wire: dict[str, Any] = {"role": "assistant"}
    if include_name:
        wire["name"] = _name(message.source)
    if isinstance(message.content, str):
        wire["content"] = message.content
        return wire
    wire["tool_calls"] = [
        {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
        for call in message.content
        if isinstance(call, FunctionCall)
    ]
    if message.thought:
        wire["content"] = message.thought
    elif ModelFamily.is_gemini(family):
        wire["content"] = " "
    else:
        # a string, not null: OpenAI accepts both, llama.cpp's server and chat templates need a string
        wire["content"] = ""
    return wire


def to_openai_messages(
    messages: Sequence[LLMMessage],
    model_info: ModelInfo,
    *,
    include_name: bool = True,
    add_name_prefixes: bool = False,
) -> list[dict[str, Any]]:
    family = str(model_info.get("family", ModelFamily.UNKNOWN))
    wire: list[dict[str, Any]] = []
    for message in _normalize_system(messages, model_info):
        if isinstance(message, SystemMessage):
            wire.append({"role": "system", "content": message.content})
        elif isinstance(message, UserMessage):
            wire.append(_user(message, include_name=include_name, prefix=add_name_prefixes))
        elif isinstance(message, AssistantMessage):
            wire.append(_assistant(message, include_name=include_name, family=family))
        elif isinstance(message, FunctionExecutionResultMessage):
            for result in message.content:
                wire.append({"role": "tool", "tool_call_id": result.call_id, "content": result.content or " "})
        else:  # pragma: no cover - LLMMessage is closed
            raise TypeError(f"Unknown message type {type(message).__name__}")
    if wire and wire[-1]["role"] == "assistant" and isinstance(wire[-1].get("content"), str):
        # Claude-style endpoints reject a final assistant message ending in whitespace
        wire[-1]["content"] = wire[-1]["content"].rstrip() or " "
    return wire


def to_openai_tools(schemas: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    for schema in schemas:
        function: dict[str, Any] = {"name": schema["name"]}
        if "description" in schema:
            function["description"] = schema["description"]
        function["parameters"] = dict(schema.get("parameters") or {"type": "object", "properties": {}})
        if schema.get("strict") is not None:
            function["strict"] = schema["strict"]
        tools.append({"type": "function", "function": function})
    return tools


def to_openai_tool_choice(tool_choice: Any, tool_names: Sequence[str]) -> Any:
    from ..._errors import UsageError
    from .._tool_schema import tool_name

    if isinstance(tool_choice, str):
        if tool_choice not in ("auto", "required", "none"):
            raise UsageError(f"tool_choice must be 'auto', 'required', 'none' or a Tool, got {tool_choice!r}")
        return tool_choice
    name = tool_name(tool_choice)
    if name not in tool_names:
        raise UsageError(f"tool_choice names tool {name!r}, which is not among the tools passed: {list(tool_names)}")
    return {"type": "function", "function": {"name": name}}
