"""Errors of the agents package."""

from __future__ import annotations

from .._errors import UsageError

__all__ = ["AgentArgumentTypeError"]


class AgentArgumentTypeError(UsageError, TypeError):
    """An agent was given an argument of the wrong type (the message names it and what is allowed)."""
