"""Reading spec files (YAML or JSON) while remembering the line of every field."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._data import MAX_BYTES, DataLimitError, compose_yaml, construct_yaml, parse_json_text
from ._errors import SpecError

__all__ = ["FieldPath", "SpecSource", "format_path", "inside_folder", "parse_spec_text", "read_spec_file"]

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

    def inside(self, value: str, path: Sequence[str | int], *, what: str) -> Path:
        """:func:`inside_folder` for this spec's folder, the error located at ``path``."""
        try:
            return inside_folder(self.base_dir, value, what=what)
        except SpecError as e:
            raise self.error(e.problem, path) from e

    def error(self, problem: str, path: Sequence[str | int] = (), *, cls: type[SpecError] = SpecError) -> SpecError:
        """A :class:`SpecError` located at ``path`` in this file."""
        return cls(problem, file=self.file, line=self.line_of(path), field=format_path(path) if path else None)


def inside_folder(folder: Path, value: str, *, what: str) -> Path:
    """``value`` (a path a spec names) resolved against ``folder``; a :class:`SpecError` problem unless the path
    stays inside ``folder`` without passing through a symlink (a spec may not read or write elsewhere)."""
    base = folder.resolve()
    normal = Path(os.path.normpath(base / value))
    if normal != base and base not in normal.parents:
        raise SpecError(
            f"{what} {value!r} is outside the spec's folder {base}; a spec may only name files in its own folder. "
            f"Copy it into that folder (or build the component in code)"
        )
    current = base
    for part in normal.relative_to(base).parts:
        current = current / part
        if current.is_symlink():
            raise SpecError(
                f"{what} {value!r}: {current} is a symlink; accord does not follow links in a spec's folder. "
                f"Put the file itself there"
            )
    return normal


def _record_lines(root: yaml.Node, lines: dict[FieldPath, int]) -> None:
    """The line of every field path (without recursion: the graph is bounded by :mod:`accord._data`)."""
    stack: list[tuple[yaml.Node, FieldPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    child = (*path, str(key_node.value))
                    lines[child] = key_node.start_mark.line + 1
                    stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                lines[child] = item.start_mark.line + 1
                stack.append((item, child))


def _as_spec_error(e: DataLimitError) -> SpecError:
    return SpecError(e.problem, file=e.file, line=e.line, field=e.field)


def parse_spec_text(text: str, *, file: str = "<spec>", base_dir: Path | None = None) -> SpecSource:
    """Parse YAML (JSON is accepted too) and record field lines. Syntax errors name the line; oversized, too deep
    or recursive input is refused before anything is built from it (:mod:`accord._data`)."""
    is_json = file.endswith(".json")
    node: yaml.Node | None = None
    try:
        if is_json:
            data = parse_json_text(text, source=file)
            try:
                node = compose_yaml(text, source=file)
            except yaml.YAMLError:
                node = None  # valid JSON that YAML cannot read (rare): no line numbers
        else:
            node = compose_yaml(text, source=file)
            data = construct_yaml(node)
    except DataLimitError as e:
        raise _as_spec_error(e) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise SpecError(f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark is not None else None) from e
    except ValueError as e:  # a scalar YAML cannot construct (a bad date, ...)
        raise SpecError(f"invalid value: {e}", file=file) from e
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _record_lines(node, lines)
    if data is None:
        raise SpecError("the spec is empty", file=file, line=1)
    if not isinstance(data, dict):
        raise SpecError(f"a spec must be a mapping at the top level, got {type(data).__name__}", file=file, line=1)
    return SpecSource(data=data, file=file, base_dir=base_dir or Path.cwd(), lines=lines)


def read_spec_file(path: str | Path) -> SpecSource:
    """Read and parse a spec file; a missing or unreadable file is a :class:`SpecError` too."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise SpecError(f"{p.stat().st_size} bytes, more than the limit of {MAX_BYTES}", file=str(path))
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise SpecError("file not found", file=str(path)) from e
    except IsADirectoryError as e:
        raise SpecError("is a directory, expected a spec file (.yaml, .yml or .json)", file=str(path)) from e
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"cannot read the file: {e}", file=str(path)) from e
    return parse_spec_text(text, file=str(path), base_dir=p.resolve().parent)
