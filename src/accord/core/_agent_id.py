from __future__ import annotations

import re
from dataclasses import dataclass

from .._errors import UsageError

__all__ = ["AgentId", "AgentType", "is_valid_agent_type"]

_AGENT_TYPE = re.compile(r"^[\w\-\.]+\Z")
AGENT_TYPE_PATTERN = _AGENT_TYPE.pattern


def is_valid_agent_type(value: str) -> bool:
    return bool(_AGENT_TYPE.match(value))


@dataclass(eq=True, frozen=True)
class AgentType:
    """The type of an agent, as registered with a runtime."""

    type: str


class AgentId:
    """Identifies an agent instance: its ``type`` (registered with the runtime) and a ``key`` (any string)."""

    __slots__ = ("_key", "_type")

    def __init__(self, type: str | AgentType, key: str) -> None:
        if isinstance(type, AgentType):
            type = type.type
        if not _AGENT_TYPE.match(type):
            raise UsageError(
                f"Invalid agent type {type!r}: it must match {AGENT_TYPE_PATTERN!r} (letters, digits, '_', '-' and '.')"
            )
        self._type = type
        self._key = key

    @property
    def type(self) -> str:
        return self._type

    @property
    def key(self) -> str:
        return self._key

    @classmethod
    def from_str(cls, agent_id: str) -> AgentId:
        """Parse ``"type/key"`` (split on the first ``/``)."""
        items = agent_id.split("/", maxsplit=1)
        if len(items) != 2:
            raise UsageError(f"Invalid agent id {agent_id!r}: expected 'type/key'")
        return cls(items[0], items[1])

    def __hash__(self) -> int:
        return hash((self._type, self._key))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AgentId):
            return NotImplemented
        return self._type == other._type and self._key == other._key

    def __str__(self) -> str:
        return f"{self._type}/{self._key}"

    def __repr__(self) -> str:
        return f'AgentId(type="{self._type}", key="{self._key}")'
