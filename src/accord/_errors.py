"""accord's single exception root and its families.

Every error accord raises derives from :class:`AccordError`. Where AutoGen raised a builtin
(``ValueError``, ``LookupError``, ``ImportError``...) the accord error also derives from that builtin,
so code written against AutoGen keeps catching it.

Control-flow signals that a user raises or catches to steer a run (termination, tool errors that
go back to the model) are a separate family under :class:`AccordSignal` and are not errors.
"""

from __future__ import annotations

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


class AccordError(Exception):
    """Root of every error raised by accord."""


class AccordSignal(BaseException):
    """Root of control-flow signals (not errors): they steer a run and are caught by accord itself."""


class UsageError(AccordError, ValueError):
    """The API was called with an invalid value (the message names the value and what is allowed)."""


class StateError(AccordError, ValueError):
    """A saved state has the wrong shape; the object keeps its previous state."""


class DeliveryError(AccordError):
    """A message could not be delivered or handled."""


class RunError(AccordError, RuntimeError):
    """A run (runtime, team, agent) failed or was misused while running."""


class ComponentError(AccordError, ValueError):
    """A declarative component could not be dumped or loaded."""


class ComponentTypeError(ComponentError, TypeError):
    """A component config names a class of another type than the one the caller expects (nothing was built)."""


class UntrustedProviderError(ComponentError):
    """A component config names a provider that is neither known to accord nor allowed by the user."""


class ModelError(AccordError):
    """A model client failed (API errors, bad configuration of a model)."""


class MissingExtraError(AccordError, ImportError):
    """An optional integration was used without its extra installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"This feature needs the '{package}' package, which is not installed. Install it with: "
            f"pip install 'accord[{extra}]'"
        )
        self.package = package
        self.extra = extra
