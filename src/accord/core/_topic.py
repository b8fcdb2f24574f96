from __future__ import annotations

import re
from dataclasses import dataclass

from .._errors import UsageError

__all__ = ["DefaultTopicId", "TopicId"]

_TOPIC_TYPE = re.compile(r"^[\w\-\.\:\=]+\Z")


@dataclass(eq=False, frozen=True)
class TopicId:
    """A topic to publish to: ``type`` (a CloudEvents type) and ``source`` (the context, e.g. a session)."""

    type: str
    source: str

    def __post_init__(self) -> None:
        if not _TOPIC_TYPE.match(self.type):
            raise UsageError(
                f"Invalid topic type {self.type!r}: it must match {_TOPIC_TYPE.pattern!r} "
                "(letters, digits, '_', '-', '.', ':' and '=')"
            )

    def __str__(self) -> str:
        return f"{self.type}/{self.source}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TopicId):
            return NotImplemented
        return self.type == other.type and self.source == other.source

    def __hash__(self) -> int:
        return hash((self.type, self.source))

    @classmethod
    def from_str(cls, topic_id: str) -> TopicId:
        items = topic_id.split("/", maxsplit=1)
        if len(items) != 2:
            raise UsageError(f"Invalid topic id {topic_id!r}: expected 'type/source'")
        return cls(items[0], items[1])


class DefaultTopicId(TopicId):
    """``TopicId("default", source)``; inside a handler the source defaults to the handling agent's key."""

    def __init__(self, type: str = "default", source: str | None = None) -> None:
        if source is None:
            from ._contexts import MessageHandlerContext

            agent_id = MessageHandlerContext.current_agent_id()
            source = agent_id.key if agent_id is not None else "default"
        super().__init__(type, source)
