"""Secret-bearing config values: typed ``SecretStr`` so that every dump, JSON text and log masks them.

A config field that holds a secret (an API key, a password, a token, HTTP headers, a server's environment) is a
``SecretStr`` or a :data:`SecretMap`; the code that finally uses it unwraps it with :func:`reveal` /
:func:`reveal_map` at the last moment. tests/security walks every component's config schema and checks this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

__all__ = ["SecretMap", "reveal", "reveal_map"]

SecretMap = dict[str, SecretStr]


def reveal(value: Any) -> Any:
    """The plain value of a ``SecretStr`` (anything else as it is)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def reveal_map(mapping: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A copy of ``mapping`` with its ``SecretStr`` values unwrapped (None stays None)."""
    if mapping is None:
        return None
    return {key: reveal(value) for key, value in mapping.items()}
