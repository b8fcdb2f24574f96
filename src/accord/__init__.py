"""accord: an AutoGen-compatible multi-agent framework that is fast, safe and durable by default."""

from __future__ import annotations

from ._errors import AccordError

__version__ = "0.1.0"

__all__ = ["AccordError", "__version__"]
