"""The code-execution protocol: code blocks, results and the executor interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from pydantic import BaseModel

from ..core import CancellationToken, ComponentBase

__all__ = ["CodeBlock", "CodeExecutor", "CodeResult", "CommandLineCodeResult"]


@dataclass
class CodeBlock:
    """A block of code (as written by a model) and its language."""

    code: str
    language: str


@dataclass
class CodeResult:
    """The exit code and the combined output of running code."""

    exit_code: int
    output: str


@dataclass
class CommandLineCodeResult(CodeResult):
    """Result of a command-line executor; ``code_file`` is the file the first block was written to."""

    code_file: str | None


class CodeExecutor(ABC, ComponentBase[BaseModel]):
    """Runs code blocks and returns one result.

    Use it as an async context manager so that :meth:`start` and :meth:`stop` release its resources.
    """

    component_type = "code_executor"

    @abstractmethod
    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        """Run ``code_blocks`` in order, stopping at the first failure, and return their combined result."""

    @abstractmethod
    async def start(self) -> None:
        """Acquire the executor's resources (idempotent)."""

    @abstractmethod
    async def stop(self) -> None:
        """Release the executor's resources (idempotent)."""

    @abstractmethod
    async def restart(self) -> None:
        """Reset the executor (called when an agent is reset)."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        await self.stop()
        return None
