"""Tool schema types (what a model sees) and JSON-schema helpers shared by every tool kind."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, NotRequired, cast

from pydantic import BaseModel, ValidationError
from typing_extensions import TypedDict

from .._errors import UsageError

__all__ = [
    "ParametersSchema",
    "ToolArgumentsError",
    "ToolOverride",
    "ToolSchema",
    "describe_validation_error",
    "inline_refs",
]


class ParametersSchema(TypedDict):
    """JSON schema of a tool's arguments (always an object)."""

    type: str
    properties: dict[str, Any]
    required: NotRequired[Sequence[str]]
    additionalProperties: NotRequired[bool]


class ToolSchema(TypedDict):
    """What a model is told about a tool: name, description, parameters, strict mode."""

    parameters: NotRequired[ParametersSchema]
    name: str
    description: NotRequired[str]
    strict: NotRequired[bool]


class ToolOverride(BaseModel):
    """A new name and/or description under which a workbench shows a tool."""

    name: str | None = None
    description: str | None = None


class ToolArgumentsError(UsageError):
    """Arguments given to a tool do not match its schema; the message names each offending field.

    Workbenches return this message to the model as an error result so it can correct the call.
    """

    def __init__(self, tool_name: str, message: str, *, fields: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.tool_name = tool_name
        self.fields = list(fields)


def describe_validation_error(tool_name: str, error: ValidationError) -> ToolArgumentsError:
    """Turn a pydantic validation error into a :class:`ToolArgumentsError` naming each field."""
    parts: list[str] = []
    fields: list[str] = []
    for item in error.errors(include_url=False):
        loc = ".".join(str(p) for p in item.get("loc", ())) or "(arguments)"
        fields.append(loc)
        parts.append(f"field '{loc}': {item.get('msg', 'invalid')}")
    summary = "; ".join(parts) if parts else str(error)
    return ToolArgumentsError(tool_name, f"Invalid arguments for tool '{tool_name}': {summary}", fields=fields)


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Return ``schema`` with every local ``$ref`` replaced by its definition and ``$defs`` removed.

    Recursive definitions are left as references (inlining them would never end).
    """
    defs: dict[str, Any] = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    if not defs:
        return schema

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                name = ref.rsplit("/", 1)[-1]
                if name in defs and name not in seen:
                    target = resolve(copy.deepcopy(defs[name]), (*seen, name))
                    extra = {k: resolve(v, seen) for k, v in node.items() if k != "$ref"}
                    return {**cast(dict[str, Any], target), **extra}
            return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}
        if isinstance(node, list):
            return [resolve(v, seen) for v in node]
        return node

    return cast(dict[str, Any], resolve(schema, ()))
