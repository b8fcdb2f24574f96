"""The message hierarchy of AgentChat: chat messages (agent to agent) and events (agent to observer)."""

from __future__ import annotations

import os
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Self

from pydantic import BaseModel, Field

from ..models import RequestUsage, UserMessage

__all__ = ["BaseAgentEvent", "BaseChatMessage", "BaseMessage", "BaseTextChatMessage"]


# Ids need uniqueness, not secrecy: a private generator seeded from the OS (so a program's random.seed() cannot make
# two processes produce the same ids), reseeded in forked children.
_generator = random.Random(os.urandom(32))
_rand = _generator.getrandbits


def _reseed() -> None:
    _generator.seed(os.urandom(32))


os.register_at_fork(after_in_child=_reseed)


def _new_id() -> str:
    """A random version-4 UUID string (the format AutoGen's ids have), about 4x cheaper than ``str(uuid4())``."""
    h = f"{_rand(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _now() -> datetime:
    return datetime.now(UTC)


class BaseMessage(BaseModel, ABC):
    """Root of every AgentChat message and event. Subclass :class:`BaseChatMessage` or :class:`BaseAgentEvent`."""

    @abstractmethod
    def to_text(self) -> str:
        """Text for people and termination conditions (the console, logs); not what the model sees."""

    def dump(self) -> Mapping[str, Any]:
        """A JSON-able dict of this message (datetimes as ISO strings)."""
        return self.model_dump(mode="json")

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self:
        """The message described by ``data`` (the inverse of :meth:`dump`)."""
        return cls.model_validate(data)


class BaseChatMessage(BaseMessage, ABC):
    """A message agents send each other; agents turn it into model input with :meth:`to_model_message`."""

    id: str = Field(default_factory=_new_id)
    source: str
    models_usage: RequestUsage | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=_now)

    @abstractmethod
    def to_model_text(self) -> str:
        """Text-only form of the content, used when building parts of a model message."""

    @abstractmethod
    def to_model_message(self) -> UserMessage:
        """The content as a :class:`~accord.models.UserMessage` for a model client."""


class BaseTextChatMessage(BaseChatMessage, ABC):
    """A chat message whose content is a string."""

    content: str

    def to_text(self) -> str:
        return self.content

    def to_model_text(self) -> str:
        return self.content

    def to_model_message(self) -> UserMessage:
        return UserMessage(content=self.content, source=self.source)


class BaseAgentEvent(BaseMessage, ABC):
    """Something an agent or team did, for observers (console, UI, logs); not sent to other agents."""

    id: str = Field(default_factory=_new_id)
    source: str
    models_usage: RequestUsage | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=_now)
