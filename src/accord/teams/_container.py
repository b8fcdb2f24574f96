"""ChatAgentContainer: hosts one participant (an agent or a nested team) of a group chat in the runtime.

It keeps the messages the participant has not seen yet and, when asked to speak, hands them over, streams what the
participant produces to the team's output, and returns the participant's answer to the manager.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import nullcontext
from typing import Any

from .._errors import RunError, StateError
from ..base import ChatAgent, Response, TaskResult, Team
from ..core import CancellationToken, MessageContext, RoutedAgent, message_handler, rpc, trace_invoke_agent_span
from ..messages import BaseAgentEvent, BaseChatMessage, MessageFactory
from ..state import ChatAgentContainerState
from ._events import (
    GroupChatAgentResponse,
    GroupChatPause,
    GroupChatRequestPublish,
    GroupChatReset,
    GroupChatResume,
    GroupChatStart,
    GroupChatTeamResponse,
    fast,
)

__all__ = ["ChatAgentContainer", "Emit"]

Emit = Callable[[BaseAgentEvent | BaseChatMessage], None]


def _drop(_: BaseAgentEvent | BaseChatMessage) -> None:
    return None


class ChatAgentContainer(RoutedAgent):
    """Runtime agent around a participant: buffers group messages, runs the participant on request."""

    def __init__(
        self, parent_topic_type: str, output_topic_type: str, agent: ChatAgent | Team, message_factory: MessageFactory
    ) -> None:
        super().__init__(description=agent.description)
        self._parent_topic_type = parent_topic_type
        self._output_topic_type = output_topic_type
        self._agent = agent
        self._is_team = isinstance(agent, Team)
        self._message_buffer: list[BaseChatMessage] = []
        self._message_factory = message_factory
        self.emit: Emit = _drop

    @property
    def participant(self) -> ChatAgent | Team:
        return self._agent

    # ------------------------------------------------------------------ buffering (called directly by the manager)

    def buffer(self, message: BaseChatMessage) -> None:
        self._message_buffer.append(message)

    def buffer_many(self, messages: list[BaseChatMessage]) -> None:
        self._message_buffer.extend(messages)

    @message_handler
    async def handle_start(self, message: GroupChatStart, ctx: MessageContext) -> None:
        if message.messages:
            self._message_buffer.extend(message.messages)

    @message_handler
    async def handle_agent_response(self, message: GroupChatAgentResponse, ctx: MessageContext) -> None:
        self._message_buffer.append(message.response.chat_message)

    @message_handler
    async def handle_team_response(self, message: GroupChatTeamResponse, ctx: MessageContext) -> None:
        self._message_buffer.extend(m for m in message.result.messages if isinstance(m, BaseChatMessage))

    # ------------------------------------------------------------------ the participant's turn

    @rpc
    async def handle_request(
        self, message: GroupChatRequestPublish, ctx: MessageContext
    ) -> GroupChatAgentResponse | GroupChatTeamResponse:
        return await self.take_turn(ctx.cancellation_token)

    async def take_turn(self, cancellation_token: CancellationToken) -> GroupChatAgentResponse | GroupChatTeamResponse:
        """Give the participant the buffered messages, stream what it produces, return its answer."""
        emit = self.emit
        agent = self._agent
        buffered = self._message_buffer
        self._message_buffer = []
        try:
            if self._is_team:
                assert isinstance(agent, Team)
                result: TaskResult | None = None
                async for item in agent.run_stream(
                    task=buffered, cancellation_token=cancellation_token, output_task_messages=False
                ):
                    if isinstance(item, TaskResult):
                        result = item
                    else:
                        emit(item)
                if result is None:
                    raise RunError(f"Team {agent.name!r} finished its run_stream without a TaskResult")
                return fast(GroupChatTeamResponse, result=result, name=agent.name)  # type: ignore[no-any-return]
            assert isinstance(agent, ChatAgent)
            response: Response | None = None
            # An ``invoke_agent`` span per turn when the program uses OpenTelemetry (skipped cheaply otherwise).
            span = (
                trace_invoke_agent_span(agent.name, agent_id=str(self.id), agent_description=agent.description)
                if "opentelemetry.trace" in sys.modules
                else nullcontext()
            )
            with span:
                stream: AsyncGenerator[Any, None] = agent.on_messages_stream(buffered, cancellation_token)
                async for event in stream:
                    if isinstance(event, Response):
                        emit(event.chat_message)
                        response = event
                    else:
                        emit(event)
            if response is None:
                raise RunError(f"Agent {agent.name!r} finished on_messages_stream without a Response")
            return fast(GroupChatAgentResponse, response=response, name=agent.name)  # type: ignore[no-any-return]
        except BaseException:
            # The participant did not consume the messages: keep them for its next turn.
            self._message_buffer[:0] = buffered
            raise

    # ------------------------------------------------------------------ control

    @rpc
    async def handle_reset(self, message: GroupChatReset, ctx: MessageContext) -> None:
        await self.reset(ctx.cancellation_token)

    async def reset(self, cancellation_token: CancellationToken) -> None:
        self._message_buffer = []
        if isinstance(self._agent, Team):
            await self._agent.reset()
        else:
            await self._agent.on_reset(cancellation_token)

    @rpc
    async def handle_pause(self, message: GroupChatPause, ctx: MessageContext) -> None:
        await self.pause(ctx.cancellation_token)

    async def pause(self, cancellation_token: CancellationToken) -> None:
        if isinstance(self._agent, Team):
            await self._agent.pause()
        else:
            await self._agent.on_pause(cancellation_token)

    @rpc
    async def handle_resume(self, message: GroupChatResume, ctx: MessageContext) -> None:
        await self.resume(ctx.cancellation_token)

    async def resume(self, cancellation_token: CancellationToken) -> None:
        if isinstance(self._agent, Team):
            await self._agent.resume()
        else:
            await self._agent.on_resume(cancellation_token)

    # ------------------------------------------------------------------ state

    async def save_state(self) -> Mapping[str, Any]:
        agent_state = await self._agent.save_state()
        return ChatAgentContainerState(
            agent_state=agent_state, message_buffer=[m.dump() for m in self._message_buffer]
        ).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            container_state = ChatAgentContainerState.model_validate(state)
        except Exception as e:
            raise StateError(f"Invalid state for participant {self._agent.name!r}: {e}") from e
        buffer: list[BaseChatMessage] = []
        for data in container_state.message_buffer:
            message = self._message_factory.create(data)
            if not isinstance(message, BaseChatMessage):
                raise StateError(
                    f"Invalid message type in the buffer of participant {self._agent.name!r}: "
                    f"{type(message).__name__} is not a chat message"
                )
            buffer.append(message)
        await self._agent.load_state(container_state.agent_state)
        self._message_buffer = buffer

    async def close(self) -> None:
        return None
