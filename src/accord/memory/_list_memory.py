from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, Field

from ..core import CancellationToken, Component
from ._base import Memory, MemoryContent, MemoryQueryResult, UpdateContextResult

if TYPE_CHECKING:
    from ..model_context import ChatCompletionContext

__all__ = ["ListMemory", "ListMemoryConfig"]


class ListMemoryConfig(BaseModel):
    name: str | None = None
    memory_contents: list[MemoryContent] = Field(default_factory=list)


class ListMemory(Memory, Component[ListMemoryConfig]):
    """A chronological list of memories; ``update_context`` appends them all as one system message."""

    component_type = "memory"
    component_provider_override = "autogen_core.memory.ListMemory"
    component_config_schema = ListMemoryConfig

    def __init__(self, name: str | None = None, memory_contents: list[MemoryContent] | None = None) -> None:
        self._name = name or "default_list_memory"
        self._contents: list[MemoryContent] = list(memory_contents) if memory_contents else []

    @property
    def name(self) -> str:
        return self._name

    @property
    def content(self) -> list[MemoryContent]:
        return self._contents

    @content.setter
    def content(self, value: list[MemoryContent]) -> None:
        self._contents = value

    async def update_context(self, model_context: ChatCompletionContext) -> UpdateContextResult:
        if not self._contents:
            return UpdateContextResult(memories=MemoryQueryResult(results=[]))
        from ..models import SystemMessage

        lines = [f"{i}. " + str(memory.content) for i, memory in enumerate(self._contents, 1)]
        text = "\nRelevant memory content (in chronological order):\n" + "\n".join(lines) + "\n"
        await model_context.add_message(SystemMessage(content=text))
        return UpdateContextResult(memories=MemoryQueryResult(results=self._contents))

    async def query(
        self, query: str | MemoryContent = "", cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> MemoryQueryResult:
        return MemoryQueryResult(results=self._contents)

    async def add(self, content: MemoryContent, cancellation_token: CancellationToken | None = None) -> None:
        self._contents.append(content)

    async def clear(self) -> None:
        self._contents = []

    async def close(self) -> None:
        pass

    def _to_config(self) -> ListMemoryConfig:
        return ListMemoryConfig(name=self._name, memory_contents=self._contents)

    @classmethod
    def _from_config(cls, config: ListMemoryConfig) -> Self:
        return cls(name=config.name, memory_contents=config.memory_contents)
