"""JSON encoding shared by the stores: values are stored as JSON text, never pickled."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

__all__ = ["decode", "encode"]


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


def decode(raw: Any) -> Any:
    """The JSON value back (dicts/lists; callers re-validate models), or the raw value if it is not JSON."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw
