"""Results a workbench returns for a tool call."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ..core import Image

__all__ = ["ImageResultContent", "ResultContent", "TextResultContent", "ToolResult", "truncate_text"]

DEFAULT_MAX_OUTPUT_CHARS = 100_000


class TextResultContent(BaseModel):
    """Text produced by a tool."""

    type: Literal["TextResultContent"] = "TextResultContent"
    content: str


class ImageResultContent(BaseModel):
    """An image produced by a tool."""

    type: Literal["ImageResultContent"] = "ImageResultContent"
    content: Image


ResultContent = Annotated[TextResultContent | ImageResultContent, Field(discriminator="type")]


class ToolResult(BaseModel):
    """The outcome of one tool call made through a workbench; ``is_error`` marks failures shown to the model."""

    type: Literal["ToolResult"] = "ToolResult"
    name: str
    result: list[ResultContent]
    is_error: bool = False

    def to_text(self, replace_image: str | None = None) -> str:
        """The result as text; images become ``replace_image`` or an inline base64 marker."""
        parts: list[str] = []
        for item in self.result:
            if isinstance(item, TextResultContent):
                parts.append(item.content)
            elif replace_image is not None:
                parts.append(replace_image)
            else:
                parts.append(f"[Image: {item.content.to_base64()}]")
        return "\n".join(parts)


def truncate_text(text: str, limit: int | None) -> str:
    """Cut ``text`` to ``limit`` characters, ending with a note that says how much was left out."""
    if limit is None or len(text) <= limit:
        return text
    omitted = len(text) - limit
    return f"{text[:limit]}\n[... output truncated: {omitted} of {len(text)} characters omitted]"
