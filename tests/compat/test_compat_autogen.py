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


def test_private_autogen_modules_are_served_with_accord_objects() -> None:
    result = run_python(
        """
        import accord.compat.autogen
        import accord.core, accord.teams
        import autogen_core._single_threaded_agent_runtime as rt
        from autogen_core._routed_agent import RoutedAgent, message_handler
        from autogen_agentchat.teams._group_chat._base_group_chat_manager import BaseGroupChatManager
        from autogen_agentchat.teams._group_chat._events import GroupChatStart
        assert rt.SingleThreadedAgentRuntime is accord.core.SingleThreadedAgentRuntime
        assert RoutedAgent is accord.core.RoutedAgent
        assert BaseGroupChatManager.__module__ == "accord.teams._manager"
        assert GroupChatStart.__module__ == "accord.teams._events"
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_patching_an_autogen_path_reaches_the_accord_module() -> None:
    result = run_python(
        """
        from unittest import mock
        import accord.compat.autogen
        import accord.teams._manager as accord_manager
        import autogen_agentchat.teams._group_chat._base_group_chat_manager as ag_manager
        original = accord_manager.BaseGroupChatManager
        with mock.patch("autogen_agentchat.teams._group_chat._base_group_chat_manager.BaseGroupChatManager") as fake:
            assert ag_manager.BaseGroupChatManager is fake
            assert accord_manager.BaseGroupChatManager is fake
        assert accord_manager.BaseGroupChatManager is original
        assert ag_manager.BaseGroupChatManager is original
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_path_autogen_never_had_is_module_not_found_naming_it() -> None:
    result = run_python(
        """
        import accord.compat.autogen
        try:
            import autogen_core._no_such_module
        except ModuleNotFoundError as e:
            print(e.name, "|", e)
        """
    )
    assert result.stdout.startswith("autogen_core._no_such_module |"), result.stderr
    assert "AutoGen 0.7.5 has no such module" in result.stdout


def test_unserved_modules_and_names_say_why_and_what_to_use() -> None:
    result = run_python(
        """
        import accord.compat.autogen
        from accord.compat.autogen import UnservedAutogenNameError
        try:
            import autogen_ext.memory.chromadb
        except ImportError as e:
            assert isinstance(e, UnservedAutogenNameError)
            print(e)
        try:
            from autogen_core.code_executor._func_with_reqs import _StringLoader
        except ImportError as e:
            assert isinstance(e, UnservedAutogenNameError)
            print(e)
        try:
            from autogen_agentchat.messages import Image
        except ImportError as e:
            print(e)
        """
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stderr
    assert "autogen_ext.memory" in lines[0] and "issue 18" in lines[0]
    assert "never executes code that comes from data" in lines[1] and "with_requirements" in lines[1]
    assert "import it from autogen_core" in lines[2]


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
