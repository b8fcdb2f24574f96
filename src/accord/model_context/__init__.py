"""Model contexts: which of an agent's messages its model sees (serves ``autogen_core.model_context``)."""

from __future__ import annotations

from ._base import ChatCompletionContext, ChatCompletionContextState
from ._buffered import BufferedChatCompletionContext, BufferedChatCompletionContextConfig
from ._head_and_tail import HeadAndTailChatCompletionContext, HeadAndTailChatCompletionContextConfig
from ._token_limited import (
    ContextTooLongError,
    TokenLimitedChatCompletionContext,
    TokenLimitedChatCompletionContextConfig,
)
from ._unbounded import UnboundedChatCompletionContext, UnboundedChatCompletionContextConfig

__all__ = [
    "BufferedChatCompletionContext",
    "BufferedChatCompletionContextConfig",
    "ChatCompletionContext",
    "ChatCompletionContextState",
    "ContextTooLongError",
    "HeadAndTailChatCompletionContext",
    "HeadAndTailChatCompletionContextConfig",
    "TokenLimitedChatCompletionContext",
    "TokenLimitedChatCompletionContextConfig",
    "UnboundedChatCompletionContext",
    "UnboundedChatCompletionContextConfig",
]
