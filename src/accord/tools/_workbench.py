"""Workbench: a set of tools that share resources and a lifecycle, called by name."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Mapping
from types import TracebackType
from typing import Any, Self

from pydantic import BaseModel, ValidationError

from ..core import CancellationToken, ComponentBase
from ._result import ToolResult
from ._schema import ToolSchema, describe_validation_error

__all__ = ["StreamWorkbench", "Workbench", "format_error"]


class Workbench(ABC, ComponentBase[BaseModel]):
    """A set of tools with a shared lifecycle (``start``/``stop``), listed as schemas and called by name.

    Use it as an async context manager to start and stop it.
    """

    component_type = "workbench"

    @abstractmethod
    async def list_tools(self) -> list[ToolSchema]:
        """The tools available now (the list may change after a call)."""

    @abstractmethod
    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> ToolResult:
        """Call tool ``name``; failures come back as a result with ``is_error=True``."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def reset(self) -> None: ...

    @abstractmethod
    async def save_state(self) -> Mapping[str, Any]: ...

    @abstractmethod
    async def load_state(self, state: Mapping[str, Any]) -> None: ...

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.stop()


class StreamWorkbench(Workbench, ABC):
    """A workbench whose calls can stream intermediate values before the final :class:`ToolResult`."""

    @abstractmethod
    def call_tool_stream(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> AsyncGenerator[Any | ToolResult, None]: ...


def format_error(error: BaseException, tool_name: str | None = None) -> str:
    """Error text for the model; exception groups are flattened, one line per leaf error; invalid
    arguments name each field."""
    if isinstance(error, builtins.BaseExceptionGroup):
        return "\n".join(format_error(e, tool_name) for e in error.exceptions).strip()
    if isinstance(error, ValidationError) and tool_name is not None:
        return str(describe_validation_error(tool_name, error))
    return str(error).strip() or type(error).__name__
