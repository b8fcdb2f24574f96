"""AgentChat's base abstractions (serves ``autogen_agentchat.base``): agents, teams, results, handoffs, termination."""

from __future__ import annotations

from ._chat_agent import ChatAgent, Response
from ._handoff import Handoff
from ._task import TaskResult, TaskRunner
from ._team import Team
from ._termination import (
    AndTerminationCondition,
    InvalidConditionError,
    OrTerminationCondition,
    TerminatedException,
    TerminationCondition,
    check_task_messages,
    evaluating_task_messages,
    task_messages_context,
)

__all__ = [
    "AndTerminationCondition",
    "ChatAgent",
    "Handoff",
    "InvalidConditionError",
    "OrTerminationCondition",
    "Response",
    "TaskResult",
    "TaskRunner",
    "Team",
    "TerminatedException",
    "TerminationCondition",
    "check_task_messages",
    "evaluating_task_messages",
    "task_messages_context",
]
