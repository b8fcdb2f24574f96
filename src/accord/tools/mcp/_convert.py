"""MCP content → accord tool results, and MCP tool input schemas → accord tool schemas / argument checks."""

from __future__ import annotations

import json
from typing import Any

from ..._imports import require
from ...core import Image
from .._result import ImageResultContent, ResultContent, TextResultContent, truncate_text
from .._schema import ParametersSchema, ToolArgumentsError, ToolSchema

__all__ = ["ArgumentChecker", "content_to_results", "tool_to_schema"]


def tool_to_schema(tool: Any, *, name: str | None = None, description: str | None = None) -> ToolSchema:
    """The :class:`ToolSchema` of an ``mcp.types.Tool`` (optionally renamed)."""
    input_schema: dict[str, Any] = dict(tool.inputSchema or {})
    parameters = ParametersSchema(
        type="object",
        properties=dict(input_schema.get("properties", {})),
        required=list(input_schema.get("required", [])),
        additionalProperties=bool(input_schema.get("additionalProperties", False)),
    )
    return ToolSchema(
        name=name if name is not None else tool.name,
        description=description if description is not None else (tool.description or ""),
        parameters=parameters,
    )


def _dump(item: Any) -> str:
    return json.dumps(item.model_dump(mode="json", exclude_none=True))


def content_to_results(content: list[Any], *, max_chars: int | None) -> list[ResultContent]:
    """Turn MCP content blocks into tool result contents; text is cut to ``max_chars`` in total."""
    results: list[ResultContent] = []
    budget = max_chars
    for item in content:
        kind = getattr(item, "type", None)
        if kind == "image":
            try:
                results.append(ImageResultContent(content=Image.from_base64(item.data)))
                continue
            except Exception:
                text = f"[image {item.mimeType}: could not be decoded]"
        elif kind == "text":
            text = item.text
        elif kind == "resource":
            resource = item.resource
            text = resource.text if hasattr(resource, "text") else _dump(item)
        else:
            text = _dump(item)
        if budget is not None:
            text = truncate_text(text, max(budget, 0))
            budget -= min(len(text), budget)
        results.append(TextResultContent.model_construct(content=text))  # text is already a str
    return results


_SIMPLE_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
_ANNOTATION_KEYS = {"type", "description", "title", "default", "examples"}


def _fast_plan(schema: dict[str, Any]) -> tuple[dict[str, tuple[type, ...]], list[str], bool] | None:
    """For flat schemas (properties with a plain ``type`` only), what a quick isinstance check needs."""
    if set(schema) - {"type", "properties", "required", "additionalProperties", "$schema", "title", "description"}:
        return None
    if schema.get("type", "object") != "object":
        return None
    types: dict[str, tuple[type, ...]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or set(prop) - _ANNOTATION_KEYS or prop.get("type") not in _SIMPLE_TYPES:
            return None
        types[name] = _SIMPLE_TYPES[prop["type"]]
    additional = schema.get("additionalProperties", True)
    if not isinstance(additional, bool):
        return None
    return types, list(schema.get("required") or []), additional


def _non_local_refs(schema: Any, path: str = "") -> list[str]:
    """Every ``$ref`` / ``$dynamicRef`` / ``$recursiveRef`` in ``schema`` that does not point inside it (``#...``)."""
    found: list[str] = []
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(value, str):
                    if not value.startswith("#"):
                        found.append(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


class ArgumentChecker:
    """Validates tool arguments against an MCP input schema, naming each offending field.

    Flat schemas are checked with isinstance (microseconds); anything else, and every failure, goes
    through jsonschema so that the error message is exact. A tool schema comes from the server (data): it is
    validated with an empty ``referencing.Registry``, so nothing is ever retrieved (no URL, no ``file:``); only
    references inside the schema (``#/$defs/...``) resolve, and a call against a schema that refers elsewhere is
    refused naming the reference.
    """

    def __init__(self, tool_name: str, schema: dict[str, Any]) -> None:
        jsonschema: Any = require("jsonschema", extra="mcp")
        referencing: Any = require("referencing", extra="mcp")

        self._plan = _fast_plan(schema)
        self._tool_name = tool_name
        self._outside = _non_local_refs(schema)
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
            self._validator: Any = cls(schema, registry=referencing.Registry())
        except jsonschema.SchemaError:
            self._validator = None
        self._unresolvable: type[Exception] = referencing.exceptions.Unresolvable

    def _fast_ok(self, arguments: dict[str, Any]) -> bool:
        assert self._plan is not None
        types, required, additional = self._plan
        for name in required:
            if name not in arguments:
                return False
        for name, value in arguments.items():
            expected = types.get(name)
            if expected is None:
                if not additional:
                    return False
                continue
            if isinstance(value, bool) and bool not in expected:
                return False
            if not isinstance(value, expected):
                return False
        return True

    def _refuse_refs(self, refs: list[str]) -> ToolArgumentsError:
        return ToolArgumentsError(
            self._tool_name,
            f"Tool '{self._tool_name}' was not called: its input schema (from the MCP server) refers to "
            f"{', '.join(repr(r) for r in refs[:3])}, outside the schema; accord never fetches schemas (only "
            f"'#/...' references resolve). Fix the server's schema.",
        )

    def check(self, arguments: dict[str, Any]) -> None:
        if self._outside:
            raise self._refuse_refs(self._outside)
        if self._validator is None:
            return
        if self._plan is not None and self._fast_ok(arguments):
            return
        try:
            errors = list(self._validator.iter_errors(arguments))
        except self._unresolvable as e:
            raise self._refuse_refs([str(getattr(e, "ref", e))]) from e
        if not errors:
            return
        parts: list[str] = []
        fields: list[str] = []
        for error in errors:
            path = ".".join(str(p) for p in error.absolute_path)
            if not path and error.validator == "required":
                missing = [r for r in error.validator_value if r not in (error.instance or {})]
                path = ".".join(missing[:1])
            fields.append(path or "(arguments)")
            parts.append(f"field '{path or '(arguments)'}': {error.message}")
        raise ToolArgumentsError(
            self._tool_name, f"Invalid arguments for tool '{self._tool_name}': {'; '.join(parts)}", fields=fields
        )
