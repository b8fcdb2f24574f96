"""The chat-agent interface and its :class:`Response`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SerializeAsAny

from ..core import CancellationToken, ComponentBase
from ..messages import BaseAgentEvent, BaseChatMessage
from ._task import TaskRunner

__all__ = ["ChatAgent", "Response"]


@dataclass(kw_only=True)
class Response:
    """An agent's answer: the chat message for the others and the events it produced on the way."""

    chat_message: SerializeAsAny[BaseChatMessage]
    inner_messages: Sequence[SerializeAsAny[BaseAgentEvent | BaseChatMessage]] | None = None


class ChatAgent(ABC, TaskRunner, ComponentBase[BaseModel]):
    """The interface of chat agents: they receive new messages and answer with a :class:`Response`."""

    component_type = "agent"

    @property
    @abstractmethod
    def name(self) -> str:
        """Unique name within a team."""

    @property
    @abstractmethod
    def description(self) -> str:
        """What the agent does (used by teams to pick speakers)."""

    @property
    @abstractmethod
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        """The chat message types the agent can produce in its Response."""

    @abstractmethod
    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        """Handle the new messages and answer."""

    @abstractmethod
    def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        """Handle the new messages, yielding events and messages, and the Response last."""

    @abstractmethod
    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        """Return to the initial state."""

    @abstractmethod
    async def on_pause(self, cancellation_token: CancellationToken) -> None:
        """Called when the team pauses while this agent runs."""

    @abstractmethod
    async def on_resume(self, cancellation_token: CancellationToken) -> None:
        """Called when the team resumes."""

    @abstractmethod
    async def save_state(self) -> Mapping[str, Any]:
        """The agent's state as JSON-able data."""

    @abstractmethod
    async def load_state(self, state: Mapping[str, Any]) -> None:
        """Restore a state from :meth:`save_state`."""

    @abstractmethod
    async def close(self) -> None:
        """Release resources."""
