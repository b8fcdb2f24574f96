"""Credentials for model and tool clients; ``accord.auth.azure`` serves ``autogen_ext.auth.azure``."""

from __future__ import annotations

__all__: list[str] = []
