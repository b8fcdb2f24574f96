"""accord.compat.autogen: AutoGen programs run unchanged. Each check runs in a fresh interpreter so the
import hook never leaks into other tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)


def test_autogen_core_program_runs_unchanged() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "core_quickstart.py")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Hello, Ada! (from greeter/default)" in result.stdout
    assert "Tally saw 3 announcements" in result.stdout


def test_autogen_names_resolve_to_accord_objects() -> None:
    result = run_python(
        """
        import accord.compat.autogen
        import autogen_core, accord.core
        from autogen_core import AgentId, SingleThreadedAgentRuntime
        from autogen_core.exceptions import CantHandleException
        from autogen_core.memory import ListMemory
        from autogen_core.utils import extract_json_from_str
        import accord.memory
        assert autogen_core is accord.core
        assert AgentId is accord.core.AgentId
        assert ListMemory is accord.memory.ListMemory
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_private_autogen_module_gives_a_clear_error() -> None:
    result = run_python(
        """
        import accord.compat.autogen
        try:
            import autogen_core._single_threaded_agent_runtime
        except ModuleNotFoundError as e:
            print(e)
        """
    )
    assert "accord does not serve the AutoGen module 'autogen_core._single_threaded_agent_runtime'" in result.stdout


def test_served_modules_and_uninstall() -> None:
    result = run_python(
        """
        import sys
        from accord.compat import autogen
        assert "autogen_agentchat.teams" in autogen.served_modules()
        import autogen_core
        autogen.uninstall()
        assert not autogen.is_installed() and "autogen_core" not in sys.modules
        autogen.install()
        import autogen_core
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
