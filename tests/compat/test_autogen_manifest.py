"""Every module and name of AutoGen 0.7.5's wheels (the committed manifest) imports through accord.compat.autogen,
or is listed as excluded with a reason. Runs in a fresh interpreter so the import hook never leaks into other tests."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "src" / "accord" / "compat" / "_autogen_manifest.json"

CHECK = """
import importlib, json, sys
import accord.compat.autogen as compat

manifest = json.loads(open(sys.argv[1]).read())
problems = []
served = 0
for module, names in manifest["modules"].items():
    reason = compat.unserved_reason(module)
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        if reason is None:
            problems.append(f"{module}: {type(e).__name__}: {e}")
        elif reason not in str(e):
            problems.append(f"{module}: excluded, but the error does not give the reason: {e}")
        continue
    if reason is not None and module in manifest["excluded"]:
        problems.append(f"{module}: listed as excluded but served; remove it from 'excluded'")
    for name in names:
        why = compat.unserved_reason(module, name)
        try:
            getattr(mod, name)
            served += 1
        except ImportError as e:
            if why is None:
                problems.append(f"{module}.{name}: {e}")
            elif why not in str(e):
                problems.append(f"{module}.{name}: excluded, but the error does not give the reason: {e}")
        except AttributeError as e:
            problems.append(f"{module}.{name}: {e}")
print(json.dumps({"served": served, "problems": problems}))
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, timeout=300
    )


def test_every_autogen_name_is_served_or_excluded_with_a_reason() -> None:
    result = _run(CHECK, str(MANIFEST))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["problems"] == [], "\n".join(report["problems"])
    assert report["served"] >= 1500


def test_the_manifest_is_autogen_0_7_5_and_every_exclusion_has_a_reason() -> None:
    data = json.loads(MANIFEST.read_text())
    assert data["autogen_version"] == "0.7.5"
    modules = data["modules"]
    assert len(modules) == 250
    assert "RoutedAgent" in modules["autogen_core._routed_agent"]
    assert "BaseGroupChatManager" in modules["autogen_agentchat.teams._group_chat._base_group_chat_manager"]
    for key, reason in data["excluded"].items():
        module, _, name = key.partition(":")
        assert module in modules or any(m.startswith(module + ".") for m in modules), key
        assert not name or name in modules[module], key
        assert isinstance(reason, str) and len(reason) > 20, key
