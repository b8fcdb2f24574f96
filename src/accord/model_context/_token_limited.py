from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel

from .._errors import ModelError, UsageError
from ..core import Component, ComponentModel
from ..models import (
    AssistantMessage,
    ChatCompletionClient,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
)
from ._base import ChatCompletionContext, drop_leading_results, is_function_call_message

__all__ = ["ContextTooLongError", "TokenLimitedChatCompletionContext", "TokenLimitedChatCompletionContextConfig"]


class ContextTooLongError(ModelError, ValueError):
    """Even after trimming every removable message the context does not fit the token limit."""


class TokenLimitedChatCompletionContextConfig(BaseModel):
    model_client: ComponentModel
    token_limit: int | None = None
    tool_schema: list[dict[str, Any]] | None = None
    initial_messages: list[LLMMessage] | None = None


class TokenLimitedChatCompletionContext(ChatCompletionContext, Component[TokenLimitedChatCompletionContextConfig]):
    """As many messages as fit in ``token_limit`` tokens (or in the model's remaining window when no limit is set).

    Tokens are counted by the model client itself, so it works for every provider. Messages are removed from the
    middle of the history until the rest fits. Unlike AutoGen, the leading system message(s) are never removed and a
    tool-call message is always removed together with its results, so what remains is valid for every provider. If
    the system messages alone do not fit, :class:`ContextTooLongError` (a ``ValueError``) says so.
    """

    component_config_schema = TokenLimitedChatCompletionContextConfig
    component_provider_override = "autogen_core.model_context.TokenLimitedChatCompletionContext"

    def __init__(
        self,
        model_client: ChatCompletionClient,
        *,
        token_limit: int | None = None,
        tool_schema: list[Any] | None = None,
        initial_messages: list[LLMMessage] | None = None,
    ) -> None:
        super().__init__(initial_messages)
        if token_limit is not None and token_limit <= 0:
            raise UsageError(f"token_limit must be greater than 0, got {token_limit}.")
        self._token_limit = token_limit
        self._model_client = model_client
        self._tool_schema: list[Any] = list(tool_schema or [])

    def _fits(self, messages: list[LLMMessage]) -> bool:
        if self._token_limit is None:
            return self._model_client.remaining_tokens(messages, tools=self._tool_schema) >= 0
        return self._model_client.count_tokens(messages, tools=self._tool_schema) <= self._token_limit

    async def get_messages(self) -> list[LLMMessage]:
        messages = list(self._messages)
        if self._fits(messages):
            return drop_leading_results(messages)
        protected = 0
        while protected < len(messages) and isinstance(messages[protected], SystemMessage):
            protected += 1
        # The removal order is fixed (always the middle of what is left), so the states are known in advance:
        # search for the fewest removals that fit with O(log n) token counts instead of one count per removal.
        step = self._removal_steps(messages, protected)
        last = max((k for k in step if k <= len(messages)), default=0)

        def state(k: int) -> list[LLMMessage]:
            return [m for m, removed_at in zip(messages, step, strict=True) if removed_at > k]

        low, high = 1, last
        if not self._fits(state(high)):
            limit = "the model's window" if self._token_limit is None else f"token_limit={self._token_limit}"
            raise ContextTooLongError(
                f"The system message(s) alone need {self._model_client.count_tokens(state(high))} tokens, more than "
                f"{limit}; shorten the system message or raise the limit"
            )
        while low < high:
            mid = (low + high) // 2
            if self._fits(state(mid)):
                high = mid
            else:
                low = mid + 1
        return drop_leading_results(state(low))

    @classmethod
    def _removal_steps(cls, messages: list[LLMMessage], protected: int) -> list[int]:
        """For each message, the removal (1, 2, ...) that takes it out; protected messages are never removed."""
        never = len(messages) + 1
        step = [never] * len(messages)
        alive = list(range(len(messages)))
        current = list(messages)
        k = 0
        while len(current) > protected:
            k += 1
            start, stop = cls._middle_span(current, protected)
            for index in alive[start:stop]:
                step[index] = k
            del current[start:stop], alive[start:stop]
        return step

    @staticmethod
    def _middle_span(messages: list[LLMMessage], protected: int) -> tuple[int, int]:
        """The slice removed next: the middle message, with its tool-call partner(s)."""
        index = protected + (len(messages) - protected) // 2
        message = messages[index]
        start, stop = index, index + 1
        if is_function_call_message(message):
            while stop < len(messages) and isinstance(messages[stop], FunctionExecutionResultMessage):
                stop += 1
        elif isinstance(message, FunctionExecutionResultMessage):
            while start > protected and isinstance(messages[start - 1], FunctionExecutionResultMessage):
                start -= 1
            if start > protected and isinstance(messages[start - 1], AssistantMessage):
                if is_function_call_message(messages[start - 1]):
                    start -= 1
            while stop < len(messages) and isinstance(messages[stop], FunctionExecutionResultMessage):
                stop += 1
        return start, stop

    def _to_config(self) -> TokenLimitedChatCompletionContextConfig:
        from ..models._tool_schema import tool_schemas

        return TokenLimitedChatCompletionContextConfig(
            model_client=self._model_client.dump_component(),
            token_limit=self._token_limit,
            tool_schema=tool_schemas(self._tool_schema),
            initial_messages=self._initial_messages,
        )

    @classmethod
    def _from_config(cls, config: TokenLimitedChatCompletionContextConfig) -> Self:
        return cls(
            ChatCompletionClient.load_component(config.model_client),
            token_limit=config.token_limit,
            tool_schema=config.tool_schema,
            initial_messages=config.initial_messages,
        )
