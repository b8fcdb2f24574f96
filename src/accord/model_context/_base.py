"""The model-context interface: the list of messages an agent sends to its model."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from .._errors import StateError
from ..core import ComponentBase
from ..models import AssistantMessage, FunctionCall, FunctionExecutionResultMessage, LLMMessage

__all__ = ["ChatCompletionContext", "ChatCompletionContextState"]


class ChatCompletionContextState(BaseModel):
    messages: list[LLMMessage] = Field(default_factory=list)


class ChatCompletionContext(ABC, ComponentBase[BaseModel]):
    """Holds an agent's messages and decides which of them the model sees (``get_messages``)."""

    component_type = "chat_completion_context"

    def __init__(self, initial_messages: list[LLMMessage] | None = None) -> None:
        self._messages: list[LLMMessage] = []
        if initial_messages is not None:
            self._messages.extend(initial_messages)
        self._initial_messages = initial_messages

    async def add_message(self, message: LLMMessage) -> None:
        """Append a message."""
        self._messages.append(message)

    @abstractmethod
    async def get_messages(self) -> list[LLMMessage]: ...

    async def clear(self) -> None:
        """Forget every message."""
        self._messages = []

    async def save_state(self) -> Mapping[str, Any]:
        return ChatCompletionContextState(messages=self._messages).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            self._messages = ChatCompletionContextState.model_validate(state).messages
        except ValidationError as e:
            raise StateError(f"Invalid model context state: {e}") from e


def is_function_call_message(message: LLMMessage) -> bool:
    """True for an assistant message that requests tool calls."""
    return (
        isinstance(message, AssistantMessage)
        and isinstance(message.content, list)
        and all(isinstance(item, FunctionCall) for item in message.content)
    )


def drop_leading_results(messages: list[LLMMessage]) -> list[LLMMessage]:
    """A result message whose call was cut away is invalid for every provider: drop it."""
    if messages and isinstance(messages[0], FunctionExecutionResultMessage):
        return messages[1:]
    return messages
