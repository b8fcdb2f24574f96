"""Agents and teams as tools (serves ``autogen_agentchat.tools``)."""

from __future__ import annotations

from ._agent_tool import AgentTool, AgentToolConfig, TeamTool, TeamToolConfig
from ._task_runner_tool import TaskRunnerTool, TaskRunnerToolArgs

__all__ = ["AgentTool", "AgentToolConfig", "TaskRunnerTool", "TaskRunnerToolArgs", "TeamTool", "TeamToolConfig"]
