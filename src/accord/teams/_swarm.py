"""Swarm: the speaker hands off to another participant with a HandoffMessage; otherwise it keeps speaking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from .._errors import StateError, UsageError
from ..base import ChatAgent, TerminationCondition
from ..core import AgentRuntime, Component, ComponentModel
from ..messages import BaseAgentEvent, BaseChatMessage, HandoffMessage
from ..state import SwarmManagerState
from ._base_group_chat import BaseGroupChat, check_participants
from ._manager import BaseGroupChatManager

__all__ = ["Swarm", "SwarmConfig", "SwarmGroupChatManager"]


class SwarmGroupChatManager(BaseGroupChatManager):
    """The next speaker is the target of the latest HandoffMessage; the first participant starts."""

    _current_speaker: str
    _last_handoff: str | None

    def _reset_speaker_state(self) -> None:
        self._current_speaker = self._participant_names[0]
        self._last_handoff = None

    async def validate_group_state(self, messages: Sequence[BaseChatMessage] | None) -> None:
        names = self._participant_names
        for message in messages or ():
            if isinstance(message, HandoffMessage):
                if message.target not in self._participant_name_to_topic_type:
                    raise UsageError(
                        f"The target {message.target!r} is not one of the participants {names}. If you are resuming "
                        "Swarm with a new HandoffMessage make sure to set the target to a valid participant."
                    )
                return
        if self._last_handoff is not None and self._last_handoff not in self._participant_name_to_topic_type:
            raise UsageError(
                f"The existing handoff target {self._last_handoff!r} is not one of the participants {names}. "
                "If you are resuming Swarm with a new task make sure to include in your task a HandoffMessage with "
                "a valid participant as the target (for example after a HandoffTermination)."
            )

    async def update_message_thread(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> None:
        self._message_thread.extend(messages)
        for message in reversed(messages):
            if isinstance(message, HandoffMessage):
                self._last_handoff = message.target
                break

    async def reset(self) -> None:
        await self._reset_common()

    async def select_speaker(self, thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str] | str:
        target = self._last_handoff
        if thread and target is not None:
            if target not in self._participant_name_to_topic_type:
                raise UsageError(f"Handoff target {target!r} is not one of the participants {self._participant_names}.")
            self._current_speaker = target
        return [self._current_speaker]

    async def save_state(self) -> Mapping[str, Any]:
        return SwarmManagerState(
            message_thread=[m.dump() for m in self._message_thread],
            current_turn=self._current_turn,
            current_speaker=self._current_speaker,
        ).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            s = SwarmManagerState.model_validate(state)
            thread = self._load_thread(s.message_thread)
        except Exception as e:
            raise StateError(f"Invalid Swarm manager state: {e}") from e
        self._message_thread = thread
        self._current_turn = s.current_turn
        self._current_speaker = s.current_speaker or self._participant_names[0]
        self._last_handoff = next((m.target for m in reversed(thread) if isinstance(m, HandoffMessage)), None)


class SwarmConfig(BaseModel):
    """Declarative config of :class:`Swarm`."""

    name: str | None = None
    description: str | None = None
    participants: list[ComponentModel]
    termination_condition: ComponentModel | None = None
    max_turns: int | None = None
    emit_team_events: bool = False


class Swarm(BaseGroupChat, Component[SwarmConfig]):
    """A team where the speaker passes control with a :class:`~accord.messages.HandoffMessage`.

    The first participant starts and must be able to produce HandoffMessages; a speaker that does not hand off
    speaks again. Nested teams are not supported.
    """

    component_config_schema = SwarmConfig
    component_provider_override = "autogen_agentchat.teams.Swarm"

    DEFAULT_NAME = "Swarm"
    DEFAULT_DESCRIPTION = "A team of agents."

    def __init__(
        self,
        participants: list[ChatAgent],
        *,
        name: str | None = None,
        description: str | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        runtime: AgentRuntime | None = None,
        custom_message_types: list[type[BaseAgentEvent | BaseChatMessage]] | None = None,
        emit_team_events: bool = False,
    ) -> None:
        check_participants(participants, allow_teams=False, team_kind="Swarm")
        if HandoffMessage not in participants[0].produced_message_types:
            raise UsageError(
                f"The first participant ({participants[0].name!r}) must be able to produce a handoff messages."
            )
        super().__init__(
            name=name or self.DEFAULT_NAME,
            description=description or self.DEFAULT_DESCRIPTION,
            participants=list(participants),
            group_chat_manager_name="SwarmGroupChatManager",
            group_chat_manager_class=SwarmGroupChatManager,
            termination_condition=termination_condition,
            max_turns=max_turns,
            runtime=runtime,
            custom_message_types=custom_message_types,
            emit_team_events=emit_team_events,
        )

    def _to_config(self) -> SwarmConfig:
        return SwarmConfig(
            **self._common_config_fields(),
            emit_team_events=self._emit_team_events,
        )

    @classmethod
    def _from_config(cls, config: SwarmConfig) -> Self:
        participants = [ChatAgent.load_component(p) for p in config.participants]
        return cls(
            participants,
            **cls._common_constructor_options(config),
            emit_team_events=config.emit_team_events,
        )
