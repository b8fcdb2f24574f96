"""Build a tool's argument model from a function signature, its type hints and its docstring."""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from typing import Annotated, Any, cast, get_args, get_origin

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from .._errors import UsageError

__all__ = ["args_model_from_function", "docstring_param_descriptions", "docstring_summary", "typed_signature"]

_GOOGLE_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params)\s*:\s*$")
_GOOGLE_PARAM = re.compile(r"^\s*(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_SPHINX_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")
_ANY_SECTION = re.compile(r"^\s*[A-Z][A-Za-z ]*:\s*$")


def _target(func: Callable[..., Any]) -> Callable[..., Any]:
    while isinstance(func, functools.partial):
        func = func.func
    return func


def typed_signature(func: Callable[..., Any]) -> inspect.Signature:
    """The signature of ``func`` with string annotations resolved (Annotated metadata kept)."""
    signature = inspect.signature(func)
    target = _target(func)
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except Exception as e:
        raise UsageError(
            f"Cannot resolve the type hints of function {getattr(target, '__name__', target)!r}: {e}"
        ) from e
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    return signature.replace(parameters=params, return_annotation=hints.get("return", inspect.Signature.empty))


def docstring_summary(func: Callable[..., Any]) -> str:
    """The docstring of ``func`` up to its first blank line or section header."""
    doc = inspect.getdoc(_target(func)) or ""
    lines: list[str] = []
    for line in doc.splitlines():
        if not line.strip() or _ANY_SECTION.match(line) or line.lstrip().startswith(":param"):
            break
        lines.append(line.strip())
    return " ".join(lines)


def docstring_param_descriptions(func: Callable[..., Any]) -> dict[str, str]:
    """Parameter descriptions from a Google-style ``Args:`` section or Sphinx ``:param x:`` lines."""
    doc = inspect.getdoc(_target(func)) or ""
    result: dict[str, str] = {}
    in_args = False
    current: str | None = None
    indent = 0
    for line in doc.splitlines():
        sphinx = _SPHINX_PARAM.match(line)
        if sphinx:
            result[sphinx.group(1)] = sphinx.group(2).strip()
            current, in_args = None, False
            continue
        if _GOOGLE_SECTION.match(line):
            in_args, current = True, None
            continue
        if not in_args:
            continue
        if not line.strip():
            current = None
            continue
        this_indent = len(line) - len(line.lstrip())
        if _ANY_SECTION.match(line) and this_indent == 0:
            in_args = False
            continue
        param = _GOOGLE_PARAM.match(line)
        if param and (current is None or this_indent <= indent):
            current = param.group(1).lstrip("*")
            indent = this_indent
            result[current] = param.group(3).strip()
        elif current is not None:
            result[current] = f"{result[current]} {line.strip()}".strip()
    return result


def _field_for(name: str, annotation: Any, default: Any, doc: dict[str, str]) -> tuple[Any, FieldInfo]:
    description: str | None = None
    field_info: FieldInfo | None = None
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        rest: list[Any] = []
        for meta in metadata:
            if isinstance(meta, str) and description is None:
                description = meta
            elif isinstance(meta, FieldInfo):
                field_info = meta
            else:
                rest.append(meta)
        annotation = Annotated[(base, *rest)] if rest else base  # type: ignore[valid-type]
    if field_info is not None and field_info.description and description is None:
        description = field_info.description
    if description is None:
        description = doc.get(name, name)
    if field_info is not None:
        merged = FieldInfo.merge_field_infos(field_info, default=default, description=description)
        return annotation, merged
    return annotation, cast(FieldInfo, Field(default=default, description=description))


def args_model_from_function(
    model_name: str, func: Callable[..., Any], signature: inspect.Signature
) -> tuple[type[BaseModel], bool]:
    """Build the pydantic model of ``func``'s arguments; returns it and whether ``func`` takes a cancellation token."""
    doc = docstring_param_descriptions(func)
    fields: dict[str, Any] = {}
    takes_token = False
    for name, param in signature.parameters.items():
        if name == "cancellation_token":
            takes_token = True
            continue
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise UsageError(f"Function {model_name[:-4]!r} takes *{name}; tools need named, typed parameters only")
        if param.annotation is inspect.Parameter.empty:
            raise UsageError(
                f"Parameter {name!r} of function {model_name[:-4]!r} has no type annotation; every tool parameter "
                "needs one (it becomes the JSON schema the model sees)"
            )
        default = param.default if param.default is not inspect.Parameter.empty else ...
        fields[name] = _field_for(name, param.annotation, default, doc)
    model = create_model(model_name, **fields)
    return cast(type[BaseModel], model), takes_token
