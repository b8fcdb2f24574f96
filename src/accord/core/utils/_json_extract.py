from __future__ import annotations

import json
import re
from typing import Any

from ..._errors import UsageError

__all__ = ["extract_json_from_str"]

_FENCE = re.compile(r"```(\w*)\s*\n(.*?)```", re.DOTALL)


def extract_json_from_str(content: str) -> list[dict[str, Any]]:
    """Parse JSON objects from ``content``: every fenced ```json block, or the whole string when there is none.

    A fenced block in another language raises a ``ValueError`` naming it.
    """
    blocks = _FENCE.findall(content)
    if not blocks:
        return [json.loads(content)]
    results: list[dict[str, Any]] = []
    for language, body in blocks:
        if language.strip().lower() not in ("", "json"):
            raise UsageError(f"Expected JSON in a ```json block, found a ```{language} block")
        results.append(json.loads(body))
    return results
