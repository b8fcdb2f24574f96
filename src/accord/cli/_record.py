"""``accord run --save FILE``: the run as JSON (summary, every message, every model call's usage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._runner import RunOutcome

__all__ = ["run_record", "write_run_record"]


def _message(message: Any) -> dict[str, Any]:
    dump = getattr(message, "model_dump", None)
    if callable(dump):
        try:
            data = dump(mode="json")
        except Exception:
            data = {"content": str(getattr(message, "content", message))}
    else:
        data = {"content": str(message)}
    if isinstance(data, dict):
        data.setdefault("type", type(message).__name__)
        return data
    return {"type": type(message).__name__, "content": data}


def run_record(outcome: RunOutcome, *, task: str, spec_name: str | None) -> dict[str, Any]:
    return {
        "spec": spec_name,
        "task": task,
        "status": outcome.status,
        "stop_reason": outcome.stop_reason,
        "elapsed_s": round(outcome.elapsed_s, 6),
        "model_calls": outcome.model_calls,
        "prompt_tokens": outcome.prompt_tokens,
        "completion_tokens": outcome.completion_tokens,
        "cost_usd": outcome.cost_usd,
        "messages": [_message(m) for m in outcome.messages],
        "usage": outcome.usage,
    }


def write_run_record(path: Path, outcome: RunOutcome, *, task: str, spec_name: str | None) -> None:
    path.write_text(json.dumps(run_record(outcome, task=task, spec_name=spec_name), indent=2, default=str) + "\n")
