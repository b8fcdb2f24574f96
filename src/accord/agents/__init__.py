"""AgentChat agents (serves ``autogen_agentchat.agents``).

``accord.agents.tools`` serves ``autogen_agentchat.tools``.
"""

from __future__ import annotations

from ._assistant_agent import AssistantAgent, AssistantAgentConfig
from ._base_chat_agent import BaseChatAgent
from ._code_executor_agent import (
    ApprovalFuncType,
    ApprovalRequest,
    ApprovalResponse,
    CodeExecutorAgent,
    CodeExecutorAgentConfig,
)
from ._message_filter_agent import MessageFilterAgent, MessageFilterAgentConfig, MessageFilterConfig, PerSourceFilter
from ._society_of_mind_agent import SocietyOfMindAgent, SocietyOfMindAgentConfig
from ._user_proxy_agent import UserProxyAgent, UserProxyAgentConfig

__all__ = [
    "ApprovalFuncType",
    "ApprovalRequest",
    "ApprovalResponse",
    "AssistantAgent",
    "AssistantAgentConfig",
    "BaseChatAgent",
    "CodeExecutorAgent",
    "CodeExecutorAgentConfig",
    "MessageFilterAgent",
    "MessageFilterAgentConfig",
    "MessageFilterConfig",
    "PerSourceFilter",
    "SocietyOfMindAgent",
    "SocietyOfMindAgentConfig",
    "UserProxyAgent",
    "UserProxyAgentConfig",
]
