"""Helpers on LLM message content; serves ``autogen_agentchat.utils``."""

from __future__ import annotations

from ._utils import content_to_str, remove_images

__all__ = ["content_to_str", "remove_images"]
