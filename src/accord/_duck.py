"""Protocol checks that accept what AutoGen accepts: an instance of the interface, or any object with its methods
(a duck-typed client, a ``unittest.mock.MagicMock``). accord validates arguments early, but not by class alone."""

from __future__ import annotations

from typing import Any

__all__ = ["CHAT_COMPLETION_CLIENT", "CHAT_COMPLETION_CONTEXT", "MEMORY", "WORKBENCH", "quacks_like"]

CHAT_COMPLETION_CLIENT = ("create", "create_stream")
WORKBENCH = ("list_tools", "call_tool")
MEMORY = ("update_context", "query", "add")
CHAT_COMPLETION_CONTEXT = ("add_message", "get_messages")


def quacks_like(obj: Any, cls: type[Any], methods: tuple[str, ...]) -> bool:
    """``obj`` is a ``cls`` or has each of ``methods`` as a callable attribute."""
    return isinstance(obj, cls) or (
        not isinstance(obj, type) and all(callable(getattr(obj, name, None)) for name in methods)
    )
