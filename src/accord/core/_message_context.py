from __future__ import annotations

from dataclasses import dataclass

from ._agent_id import AgentId
from ._cancellation_token import CancellationToken
from ._topic import TopicId

__all__ = ["MessageContext"]


@dataclass(slots=True)
class MessageContext:
    """What a handler knows about the message it handles."""

    sender: AgentId | None
    topic_id: TopicId | None
    is_rpc: bool
    cancellation_token: CancellationToken
    message_id: str
