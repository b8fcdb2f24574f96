"""Runtime exceptions, under accord's single root (:class:`accord.AccordError`).

Names and base builtins follow ``autogen_core.exceptions``.
"""

from __future__ import annotations

from .._errors import DeliveryError

__all__ = [
    "CantHandleException",
    "MessageDroppedException",
    "NotAccessibleError",
    "RecipientNotFoundError",
    "UndeliverableException",
]


class CantHandleException(DeliveryError):
    """The handler cannot process the given message."""


class UndeliverableException(DeliveryError):
    """The message cannot be delivered."""


class RecipientNotFoundError(UndeliverableException, LookupError):
    """The recipient's agent type is not registered with the runtime."""


class MessageDroppedException(DeliveryError):
    """An intervention handler dropped the message."""


class NotAccessibleError(DeliveryError):
    """The value (e.g. a remote agent instance) is not accessible from here."""
