from __future__ import annotations

from accord.core import CancellationToken, InMemoryStore
from accord.memory import ListMemory, MemoryContent, MemoryMimeType


class _Context:
    """A minimal model context (the real ones live in accord.model_context)."""

    def __init__(self) -> None:
        self.messages: list[object] = []

    async def add_message(self, message: object) -> None:
        self.messages.append(message)


async def test_list_memory_add_query_update_clear() -> None:
    memory = ListMemory(name="prefs")
    assert memory.name == "prefs"
    ctx = _Context()
    result = await memory.update_context(ctx)  # type: ignore[arg-type]
    assert result.memories.results == [] and ctx.messages == []
    await memory.add(MemoryContent(content="likes tea", mime_type=MemoryMimeType.TEXT))
    await memory.add(
        MemoryContent(content={"units": "metric"}, mime_type=MemoryMimeType.JSON),
        cancellation_token=CancellationToken(),
    )
    assert len((await memory.query("anything")).results) == 2
    result = await memory.update_context(ctx)  # type: ignore[arg-type]
    assert len(result.memories.results) == 2
    (message,) = ctx.messages
    assert message.content == (  # type: ignore[attr-defined]
        "\nRelevant memory content (in chronological order):\n1. likes tea\n2. {'units': 'metric'}\n"
    )
    await memory.clear()
    assert memory.content == []
    await memory.close()


def test_memory_content_serializes_mime_type() -> None:
    content = MemoryContent(content="x", mime_type=MemoryMimeType.MARKDOWN, metadata={"k": 1})
    assert content.model_dump()["mime_type"] == "text/markdown"


def test_in_memory_store() -> None:
    store: InMemoryStore[int] = InMemoryStore()
    assert store.get("k") is None and store.get("k", 5) == 5
    store.set("k", 1)
    store.set("k", 2)
    assert store.get("k") == 2
