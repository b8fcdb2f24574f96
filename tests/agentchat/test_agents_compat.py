# ruff: noqa: E501  (configs as AutoGen 0.7.5 wrote them)
"""Configs written by AutoGen 0.7.5 (dumped with autogen-agentchat 0.7.5, kept here as data) load and run in accord."""

from __future__ import annotations

import json
from typing import Any

from accord.agents import AssistantAgent, MessageFilterAgent, UserProxyAgent
from accord.base import AndTerminationCondition, TerminationCondition
from accord.core import load_component
from accord.messages import StructuredMessage, TextMessage

AUTOGEN_ASSISTANT = json.dumps(
    {
        "provider": "autogen_agentchat.agents.AssistantAgent",
        "component_type": "agent",
        "version": 2,
        "component_version": 2,
        "description": "An agent that provides assistance with tool use.\n    The :meth:`on_messages` returns a :class:`~autogen_agentchat.base.Response`\n    in which :attr:`~autogen_agentchat.base.Response.chat_message` is the final\n    response message.",
        "label": "AssistantAgent",
        "config": {
            "name": "assistant",
            "model_client": {
                "provider": "autogen_ext.models.replay.ReplayChatCompletionClient",
                "component_type": "replay_chat_completion_client",
                "version": 1,
                "component_version": 1,
                "description": "A mock chat completion client that replays predefined responses using an index-based approach.",
                "label": "ReplayChatCompletionClient",
                "config": {
                    "chat_completions": ["hello"],
                    "model_info": {
                        "vision": False,
                        "function_calling": True,
                        "json_output": True,
                        "family": "unknown",
                        "structured_output": True,
                    },
                },
            },
            "workbench": [
                {
                    "provider": "autogen_core.tools.StaticStreamWorkbench",
                    "component_type": "workbench",
                    "version": 1,
                    "component_version": 1,
                    "description": "A workbench that provides a static set of tools that do not change after\n    each tool execution, and supports streaming results.",
                    "label": "StaticStreamWorkbench",
                    "config": {"tools": [], "tool_overrides": {}},
                }
            ],
            "handoffs": [
                {
                    "target": "bob",
                    "description": "Handoff to bob.",
                    "name": "transfer_to_bob",
                    "message": "Transferred to bob, adopting the role of bob immediately.",
                }
            ],
            "model_context": {
                "provider": "autogen_core.model_context.BufferedChatCompletionContext",
                "component_type": "chat_completion_context",
                "version": 1,
                "component_version": 1,
                "description": "A buffered chat completion context that keeps a view of the last n messages,\n    where n is the buffer size. The buffer size is set at initialization.",
                "label": "BufferedChatCompletionContext",
                "config": {"buffer_size": 5},
            },
            "description": "An agent that provides assistance with ability to use tools.",
            "system_message": "Be brief.",
            "model_client_stream": False,
            "reflect_on_tool_use": True,
            "tool_call_summary_format": "{result}",
            "max_tool_iterations": 2,
            "metadata": {},
            "structured_message_factory": {
                "provider": "autogen_agentchat.messages.StructuredMessageFactory",
                "component_type": "structured_message",
                "version": 1,
                "component_version": 1,
                "description": ":meta private:",
                "label": "StructuredMessageFactory",
                "config": {
                    "json_schema": {
                        "properties": {
                            "city": {"title": "City", "type": "string"},
                            "temperature": {"title": "Temperature", "type": "integer"},
                        },
                        "required": ["city", "temperature"],
                        "title": "Answer",
                        "type": "object",
                    },
                    "format_string": "{city}",
                    "content_model_name": "Answer",
                },
            },
        },
    }
)
AUTOGEN_TERMINATION = json.dumps(
    {
        "provider": "autogen_agentchat.base.AndTerminationCondition",
        "component_type": "termination",
        "version": 1,
        "component_version": 1,
        "description": None,
        "label": "AndTerminationCondition",
        "config": {
            "conditions": [
                {
                    "provider": "autogen_agentchat.base.OrTerminationCondition",
                    "component_type": "termination",
                    "version": 1,
                    "component_version": 1,
                    "label": "OrTerminationCondition",
                    "config": {
                        "conditions": [
                            {
                                "provider": "autogen_agentchat.conditions.MaxMessageTermination",
                                "component_type": "termination",
                                "version": 1,
                                "component_version": 1,
                                "description": "Terminate the conversation after a maximum number of messages have been exchanged.",
                                "label": "MaxMessageTermination",
                                "config": {"max_messages": 5, "include_agent_event": False},
                            },
                            {
                                "provider": "autogen_agentchat.conditions.TextMentionTermination",
                                "component_type": "termination",
                                "version": 1,
                                "component_version": 1,
                                "description": "Terminate the conversation if a specific text is mentioned.",
                                "label": "TextMentionTermination",
                                "config": {"text": "DONE"},
                            },
                        ]
                    },
                },
                {
                    "provider": "autogen_agentchat.conditions.TokenUsageTermination",
                    "component_type": "termination",
                    "version": 1,
                    "component_version": 1,
                    "description": "Terminate the conversation if a token usage limit is reached.",
                    "label": "TokenUsageTermination",
                    "config": {"max_total_token": 100},
                },
            ]
        },
    }
)
AUTOGEN_USER_PROXY = json.dumps(
    {
        "provider": "autogen_agentchat.agents.UserProxyAgent",
        "component_type": "agent",
        "version": 1,
        "component_version": 1,
        "description": "An agent that can represent a human user through an input function.",
        "label": "UserProxyAgent",
        "config": {"name": "user", "description": "A human user"},
    }
)
AUTOGEN_MESSAGE_FILTER = json.dumps(
    {
        "provider": "autogen_agentchat.agents.MessageFilterAgent",
        "component_type": "agent",
        "version": 1,
        "component_version": 1,
        "description": "A wrapper agent that filters incoming messages before passing them to the inner agent.",
        "label": "MessageFilterAgent",
        "config": {
            "name": "f",
            "wrapped_agent": {
                "provider": "autogen_agentchat.agents.AssistantAgent",
                "component_type": "agent",
                "version": 2,
                "component_version": 2,
                "description": "An agent that provides assistance with tool use.\n    The :meth:`on_messages` returns a :class:`~autogen_agentchat.base.Response`\n    in which :attr:`~autogen_agentchat.base.Response.chat_message` is the final\n    response message.",
                "label": "AssistantAgent",
                "config": {
                    "name": "inner",
                    "model_client": {
                        "provider": "autogen_ext.models.replay.ReplayChatCompletionClient",
                        "component_type": "replay_chat_completion_client",
                        "version": 1,
                        "component_version": 1,
                        "description": "A mock chat completion client that replays predefined responses using an index-based approach.",
                        "label": "ReplayChatCompletionClient",
                        "config": {
                            "chat_completions": ["x"],
                            "model_info": {
                                "vision": False,
                                "function_calling": False,
                                "json_output": False,
                                "family": "unknown",
                                "structured_output": False,
                            },
                        },
                    },
                    "workbench": [
                        {
                            "provider": "autogen_core.tools.StaticStreamWorkbench",
                            "component_type": "workbench",
                            "version": 1,
                            "component_version": 1,
                            "description": "A workbench that provides a static set of tools that do not change after\n    each tool execution, and supports streaming results.",
                            "label": "StaticStreamWorkbench",
                            "config": {"tools": [], "tool_overrides": {}},
                        }
                    ],
                    "model_context": {
                        "provider": "autogen_core.model_context.UnboundedChatCompletionContext",
                        "component_type": "chat_completion_context",
                        "version": 1,
                        "component_version": 1,
                        "description": "An unbounded chat completion context that keeps a view of the all the messages.",
                        "label": "UnboundedChatCompletionContext",
                        "config": {},
                    },
                    "description": "An agent that provides assistance with ability to use tools.",
                    "system_message": "You are a helpful AI assistant. Solve tasks using your tools. Reply with TERMINATE when the task has been completed.",
                    "model_client_stream": False,
                    "reflect_on_tool_use": False,
                    "tool_call_summary_format": "{result}",
                    "max_tool_iterations": 1,
                    "metadata": {},
                },
            },
            "filter": {"per_source": [{"source": "user", "position": "last", "count": 1}]},
        },
    }
)


