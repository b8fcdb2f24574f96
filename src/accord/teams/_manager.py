"""BaseGroupChatManager: runs a group chat's turns (pick speakers, let them speak, apply termination).

The manager is an agent of the team's runtime. A run is one RPC (``GroupChatStart``) to the manager; its handler
drives the whole conversation in the caller's task, so cancelling the run's token cancels the speaker that is
working, down through nested teams. Speakers are asked through the runtime (``GroupChatRequestPublish``, so
interventions and tracing see every turn); their answers are handed to the other participants' buffers directly.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import RunError
from ..base import TerminationCondition, check_task_messages
from ..core import TRACE_LOGGER_NAME, AgentId, CancellationToken, MessageContext, RoutedAgent, rpc
from ..messages import BaseAgentEvent, BaseChatMessage, MessageFactory, SelectSpeakerEvent, StopMessage
from ._container import ChatAgentContainer
from ._events import (
    GroupChatAgentResponse,
    GroupChatPause,
    GroupChatRequestPublish,
    GroupChatReset,
    GroupChatResume,
    GroupChatStart,
    GroupChatTeamResponse,
    GroupChatTermination,
    SerializableException,
)

__all__ = ["BaseGroupChatManager", "OutputQueue"]

trace_logger = logging.getLogger(TRACE_LOGGER_NAME)

OutputQueue = asyncio.Queue[BaseAgentEvent | BaseChatMessage | GroupChatTermination]
_REQUEST = GroupChatRequestPublish()
Delta = list[BaseAgentEvent | BaseChatMessage]


class BaseGroupChatManager(RoutedAgent, ABC):
    """Base of group chat managers; subclasses choose speakers (:meth:`select_speaker`) and keep their state."""

    def __init__(
        self,
        name: str,
        group_topic_type: str,
        output_topic_type: str,
        participant_topic_types: list[str],
        participant_names: list[str],
        participant_descriptions: list[str],
        output_message_queue: OutputQueue,
        termination_condition: TerminationCondition | None,
        max_turns: int | None,
        message_factory: MessageFactory,
        emit_team_events: bool = False,
    ) -> None:
        super().__init__(description="Group chat manager")
        if max_turns is not None and max_turns <= 0:
            raise RunError(f"The maximum number of turns must be greater than 0, got {max_turns}.")
        if len(participant_topic_types) != len(participant_descriptions) or len(participant_names) != len(
            participant_topic_types
        ):
            raise RunError("The number of participant topic types, names, and descriptions must be the same.")
        self._name = name
        self._group_topic_type = group_topic_type
        self._output_topic_type = output_topic_type
        self._participant_names = participant_names
        self._participant_name_to_topic_type = dict(zip(participant_names, participant_topic_types, strict=True))
        self._participant_descriptions = participant_descriptions
        self._message_thread: list[BaseAgentEvent | BaseChatMessage] = []
        self._output_message_queue = output_message_queue
        self._termination_condition = termination_condition
        self._max_turns = max_turns
        self._current_turn = 0
        self._message_factory = message_factory
        self._emit_team_events = emit_team_events
        self._containers: dict[str, ChatAgentContainer] = {}
        self._container_ids: dict[str, AgentId] = {}
        self._others: dict[str, tuple[ChatAgentContainer, ...]] = {}
        self.last_error: BaseException | None = None
        # The participant whose answer update_message_thread is processing (None for task messages).
        self._responder: str | None = None
        self._reset_speaker_state()

    # ------------------------------------------------------------------ wiring (called by the team)

    def attach(self, containers: Mapping[str, ChatAgentContainer], container_ids: Mapping[str, AgentId]) -> None:
        self._containers = dict(containers)
        self._container_ids = dict(container_ids)
        self._others = {
            name: tuple(c for other, c in self._containers.items() if other != name) for name in self._containers
        }

    def set_output_queue(self, queue: OutputQueue) -> None:
        self._output_message_queue = queue

    def _emit(self, item: BaseAgentEvent | BaseChatMessage) -> None:
        self._output_message_queue.put_nowait(item)

    # ------------------------------------------------------------------ the run

    @rpc
    async def handle_start(self, message: GroupChatStart, ctx: MessageContext) -> GroupChatTermination:
        return await self.start(message, ctx.cancellation_token)

    async def start(self, message: GroupChatStart, cancellation_token: CancellationToken) -> GroupChatTermination:
        """Run the group chat from ``message`` until it stops; returns why it stopped."""
        if self._termination_condition is not None and self._termination_condition.terminated:
            return GroupChatTermination(
                message=StopMessage(content="The group chat has already terminated.", source=self._name)
            )
        await self.validate_group_state(message.messages)
        self.last_error = None
        try:
            if message.messages:
                if message.output_task_messages:
                    for m in message.messages:
                        self._emit(m)
                task = list(message.messages)
                for container in self._containers.values():
                    container.buffer_many(task)
                self._responder = None
                await self.update_message_thread(task)
                # As in AutoGen, the task messages are counted by counting conditions (MaxMessageTermination...),
                # but their content can never stop the run (AutoGen #6826): see accord.base.check_task_messages.
                if self._termination_condition is not None:
                    stop = await check_task_messages(self._termination_condition, task)
                    if stop is not None:
                        await self._termination_condition.reset()
                        self._current_turn = 0
                        return GroupChatTermination(message=stop)
            return await self.run_turns(cancellation_token)
        except Exception as e:
            return self._error_termination(e)

    async def run_turns(self, cancellation_token: CancellationToken) -> GroupChatTermination:
        """Pick speakers, let them speak, apply termination; until the run stops."""
        while True:
            speakers = await self._next_speakers()
            if not speakers:
                return GroupChatTermination(
                    message=StopMessage(content="The group chat is stopped.", source=self._name)
                )
            try:
                if len(speakers) == 1:
                    responses = [await self._request(speakers[0], cancellation_token)]
                else:
                    responses = await self._request_all(speakers, cancellation_token)
            except BaseException:
                # The turn did not happen: the speakers keep their turn (and their unread messages) for the
                # next run.
                self.on_turn_aborted(speakers)
                raise
            if len(responses) == 1:
                self._responder = responses[0].name
                delta = self._deliver(responses[0])
                await self.update_message_thread(delta)
            else:
                delta = []
                for response in responses:
                    self._responder = response.name
                    part = self._deliver(response)
                    await self.update_message_thread(part)
                    delta.extend(part)
            stop = await self._apply_termination_condition(delta, increment_turn_count=True)
            if stop is not None:
                return GroupChatTermination(message=stop)

    async def _request(
        self, name: str, cancellation_token: CancellationToken
    ) -> GroupChatAgentResponse | GroupChatTeamResponse:
        response = await self.send_message(_REQUEST, self._container_ids[name], cancellation_token=cancellation_token)
        if not isinstance(response, GroupChatAgentResponse | GroupChatTeamResponse):
            raise RunError(f"Participant {name!r} answered with {type(response).__name__}, not a response")
        return response

    async def _request_all(
        self, speakers: list[str], cancellation_token: CancellationToken
    ) -> list[GroupChatAgentResponse | GroupChatTeamResponse]:
        """Let several speakers work concurrently; if one fails, the others are cancelled."""
        tasks = [asyncio.ensure_future(self._request(s, cancellation_token)) for s in speakers]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            pending = [t for t in tasks if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending)
        for t in tasks:
            error = None if t.cancelled() else t.exception()
            if error is not None:
                raise error
        return [t.result() for t in tasks]

    def _deliver(self, resp: GroupChatAgentResponse | GroupChatTeamResponse) -> Delta:
        """Hand an answer to the other participants; return what the thread and the termination condition see."""
        if isinstance(resp, GroupChatAgentResponse):
            chat = resp.response.chat_message
            for container in self._others.get(resp.name, ()):
                container.buffer(chat)
            inner = resp.response.inner_messages
            if not inner:
                return [chat]
            # An agent's own events count; messages of work nested inside it (a team wrapped in an agent, an
            # agent used as a tool) stay inside it (AutoGen #6123).
            name, source = resp.name, chat.source
            delta: Delta = [m for m in inner if m.source == name or m.source == source]
            delta.append(chat)
            return delta
        chats = [m for m in resp.result.messages if isinstance(m, BaseChatMessage)]
        for container in self._others.get(resp.name, ()):
            container.buffer_many(chats)
        return list(resp.result.messages)

    async def _next_speakers(self) -> list[str]:
        selected = await self.select_speaker(self._message_thread)
        speakers = [selected] if isinstance(selected, str) else list(selected)
        for name in speakers:
            if name not in self._container_ids:
                raise RunError(f"Speaker {name!r} not found among the participants {self._participant_names}.")
        if speakers and self._emit_team_events:
            self._emit(SelectSpeakerEvent(content=speakers, source=self._name))
        return speakers

    async def _apply_termination_condition(
        self, delta: Sequence[BaseAgentEvent | BaseChatMessage], increment_turn_count: bool = False
    ) -> StopMessage | None:
        """The StopMessage if the run stops after ``delta`` (the condition is then reset), else None."""
        condition = self._termination_condition
        if condition is not None:
            stop = await condition(delta)
            if stop is not None:
                await condition.reset()
                self._current_turn = 0
                return stop
        if increment_turn_count:
            self._current_turn += 1
            if self._max_turns is not None and self._current_turn >= self._max_turns:
                if condition is not None:
                    await condition.reset()
                self._current_turn = 0
                return StopMessage(content=f"Maximum number of turns {self._max_turns} reached.", source=self._name)
        return None

    def _error_termination(self, error: BaseException) -> GroupChatTermination:
        self.last_error = error
        trace_logger.debug("Group chat %s failed: %r", self._name, error)
        return GroupChatTermination(
            message=StopMessage(content="An error occurred in the group chat.", source=self._name),
            error=SerializableException.from_exception(error),
        )

    # ------------------------------------------------------------------ control

    @rpc
    async def handle_reset(self, message: GroupChatReset, ctx: MessageContext) -> None:
        await self.reset()

    @rpc
    async def handle_pause(self, message: GroupChatPause, ctx: MessageContext) -> None:
        await self.pause()

    @rpc
    async def handle_resume(self, message: GroupChatResume, ctx: MessageContext) -> None:
        await self.resume()

    def on_turn_aborted(self, speakers: list[str]) -> None:
        """The selected ``speakers`` did not complete their turn (error or cancellation); undo the selection."""

    async def pause(self) -> None:
        """Called when the team pauses (no-op by default)."""

    async def resume(self) -> None:
        """Called when the team resumes (no-op by default)."""

    async def _reset_common(self) -> None:
        self._message_thread.clear()
        if self._termination_condition is not None:
            await self._termination_condition.reset()
        self._current_turn = 0
        self._reset_speaker_state()

    def _reset_speaker_state(self) -> None:
        """Set the speaker-choice state of a new or reset manager (called by ``__init__`` and ``_reset_common``)."""

    def _load_thread(self, data: Sequence[Mapping[str, Any]]) -> list[BaseAgentEvent | BaseChatMessage]:
        return [self._message_factory.create(m) for m in data]

    # ------------------------------------------------------------------ what subclasses provide

    async def update_message_thread(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> None:
        self._message_thread.extend(messages)

    @abstractmethod
    async def validate_group_state(self, messages: Sequence[BaseChatMessage] | None) -> None:
        """Check that the run can start with ``messages`` (raise ValueError if not)."""

    @abstractmethod
    async def select_speaker(self, thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str] | str:
        """The next speaker's name, or several names to speak concurrently."""

    @abstractmethod
    async def reset(self) -> None:
        """Return to the initial state."""

    async def on_unhandled_message(self, message: Any, ctx: MessageContext) -> None:
        raise RunError(f"Unhandled message in group chat manager: {type(message).__name__}")
