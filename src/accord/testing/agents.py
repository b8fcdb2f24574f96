"""Small agents for tests of code built on the Core runtime (the roles of AutoGen's test-utils agents).

- :class:`LoopbackAgent` answers every :class:`MessageType` with the same message and counts calls.
- :class:`CascadingAgent` re-publishes a :class:`CascadingMessageType` with ``round + 1`` until ``max_rounds``.
- :class:`NoopAgent` accepts nothing (``CantHandleException`` for every message).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core import BaseAgent, DefaultTopicId, MessageContext, RoutedAgent, default_subscription, message_handler
from ..core.exceptions import CantHandleException

__all__ = [
    "CascadingAgent",
    "CascadingMessageType",
    "LoopbackAgent",
    "LoopbackAgentWithDefaultSubscription",
    "MessageType",
    "NoopAgent",
]


@dataclass
class MessageType:
    """A message with no content."""


@dataclass
class CascadingMessageType:
    round: int


class LoopbackAgent(RoutedAgent):
    """Answers every ``MessageType`` with the message it got; counts calls; its state is that count."""

    def __init__(self, description: str = "A loop back agent.") -> None:
        super().__init__(description)
        self.num_calls = 0
        self.received_messages: list[Any] = []

    @message_handler
    async def on_new_message(self, message: MessageType, ctx: MessageContext) -> MessageType:
        self.num_calls += 1
        self.received_messages.append(message)
        return message

    async def save_state(self) -> Mapping[str, Any]:
        return {"num_calls": self.num_calls}

    async def load_state(self, state: Mapping[str, Any]) -> None:
        self.num_calls = int(state["num_calls"])


@default_subscription
class LoopbackAgentWithDefaultSubscription(LoopbackAgent):
    """A :class:`LoopbackAgent` subscribed to the default topic."""


@default_subscription
class CascadingAgent(RoutedAgent):
    """Publishes ``round + 1`` on the default topic for every cascading message below ``max_rounds``."""

    def __init__(self, max_rounds: int) -> None:
        super().__init__("A cascading agent.")
        self.num_calls = 0
        self.max_rounds = max_rounds

    @message_handler
    async def on_new_message(self, message: CascadingMessageType, ctx: MessageContext) -> None:
        self.num_calls += 1
        if message.round == self.max_rounds:
            return
        await self.publish_message(CascadingMessageType(round=message.round + 1), topic_id=DefaultTopicId())


class NoopAgent(BaseAgent):
    """Handles nothing."""

    def __init__(self) -> None:
        super().__init__("A no op agent")

    async def on_message_impl(self, message: Any, ctx: MessageContext) -> Any:
        raise CantHandleException(f"NoopAgent handles no messages (got {type(message).__name__})")
