"""What ``accord validate`` checks beyond the spec's own fields: every component provider resolves."""

from __future__ import annotations

from typing import Any

from .._errors import ComponentError
from ..spec import BuiltSpec, SpecError

__all__ = ["check_providers", "describe"]


def _walk(node: Any, path: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        provider = node.get("provider")
        if isinstance(provider, str) and "config" in node:
            found.append((path or "<root>", provider))
        for key, value in node.items():
            found += _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _walk(value, f"{path}[{i}]")
    return found


def check_providers(component: dict[str, Any]) -> None:
    """Resolve every provider in the tree through the registry and check each config against its class's schema.

    No instance is created (no model is loaded, no server started).
    """
    from pydantic import ValidationError

    from ..core._component import format_validation_error, is_component_class
    from ..core._component_registry import resolve_provider

    for path, provider in _walk(component, ""):
        try:
            cls = resolve_provider(provider)
        except ComponentError as e:
            raise SpecError(f"{path}: {e}") from e
        if not is_component_class(cls):
            raise SpecError(f"{path}: provider {provider!r} is not a component class")
        node = _at(component, path)
        version = node.get("component_version") or node.get("version") or 1
        if version < getattr(cls, "component_version", 1):
            continue  # an older config version: the class converts it when loading
        try:
            cls.component_config_schema.model_validate(node.get("config", {}))
        except ValidationError as e:
            prefix = "config" if path == "<root>" else f"{path}.config"
            raise SpecError(f"{provider}: {format_validation_error(e, prefix)}") from e


def _at(component: dict[str, Any], path: str) -> dict[str, Any]:
    if path == "<root>":
        return component
    node: Any = component
    for part in path.replace("[", ".[").split("."):
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    return node if isinstance(node, dict) else {}


def describe(built: BuiltSpec) -> str:
    config = built.component.get("config", {})
    if built.kind == "team":
        team = str(built.component.get("provider", "")).rsplit(".", 1)[-1]
        names = [p.get("config", {}).get("name", "?") for p in config.get("participants", [])]
        text = f"team {team} of {len(names)} agents ({', '.join(names)})"
    else:
        agent = str(built.component.get("provider", "")).rsplit(".", 1)[-1]
        text = f"{agent} {config.get('name', '?')!s}"
    refs = sorted({m.reference for m in built.models})
    if refs:
        text += f"; models: {', '.join(refs)}"
    commands = sorted({" ".join([node["command"], *node.get("args", [])]) for node in _stdio_servers(built.component)})
    if commands:
        text += "; MCP servers start only when allowed (--allow-mcp): " + ", ".join(commands)
    if built.task:
        text += "; has a default task"
    return text


def _stdio_servers(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "StdioServerParams" and isinstance(node.get("command"), str):
            found.append(node)
        for value in node.values():
            found += _stdio_servers(value)
    elif isinstance(node, list):
        for value in node:
            found += _stdio_servers(value)
    return found
