"""Agents on OpenAI's own agent APIs (serves ``autogen_ext.agents.openai``); needs the ``openai`` extra.

:class:`OpenAIAgent` answers through the Responses API with OpenAI's built-in tools; :class:`OpenAIAssistantAgent`
through the Assistants API (assistants, threads, runs), running your own tools locally when a run asks for them.
"""

from __future__ import annotations

from ._assistant_agent import AssistantRunError, OpenAIAssistantAgent, OpenAIAssistantAgentState
from ._openai_agent import OpenAIAgent, OpenAIAgentConfig, OpenAIAgentState

__all__ = [
    "AssistantRunError",
    "OpenAIAgent",
    "OpenAIAgentConfig",
    "OpenAIAgentState",
    "OpenAIAssistantAgent",
    "OpenAIAssistantAgentState",
]
