"""Configs dumped by AutoGen 0.7.5 itself (models_autogen_configs.json) load in accord and dump back the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.core import ComponentModel, load_component

CONFIGS: dict[str, dict[str, Any]] = json.loads((Path(__file__).parent / "models_autogen_configs.json").read_text())


def _without_prose(value: Any) -> Any:
    """Nested component models minus description/label (accord words its own docstrings)."""
    if isinstance(value, dict):
        prose = {"description", "label"} if "provider" in value else set()
        return {k: _without_prose(v) for k, v in value.items() if k not in prose}
    if isinstance(value, list):
        return [_without_prose(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_autogen_config_round_trip(name: str) -> None:
    original = CONFIGS[name]
    component = load_component(original)
    dumped = json.loads(component.dump_component().to_json())
    assert dumped["provider"] == original["provider"]
    assert dumped["component_type"] == original["component_type"]
    assert _without_prose(dumped["config"]) == _without_prose(original["config"])
    # and the accord dump loads again
    assert type(load_component(ComponentModel.model_validate(dumped))) is type(component)
