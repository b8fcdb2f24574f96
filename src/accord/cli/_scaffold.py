"""``accord new NAME``: a project folder with a spec, a scripted model for tests, a test and a README."""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["scaffold"]

SPEC = """\
# yaml-language-server: $schema=accord-spec.schema.json
# {name}: an assistant writes, a critic reviews; the team stops when the critic says APPROVE.
# Run it:   accord run spec.yaml              (the embedded local model, or your configured provider)
#           accord run spec.yaml --model openai:gpt-4.1-mini
accord: 1
name: {name}
task: Write a two-line poem about the sea.

agents:
  - name: writer
    system_message: You write short, clear texts. Improve them when the critic asks.
  - name: critic
    system_message: >-
      You review the writer's text. If it is good, answer APPROVE. Otherwise say what to change.

team:
  type: round_robin
  max_turns: 6

termination:
  text: APPROVE
"""

SCRIPT = """\
{
  "model": "scripted",
  "agents": {
    "writer": ["Waves fold the light into the shore,\\nand the sea keeps asking for more."],
    "critic": ["Clear and musical. APPROVE"]
  }
}
"""

TEST = '''\
"""Runs the spec through the real `accord` command with a scripted model (no network, no model download)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord.cli", *args], capture_output=True, text=True, timeout=120, cwd=HERE
    )


def test_spec_is_valid() -> None:
    result = accord("validate", "spec.yaml")
    assert result.returncode == 0, result.stderr


def test_team_runs_until_the_critic_approves() -> None:
    result = accord("run", "spec.yaml", "--model", "scripted:script.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "APPROVE" in result.stdout
    assert "Text 'APPROVE' mentioned" in result.stdout
'''

README = """\
# {name}

An accord team: `writer` drafts, `critic` reviews, and the run stops when the critic answers APPROVE.

```bash
accord validate spec.yaml
accord run spec.yaml                         # default model (see `accord models`)
accord run spec.yaml --task "Write a haiku about rain" --max-turns 4
pytest tests                                 # runs the spec with the scripted model in script.json
```
"""


def scaffold(folder: Path) -> list[Path]:
    """Create the project; refuses to touch an existing non-empty folder."""
    name = folder.name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ValueError(f"project name {name!r}: use letters, digits, '-', '_' or '.'")
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} already exists and is not empty; pick another name")
    from ..spec import spec_json_schema

    files = {
        folder / "spec.yaml": SPEC.format(name=name),
        folder / "accord-spec.schema.json": json.dumps(spec_json_schema(), indent=2) + "\n",
        folder / "script.json": SCRIPT,
        folder / "tests" / "test_spec.py": TEST,
        folder / "README.md": README.format(name=name),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
