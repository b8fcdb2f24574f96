"""Accumulating a streamed Chat Completion: text, reasoning, tool-call fragments, finish reason and usage."""

from __future__ import annotations

from typing import Any

from ...core import FunctionCall

__all__ = ["StreamAccumulator", "tool_name"]


def tool_name(name: str | None) -> str:
    """The tool name without the ``functions.`` prefix some servers add."""
    name = name or ""
    return name[len("functions.") :] if name.startswith("functions.") else name


class StreamAccumulator:
    """Folds the chunks of one streamed completion; :meth:`add` returns the chunk's text to pass on, if any."""

    def __init__(self) -> None:
        self.text_parts: list[str] = []
        self.thought_parts: list[str] = []
        self.tool_parts: dict[int, dict[str, str]] = {}
        self.finish_reason: str | None = None
        self.reported_usage: Any = None

    def add(self, chunk: Any) -> str | None:
        if chunk.usage is not None:
            self.reported_usage = chunk.usage
        if not chunk.choices:
            return None
        choice = chunk.choices[0]
        if choice.finish_reason is not None:
            self.finish_reason = choice.finish_reason
        delta = choice.delta
        if delta is None:
            return None
        extra = getattr(delta, "model_extra", None) or {}
        if extra.get("reasoning_content"):
            self.thought_parts.append(extra["reasoning_content"])
        for tc in delta.tool_calls or []:
            self._add_tool_fragment(tc)
        if delta.content:
            self.text_parts.append(delta.content)
            return str(delta.content)
        return None

    def _add_tool_fragment(self, tc: Any) -> None:
        slot = self.tool_parts.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
        if tc.id:
            slot["id"] = tc.id
        if tc.function is not None:
            if tc.function.name:
                slot["name"] += tc.function.name
            if tc.function.arguments:
                slot["arguments"] += tc.function.arguments

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def thought(self) -> str | None:
        return "".join(self.thought_parts) or None

    def calls(self) -> list[FunctionCall]:
        return [
            FunctionCall(id=slot["id"] or f"call_{i}", arguments=slot["arguments"], name=tool_name(slot["name"]))
            for i, slot in sorted(self.tool_parts.items())
        ]
