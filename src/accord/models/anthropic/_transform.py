"""accord messages and tools -> Anthropic Messages API wire format."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..._errors import UsageError
from ...core import FunctionCall, Image
from .._tool_schema import tool_name
from .._types import AssistantMessage, FunctionExecutionResultMessage, LLMMessage, SystemMessage, UserMessage

__all__ = ["to_anthropic_messages", "to_anthropic_tool_choice", "to_anthropic_tools"]


def _text(text: str) -> str:
    return text if text.strip() else "(empty)"  # Anthropic rejects empty text blocks


def _image_block(image: Image) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": image.to_base64()}}


def _arguments(call: FunctionCall) -> dict[str, Any]:
    try:
        value = json.loads(call.arguments) if call.arguments else {}
    except json.JSONDecodeError:
        return {"_raw_arguments": call.arguments}
    return value if isinstance(value, dict) else {"value": value}


def to_anthropic_messages(messages: Sequence[LLMMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    """``(system, messages)``: leading system messages become the ``system`` parameter; later ones user turns."""
    system_parts: list[str] = []
    wire: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            if not wire:
                system_parts.append(message.content)
            else:
                wire.append({"role": "user", "content": f"[system] {_text(message.content)}"})
        elif isinstance(message, UserMessage):
            if isinstance(message.content, str):
                wire.append({"role": "user", "content": _text(message.content)})
            else:
                parts = [
                    _image_block(p) if isinstance(p, Image) else {"type": "text", "text": _text(p)}
                    for p in message.content
                ]
                wire.append({"role": "user", "content": parts})
        elif isinstance(message, AssistantMessage):
            if isinstance(message.content, str):
                wire.append({"role": "assistant", "content": _text(message.content).rstrip()})
            else:
                blocks: list[dict[str, Any]] = []
                if message.thought:
                    blocks.append({"type": "text", "text": message.thought})
                blocks.extend(
                    {"type": "tool_use", "id": c.id, "name": c.name, "input": _arguments(c)} for c in message.content
                )
                wire.append({"role": "assistant", "content": blocks})
        elif isinstance(message, FunctionExecutionResultMessage):
            wire.append(
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": r.call_id,
                            "content": _text(r.content),
                            **({"is_error": True} if r.is_error else {}),
                        }
                        for r in message.content
                    ],
                }
            )
    return ("\n".join(system_parts) if system_parts else None), wire


def to_anthropic_tools(schemas: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": s["name"],
            "description": s.get("description", ""),
            "input_schema": dict(s.get("parameters") or {"type": "object", "properties": {}}),
        }
        for s in schemas
    ]


def to_anthropic_tool_choice(tool_choice: Any, names: Sequence[str]) -> dict[str, Any]:
    if isinstance(tool_choice, str):
        mapping = {
            "auto": {"type": "auto"},
            "required": {"type": "any"},
            "any": {"type": "any"},
            "none": {"type": "none"},
        }
        if tool_choice not in mapping:
            raise UsageError(f"tool_choice must be 'auto', 'required', 'none' or a Tool, got {tool_choice!r}")
        return mapping[tool_choice]
    name = tool_name(tool_choice)
    if name not in names:
        raise UsageError(f"tool_choice names tool {name!r}, which is not among the tools passed: {list(names)}")
    return {"type": "tool", "name": name}
