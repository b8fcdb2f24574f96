"""The runtime's single stream of envelope events, consumed by the journal, tracing, metrics and Studio."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._agent_id import AgentId
from ._topic import TopicId

__all__ = ["EnvelopeEvent", "EnvelopeKind", "EnvelopeListener"]

EnvelopeKind = Literal["send", "publish", "response", "drop", "error"]


@dataclass(frozen=True, slots=True)
class EnvelopeEvent:
    """One thing that happened to a message in a runtime.

    ``send``/``publish``: a message entered the runtime. ``response``: a handler answered a send
    (``duration_s`` is the handling time). ``drop``: an intervention handler dropped the message.
    ``error``: a handler raised (``error`` holds ``"Type: message"``).
    """

    kind: EnvelopeKind
    message_id: str
    message: Any
    message_type: str
    sender: AgentId | None
    recipient: AgentId | None
    topic_id: TopicId | None
    timestamp: float
    duration_s: float | None = None
    error: str | None = None


EnvelopeListener = Callable[[EnvelopeEvent], None]