def _strip(value: Any) -> Any:
    """The component tree without descriptions and labels (docstrings differ, providers and configs must not)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("description", "label")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _load(text: str) -> Any:
    return load_component(json.loads(text))


async def test_autogen_assistant_config_loads_and_runs() -> None:
    data = json.loads(AUTOGEN_ASSISTANT)
    data["config"]["model_client"]["config"]["chat_completions"] = ['{"city": "Oslo", "temperature": 3}']
    agent = load_component(data)
    assert isinstance(agent, AssistantAgent)
    assert agent.name == "assistant" and agent._max_tool_iterations == 2
    result = await agent.run(task="weather?")
    msg = result.messages[-1]
    assert isinstance(msg, StructuredMessage) and msg.to_text() == "Oslo"
    again = AssistantAgent.load_component(agent.dump_component())
    assert again.dump_component().config["handoffs"] == data["config"]["handoffs"]


async def test_autogen_termination_config_loads() -> None:
    cond = _load(AUTOGEN_TERMINATION)
    assert isinstance(cond, AndTerminationCondition)
    assert _strip(cond.dump_component().model_dump(mode="json", exclude_none=True)) == _strip(
        json.loads(AUTOGEN_TERMINATION)
    )
    assert isinstance(TerminationCondition.load_component(json.loads(AUTOGEN_TERMINATION)), AndTerminationCondition)


async def test_autogen_user_proxy_and_filter_configs_load() -> None:
    user = _load(AUTOGEN_USER_PROXY)
    assert isinstance(user, UserProxyAgent) and user.name == "user"
    filtered = _load(AUTOGEN_MESSAGE_FILTER)
    assert isinstance(filtered, MessageFilterAgent)
    result = await filtered.run(task=[TextMessage(content="a", source="user"), TextMessage(content="b", source="user")])
    assert result.messages[-1].to_text() == "x"


AUTOGEN_PUBLIC_NAMES = {
    "accord.agents": [
        "ApprovalFuncType", "ApprovalRequest", "ApprovalResponse", "AssistantAgent", "BaseChatAgent",
        "CodeExecutorAgent", "MessageFilterAgent", "MessageFilterConfig", "PerSourceFilter", "SocietyOfMindAgent",
        "UserProxyAgent",
    ],
    "accord.conditions": [
        "ExternalTermination", "FunctionCallTermination", "FunctionalTermination", "HandoffTermination",
        "MaxMessageTermination", "SourceMatchTermination", "StopMessageTermination", "TextMentionTermination",
        "TextMessageTermination", "TimeoutTermination", "TokenUsageTermination",
    ],
    "accord.ui": ["Console", "UserInputManager"],
    "accord.state": [
        "AssistantAgentState", "BaseGroupChatManagerState", "BaseState", "ChatAgentContainerState",
        "MagenticOneOrchestratorState", "RoundRobinManagerState", "SelectorManagerState", "SocietyOfMindAgentState",
        "SwarmManagerState", "TeamState",
    ],
    "accord.agents.tools": ["AgentTool", "TeamTool"],
    "accord.base": [
        "AndTerminationCondition", "ChatAgent", "Handoff", "OrTerminationCondition", "Response", "TaskResult",
        "TaskRunner", "Team", "TerminatedException", "TerminationCondition",
    ],
    "accord.messages.utils": ["content_to_str", "remove_images"],
}  # fmt: skip


def test_public_names_cover_autogen() -> None:
    """Every public name of the autogen_agentchat module each accord module serves (0.7.5's ``__all__``)."""
    import importlib

    for module_name, names in AUTOGEN_PUBLIC_NAMES.items():
        module = importlib.import_module(module_name)
        missing = [n for n in names if n not in module.__all__ or not hasattr(module, n)]
        assert not missing, f"{module_name} lacks {missing}"
