"""AgentChat's top-level names (serves ``autogen_agentchat``): the logger names and the API version."""

from __future__ import annotations

__all__ = ["EVENT_LOGGER_NAME", "TRACE_LOGGER_NAME", "__version__"]

TRACE_LOGGER_NAME = "autogen_agentchat"
"""Logger for AgentChat's debug traces."""
EVENT_LOGGER_NAME = "autogen_agentchat.events"
"""Logger for AgentChat's structured events."""
__version__ = "0.7.5"
"""The autogen-agentchat version whose public API accord serves (so version checks in AutoGen programs pass)."""
