"""Compatibility layers. ``import accord.compat.autogen`` makes AutoGen's module names resolve to accord."""

from __future__ import annotations

__all__: list[str] = []
