"""Hostile structure fails cleanly: alias bombs, recursive aliases, deep nesting and huge numbers get a
``file:line`` error in well under a second, from every parser of data (issue 10, item 10)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from security_support import accord, output

from accord._data import DataLimitError, parse_json_text, parse_yaml_text
from accord.core import load_component
from accord.spec import SpecError, load_spec

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)
HOSTILE = {
    "alias bomb": (BOMB + "agents: [{name: x}]\n", r"expands to more than \d+ nodes"),
    "recursive alias": ("agents: &loop [*loop]\n", "recursive YAML alias"),
    "deep flow nesting": ("agents: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 100 levels"),
    "deep block nesting": ("".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "v\n", "nested more than"),
    "huge number": ("agents:\n  - name: a\n    max_tool_iterations: " + "9" * 5000 + "\n", "a number of 5000"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml_specs_are_refused_quickly_with_a_location(tmp_path: Path, case: str) -> None:
    text, problem = HOSTILE[case]
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    started = time.perf_counter()
    with pytest.raises(SpecError, match=problem) as info:
        load_spec(spec)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"{case}: {elapsed:.2f}s"
    assert info.value.file == str(spec) and info.value.line is not None
    assert str(info.value).startswith(f"{spec}:{info.value.line}: ")


def test_the_alias_bomb_error_names_the_field(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BOMB)
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert info.value.field is not None and info.value.field[0] in "bcdefghi"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested more than 100 levels"),
        ('{"agents": [{"name": "a", "max_tool_iterations": ' + "7" * 5000 + "}]}", "a number of 5000 digits"),
    ],
)
def test_hostile_json_is_refused_quickly_everywhere_json_is_read(tmp_path: Path, text: str, problem: str) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(text)
    started = time.perf_counter()
    with pytest.raises(SpecError, match=problem):
        load_spec(spec)
    with pytest.raises(DataLimitError, match=problem):
        load_component(text)  # component JSON text
    with pytest.raises(DataLimitError, match=problem):
        parse_json_text(text, source="x.json")
    assert time.perf_counter() - started < 1.0


def test_the_command_line_reports_it_without_a_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BOMB)
    started = time.perf_counter()
    result = accord("validate", spec, cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert "Traceback" not in result.stderr and f"{spec}:" in result.stderr and "expands to more than" in result.stderr
    assert time.perf_counter() - started < 30  # the process start dominates; the refusal itself is milliseconds


def test_anchors_and_aliases_that_a_person_writes_still_work(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    (tmp_path / "s.json").write_text('["ok"]')
    spec.write_text(
        "models:\n  fast: &m {provider: scripted, model: s.json}\n"
        "agents:\n  - name: a\n    model: *m\n  - name: b\n    model: *m\n"
    )
    built = load_spec(spec)
    assert built.kind == "team" and len(built.models) == 2
    assert parse_yaml_text("a: &x {k: 1}\nb: *x\n", source="s.yaml") == {"a": {"k": 1}, "b": {"k": 1}}
    assert parse_json_text('{"n": 12345678901234567890}', source="s.json") == {"n": 12345678901234567890}
