"""Tools as model clients see them: a ``Tool`` object (with ``.schema``) or a ``ToolSchema`` mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from .._errors import UsageError

__all__ = ["ToolInput", "ToolLike", "tool_name", "tool_schemas"]


@runtime_checkable
class ToolLike(Protocol):
    """Anything with a ``name`` and a JSON ``schema`` (``{name, description, parameters, strict}``)."""

    @property
    def name(self) -> str: ...

    @property
    def schema(self) -> Mapping[str, Any]: ...


# A ``Tool`` (accord.tools / autogen_core.tools) or a ``ToolSchema`` dict.
ToolInput = Any


def _schema_of(tool: Any) -> dict[str, Any]:
    if isinstance(tool, Mapping):
        schema = dict(tool)
    else:
        schema_attr = getattr(tool, "schema", None)
        if schema_attr is None or not isinstance(schema_attr, Mapping):
            raise UsageError(f"Tool {tool!r} is neither a ToolSchema mapping nor an object with a 'schema' mapping")
        schema = dict(schema_attr)
    if not isinstance(schema.get("name"), str) or not schema["name"]:
        raise UsageError(f"Tool schema {schema!r} has no 'name'; every tool needs a non-empty name")
    return schema


def tool_schemas(tools: Sequence[ToolInput]) -> list[dict[str, Any]]:
    """Each tool's schema as a plain dict (``name`` always present)."""
    return [_schema_of(t) for t in tools]


def tool_name(tool: ToolInput) -> str:
    name: str = _schema_of(tool)["name"]
    return name
