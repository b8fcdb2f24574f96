"""`accord validate`, `accord models`, `accord new` and `accord schema` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import EXAMPLES, accord, clean_env, output

EXAMPLE_SPECS = sorted(EXAMPLES.glob("*/spec.yaml"))


@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=[p.parent.name for p in EXAMPLE_SPECS])
def test_every_example_validates(spec: Path) -> None:
    result = accord("validate", spec)
    assert result.returncode == 0, output(result)
    assert "is valid" in result.stdout


def test_validate_needs_no_credentials() -> None:
    env = clean_env(ACCORD_LOCAL_MODEL_PATH="/nonexistent.gguf")
    result = accord("validate", EXAMPLES / "assistant" / "spec.yaml", "--model", "openai:gpt-4.1-mini", env=env)
    assert result.returncode == 0, output(result)
    assert "openai:gpt-4.1-mini" in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agents:\n  - name: a\n    modle: local\n", ":3: agents[0].modle: unknown field 'modle'"),
        ("agents:\n  - name: a\n  - name: 2b\n", ":3: agents[1].name: String should match pattern"),
        ("agents:\n  - name: a\n    max_tool_iterations: 0\n", ":3: agents[0].max_tool_iterations:"),
        ("agents: []\n", ":1: agents: List should have at least 1 item"),
        ("name: x\n", "agents: Field required"),
        ("agents:\n  - name: a\n    mcp: [files]\n", ":3: agents[0].mcp[0]: unknown MCP server 'files'"),
        (
            "agents:\n  - name: a\n  - name: b\nteam:\n  participants: [a, c]\n",
            ":5: team.participants[1]: unknown agent 'c'",
        ),
        ("agents:\n  - name: a\n    type: robot\n", ":3: agents[0].type: Input should be 'assistant'"),
        ("agents:\n  - name: a\n  - name: a\n", ":3: agents[1].name: duplicate agent name 'a'"),
        ("agents:\n  - name: a\n    model: nope:x\n", ":3: agents[0].model: unknown model provider 'nope'"),
        ("agents:\n  - name: a\n    tools: [\n", ":4: invalid YAML"),
        ("- just\n- a list\n", ":1: a spec must be a mapping"),
        (
            "models:\n  fast: local\nagents:\n  - name: a\n    model: fats\n",
            ":5: agents[0].model: 'fats' is neither a provider nor a name from 'models' (fast)",
        ),
    ],
)
def test_invalid_specs_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    result = accord("validate", spec)
    assert result.returncode == 2, output(result)
    assert f"{spec}{expected}" in result.stderr or expected in result.stderr, output(result)
    assert str(spec) in result.stderr


def test_invalid_json_spec_names_the_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text('{\n  "provider": "autogen_agentchat.agents.AssistantAgent",\n  "config": {,}\n}\n')
    result = accord("validate", spec)
    assert result.returncode == 2, output(result)
    assert f"{spec}:3: invalid JSON" in result.stderr


def test_validate_checks_component_providers_of_autogen_json(tmp_path: Path) -> None:
    spec = tmp_path / "team.json"
    agent = {"provider": "my_package.agents.Spy", "component_type": "agent", "config": {"name": "x"}}
    team = {"provider": "autogen_agentchat.teams.RoundRobinGroupChat", "component_type": "team"}
    spec.write_text(json.dumps({**team, "config": {"participants": [agent]}}))
    result = accord("validate", spec)
    assert result.returncode == 2, output(result)
    assert "config.participants[0]" in result.stderr and "my_package.agents.Spy" in result.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = accord("validate", tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "nope.yaml: file not found" in result.stderr


def test_validate_dump_prints_autogen_component_json() -> None:
    result = accord("validate", EXAMPLES / "assistant" / "spec.yaml", "--dump", "--model", "scripted:x.json")
    # the script file does not exist: a clear error, not a traceback
    assert result.returncode == 2 and "x.json" in result.stderr, output(result)
    script = EXAMPLES / "assistant" / "script.json"
    result = accord("validate", EXAMPLES / "assistant" / "spec.yaml", "--dump", "--model", f"scripted:{script}")
    assert result.returncode == 0, output(result)
    dumped = json.loads(result.stdout)
    assert dumped["provider"] == "autogen_agentchat.agents.AssistantAgent"
    assert dumped["config"]["model_client"]["provider"] == "accord.testing.ScriptedChatCompletionClient"


def test_models_with_no_provider_configured_gives_instructions(tmp_path: Path) -> None:
    env = clean_env(ACCORD_LOCAL_MODEL_PATH=str(tmp_path / "missing.gguf"))
    result = accord("models", env=env)
    assert result.returncode == 1, output(result)
    out = result.stdout
    for name in ("openai", "azure", "anthropic", "ollama", "local"):
        assert name in out
    assert "No model is available" in out
    assert "OPENAI_API_KEY" in out and "OLLAMA_HOST" in out and "accord[local]" in out


def test_models_lists_configured_providers_and_checks_them(tmp_path: Path) -> None:
    # OLLAMA_HOST points at a closed port: configured, and the live check reports it unreachable
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env(
        ACCORD_LOCAL_MODEL_PATH=str(tmp_path / "missing.gguf"),
        OLLAMA_HOST=f"http://127.0.0.1:{port}",
        OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1",
    )
    result = accord("models", env=env)
    assert result.returncode == 0, output(result)
    assert "unreachable" in result.stdout
    assert f"OLLAMA_HOST=http://127.0.0.1:{port}" in result.stdout
    assert "Specs without a model use: ollama:llama3.2" in result.stdout
    result = accord("models", "--no-check", env=env)
    assert result.returncode == 0 and "unreachable" not in result.stdout


def test_new_scaffolds_a_project_whose_test_passes(tmp_path: Path) -> None:
    result = accord("new", "my-team", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    project = tmp_path / "my-team"
    for name in ("spec.yaml", "script.json", "README.md", "tests/test_spec.py"):
        assert (project / name).is_file(), name
    again = accord("new", "my-team", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


def test_schema_command_prints_the_editor_schema_shipped_with_the_examples() -> None:
    result = accord("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "accord spec"
    assert "agents" in schema["properties"]
    shipped = json.loads((EXAMPLES / "accord-spec.schema.json").read_text())
    assert shipped == schema, (
        "examples/accord-spec.schema.json is stale: accord schema > examples/accord-spec.schema.json"
    )


def test_the_readme_spec_example_is_valid(tmp_path: Path) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "input.csv").write_text("a,b\n1,2\n")
    (tmp_path / "spec.yaml").write_text(block)
    result = accord("validate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert "team RoundRobinGroupChat of 3 agents (analyst, reviewer, runner)" in result.stdout
