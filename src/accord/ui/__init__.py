"""Console output for runs (serves ``autogen_agentchat.ui``)."""

from __future__ import annotations

from ._console import Console, UserInputManager

__all__ = ["Console", "UserInputManager"]
