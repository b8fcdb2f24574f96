"""AgentChat messages and events (serves ``autogen_agentchat.messages``).

Chat messages (:class:`BaseChatMessage`) go from agent to agent; events (:class:`BaseAgentEvent`) report what agents
do to observers. Every class is a pydantic model with a ``type`` field equal to its class name.
"""

from __future__ import annotations

from ._base import BaseAgentEvent, BaseChatMessage, BaseMessage, BaseTextChatMessage
from ._chat import (
    HandoffMessage,
    MultiModalMessage,
    StopMessage,
    StructuredContentType,
    StructuredMessage,
    StructuredMessageFactory,
    StructureMessageConfig,
    TextMessage,
    ToolCallSummaryMessage,
)
from ._events import (
    CodeExecutionEvent,
    CodeGenerationEvent,
    MemoryQueryEvent,
    ModelClientStreamingChunkEvent,
    SelectorEvent,
    SelectSpeakerEvent,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    UserInputRequestedEvent,
)
from ._factory import AgentEvent, ChatMessage, MessageFactory

__all__ = [
    "AgentEvent",
    "BaseAgentEvent",
    "BaseChatMessage",
    "BaseMessage",
    "BaseTextChatMessage",
    "ChatMessage",
    "CodeExecutionEvent",
    "CodeGenerationEvent",
    "HandoffMessage",
    "MemoryQueryEvent",
    "MessageFactory",
    "ModelClientStreamingChunkEvent",
    "MultiModalMessage",
    "SelectSpeakerEvent",
    "SelectorEvent",
    "StopMessage",
    "StructureMessageConfig",
    "StructuredContentType",
    "StructuredMessage",
    "StructuredMessageFactory",
    "TextMessage",
    "ThoughtEvent",
    "ToolCallExecutionEvent",
    "ToolCallRequestEvent",
    "ToolCallSummaryMessage",
    "UserInputRequestedEvent",
]
