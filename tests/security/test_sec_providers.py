"""Configs are data: a provider string never picks a module to import, and nothing is built before the whole
config (its type, every nested provider, the MCP allowlist) has been checked (issue 10, items 6 and 11)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import accord
from accord.core import load_component
from accord.errors import ComponentError, UntrustedProviderError
from accord.models import ChatCompletionClient


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, input=""
    )


def test_a_provider_naming_a_main_module_imports_nothing_it_names() -> None:
    # the attack: the CLI's __main__ ran on import (it would print typer's usage and exit)
    result = _fresh_python(
        """
        import json, sys
        from accord.core import load_component
        from accord.errors import UntrustedProviderError
        for provider in ("accord.cli.__main__.main", "accord.tools.mcp.__main__.main", "accord._imports.require"):
            try:
                load_component({"provider": provider, "config": {}})
            except UntrustedProviderError as e:
                print("refused:", e)
        mains = ("accord.cli.__main__", "accord.tools.mcp.__main__")
        print("imported:", json.dumps([m for m in mains if m in sys.modules]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("refused:") == 3, result.stdout
    assert "imported: []" in result.stdout, result.stdout  # nothing named by the config was imported
    assert "Usage:" not in result.stdout + result.stderr  # the CLI never ran
    assert "accord.core.register_component" in result.stdout  # the refusal says how to allow a class


def test_every_main_module_is_guarded() -> None:
    for module in ("accord.cli.__main__", "accord.tools.mcp.__main__"):
        result = _fresh_python(f"import {module}; print('imported quietly')")
        assert result.returncode == 0 and result.stdout.strip() == "imported quietly", (module, result)


def _component_classes() -> list[str]:
    """Every component class accord defines, by the path dump_component writes for it."""
    from accord.core import is_component_class

    found: set[str] = set()
    package = Path(accord.__file__).parent
    import importlib

    for file in sorted(package.rglob("*.py")):
        parts = file.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__main__" or "_migrations" in parts:  # alembic scripts run only inside alembic
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name and is_component_class(value):
                if "<locals>" not in value.__qualname__ and hasattr(value, "component_type"):
                    found.add(f"{value.__module__}.{value.__qualname__}")
    return sorted(found)


def test_every_accord_component_resolves_by_its_path_in_a_fresh_process() -> None:
    # the legitimate use next to the refusal: dumped accord paths (private modules included) still load
    names = _component_classes()
    assert len(names) > 40
    result = _fresh_python(
        f"""
        import json
        from accord.core._component_registry import resolve_provider
        bad = []
        for name in {json.dumps(names)}:
            try:
                cls = resolve_provider(name)
                if f"{{cls.__module__}}.{{cls.__qualname__}}" != name:
                    bad.append((name, "resolved to another class"))
            except Exception as e:
                bad.append((name, str(e)))
        print(json.dumps(bad))
        """
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_public_accord_paths_and_autogen_paths_still_load() -> None:
    for provider in (
        "accord.testing.ScriptedChatCompletionClient",
        "autogen_ext.models.replay.ReplayChatCompletionClient",
    ):
        client = load_component(
            {"provider": provider, "config": {"chat_completions": ["hi"]}}
            if "replay" in provider
            else {"provider": provider, "config": {"script": ["hi"]}}
        )
        assert isinstance(client, ChatCompletionClient)


def test_the_expected_type_is_checked_before_anything_is_built(tmp_path: Path) -> None:
    work = tmp_path / "made-by-the-executor"
    executor = {
        "provider": "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor",
        "component_type": "code_executor",
        "config": {"work_dir": str(work)},
    }
    with pytest.raises(ComponentError, match=r"is a LocalCommandLineCodeExecutor, expected ChatCompletionClient"):
        ChatCompletionClient.load_component(executor)
    with pytest.raises(TypeError):  # AutoGen raised TypeError: the accord error derives from it
        ChatCompletionClient.load_component(executor)
    assert not work.exists()  # nothing was built: no work dir created


def test_a_refusal_deep_in_a_team_leaves_nothing_half_made(tmp_path: Path) -> None:
    work = tmp_path / "executor-work"
    team = {
        "provider": "autogen_agentchat.teams.RoundRobinGroupChat",
        "component_type": "team",
        "config": {
            "participants": [
                {
                    "provider": "autogen_agentchat.agents.CodeExecutorAgent",
                    "component_type": "agent",
                    "config": {
                        "name": "runner",
                        "code_executor": {
                            "provider": "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor",
                            "config": {"work_dir": str(work)},
                        },
                    },
                },
                {
                    "provider": "autogen_agentchat.agents.AssistantAgent",
                    "component_type": "agent",
                    "config": {
                        "name": "helper",
                        "model_client": {"provider": "evil_module.Client", "config": {}},
                    },
                },
            ]
        },
    }
    with pytest.raises(UntrustedProviderError, match=r"config\.participants\[1\]\.config\.model_client: .*evil_module"):
        load_component(team)
    assert not work.exists()
    assert "evil_module" not in sys.modules
