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
        results.append(TextResultContent(content=text))
    return results


class ArgumentChecker:
    """Validates tool arguments against an MCP input schema, naming each offending field."""

    def __init__(self, tool_name: str, schema: dict[str, Any]) -> None:
        jsonschema: Any = require("jsonschema", extra="mcp")

        self._tool_name = tool_name
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
            self._validator: Any = cls(schema)
        except jsonschema.SchemaError:
            self._validator = None

    def check(self, arguments: dict[str, Any]) -> None:
        if self._validator is None:
            return
        errors = list(self._validator.iter_errors(arguments))
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
