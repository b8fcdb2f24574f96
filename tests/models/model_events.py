"""Reading the model-call log events (``LLMCallEvent``, ``LLMStreamStartEvent``/``EndEvent``) a client emitted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accord.core import EVENT_LOGGER_NAME

__all__ = ["EVENT_LOGGER_NAME", "model_events"]


def model_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The JSON payloads of the LLM* events on AutoGen's event logger, in order."""
    payloads = [json.loads(r.getMessage()) for r in caplog.records if r.name == EVENT_LOGGER_NAME]
    return [p for p in payloads if str(p.get("type", "")).startswith("LLM")]
