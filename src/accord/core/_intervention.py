from __future__ import annotations

from typing import Any, Protocol, final, runtime_checkable

from ._agent_id import AgentId
from ._message_context import MessageContext

__all__ = ["DefaultInterventionHandler", "DropMessage", "InterventionHandler"]


@final
class DropMessage:
    """Returned (the class or an instance) by an intervention handler to drop a message."""


@runtime_checkable
class InterventionHandler(Protocol):
    """Sees (and may change or drop) every message before the runtime delivers it."""

    async def on_send(
        self, message: Any, *, message_context: MessageContext, recipient: AgentId
    ) -> Any | type[DropMessage]: ...

    async def on_publish(self, message: Any, *, message_context: MessageContext) -> Any | type[DropMessage]: ...

    async def on_response(
        self, message: Any, *, sender: AgentId, recipient: AgentId | None
    ) -> Any | type[DropMessage]: ...


class DefaultInterventionHandler:
    """An intervention handler that changes nothing; subclass it and override what you need."""

    async def on_send(
        self, message: Any, *, message_context: MessageContext, recipient: AgentId
    ) -> Any | type[DropMessage]:
        return message

    async def on_publish(self, message: Any, *, message_context: MessageContext) -> Any | type[DropMessage]:
        return message

    async def on_response(self, message: Any, *, sender: AgentId, recipient: AgentId | None) -> Any | type[DropMessage]:
        return message


def is_drop(value: Any) -> bool:
    return value is DropMessage or isinstance(value, DropMessage)
