"""MessageFilterAgent: wraps an agent and hands it only the messages a per-source filter keeps."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Literal, Self

from pydantic import BaseModel

from .._errors import UsageError
from ..base import Response
from ..core import CancellationToken, Component, ComponentModel
from ..messages import BaseAgentEvent, BaseChatMessage
from ._base_chat_agent import BaseChatAgent
from ._errors import AgentArgumentTypeError

__all__ = ["MessageFilterAgent", "MessageFilterAgentConfig", "MessageFilterConfig", "PerSourceFilter"]


class PerSourceFilter(BaseModel):
    """Keep messages from ``source``: all, or the first/last ``count`` of them."""

    source: str
    position: Literal["first", "last"] | None = None
    count: int | None = None


class MessageFilterConfig(BaseModel):
    """Filters in order; messages from sources not listed are dropped."""

    per_source: list[PerSourceFilter]


class MessageFilterAgentConfig(BaseModel):
    name: str
    wrapped_agent: ComponentModel
    filter: MessageFilterConfig


class MessageFilterAgent(BaseChatAgent, Component[MessageFilterAgentConfig]):
    """Passes the wrapped agent only the messages selected by ``filter`` (useful in GraphFlow)."""

    component_config_schema = MessageFilterAgentConfig
    component_provider_override = "autogen_agentchat.agents.MessageFilterAgent"

    def __init__(self, name: str, wrapped_agent: BaseChatAgent, filter: MessageFilterConfig) -> None:
        if not isinstance(wrapped_agent, BaseChatAgent):
            raise AgentArgumentTypeError(f"wrapped_agent must be a BaseChatAgent, got {wrapped_agent!r}")
        if not isinstance(filter, MessageFilterConfig):
            raise AgentArgumentTypeError(f"filter must be a MessageFilterConfig, got {filter!r}")
        for f in filter.per_source:
            if f.count is not None and f.count < 0:
                raise UsageError(f"PerSourceFilter count must be >= 0, got {f.count} for source {f.source!r}")
        super().__init__(name=name, description=f"{wrapped_agent.description} (with message filtering)")
        self._wrapped_agent = wrapped_agent
        self._filter = filter

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return self._wrapped_agent.produced_message_types

    def _apply_filter(self, messages: Sequence[BaseChatMessage]) -> list[BaseChatMessage]:
        kept: list[BaseChatMessage] = []
        for f in self._filter.per_source:
            msgs = [m for m in messages if m.source == f.source]
            if f.position == "first" and f.count:
                msgs = msgs[: f.count]
            elif f.position == "last" and f.count:
                msgs = msgs[-f.count :]
            kept.extend(msgs)
        return kept

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        return await self._wrapped_agent.on_messages(self._apply_filter(messages), cancellation_token)

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        async for item in self._wrapped_agent.on_messages_stream(self._apply_filter(messages), cancellation_token):
            yield item

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        await self._wrapped_agent.on_reset(cancellation_token)

    async def on_pause(self, cancellation_token: CancellationToken) -> None:
        await self._wrapped_agent.on_pause(cancellation_token)

    async def on_resume(self, cancellation_token: CancellationToken) -> None:
        await self._wrapped_agent.on_resume(cancellation_token)

    def _to_config(self) -> MessageFilterAgentConfig:
        return MessageFilterAgentConfig(
            name=self._name, wrapped_agent=self._wrapped_agent.dump_component(), filter=self._filter
        )

    @classmethod
    def _from_config(cls, config: MessageFilterAgentConfig) -> Self:
        wrapped = BaseChatAgent.load_component(config.wrapped_agent)
        return cls(name=config.name, wrapped_agent=wrapped, filter=config.filter)
