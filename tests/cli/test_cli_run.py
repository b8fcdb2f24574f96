"""`accord run` through the real entry point: scripted models, limits, bad input, AutoGen component JSON."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import EXAMPLES, accord, clean_env, output

TEAM_SPEC = """\
accord: 1
task: Write a slogan for a bakery.
agents:
  - name: writer
  - name: critic
team:
  type: round_robin
termination:
  text: APPROVE
"""


def write_team(tmp_path: Path, script: dict[str, object], spec: str = TEAM_SPEC) -> Path:
    (tmp_path / "spec.yaml").write_text(spec)
    (tmp_path / "script.json").write_text(json.dumps(script))
    return tmp_path / "spec.yaml"


def test_run_example_with_a_scripted_model_streams_and_summarizes() -> None:
    result = accord(
        "run", EXAMPLES / "assistant" / "spec.yaml", "--model", f"scripted:{EXAMPLES / 'assistant' / 'script.json'}"
    )
    assert result.returncode == 0, output(result)
    out = result.stdout
    assert "In two sentences, what is a multi-agent system?" in out  # the spec's default task
    assert "A multi-agent system is a group of programs" in out  # the streamed answer
    assert "tokens gpt-4.1-mini: +" in out  # the live token counter
    for row in ("status", "completed", "stop reason", "messages", "tokens in/out", "cost", "time"):
        assert row in out, out
    assert "$0.0000" in out


def test_team_runs_until_its_termination_fires(tmp_path: Path) -> None:
    spec = write_team(tmp_path, {"agents": {"writer": ["Fresh bread, warm hearts."], "critic": ["APPROVE"]}})
    result = accord("run", spec, "--model", "scripted:script.json", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert "Fresh bread, warm hearts." in result.stdout
    assert "Text 'APPROVE' mentioned" in result.stdout


def test_task_option_overrides_the_spec_task(tmp_path: Path) -> None:
    spec = write_team(tmp_path, {"agents": {"writer": ["ok"], "critic": ["APPROVE"]}})
    result = accord("run", spec, "--model", "scripted:script.json", "--task", "Name a cheese.", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert "Name a cheese." in result.stdout
    assert "Write a slogan" not in result.stdout


def test_max_turns_stops_with_its_reason_and_the_partial_result(tmp_path: Path) -> None:
    script = {"agents": {"writer": ["Draft one.", "Draft two."], "critic": ["Needs work.", "Still no."]}}
    spec = write_team(tmp_path, script)
    result = accord("run", spec, "--model", "scripted:script.json", "--max-turns", "3", cwd=tmp_path)
    assert result.returncode == 3, output(result)
    assert "Maximum number of turns 3 reached." in result.stdout
    assert "partial result" in result.stdout and "Draft two." in result.stdout
    assert "Still no." not in result.stdout


def test_max_turns_of_a_single_agent_counts_model_calls(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("agents:\n  - name: solo\n    max_tool_iterations: 3\ntask: go\n")
    script = {"agents": {"solo": [{"tool_calls": [{"name": "missing", "arguments": {}}]}, "never reached"]}}
    (tmp_path / "script.json").write_text(json.dumps(script))
    result = accord("run", spec, "--model", "scripted:script.json", "--max-turns", "1", cwd=tmp_path)
    assert result.returncode == 3, output(result)
    assert "Maximum number of turns 1 reached." in result.stdout
    assert "never reached" not in result.stdout


def test_budget_is_checked_before_each_model_call(tmp_path: Path) -> None:
    # priced as gpt-4.1 ($2 / $8 per million tokens): the first call costs ~$0.00006, the budget allows one call
    script = {
        "model": "gpt-4.1",
        "agents": {
            "writer": [{"text": "Fresh bread.", "prompt_tokens": 10, "completion_tokens": 5}, "second draft"],
            "critic": [{"text": "More.", "prompt_tokens": 10, "completion_tokens": 5}],
        },
    }
    spec = write_team(tmp_path, script)
    result = accord("run", spec, "--model", "scripted:script.json", "--budget-usd", "0.00007", cwd=tmp_path)
    assert result.returncode == 3, output(result)
    assert "Budget of $0.00007 reached" in result.stdout
    assert "Fresh bread." in result.stdout  # partial result
    assert "second draft" not in result.stdout
    assert "│ cost          │ $0.000060" in result.stdout


def test_budget_from_the_spec_applies_without_the_option(tmp_path: Path) -> None:
    script = {"model": "gpt-4.1", "agents": {"writer": ["one two three"], "critic": ["four"]}}
    spec = write_team(tmp_path, script, TEAM_SPEC + "budget_usd: 0.00001\n")
    result = accord("run", spec, "--model", "scripted:script.json", cwd=tmp_path)
    assert result.returncode == 3, output(result)
    assert "Budget of $0.00001 reached" in result.stdout


def test_unknown_provider_lists_what_is_available() -> None:
    result = accord("run", EXAMPLES / "assistant" / "spec.yaml", "--model", "mistral:large")
    assert result.returncode == 2, output(result)
    err = result.stderr
    assert "unknown model provider 'mistral'" in err
    for name in ("openai", "azure", "anthropic", "ollama", "local", "scripted"):
        assert name in err


def test_unknown_model_lists_known_models() -> None:
    env = clean_env(OPENAI_API_KEY="sk-test")
    result = accord("run", EXAMPLES / "assistant" / "spec.yaml", "--model", "openai:gpt-9", env=env)
    assert result.returncode == 2, output(result)
    assert "unknown openai model 'gpt-9'" in result.stderr
    assert "gpt-4.1-mini" in result.stderr and "gpt-4o" in result.stderr


def test_unknown_model_in_the_spec_names_file_line_and_field(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("task: hi\nagents:\n  - name: a\n    model: anthropic:claude-99\n")
    result = accord("run", spec, env=clean_env(ANTHROPIC_API_KEY="test"))
    assert result.returncode == 2, output(result)
    assert f"{spec}:4: agents[0].model: unknown anthropic model 'claude-99'" in result.stderr
    assert "claude-3-5-haiku" in result.stderr


def test_no_model_at_all_gives_instructions(tmp_path: Path) -> None:
    env = clean_env(ACCORD_LOCAL_MODEL_PATH=str(tmp_path / "missing.gguf"))
    result = accord("run", EXAMPLES / "assistant" / "spec.yaml", env=env)
    assert result.returncode == 2, output(result)
    assert "No model is available" in result.stderr
    assert "OPENAI_API_KEY" in result.stderr and "accord[local]" in result.stderr and "accord models" in result.stderr


def test_provider_without_credentials_says_which_variable(tmp_path: Path) -> None:
    result = accord("run", EXAMPLES / "assistant" / "spec.yaml", "--model", "openai:gpt-4.1-mini")
    assert result.returncode == 2, output(result)
    assert "OPENAI_API_KEY is not set" in result.stderr


def test_no_task_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("agents:\n  - name: a\n")
    result = accord("run", spec, "--model", "scripted:none.json", cwd=tmp_path)
    assert result.returncode == 2
    (tmp_path / "none.json").write_text("[]")
    result = accord("run", spec, "--model", "scripted:none.json", cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert "no task" in result.stderr


def test_a_failing_run_exits_1_with_the_error(tmp_path: Path) -> None:
    spec = write_team(tmp_path, {"agents": {"writer": ["one"], "critic": []}})
    result = accord("run", spec, "--model", "scripted:script.json", cwd=tmp_path)
    assert result.returncode == 1, output(result)
    assert "error" in result.stdout + result.stderr
    assert "one" in result.stdout  # what happened before the failure is still shown


def test_autogen_component_json_runs_as_is(tmp_path: Path) -> None:
    from accord.agents import AssistantAgent
    from accord.testing import ScriptedChatCompletionClient

    agent = AssistantAgent("helper", model_client=ScriptedChatCompletionClient(["Forty-two."]))
    path = tmp_path / "agent.json"
    path.write_text(agent.dump_component().to_json())
    result = accord("run", path, "--task", "The answer?")
    assert result.returncode == 0, output(result)
    assert "Forty-two." in result.stdout
    # and --model replaces the model inside the JSON
    (tmp_path / "s.json").write_text(json.dumps(["Replaced."]))
    result = accord("run", path, "--task", "The answer?", "--model", "scripted:s.json", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert "Replaced." in result.stdout and "Forty-two." not in result.stdout


def test_component_json_with_an_untrusted_provider_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.json"
    path.write_text(json.dumps({"provider": "os.system", "component_type": "agent", "config": {"command": "id"}}))
    result = accord("run", path, "--task", "x")
    assert result.returncode == 2, output(result)
    assert "'os.system' is not a known accord component" in result.stderr


def test_team_json_written_by_autogen_runs_as_is_and_is_metered() -> None:
    # tests/cli/data/autogen_0_7_5_team.json: RoundRobinGroupChat.dump_component() from AutoGen 0.7.5 itself
    # (two AssistantAgents on ReplayChatCompletionClients, TextMention | MaxMessage termination)
    path = Path(__file__).parent / "data" / "autogen_0_7_5_team.json"
    result = accord("validate", path)
    assert result.returncode == 0, output(result)
    result = accord("run", path, "--task", "A slogan for a bakery")
    assert result.returncode == 0, output(result)
    assert "Bread that remembers the oven." in result.stdout
    assert "Text 'APPROVE' mentioned" in result.stdout
    assert "│ model calls   │ 2" in result.stdout  # replay clients (component_type replay_chat_completion_client)
    result = accord("run", path, "--task", "x", "--max-turns", "1")
    assert result.returncode == 3, output(result)
    assert "Maximum number of turns 1 reached." in result.stdout


def test_tools_come_from_a_file_the_user_trusts_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text(
        'def word_count(text: str) -> int:\n    """Count the words of a text."""\n    return len(text.split())\n'
    )
    (tmp_path / "spec.yaml").write_text('task: count "a b c"\nagents:\n  - name: counter\n    tools: [word_count]\n')
    script = [{"tool_calls": [{"name": "word_count", "arguments": {"text": "a b c"}}]}]
    (tmp_path / "s.json").write_text(json.dumps(script))
    refused = accord("run", "spec.yaml", "--model", "scripted:s.json", cwd=tmp_path)
    assert refused.returncode == 2, output(refused)
    assert "no trusted function 'word_count' is registered" in refused.stderr and "--tools" in refused.stderr
    result = accord("run", "spec.yaml", "--model", "scripted:s.json", "--tools", "tools.py", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert "counter calls word_count" in result.stdout and "↳ word_count: 3" in result.stdout
    dumped = accord("validate", "spec.yaml", "--tools", "tools.py", "--dump", cwd=tmp_path)
    assert '"description": "Count the words of a text."' in dumped.stdout
    missing = accord("run", "spec.yaml", "--tools", "nope.py", cwd=tmp_path)
    assert missing.returncode == 2 and "--tools nope.py: file not found" in missing.stderr


def test_save_writes_the_run_as_json_even_when_a_limit_stops_it(tmp_path: Path) -> None:
    script = {"model": "gpt-4.1", "agents": {"writer": ["Draft one.", "Draft two."], "critic": ["No.", "No."]}}
    spec = write_team(tmp_path, script)
    result = accord(
        "run", spec, "--model", "scripted:script.json", "--max-turns", "2", "--save", "run.json", cwd=tmp_path
    )
    assert result.returncode == 3, output(result)
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["status"] == "limit" and record["stop_reason"] == "Maximum number of turns 2 reached."
    assert record["task"] == "Write a slogan for a bakery."
    assert [(m["type"], m["source"]) for m in record["messages"]] == [
        ("TextMessage", "user"),
        ("TextMessage", "writer"),
        ("TextMessage", "critic"),
    ]
    assert [u["label"] for u in record["usage"]] == ["writer", "critic"]
    assert record["model_calls"] == 2 and record["cost_usd"] > 0


def test_selector_team_reads_its_own_model_from_the_team_script(tmp_path: Path) -> None:
    spec = TEAM_SPEC.replace("type: round_robin", "type: selector")
    script = {
        "agents": {"team": ["critic", "writer"], "writer": ["Fresh every morning."], "critic": ["Hm.", "APPROVE"]}
    }
    path = write_team(tmp_path, script, spec)
    result = accord("run", path, "--model", "scripted:script.json", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    out = result.stdout
    assert out.index("── critic") < out.index("── writer")  # the order the selector's model chose
    assert "Text 'APPROVE' mentioned" in out
