"""JSON encoding shared by the stores: values are stored as JSON text, never pickled, and only JSON is read back."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .._errors import ComponentError

__all__ = ["UnsafeCacheValueError", "decode", "encode"]


class UnsafeCacheValueError(ComponentError):
    """A stored cache value is not JSON (a pickle, or other bytes); accord refuses it instead of decoding it."""


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def encode(value: Any) -> bytes:
    """JSON bytes for a pydantic model, a list/dict of them, or a JSON-able primitive."""
    return json.dumps(_plain(value)).encode("utf-8")


def decode(raw: Any, *, key: str = "?") -> Any:
    """The JSON value of a stored row (dicts/lists; callers re-validate models).

    Anything that is not UTF-8 JSON text (a pickle planted by someone else, for instance) raises
    :class:`UnsafeCacheValueError`; it is never unpickled or passed on.
    """
    from .._data import DataLimitError, parse_json_text

    if isinstance(raw, bytes | bytearray | memoryview):
        data = bytes(raw)
        if data[:1] == b"\x80":
            raise UnsafeCacheValueError(f"cache value for key {key!r} is a pickle; accord never unpickles cache data")
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise UnsafeCacheValueError(f"cache value for key {key!r} is not UTF-8 JSON") from e
    if not isinstance(raw, str):
        return raw  # a value the store itself keeps as an object (a caller-supplied cache)
    try:
        return parse_json_text(raw, source=f"cache value {key!r}")
    except DataLimitError as e:
        raise UnsafeCacheValueError(f"cache value for key {key!r} is not JSON accord accepts: {e.problem}") from e
