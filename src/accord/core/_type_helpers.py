from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin

from .._errors import UsageError

__all__ = ["expand_types", "handler_types"]


def expand_types(hint: Any) -> tuple[Any, ...]:
    """The concrete types in a hint: unions expanded, ``None`` as ``NoneType``, ``Any`` kept."""
    if hint is None or hint is type(None):
        return (type(None),)
    if get_origin(hint) in (Union, types.UnionType):
        return tuple(t for arg in get_args(hint) for t in expand_types(arg))
    return (hint,)


def handler_types(func: Callable[..., Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``(message types, return types)`` of a handler ``(self, message: T, ctx) -> R``."""
    try:
        hints = typing.get_type_hints(func)
    except NameError as e:
        raise UsageError(f"Cannot resolve the type hints of handler {func.__qualname__}: {e}") from e
    params = list(func.__code__.co_varnames[: func.__code__.co_argcount])
    if len(params) < 2 or params[1] not in hints:
        raise UsageError(f"Handler {func.__qualname__} must annotate its message parameter with a type")
    if "return" not in hints:
        raise UsageError(f"Handler {func.__qualname__} must annotate its return type")
    return expand_types(hints[params[1]]), expand_types(hints["return"])
