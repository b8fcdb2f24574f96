"""Public exception hierarchy of accord (see :mod:`accord._errors`)."""

from __future__ import annotations

from ._errors import (
    AccordError,
    AccordSignal,
    ComponentError,
    DeliveryError,
    MissingExtraError,
    ModelError,
    RunError,
    StateError,
    UntrustedProviderError,
    UsageError,
)

__all__ = [
    "AccordError",
    "AccordSignal",
    "ComponentError",
    "DeliveryError",
    "MissingExtraError",
    "ModelError",
    "RunError",
    "StateError",
    "UntrustedProviderError",
    "UsageError",
]
