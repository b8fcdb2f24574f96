"""Fakes for tests, offered to users too: scripted and replay model clients.

``ScriptedChatCompletionClient`` plays a script of answers (text, tool calls, errors, callables) and checks that it
was used up (``assert_complete``); ``ReplayChatCompletionClient`` is AutoGen's replay client, exactly.
"""

from __future__ import annotations

from ..models.replay import ReplayChatCompletionClient
from ._scripted import (
    ScriptedCall,
    ScriptedChatCompletionClient,
    ScriptedChatCompletionClientConfig,
    ScriptExhaustedError,
    ScriptItem,
    tool_call,
)

__all__ = [
    "ReplayChatCompletionClient",
    "ScriptExhaustedError",
    "ScriptItem",
    "ScriptedCall",
    "ScriptedChatCompletionClient",
    "ScriptedChatCompletionClientConfig",
    "tool_call",
]
