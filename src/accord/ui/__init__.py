"""Console output for runs (serves ``autogen_agentchat.ui`` and ``autogen_ext.ui``)."""

from __future__ import annotations

from ._console import Console, UserInputManager
from ._rich_console import RichConsole

__all__ = ["Console", "RichConsole", "UserInputManager"]
