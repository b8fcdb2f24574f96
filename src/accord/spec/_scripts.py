"""Script files of ``scripted:FILE`` models: the answers a test plays back, per agent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .._data import DataLimitError, parse_json_text
from ._errors import SpecError

__all__ = ["load_script"]


def load_script(path: Path, agent: str | None) -> tuple[list[Any], str]:
    """Read a script file for ``scripted:FILE``; returns the answers for ``agent`` and the model name to price.

    The file holds a list of answers (every agent plays the same list) or a mapping
    ``{"model": NAME, "agents": {AGENT: [answers]}, "default": [answers]}`` (``team`` is the agent name of a
    selector's or Magentic-One's own model). An answer is a string (text), or
    ``{"tool_calls": [{"name": ..., "arguments": {...}}]}``, or ``{"text": ..., "prompt_tokens": N,
    "completion_tokens": N}``.
    """
    try:
        data = parse_json_text(path.read_text(encoding="utf-8"), source=str(path))
    except FileNotFoundError as e:
        raise SpecError(f"script file {str(path)!r} not found") from e
    except DataLimitError as e:
        raise SpecError(f"script file {str(path)!r} is not valid JSON: {e}") from e
    except (OSError, ValueError) as e:
        raise SpecError(f"script file {str(path)!r} is not valid JSON: {e}") from e
    model_name = "scripted"
    if isinstance(data, dict):
        model_name = str(data.get("model") or model_name)
        agents = data.get("agents") or {}
        if not isinstance(agents, dict):
            raise SpecError(f"script file {str(path)!r}: 'agents' must map agent names to lists of answers")
        answers = agents.get(agent) if agent is not None else None
        if answers is None:
            answers = data.get("default", [])
    else:
        answers = data
    if not isinstance(answers, list):
        raise SpecError(f"script file {str(path)!r}: answers for {agent or 'default'!r} must be a list")
    return [_script_item(item, path, i) for i, item in enumerate(answers)], model_name


def _script_item(item: Any, path: Path, index: int) -> Any:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and "tool_calls" in item:
        calls = []
        for n, call in enumerate(item["tool_calls"]):
            arguments = call.get("arguments", {})
            calls.append(
                {
                    "id": call.get("id", f"call_{index}_{n}"),
                    "name": call["name"],
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                }
            )
        usage = {"prompt_tokens": item.get("prompt_tokens", 10), "completion_tokens": item.get("completion_tokens", 5)}
        return {"finish_reason": "function_calls", "content": calls, "usage": usage, "cached": False}
    if isinstance(item, dict) and "text" in item:
        usage = {"prompt_tokens": item.get("prompt_tokens", 10), "completion_tokens": item.get("completion_tokens", 5)}
        return {"finish_reason": "stop", "content": str(item["text"]), "usage": usage, "cached": False}
    raise SpecError(
        f"script file {str(path)!r}: answer {index} must be a string, {{'text': ...}} or {{'tool_calls': [...]}}, "
        f"got {item!r}"
    )
