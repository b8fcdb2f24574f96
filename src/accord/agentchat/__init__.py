"""AgentChat's top-level names (serves ``autogen_agentchat``): the logger names."""

from __future__ import annotations

__all__ = ["EVENT_LOGGER_NAME", "TRACE_LOGGER_NAME"]

TRACE_LOGGER_NAME = "autogen_agentchat"
"""Logger for AgentChat's debug traces."""
EVENT_LOGGER_NAME = "autogen_agentchat.events"
"""Logger for AgentChat's structured events."""
