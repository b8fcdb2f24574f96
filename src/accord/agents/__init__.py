"""AgentChat agents (serves ``autogen_agentchat.agents``).

``accord.agents.tools`` serves ``autogen_agentchat.tools``.
"""

from __future__ import annotations

from ._assistant_agent import AssistantAgent, AssistantAgentConfig
from ._base_chat_agent import BaseChatAgent

__all__ = [
    "AssistantAgent",
    "AssistantAgentConfig",
    "BaseChatAgent",
]
