"""Agent events: what agents and teams report to observers (tool calls, thoughts, streaming chunks...)."""

from __future__ import annotations

from typing import Literal

from ..core import FunctionCall
from ..memory import MemoryContent
from ..models import FunctionExecutionResult
from ._base import BaseAgentEvent
from ._code_types import CodeBlock, CodeResult

__all__ = [
    "CodeExecutionEvent",
    "CodeGenerationEvent",
    "MemoryQueryEvent",
    "ModelClientStreamingChunkEvent",
    "SelectSpeakerEvent",
    "SelectorEvent",
    "ThoughtEvent",
    "ToolCallExecutionEvent",
    "ToolCallRequestEvent",
    "UserInputRequestedEvent",
]


class ToolCallRequestEvent(BaseAgentEvent):
    """The model asked for these tool calls."""

    content: list[FunctionCall]
    type: Literal["ToolCallRequestEvent"] = "ToolCallRequestEvent"

    def to_text(self) -> str:
        return str(self.content)


class ToolCallExecutionEvent(BaseAgentEvent):
    """The results of executing the requested tool calls."""

    content: list[FunctionExecutionResult]
    type: Literal["ToolCallExecutionEvent"] = "ToolCallExecutionEvent"

    def to_text(self) -> str:
        return str(self.content)


class CodeGenerationEvent(BaseAgentEvent):
    """A model proposed code (``retry_attempt`` 0 is the first generation)."""

    retry_attempt: int
    content: str
    code_blocks: list[CodeBlock]
    type: Literal["CodeGenerationEvent"] = "CodeGenerationEvent"

    def to_text(self) -> str:
        return self.content


class CodeExecutionEvent(BaseAgentEvent):
    """The result of executing generated code."""

    retry_attempt: int
    result: CodeResult
    type: Literal["CodeExecutionEvent"] = "CodeExecutionEvent"

    def to_text(self) -> str:
        return str(self.result.output)


class UserInputRequestedEvent(BaseAgentEvent):
    """An agent is about to ask the user for input (``request_id`` identifies the request)."""

    request_id: str
    content: Literal[""] = ""
    type: Literal["UserInputRequestedEvent"] = "UserInputRequestedEvent"

    def to_text(self) -> str:
        return self.content


class MemoryQueryEvent(BaseAgentEvent):
    """Memory contents that were added to the model context."""

    content: list[MemoryContent]
    type: Literal["MemoryQueryEvent"] = "MemoryQueryEvent"

    def to_text(self) -> str:
        return str(self.content)


class ModelClientStreamingChunkEvent(BaseAgentEvent):
    """A chunk of streamed model output; ``full_message_id`` is the id of the message the chunks build up."""

    content: str
    full_message_id: str | None = None
    type: Literal["ModelClientStreamingChunkEvent"] = "ModelClientStreamingChunkEvent"

    def to_text(self) -> str:
        return self.content


class ThoughtEvent(BaseAgentEvent):
    """Model reasoning, or text the model produced alongside tool calls."""

    content: str
    type: Literal["ThoughtEvent"] = "ThoughtEvent"

    def to_text(self) -> str:
        return self.content


class SelectSpeakerEvent(BaseAgentEvent):
    """The names of the speakers a team selected."""

    content: list[str]
    type: Literal["SelectSpeakerEvent"] = "SelectSpeakerEvent"

    def to_text(self) -> str:
        return str(self.content)


class SelectorEvent(BaseAgentEvent):
    """Output of a selector model (emitted when the selector streams)."""

    content: str
    type: Literal["SelectorEvent"] = "SelectorEvent"

    def to_text(self) -> str:
        return self.content
