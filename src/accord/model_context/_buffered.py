from __future__ import annotations

from typing import Self

from pydantic import BaseModel

from .._errors import UsageError
from ..core import Component
from ..models import LLMMessage
from ._base import ChatCompletionContext, drop_leading_results

__all__ = ["BufferedChatCompletionContext", "BufferedChatCompletionContextConfig"]


class BufferedChatCompletionContextConfig(BaseModel):
    buffer_size: int
    initial_messages: list[LLMMessage] | None = None


class BufferedChatCompletionContext(ChatCompletionContext, Component[BufferedChatCompletionContextConfig]):
    """The last ``buffer_size`` messages (a leading tool-result message is dropped)."""

    component_config_schema = BufferedChatCompletionContextConfig
    component_provider_override = "autogen_core.model_context.BufferedChatCompletionContext"

    def __init__(self, buffer_size: int, initial_messages: list[LLMMessage] | None = None) -> None:
        super().__init__(initial_messages)
        if buffer_size <= 0:
            raise UsageError(f"buffer_size must be greater than 0, got {buffer_size}.")
        self._buffer_size = buffer_size

    async def get_messages(self) -> list[LLMMessage]:
        return drop_leading_results(self._messages[-self._buffer_size :])

    def _to_config(self) -> BufferedChatCompletionContextConfig:
        return BufferedChatCompletionContextConfig(
            buffer_size=self._buffer_size, initial_messages=self._initial_messages
        )

    @classmethod
    def _from_config(cls, config: BufferedChatCompletionContextConfig) -> Self:
        return cls(buffer_size=config.buffer_size, initial_messages=config.initial_messages)
