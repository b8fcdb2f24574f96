from __future__ import annotations

from typing import Self

from pydantic import BaseModel

from .._errors import UsageError
from ..core import Component
from ..models import LLMMessage, UserMessage
from ._base import ChatCompletionContext, drop_leading_results, is_function_call_message

__all__ = ["HeadAndTailChatCompletionContext", "HeadAndTailChatCompletionContextConfig"]


class HeadAndTailChatCompletionContextConfig(BaseModel):
    head_size: int
    tail_size: int
    initial_messages: list[LLMMessage] | None = None


class HeadAndTailChatCompletionContext(ChatCompletionContext, Component[HeadAndTailChatCompletionContextConfig]):
    """The first ``head_size`` and the last ``tail_size`` messages, with a note of how many were skipped."""

    component_config_schema = HeadAndTailChatCompletionContextConfig
    component_provider_override = "autogen_core.model_context.HeadAndTailChatCompletionContext"

    def __init__(self, head_size: int, tail_size: int, initial_messages: list[LLMMessage] | None = None) -> None:
        super().__init__(initial_messages)
        if head_size <= 0:
            raise UsageError(f"head_size must be greater than 0, got {head_size}.")
        if tail_size <= 0:
            raise UsageError(f"tail_size must be greater than 0, got {tail_size}.")
        self._head_size = head_size
        self._tail_size = tail_size

    async def get_messages(self) -> list[LLMMessage]:
        skipped = len(self._messages) - self._head_size - self._tail_size
        if skipped <= 0:
            return self._messages
        head = self._messages[: self._head_size]
        if head and is_function_call_message(head[-1]):
            head = head[:-1]
        tail = drop_leading_results(self._messages[-self._tail_size :])
        note: LLMMessage = UserMessage(content=f"Skipped {skipped} messages.", source="System")
        return [*head, note, *tail]

    def _to_config(self) -> HeadAndTailChatCompletionContextConfig:
        return HeadAndTailChatCompletionContextConfig(
            head_size=self._head_size, tail_size=self._tail_size, initial_messages=self._initial_messages
        )

    @classmethod
    def _from_config(cls, config: HeadAndTailChatCompletionContextConfig) -> Self:
        return cls(head_size=config.head_size, tail_size=config.tail_size, initial_messages=config.initial_messages)
