"""Replay model client for tests and demos (serves ``autogen_ext.models.replay``)."""

from __future__ import annotations

from ._replay import NoMoreResponsesError, ReplayChatCompletionClient, ReplayChatCompletionClientConfig

__all__ = ["NoMoreResponsesError", "ReplayChatCompletionClient", "ReplayChatCompletionClientConfig"]
