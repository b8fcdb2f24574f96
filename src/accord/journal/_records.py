"""The journal's record types and their JSON form (schema-versioned, never pickle; payloads hashed once)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "RECORD_VERSION",
    "EffectRow",
    "Record",
    "RunInfo",
    "RunStatus",
    "blob_hash",
    "dumps",
    "loads",
    "redact",
]

RECORD_VERSION = 1
"""Version of the JSON inside records; written into every run's ``meta`` (``record_version``)."""

RunStatus = Literal["running", "completed", "failed", "waiting", "needs_decision", "aborted", "diverged"]
_SECRET_WORDS = ("api_key", "apikey", "password", "secret", "token", "authorization")


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON (stable, so equal values hash equally)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    raise TypeError(f"The journal stores JSON only; {type(value).__name__} is not JSON-serializable")


def loads(text: str) -> Any:
    return json.loads(text)


def blob_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def redact(value: Any) -> Any:
    """A copy of a config with secret-looking fields replaced: secrets never reach the journal."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            lowered = str(k).lower()
            secret = any(w in lowered for w in _SECRET_WORDS) and not lowered.endswith(("_tokens", "max_tokens"))
            out[str(k)] = "<redacted>" if secret and isinstance(v, str) and v else redact(v)
        return out
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


@dataclass
class RunInfo:
    """A run's row: id, status, what ran (``name``, ``kind``), config and free-form ``meta``."""

    run_id: str
    status: RunStatus
    name: str
    kind: str
    created_at: float
    updated_at: float
    config: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    lease_holder: str | None = None
    lease_expires: float | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One entry of a run's journal. ``kind``: task, message, envelope, step, state, segment, status..."""

    seq: int
    kind: str
    step: int
    data: Any


@dataclass(slots=True)
class EffectRow:
    """One effect (model call, tool call, code execution, human input) by its idempotency key.

    ``status`` is ``started`` (intent written before a non-idempotent call) or ``done`` (``result`` holds it).
    """

    key: str
    kind: str
    step: int
    agent: str
    status: Literal["started", "done"]
    request: str
    result: Any = None
    idempotent: bool = True
