"""Reading JSON and YAML that come from files, configs and servers: bounded before anything is built from them.

A config is hostile: a 500-byte YAML alias bomb expands to billions of nodes, a recursive alias never ends, deep
nesting overflows the recursion of every later step, a 5000-digit number makes ``int()`` raise. Every parser of
data in accord goes through this module, which refuses those inputs with a :class:`DataLimitError` that names
the file, the line and (for YAML) the field path, in milliseconds:

* at most :data:`MAX_BYTES` of text;
* nesting at most :data:`MAX_DEPTH` deep and at most :data:`MAX_NODES` nodes, counted with every alias expanded
  (what a reader of the data would walk);
* no recursive YAML alias;
* numbers of at most :data:`MAX_NUMBER_DIGITS` digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from ._errors import ComponentError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_NUMBER_DIGITS",
    "DataLimitError",
    "compose_yaml",
    "construct_yaml",
    "parse_json_text",
    "parse_yaml_text",
]

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 100
MAX_NODES = 200_000
MAX_NUMBER_DIGITS = 300

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


class DataLimitError(ComponentError):
    """Data (a spec, a config, a server's JSON) is too large, too deep or recursive. ``file``, ``line`` and
    ``field`` say where; ``problem`` says what."""

    def __init__(self, problem: str, *, file: str, line: int | None = None, field: str | None = None) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.field = field
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")


def _path_text(path: Sequence[str | int]) -> str | None:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


def _check_size(text: str, source: str) -> None:
    if len(text) > MAX_BYTES:
        raise DataLimitError(f"{len(text)} characters, more than the limit of {MAX_BYTES}", file=source, line=1)


# strings (skipped), brackets (counted) and over-long digit runs (refused), in one pass
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[0-9]{' + str(MAX_NUMBER_DIGITS + 1) + ",}")


def _check_json_shape(text: str, source: str) -> None:
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise DataLimitError(f"nested more than {MAX_DEPTH} levels deep", file=source, line=line)
        elif token in "]}":
            depth -= 1
        else:
            line = text.count("\n", 0, match.start()) + 1
            raise DataLimitError(
                f"a number of {len(token)} digits (the limit is {MAX_NUMBER_DIGITS})", file=source, line=line
            )


def parse_json_text(text: str, *, source: str) -> Any:
    """``json.loads`` after the bounds above; a syntax error is a :class:`DataLimitError` with its line too."""
    _check_size(text, source)
    _check_json_shape(text, source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DataLimitError(f"invalid JSON: {e.msg} (column {e.colno})", file=source, line=e.lineno) from e
    except ValueError as e:  # e.g. a number the checks above did not see
        raise DataLimitError(f"invalid JSON: {e}", file=source) from e


def _line(item: Any) -> int | None:
    mark = getattr(item, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _check_yaml_events(text: str, source: str) -> None:
    """Depth and event count from the event stream (PyYAML's parser is iterative, its composer is recursive)."""
    loader = yaml.SafeLoader(text)
    depth = 0
    events = 0
    try:
        while loader.check_event():
            event: Any = loader.get_event()  # type: ignore[no-untyped-call]
            events += 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise DataLimitError(f"nested more than {MAX_DEPTH} levels deep", file=source, line=_line(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if events > MAX_NODES:
                raise DataLimitError(f"more than {MAX_NODES} YAML nodes", file=source, line=_line(event))
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[tuple[str | int, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        out: list[tuple[str | int, yaml.Node]] = []
        for key, value in node.value:
            label = str(key.value) if isinstance(key, yaml.ScalarNode) else "<key>"
            out += [(label, key), (label, value)]
        return out
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    return []


def _check_yaml_graph(root: yaml.Node, source: str) -> None:
    """Expanded size and depth of the node graph (aliases share nodes), without recursion; refuses cycles."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str | int, ...], bool]] = [(root, (), False)]
    while stack:
        node, path, done = stack.pop()
        key = id(node)
        if done:
            kids = [child for _, child in _children(node)]
            size[key] = 1 + sum(size[id(child)] for child in kids)
            depth[key] = 1 + max((depth[id(child)] for child in kids), default=0)
            on_path.discard(key)
            if size[key] > MAX_NODES:
                raise DataLimitError(
                    f"expands to more than {MAX_NODES} nodes (YAML aliases repeat what they point at)",
                    file=source,
                    line=node.start_mark.line + 1,
                    field=_path_text(path),
                )
            if depth[key] > MAX_DEPTH:
                raise DataLimitError(
                    f"nested more than {MAX_DEPTH} levels deep once its aliases are expanded",
                    file=source,
                    line=node.start_mark.line + 1,
                    field=_path_text(path),
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise DataLimitError(
                "a recursive YAML alias (a node that contains itself)",
                file=source,
                line=node.start_mark.line + 1,
                field=_path_text(path),
            )
        if isinstance(node, yaml.ScalarNode):
            _check_scalar(node, path, source)
            size[key], depth[key] = 1, 1
            continue
        on_path.add(key)
        stack.append((node, path, True))
        for label, child in _children(node):
            stack.append((child, (*path, label), False))


def _check_scalar(node: yaml.ScalarNode, path: tuple[str | int, ...], source: str) -> None:
    if node.tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > MAX_NUMBER_DIGITS:
        raise DataLimitError(
            f"a number of {len(node.value)} characters (the limit is {MAX_NUMBER_DIGITS})",
            file=source,
            line=node.start_mark.line + 1,
            field=_path_text(path),
        )


def compose_yaml(text: str, *, source: str) -> yaml.Node | None:
    """The checked YAML node graph of ``text`` (None for an empty document). Syntax errors raise ``yaml.YAMLError``."""
    _check_size(text, source)
    _check_yaml_events(text, source)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None:
        _check_yaml_graph(node, source)
    return node


def construct_yaml(node: yaml.Node | None) -> Any:
    """Python data of a node graph checked by :func:`compose_yaml` (safe types only)."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def parse_yaml_text(text: str, *, source: str) -> Any:
    """``yaml.safe_load`` after the bounds above; a syntax error is a :class:`DataLimitError` with its line."""
    try:
        return construct_yaml(compose_yaml(text, source=source))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        line = mark.line + 1 if mark is not None else None
        raise DataLimitError(f"invalid YAML: {problem}", file=source, line=line) from e
