"""Message unions and the factory that turns dumped messages back into objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from .._errors import UsageError
from ._base import BaseAgentEvent, BaseChatMessage
from ._chat import HandoffMessage, MultiModalMessage, StopMessage, TextMessage, ToolCallSummaryMessage
from ._events import (
    CodeExecutionEvent,
    CodeGenerationEvent,
    MemoryQueryEvent,
    ModelClientStreamingChunkEvent,
    SelectSpeakerEvent,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    UserInputRequestedEvent,
)

__all__ = ["AgentEvent", "ChatMessage", "MessageFactory"]

ChatMessage = Annotated[
    TextMessage | MultiModalMessage | StopMessage | ToolCallSummaryMessage | HandoffMessage,
    Field(discriminator="type"),
]
"""The built-in concrete chat messages (not :class:`StructuredMessage`)."""

AgentEvent = Annotated[
    ToolCallRequestEvent
    | ToolCallExecutionEvent
    | MemoryQueryEvent
    | UserInputRequestedEvent
    | ModelClientStreamingChunkEvent
    | ThoughtEvent
    | SelectSpeakerEvent
    | CodeGenerationEvent
    | CodeExecutionEvent,
    Field(discriminator="type"),
]
"""The built-in agent events."""

_BUILTINS: tuple[type[BaseAgentEvent | BaseChatMessage], ...] = (
    TextMessage,
    MultiModalMessage,
    StopMessage,
    ToolCallSummaryMessage,
    HandoffMessage,
    ToolCallRequestEvent,
    ToolCallExecutionEvent,
    MemoryQueryEvent,
    UserInputRequestedEvent,
    ModelClientStreamingChunkEvent,
    ThoughtEvent,
    SelectSpeakerEvent,
    CodeGenerationEvent,
    CodeExecutionEvent,
)


class MessageFactory:
    """Creates messages from their dumped dicts, by the ``type`` field; knows the built-ins and registered types."""

    def __init__(self) -> None:
        self._message_types: dict[str, type[BaseAgentEvent | BaseChatMessage]] = {c.__name__: c for c in _BUILTINS}

    def is_registered(self, message_type: type[BaseAgentEvent | BaseChatMessage]) -> bool:
        """Whether a type of that class name is known."""
        return message_type.__name__ in self._message_types

    def register(self, message_type: type[BaseAgentEvent | BaseChatMessage]) -> None:
        """Make ``message_type`` creatable; it must subclass BaseChatMessage or BaseAgentEvent and be new."""
        if not isinstance(message_type, type) or not issubclass(message_type, BaseChatMessage | BaseAgentEvent):
            raise UsageError(f"Message type {message_type!r} must be a subclass of BaseChatMessage or BaseAgentEvent.")
        if self.is_registered(message_type):
            raise UsageError(f"Message type {message_type.__name__!r} is already registered.")
        self._message_types[message_type.__name__] = message_type

    def create(self, data: Mapping[str, Any]) -> BaseAgentEvent | BaseChatMessage:
        """The message described by ``data`` (its ``type`` names a registered class)."""
        message_type = data.get("type")
        if message_type is None:
            raise UsageError("Field 'type' is required in the message data to recover the message type.")
        if not isinstance(message_type, str):
            raise UsageError(f"Message type must be a string, got {type(message_type).__name__}")
        cls = self._message_types.get(message_type)
        if cls is None:
            raise UsageError(f"Unknown message type: {message_type!r}; registered: {sorted(self._message_types)}")
        return cls.load(data)
