"""RoundRobinGroupChat: participants speak in turn, in the order given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from .._errors import StateError
from ..base import ChatAgent, Team, TerminationCondition
from ..core import AgentRuntime, Component, ComponentModel
from ..messages import BaseAgentEvent, BaseChatMessage
from ..state import RoundRobinManagerState
from ._base_group_chat import BaseGroupChat
from ._manager import BaseGroupChatManager

__all__ = ["RoundRobinGroupChat", "RoundRobinGroupChatConfig", "RoundRobinGroupChatManager"]


class RoundRobinGroupChatManager(BaseGroupChatManager):
    """Selects participants in a cycle."""

    _next_speaker_index: int

    def _reset_speaker_state(self) -> None:
        self._next_speaker_index = 0

    async def validate_group_state(self, messages: Sequence[BaseChatMessage] | None) -> None:
        return None

    async def reset(self) -> None:
        await self._reset_common()

    async def save_state(self) -> Mapping[str, Any]:
        return RoundRobinManagerState(
            message_thread=[m.dump() for m in self._message_thread],
            current_turn=self._current_turn,
            next_speaker_index=self._next_speaker_index,
        ).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            s = RoundRobinManagerState.model_validate(state)
            thread = self._load_thread(s.message_thread)
        except Exception as e:
            raise StateError(f"Invalid RoundRobinGroupChat manager state: {e}") from e
        self._message_thread = thread
        self._current_turn = s.current_turn
        self._next_speaker_index = s.next_speaker_index % len(self._participant_names)

    def on_turn_aborted(self, speakers: list[str]) -> None:
        if speakers and speakers[0] in self._participant_names:
            self._next_speaker_index = self._participant_names.index(speakers[0])

    async def select_speaker(self, thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str] | str:
        index = self._next_speaker_index
        self._next_speaker_index = (index + 1) % len(self._participant_names)
        return self._participant_names[index]


class RoundRobinGroupChatConfig(BaseModel):
    """Declarative config of :class:`RoundRobinGroupChat`."""

    name: str | None = None
    description: str | None = None
    participants: list[ComponentModel]
    termination_condition: ComponentModel | None = None
    max_turns: int | None = None
    emit_team_events: bool = False


class RoundRobinGroupChat(BaseGroupChat, Component[RoundRobinGroupChatConfig]):
    """A team whose participants (agents or nested teams) take turns in order, sharing every message.

    The run stops when ``termination_condition`` fires or after ``max_turns`` turns; calling ``run`` again
    continues where it stopped (with a new task or none).
    """

    component_config_schema = RoundRobinGroupChatConfig
    component_provider_override = "autogen_agentchat.teams.RoundRobinGroupChat"

    DEFAULT_NAME = "RoundRobinGroupChat"
    DEFAULT_DESCRIPTION = "A team of agents."

    def __init__(
        self,
        participants: list[ChatAgent | Team],
        *,
        name: str | None = None,
        description: str | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        runtime: AgentRuntime | None = None,
        custom_message_types: list[type[BaseAgentEvent | BaseChatMessage]] | None = None,
        emit_team_events: bool = False,
    ) -> None:
        super().__init__(
            name=name or self.DEFAULT_NAME,
            description=description or self.DEFAULT_DESCRIPTION,
            participants=participants,
            group_chat_manager_name="RoundRobinGroupChatManager",
            group_chat_manager_class=RoundRobinGroupChatManager,
            termination_condition=termination_condition,
            max_turns=max_turns,
            runtime=runtime,
            custom_message_types=custom_message_types,
            emit_team_events=emit_team_events,
        )

    def _to_config(self) -> RoundRobinGroupChatConfig:
        return RoundRobinGroupChatConfig(
            **self._common_config_fields(),
            emit_team_events=self._emit_team_events,
        )

    @classmethod
    def _from_config(cls, config: RoundRobinGroupChatConfig) -> Self:
        return cls(
            cls._load_participants(config.participants),
            **cls._common_constructor_options(config),
            emit_team_events=config.emit_team_events,
        )
