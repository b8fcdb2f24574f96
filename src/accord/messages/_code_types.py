"""The code-execution data types that code events carry (from :mod:`accord.code_executors`).

Until that package is importable, structurally identical stand-ins keep messages importable.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CodeBlock", "CodeResult"]

try:
    from ..code_executors import CodeBlock, CodeResult  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - only while accord.code_executors is absent

    @dataclass
    class CodeBlock:  # type: ignore[no-redef]
        """A block of code and its language."""

        code: str
        language: str

    @dataclass
    class CodeResult:  # type: ignore[no-redef]
        """The exit code and output of running code."""

        exit_code: int
        output: str
