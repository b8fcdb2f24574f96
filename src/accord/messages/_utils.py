"""Helpers on LLM message content (``autogen_agentchat.utils``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from ..core import FunctionCall, Image
from ..models import FunctionExecutionResult, LLMMessage, UserMessage

__all__ = ["content_to_str", "remove_images"]


def content_to_str(
    content: str
    | Sequence[str | Image]
    | Sequence[FunctionCall]
    | Sequence[FunctionExecutionResult]
    | Sequence[Any]
    | BaseModel,
) -> str:
    """Text of an LLM message's content: images become ``<image>``, other parts ``str()``, joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, BaseModel):
        return content.model_dump_json()
    parts: list[str] = []
    for c in content:
        if isinstance(c, str):
            parts.append(c)
        elif isinstance(c, Image):
            parts.append("<image>")
        else:
            parts.append(str(c))
    return "\n".join(parts)


def remove_images(messages: Sequence[LLMMessage]) -> list[LLMMessage]:
    """The messages with every multimodal user message turned into text (for models without vision)."""
    return [
        UserMessage(content=content_to_str(m.content), source=m.source)
        if isinstance(m, UserMessage) and isinstance(m.content, list)
        else m
        for m in messages
    ]
