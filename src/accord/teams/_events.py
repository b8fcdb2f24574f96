"""The events a team's manager and its participants' containers exchange (AutoGen's group-chat events).

They are pydantic models so they serialize across runtimes; on the hot path accord builds them with
``model_construct`` (no re-validation of messages that were validated when they were created).
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, SerializeAsAny

from ..base import Response, TaskResult
from ..messages import BaseAgentEvent, BaseChatMessage, StopMessage

__all__ = [
    "GroupChatAgentResponse",
    "GroupChatError",
    "GroupChatMessage",
    "GroupChatPause",
    "GroupChatRequestPublish",
    "GroupChatReset",
    "GroupChatResume",
    "GroupChatStart",
    "GroupChatTeamResponse",
    "GroupChatTermination",
    "SerializableException",
]


class SerializableException(BaseModel):
    """An exception as data: its type name, message and formatted traceback."""

    error_type: str
    error_message: str
    traceback: str | None = None

    def __str__(self) -> str:
        return f"{self.error_type}: {self.error_message}"

    @classmethod
    def from_exception(cls, exc: BaseException) -> SerializableException:
        return cls(
            error_type=type(exc).__name__,
            error_message=str(exc),
            traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        )


class GroupChatStart(BaseModel):
    """Starts (or resumes) a group chat, with the task messages if any."""

    messages: Sequence[SerializeAsAny[BaseChatMessage]] | None = None
    output_task_messages: bool = True


class GroupChatAgentResponse(BaseModel):
    """A participant agent answered."""

    response: SerializeAsAny[Response]
    name: str


class GroupChatTeamResponse(BaseModel):
    """A participant team finished its turn."""

    result: SerializeAsAny[TaskResult]
    name: str


class GroupChatRequestPublish(BaseModel):
    """Asks a participant to take its turn."""


class GroupChatMessage(BaseModel):
    """A message or event for the team's output stream."""

    message: SerializeAsAny[BaseAgentEvent | BaseChatMessage]


class GroupChatTermination(BaseModel):
    """The group chat stopped: why, and the error if it failed."""

    message: StopMessage
    error: SerializableException | None = None


class GroupChatReset(BaseModel):
    """Return to the initial state."""


class GroupChatPause(BaseModel):
    """Pause the participants."""


class GroupChatResume(BaseModel):
    """Resume the participants."""


class GroupChatError(BaseModel):
    """A participant failed."""

    error: SerializableException


def fast(cls: type[BaseModel], **fields: Any) -> Any:
    """Build an event without validation (its fields are already valid objects)."""
    return cls.model_construct(**fields)
