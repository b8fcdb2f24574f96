"""Argument checks shared by the termination conditions: wrong types fail at construction, naming the value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from ..base import InvalidConditionError

__all__ = ["check_number", "check_str", "check_str_list"]


def check_str(cls: str, arg: str, value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise InvalidConditionError(f"{cls}: {arg} must be a string, got {value!r} of type {type(value).__name__}")


def check_str_list(cls: str, arg: str, value: Any, *, optional: bool = False) -> list[str] | None:
    if value is None and optional:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InvalidConditionError(
            f"{cls}: {arg} must be a list of strings (e.g. [{value!r}] for one), got {value!r}"
            if isinstance(value, str)
            else f"{cls}: {arg} must be a list of strings, got {value!r}"
        )
    return list(value)


def check_number(cls: str, arg: str, value: Any, *, integer: bool, minimum: float, optional: bool = False) -> None:
    if value is None and optional:
        return
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        what = "an integer" if integer else "a number"
        raise InvalidConditionError(f"{cls}: {arg} must be {what}, got {value!r} of type {type(value).__name__}")
    if cast(float, value) < minimum:
        raise InvalidConditionError(f"{cls}: {arg} must be at least {minimum:g}, got {value!r}")
