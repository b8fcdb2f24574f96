"""The code-execution data types that code events carry (from :mod:`accord.code_executors`)."""

from __future__ import annotations

from ..code_executors import CodeBlock, CodeResult

__all__ = ["CodeBlock", "CodeResult"]
