"""Errors of the declarative spec format: each names the file, the line and the field path."""

from __future__ import annotations

from .._errors import ComponentError

__all__ = ["NoModelAvailableError", "SpecError", "UnknownModelError"]


class SpecError(ComponentError):
    """A spec file is invalid. ``file``, ``line`` and ``field`` say where; ``problem`` says what."""

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        self.problem = problem
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.file or "<spec>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"


class UnknownModelError(SpecError):
    """A model reference names a provider or model accord does not know; the message lists what is available."""


class NoModelAvailableError(SpecError):
    """No model provider is configured and the embedded local model is not installed."""
