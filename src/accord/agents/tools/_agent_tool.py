"""AgentTool and TeamTool: let a model call another agent or a whole team as a tool."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel

from ...base import ChatAgent, Team
from ...core import Component, ComponentModel
from .._errors import AgentArgumentTypeError
from ._task_runner_tool import TaskRunnerTool

__all__ = ["AgentTool", "AgentToolConfig", "TeamTool", "TeamToolConfig"]


class AgentToolConfig(BaseModel):
    agent: ComponentModel
    return_value_as_last_message: bool = False


class AgentTool(TaskRunnerTool, Component[AgentToolConfig]):
    """An agent as a tool: its name and description become the tool's."""

    component_config_schema = AgentToolConfig
    component_provider_override = "autogen_agentchat.tools.AgentTool"

    def __init__(self, agent: ChatAgent, return_value_as_last_message: bool = False) -> None:
        if not isinstance(agent, ChatAgent):
            raise AgentArgumentTypeError(f"AgentTool wraps a chat agent, got {agent!r}")
        self._agent = agent
        super().__init__(agent, agent.name, agent.description, return_value_as_last_message)

    def _to_config(self) -> AgentToolConfig:
        return AgentToolConfig(
            agent=self._agent.dump_component(), return_value_as_last_message=self._return_value_as_last_message
        )

    @classmethod
    def _from_config(cls, config: AgentToolConfig) -> Self:
        return cls(ChatAgent.load_component(config.agent), config.return_value_as_last_message)


class TeamToolConfig(BaseModel):
    name: str
    description: str
    team: ComponentModel
    return_value_as_last_message: bool = False


class TeamTool(TaskRunnerTool, Component[TeamToolConfig]):
    """A team as a tool named ``name``."""

    component_config_schema = TeamToolConfig
    component_provider_override = "autogen_agentchat.tools.TeamTool"

    def __init__(self, team: Team, name: str, description: str, return_value_as_last_message: bool = False) -> None:
        if not isinstance(team, Team):
            raise AgentArgumentTypeError(f"TeamTool wraps a team, got {team!r}")
        self._team = team
        super().__init__(team, name, description, return_value_as_last_message)

    def _to_config(self) -> TeamToolConfig:
        return TeamToolConfig(
            name=self._name,
            description=self._description,
            team=self._team.dump_component(),
            return_value_as_last_message=self._return_value_as_last_message,
        )

    @classmethod
    def _from_config(cls, config: TeamToolConfig) -> Self:
        return cls(
            Team.load_component(config.team), config.name, config.description, config.return_value_as_last_message
        )
