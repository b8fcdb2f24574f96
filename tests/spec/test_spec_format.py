"""The declarative spec format in-process: parsing with lines, model references, building, loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.core import load_component
from accord.spec import (
    PROVIDERS,
    NoModelAvailableError,
    SpecError,
    UnknownModelError,
    build_spec,
    parse_spec_text,
    provider_statuses,
    resolve_model,
    spec_json_schema,
)

KEYS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_DEPLOYMENT",
    "ANTHROPIC_API_KEY",
    "OLLAMA_HOST",
    "ACCORD_MODEL",
    "ACCORD_LOCAL_MODEL_PATH",
)


@pytest.fixture(autouse=True)
def no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)


def build(text: str, tmp_path: Path, **kwargs: Any) -> Any:
    return build_spec(parse_spec_text(text, file=str(tmp_path / "spec.yaml"), base_dir=tmp_path), **kwargs)


def script(tmp_path: Path, data: Any, name: str = "script.json") -> str:
    (tmp_path / name).write_text(json.dumps(data))
    return f"scripted:{name}"


def test_lines_are_recorded_for_nested_fields(tmp_path: Path) -> None:
    source = parse_spec_text("a: 1\nagents:\n  - name: x\n    tools:\n      - f\n", file="s.yaml")
    assert source.line_of(("agents", 0, "tools", 0)) == 5
    assert source.line_of(("agents", 0, "missing")) == 3  # the closest ancestor


@pytest.mark.parametrize(
    ("reference", "env", "provider", "config"),
    [
        ("openai:gpt-4.1-mini", {"OPENAI_API_KEY": "k"}, "openai", {"model": "gpt-4.1-mini"}),
        (
            "openai:my-model",
            {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
            "openai",
            {"model": "my-model", "base_url": "http://127.0.0.1:9/v1", "api_key": "not-needed"},
        ),
        ("anthropic:claude-3-5-haiku", {"ANTHROPIC_API_KEY": "k"}, "anthropic", {"model": "claude-3-5-haiku"}),
        (
            "ollama:llama3.2",
            {"OLLAMA_HOST": "http://h:11434"},
            "ollama",
            {"model": "llama3.2", "host": "http://h:11434"},
        ),
        (
            "azure:prod-gpt4o",
            {"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com", "AZURE_OPENAI_API_KEY": "k"},
            "azure",
            {"azure_deployment": "prod-gpt4o", "azure_endpoint": "https://x.openai.azure.com", "api_key": "k"},
        ),
    ],
)
def test_model_references_resolve_to_registry_providers(
    monkeypatch: pytest.MonkeyPatch, reference: str, env: dict[str, str], provider: str, config: dict[str, Any]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    resolved = resolve_model(reference)
    assert resolved.component["provider"] == PROVIDERS[provider]
    assert resolved.component["component_type"] == "model"
    for key, value in config.items():
        assert resolved.component["config"][key] == value


def test_mapping_form_passes_options_and_api_key_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MY_KEY", "secret")
    monkeypatch.setenv("ACCORD_ALLOW_ENV", "MY_KEY")  # a spec reads only variables the user allows (issue 10)
    built = build(
        "agents:\n  - name: a\n    model:\n      provider: openai\n      model: gpt-4o\n      api_key_env: MY_KEY\n"
        "      temperature: 0.2\n      options: {seed: 7}\n",
        tmp_path,
    )
    config = built.component["config"]["model_client"]["config"]
    assert config == {"model": "gpt-4o", "api_key": "secret", "temperature": 0.2, "seed": 7}


def test_named_models_and_the_default_model(tmp_path: Path) -> None:
    ref = script(tmp_path, ["x"])
    built = build(
        f"model: {ref}\nmodels:\n  fast: {ref}\nagents:\n  - name: a\n    model: fast\n  - name: b\n", tmp_path
    )
    assert {m.reference for m in built.models} == {ref}
    assert built.kind == "team"


def test_unknown_provider_lists_providers_and_their_state(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError) as info:
        build("agents:\n  - name: a\n    model: gemini:pro\n", tmp_path)
    error = info.value
    assert error.line == 3 and error.field == "agents[0].model"
    assert "openai (not configured)" in error.problem and "scripted:FILE" in error.problem


def test_missing_credentials_are_reported_unless_validating(tmp_path: Path) -> None:
    text = "agents:\n  - name: a\n    model: anthropic:claude-3-5-haiku\n"
    with pytest.raises(NoModelAvailableError, match="ANTHROPIC_API_KEY is not set"):
        build(text, tmp_path)
    assert build(text, tmp_path, check_credentials=False).models[0].provider == "anthropic"


def test_default_model_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    assert build("agents:\n  - name: a\n", tmp_path).models[0].reference == "anthropic:claude-3-5-haiku"
    monkeypatch.setenv("ACCORD_MODEL", "ollama:qwen2.5")
    assert build("agents:\n  - name: a\n", tmp_path).models[0].reference == "ollama:qwen2.5"


def test_no_model_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACCORD_LOCAL_MODEL_PATH", str(tmp_path / "none.gguf"))
    assert not any(status.configured for status in provider_statuses())
    with pytest.raises(NoModelAvailableError, match="No model is available") as info:
        build("agents:\n  - name: a\n", tmp_path)
    assert info.value.field == "model"


def test_local_model_file_reference(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="local model file"):
        resolve_model("local:missing.gguf", base_dir=tmp_path)
    (tmp_path / "tiny.gguf").write_bytes(b"GGUF")
    resolved = resolve_model("local:tiny.gguf", base_dir=tmp_path)
    assert resolved.component["config"]["model_path"] == str(tmp_path / "tiny.gguf")
    assert resolved.model == "tiny"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"agents": "nope"}, "'agents' must map agent names"),
        ([{"unknown": 1}], "answer 0 must be a string"),
        ({"default": "x"}, "must be a list"),
    ],
)
def test_bad_script_files(tmp_path: Path, data: Any, problem: str) -> None:
    ref = script(tmp_path, data)
    with pytest.raises(SpecError, match=problem):
        build(f"agents:\n  - name: a\n    model: {ref}\n", tmp_path)


def test_script_per_agent_with_tool_calls_loads_and_plays(tmp_path: Path) -> None:
    ref = script(tmp_path, {"agents": {"a": [{"tool_calls": [{"name": "t", "arguments": {"x": 1}}]}]}})
    built = build(f"agents:\n  - name: a\n    model: {ref}\n", tmp_path)
    agent = load_component(built.component)
    assert agent.name == "a"


def test_team_types_build_and_load(tmp_path: Path) -> None:
    ref = script(tmp_path, ["done"])
    agents = f"model: {ref}\nagents:\n  - name: a\n    handoffs: [b]\n  - name: b\n    handoffs: [a]\n"
    for kind, cls in (
        ("round_robin", "RoundRobinGroupChat"),
        ("selector", "SelectorGroupChat"),
        ("swarm", "Swarm"),
        ("graph", "GraphFlow"),
        ("magentic_one", "MagenticOneGroupChat"),
    ):
        built = build(agents + f"team:\n  type: {kind}\n  max_turns: 4\ntermination: TERMINATE\n", tmp_path)
        assert built.component["provider"] == f"autogen_agentchat.teams.{cls}"
        team = load_component(built.component)
        assert type(team).__name__ == cls


def test_termination_forms(tmp_path: Path) -> None:
    ref = script(tmp_path, ["x"])
    built = build(
        f"model: {ref}\nagents:\n  - name: a\n  - name: b\ntermination:\n  text: DONE\n  max_messages: 5\n"
        "  all:\n    - handoff: user\n    - timeout: 9\n",
        tmp_path,
    )
    condition = built.component["config"]["termination_condition"]
    assert condition["provider"] == "autogen_agentchat.base.OrTerminationCondition"
    parts = [c["provider"].rsplit(".", 1)[-1] for c in condition["config"]["conditions"]]
    assert parts == ["TextMentionTermination", "MaxMessageTermination", "AndTerminationCondition"]
    assert type(load_component(condition)).__name__ == "OrTerminationCondition"


def test_graph_edges_and_entry(tmp_path: Path) -> None:
    ref = script(tmp_path, ["x"])
    text = (
        f"model: {ref}\nagents:\n  - name: a\n  - name: b\n  - name: c\nteam:\n  type: graph\n  entry: a\n  edges:\n"
        "    - {source: a, target: b, condition: YES}\n    - {source: a, target: c, condition: NO}\n"
    )
    with pytest.raises(SpecError, match="put the text in quotes"):
        build(text, tmp_path)  # YAML 1.1 reads YES / NO as booleans
    text = text.replace("YES", "'YES'").replace("NO", "'NO'")
    graph = build(text, tmp_path).component["config"]["graph"]
    assert graph["default_start_node"] == "a"
    assert [e["condition"] for e in graph["nodes"]["a"]["edges"]] == ["YES", "NO"]
    with pytest.raises(SpecError) as info:
        build(text.replace("target: c", "target: z"), tmp_path)
    assert info.value.field == "team.edges[1].target" and info.value.line == 11


def test_tools_are_trusted_functions_by_name(tmp_path: Path) -> None:
    from accord.tools import register_function

    def word_count(text: str) -> int:
        """Count the words of a text."""
        return len(text.split())

    register_function(word_count, name="spec_tests.word_count")
    ref = script(tmp_path, ["x"])
    built = build(f"agents:\n  - name: a\n    model: {ref}\n    tools: [spec_tests.word_count]\n", tmp_path)
    agent = load_component(built.component)
    assert agent.name == "a"
    built = build(f"agents:\n  - name: a\n    model: {ref}\n    tools: [not_registered]\n", tmp_path)
    with pytest.raises(ValueError, match="no trusted function 'not_registered' is registered"):
        load_component(built.component)


def test_mcp_servers_become_workbenches(tmp_path: Path) -> None:
    ref = script(tmp_path, ["x"])
    built = build(
        f"mcp_servers:\n  fs:\n    command: npx\n    args: [srv, data]\n    cwd: sub\n  web:\n    url: http://127.0.0.1:9/mcp\n"
        f"agents:\n  - name: a\n    model: {ref}\n    mcp: [fs, web]\n",
        tmp_path,
    )
    stdio, http = built.component["config"]["workbench"]
    assert stdio["config"]["server_params"] == {
        "type": "StdioServerParams",
        "command": "npx",
        "args": ["srv", "data"],
        "cwd": str((tmp_path / "sub").resolve()),
    }
    assert http["config"]["server_params"]["type"] == "StreamableHttpServerParams"
    with pytest.raises(SpecError, match="not used by any agent"):
        build(f"mcp_servers:\n  fs:\n    command: x\nagents:\n  - name: a\n    model: {ref}\n", tmp_path)
    with pytest.raises(SpecError, match="either 'command'"):
        build(f"mcp_servers:\n  fs:\n    url: u\n    command: x\nagents:\n  - name: a\n    model: {ref}\n", tmp_path)


def test_single_agent_rejects_termination(tmp_path: Path) -> None:
    ref = script(tmp_path, ["x"])
    with pytest.raises(SpecError, match="termination needs a team"):
        build(f"agents:\n  - name: a\n    model: {ref}\ntermination: DONE\n", tmp_path)


def test_autogen_component_json_is_used_as_is(tmp_path: Path) -> None:
    from accord.agents import AssistantAgent
    from accord.testing import ScriptedChatCompletionClient

    dumped = AssistantAgent("x", model_client=ScriptedChatCompletionClient(["hi"])).dump_component()
    text = dumped.to_json()
    built = build_spec(parse_spec_text(text, file="agent.json", base_dir=tmp_path))
    assert built.component == json.loads(text) and built.kind == "agent"
    with pytest.raises(SpecError, match="needs an agent or a team"):
        build_spec(parse_spec_text(json.dumps({**json.loads(text), "component_type": "model"}), file="m.json"))


def test_json_schema_describes_the_yaml_form() -> None:
    schema = spec_json_schema()
    agent = schema["$defs"]["AgentSpec"]
    assert agent["additionalProperties"] is False
    assert set(agent["properties"]["type"]["enum"]) == {"assistant", "user_proxy", "code_executor"}
    assert {"type": "string", "description": "provider:model"} in schema["$defs"]["ModelSpec"]["anyOf"]
