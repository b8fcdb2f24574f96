"""Errors raised by the code executors."""

from __future__ import annotations

from .._errors import RunError, UsageError

__all__ = ["CodeExecutionTimeoutError", "SandboxUnavailableError", "WorkDirError"]


class WorkDirError(UsageError):
    """The work directory does not exist, is not a directory or is not writable."""


class SandboxUnavailableError(UsageError):
    """The sandbox mode that was asked for cannot be set up on this machine (the message says why)."""


class CodeExecutionTimeoutError(RunError, TimeoutError):
    """Code ran past its timeout (raised by the Jupyter executor, as AutoGen's raises ``asyncio.TimeoutError``)."""
