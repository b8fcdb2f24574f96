"""Reading spec files (YAML or JSON) while remembering the line of every field."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ._errors import SpecError

__all__ = ["FieldPath", "SpecSource", "format_path", "parse_spec_text", "read_spec_file"]

FieldPath = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """``("agents", 0, "model")`` -> ``agents[0].model``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


@dataclass
class SpecSource:
    """A parsed spec: its data, where it came from, and the line (1-based) of each field path."""

    data: Any
    file: str
    base_dir: Path
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its closest ancestor that has one."""
        key = tuple(path)
        while True:
            line = self.lines.get(key)
            if line is not None or not key:
                return line
            key = key[:-1]

    def error(self, problem: str, path: Sequence[str | int] = (), *, cls: type[SpecError] = SpecError) -> SpecError:
        """A :class:`SpecError` located at ``path`` in this file."""
        return cls(problem, file=self.file, line=self.line_of(path), field=format_path(path) if path else None)


def _record_lines(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            _record_lines(item, child, lines)


def parse_spec_text(text: str, *, file: str = "<spec>", base_dir: Path | None = None) -> SpecSource:
    """Parse YAML (JSON is accepted too) and record field lines. Syntax errors name the line."""
    is_json = file.endswith(".json")
    try:
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"invalid JSON: {e.msg} (column {e.colno})", file=file, line=e.lineno) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise SpecError(f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark is not None else None) from e
    lines: dict[FieldPath, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        node = None  # valid JSON that YAML cannot read (rare): no line numbers
    if node is not None:
        _record_lines(node, (), lines)
    if data is None:
        raise SpecError("the spec is empty", file=file, line=1)
    if not isinstance(data, dict):
        raise SpecError(f"a spec must be a mapping at the top level, got {type(data).__name__}", file=file, line=1)
    return SpecSource(data=data, file=file, base_dir=base_dir or Path.cwd(), lines=lines)


def read_spec_file(path: str | Path) -> SpecSource:
    """Read and parse a spec file; a missing or unreadable file is a :class:`SpecError` too."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise SpecError("file not found", file=str(path)) from e
    except IsADirectoryError as e:
        raise SpecError("is a directory, expected a spec file (.yaml, .yml or .json)", file=str(path)) from e
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"cannot read the file: {e}", file=str(path)) from e
    return parse_spec_text(text, file=str(path), base_dir=p.resolve().parent)
