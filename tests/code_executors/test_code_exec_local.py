"""The sandboxed local executor: what a user sees on success, failure and abuse.

Every abuse test runs with the default executor and then checks that the same executor still works.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from accord.code_executors import (
    ApprovalRequest,
    ApprovalResponse,
    CodeBlock,
    CodeExecutor,
    SandboxUnavailableError,
    WorkDirError,
    allow_work_roots,
    with_requirements,
)
from accord.code_executors.local import UNSANDBOXED_CONFIG_ENV, LocalCommandLineCodeExecutor
from accord.core import CancellationToken, load_component
from accord.errors import ComponentError, UsageError


@pytest.fixture
async def executor(tmp_path: Path) -> AsyncIterator[LocalCommandLineCodeExecutor]:
    ex = LocalCommandLineCodeExecutor(timeout=5, work_dir=tmp_path / "work")
    async with ex:
        yield ex


async def run(ex: CodeExecutor, code: str, language: str = "python") -> tuple[int, str]:
    result = await ex.execute_code_blocks([CodeBlock(code=code, language=language)], CancellationToken())
    return result.exit_code, result.output


async def still_works(ex: CodeExecutor) -> None:
    assert await run(ex, "print(6 * 7)") == (0, "42\n")


def require_protection(ex: LocalCommandLineCodeExecutor, name: str) -> None:
    """With bubblewrap installed every protection must be active; without it, skip and say why."""
    p = ex.protections
    if shutil.which("bwrap") is not None:
        assert name in p, p.describe()
    elif name not in p:
        pytest.skip(f"bubblewrap is not installed and {name} is inactive: {p.inactive[name]}")


def _processes_matching(marker: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmdline = Path(entry.path, "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry.name))
    return found


async def test_runs_python_and_shell(executor: LocalCommandLineCodeExecutor) -> None:
    result = await executor.execute_code_blocks(
        [CodeBlock("print('hello')", "python"), CodeBlock("echo shell", "bash"), CodeBlock("echo sh", "sh")],
        CancellationToken(),
    )
    assert result.exit_code == 0
    assert result.output == "hello\nshell\nsh\n"
    assert result.code_file is not None and result.code_file.endswith(".py")
    assert not Path(result.code_file).exists()  # temporary files are cleaned up


async def test_reports_protections(executor: LocalCommandLineCodeExecutor) -> None:
    p = executor.protections
    for name in ("work_dir", "scrubbed_env", "wall_timeout", "cpu_limit", "memory_limit", "output_limit"):
        assert name in p
    assert set(p.active).isdisjoint(p.inactive)
    assert "sandbox mechanism" in p.describe()


async def test_infinite_loop_is_killed_at_timeout(tmp_path: Path) -> None:
    async with LocalCommandLineCodeExecutor(timeout=1, work_dir=tmp_path) as ex:
        code, out = await run(ex, "while True:\n    pass")
        assert code == 124
        assert out.endswith("\nTimeout")
        await still_works(ex)


async def test_killed_run_leaves_no_stray_processes(tmp_path: Path) -> None:
    marker = f"{uuid.uuid4().int % 10**6}.5"
    script = (
        f"import subprocess\nsubprocess.Popen(['sleep', '{marker}'])\n"
        f"subprocess.Popen(['sh', '-c', 'sleep {marker}'])\nwhile True:\n    pass"
    )
    async with LocalCommandLineCodeExecutor(timeout=1, work_dir=tmp_path) as ex:
        code, _ = await run(ex, script)
        assert code == 124
        assert _processes_matching(marker) == []
        await still_works(ex)


async def test_background_process_does_not_outlive_a_successful_run(executor: LocalCommandLineCodeExecutor) -> None:
    marker = f"{uuid.uuid4().int % 10**6}.25"
    code, _ = await run(executor, f"nohup sleep {marker} >/dev/null 2>&1 &\necho started", "bash")
    assert code == 0
    if executor.protections.active & {"pid_namespace", "separate_user"}:
        assert _processes_matching(marker) == []
    await still_works(executor)


async def test_fork_bomb_is_contained(executor: LocalCommandLineCodeExecutor) -> None:
    require_protection(executor, "process_limit")
    code, out = await run(executor, ":(){ :|:& };:\nsleep 1\necho survived", "bash")
    assert "Resource temporarily unavailable" in out or code != 0
    await still_works(executor)


async def test_memory_hog_is_stopped(executor: LocalCommandLineCodeExecutor) -> None:
    code, out = await run(executor, "blocks = [bytearray(512 * 1024 * 1024) for _ in range(64)]\nprint('allocated')")
    assert code != 0
    assert "MemoryError" in out or "Killed" in out or "signal" in out
    assert "allocated" not in out
    await still_works(executor)


async def test_secret_environment_is_not_visible(executor: LocalCommandLineCodeExecutor) -> None:
    os.environ["ACCORD_TEST_API_KEY"] = "sk-very-secret"
    try:
        code, out = await run(
            executor, "import os\nprint(sorted(os.environ))\nprint(os.environ.get('ACCORD_TEST_API_KEY'))"
        )
    finally:
        del os.environ["ACCORD_TEST_API_KEY"]
    assert code == 0
    assert "sk-very-secret" not in out
    assert "ACCORD_TEST_API_KEY" not in out
    await still_works(executor)


async def test_explicit_env_is_passed(tmp_path: Path) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path, env={"GREETING": "hi"}) as ex:
        assert await run(ex, "import os; print(os.environ['GREETING'])") == (0, "hi\n")


async def test_writing_outside_work_dir_fails(executor: LocalCommandLineCodeExecutor, tmp_path: Path) -> None:
    require_protection(executor, "read_only_host")
    outside = tmp_path / "outside.txt"
    code, out = await run(executor, f"open({str(outside)!r}, 'w').write('x')")
    assert code != 0
    assert not outside.exists()
    code, out = await run(executor, "open('inside.txt', 'w').write('ok')\nprint(open('inside.txt').read())")
    assert (code, out) == (0, "ok\n")
    assert (executor.work_dir / "inside.txt").read_text() == "ok"


@pytest.fixture
def local_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections (so only isolation can make a connect fail)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


async def test_network_is_off_by_default(executor: LocalCommandLineCodeExecutor, local_server: int) -> None:
    require_protection(executor, "no_network")
    probe = f"import socket\nsocket.create_connection(('127.0.0.1', {local_server}), timeout=3)\nprint('connected')"
    # The server really accepts connections from this process:
    socket.create_connection(("127.0.0.1", local_server), timeout=3).close()
    code, out = await run(executor, probe)
    assert code != 0
    assert "connected" not in out
    await still_works(executor)


async def test_network_can_be_allowed(tmp_path: Path, local_server: int) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path, allow_network=True) as ex:
        code, out = await run(
            ex, f"import socket\nsocket.create_connection(('127.0.0.1', {local_server}))\nprint('ok')"
        )
        assert (code, out) == (0, "ok\n")
        assert "no_network" in ex.protections.inactive


async def test_output_flood_is_truncated(tmp_path: Path) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path, max_output_chars=1000) as ex:
        code, out = await run(ex, "import sys\nfor _ in range(2000):\n    sys.stdout.write('x' * 1000)")
        assert code == 0
        assert len(out) < 1200
        assert "output truncated" in out
        await still_works(ex)


async def test_unsupported_language_runs_nothing(executor: LocalCommandLineCodeExecutor) -> None:
    result = await executor.execute_code_blocks(
        [CodeBlock("open('ran.txt', 'w')", "python"), CodeBlock("puts 1", "ruby")], CancellationToken()
    )
    assert result.exit_code == 1
    assert "unknown language ruby" in result.output
    assert not (executor.work_dir / "ran.txt").exists()


async def test_invalid_code_reports_interpreter_error(executor: LocalCommandLineCodeExecutor) -> None:
    code, out = await run(executor, "def broken(:\n    pass")
    assert code == 1
    assert "SyntaxError" in out
    code, out = await run(executor, "if then fi", "bash")
    assert code != 0 and "syntax error" in out


async def test_stops_at_first_failing_block(executor: LocalCommandLineCodeExecutor) -> None:
    result = await executor.execute_code_blocks(
        [CodeBlock("raise SystemExit(3)", "python"), CodeBlock("print('second')", "python")], CancellationToken()
    )
    assert result.exit_code == 3
    assert "second" not in result.output


async def test_cancellation(executor: LocalCommandLineCodeExecutor) -> None:
    token = CancellationToken()
    task = asyncio.create_task(
        executor.execute_code_blocks([CodeBlock("import time\ntime.sleep(30)", "python")], token)
    )
    await asyncio.sleep(0.3)
    token.cancel()
    result = await task
    assert result.exit_code == 125
    assert result.output.endswith("\nCancelled")
    await still_works(executor)


async def test_filename_comment(executor: LocalCommandLineCodeExecutor) -> None:
    result = await executor.execute_code_blocks(
        [CodeBlock("# filename: ../escape.py\nprint(1)", "python")], CancellationToken()
    )
    assert (result.exit_code, result.output) == (1, "Filename is not in the workspace")


def test_missing_work_dir_is_an_error_at_construction(tmp_path: Path) -> None:
    with pytest.raises(WorkDirError, match="does not exist"):
        LocalCommandLineCodeExecutor(work_dir=tmp_path / "no" / "such" / "dir")
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkDirError, match="not a directory"):
        LocalCommandLineCodeExecutor(work_dir=tmp_path / "file")


def test_unwritable_work_dir_is_an_error_at_construction(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root may write into any ordinary directory; /proc/1 is a directory nobody can write into.
        ro = Path("/proc/1")
        if os.access(ro, os.W_OK):
            pytest.skip("no directory here is unwritable for root")
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
    with pytest.raises(WorkDirError, match="not writable"):
        LocalCommandLineCodeExecutor(work_dir=ro)


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="Timeout"):
        LocalCommandLineCodeExecutor(timeout=0)
    with pytest.raises(UsageError, match="identifier"):
        LocalCommandLineCodeExecutor(functions_module="not-valid")
    with pytest.raises(UsageError, match="sandbox"):
        LocalCommandLineCodeExecutor(sandbox="weak")  # type: ignore[arg-type]


async def test_sandbox_none_warns_and_runs_unconfined(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="without any isolation"):
        ex = LocalCommandLineCodeExecutor(work_dir=tmp_path, sandbox="none")
    assert ex.protections.mechanism == "none"
    assert "scrubbed_env" in ex.protections.inactive
    assert await run(ex, "print('ok')") == (0, "ok\n")


def test_config_round_trip_keeps_the_sandbox(tmp_path: Path) -> None:
    ex = LocalCommandLineCodeExecutor(timeout=7, work_dir=tmp_path, max_memory_mb=512)
    model = ex.dump_component()
    assert model.provider == "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor"
    assert model.component_type == "code_executor"
    with pytest.raises(ComponentError, match="work_dir"):  # a loaded config names a folder: only inside a work root
        load_component(model, expected=LocalCommandLineCodeExecutor)
    with allow_work_roots(tmp_path):
        loaded = load_component(model, expected=LocalCommandLineCodeExecutor)
    assert loaded.timeout == 7 and loaded.work_dir == tmp_path and loaded.sandbox == "auto"


def test_autogen_config_loads_sandboxed(tmp_path: Path) -> None:
    autogen_json = {
        "provider": "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor",
        "component_type": "code_executor",
        "config": {"timeout": 30, "work_dir": str(tmp_path), "functions_module": "functions"},
    }
    with allow_work_roots(tmp_path):
        loaded = load_component(autogen_json, expected=CodeExecutor)
    assert isinstance(loaded, LocalCommandLineCodeExecutor)
    assert loaded.sandbox == "auto"


def test_config_cannot_switch_the_sandbox_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = {
        "provider": "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor",
        "config": {"work_dir": str(tmp_path), "sandbox": "none"},
    }
    monkeypatch.delenv(UNSANDBOXED_CONFIG_ENV, raising=False)
    with pytest.raises(ComponentError, match="cannot turn the sandbox off"):
        load_component(config)
    monkeypatch.setenv(UNSANDBOXED_CONFIG_ENV, "1")
    with pytest.warns(UserWarning, match="without any isolation"), allow_work_roots(tmp_path):
        assert load_component(config).sandbox == "none"


async def test_approval_refused_runs_nothing(tmp_path: Path) -> None:
    seen: list[ApprovalRequest] = []

    def deny(request: ApprovalRequest) -> ApprovalResponse:
        seen.append(request)
        return ApprovalResponse(approved=False, reason="no file writes")

    async with LocalCommandLineCodeExecutor(work_dir=tmp_path, approval_func=deny) as ex:
        code, out = await run(ex, "open('ran.txt', 'w')")
    assert (code, out) == (1, "Code execution was not approved. Reason: no file writes")
    assert "open('ran.txt', 'w')" in seen[0].code
    assert not (tmp_path / "ran.txt").exists()


async def test_async_approval_allows(tmp_path: Path) -> None:
    async def allow(request: ApprovalRequest) -> ApprovalResponse:
        return ApprovalResponse(approved=True, reason="fine")

    async with LocalCommandLineCodeExecutor(work_dir=tmp_path, approval_func=allow) as ex:
        assert await run(ex, "print('approved')") == (0, "approved\n")


@with_requirements(python_packages=[], global_imports=["math"])
def circle_area(radius: float) -> float:
    """Area of a circle."""
    return math.pi * radius * radius  # type: ignore[name-defined]  # noqa: F821 - imported in the functions module


async def test_functions_are_importable(tmp_path: Path) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path, functions=[circle_area]) as ex:
        assert "def circle_area(radius" in ex.format_functions_for_prompt()
        code, out = await run(ex, "from functions import circle_area\nprint(round(circle_area(1.0), 2))")
        assert (code, out) == (0, "3.14\n")


async def test_temp_work_dir_is_removed_on_stop() -> None:
    ex = LocalCommandLineCodeExecutor()
    await ex.start()
    work_dir = ex.work_dir
    assert work_dir.is_dir()
    assert await run(ex, "print(1)") == (0, "1\n")
    await ex.stop()
    assert not work_dir.exists()


async def test_virtual_env(tmp_path: Path) -> None:
    import venv

    env_dir = tmp_path / "venv"
    builder = venv.EnvBuilder(with_pip=False, symlinks=True)
    builder.create(env_dir)
    context = builder.ensure_directories(env_dir)
    work = tmp_path / "work"
    async with LocalCommandLineCodeExecutor(work_dir=work, virtual_env_context=context) as ex:
        require_protection(ex, "read_only_host")
        code, out = await run(ex, "import sys\nprint(sys.prefix)")
        assert code == 0, out
        assert out.strip() == str(env_dir)
    assert sys.prefix != str(env_dir)


@pytest.mark.parametrize("mode", ["bwrap", "unshare"])
async def test_explicit_sandbox_modes(tmp_path: Path, local_server: int, mode: str) -> None:
    try:
        ex = LocalCommandLineCodeExecutor(work_dir=tmp_path, sandbox=mode, timeout=5)  # type: ignore[arg-type]
    except SandboxUnavailableError as e:
        if mode == "bwrap" and shutil.which("bwrap") is not None:
            raise
        pytest.skip(f"sandbox={mode!r} cannot work on this machine: {e}")
    p = ex.protections
    assert p.mechanism == mode
    assert "no_network" in p
    assert set(p.active).isdisjoint(p.inactive)
    code, _out = await run(ex, f"import socket\nsocket.create_connection(('127.0.0.1', {local_server}), timeout=3)")
    assert code != 0
    await still_works(ex)


@pytest.fixture
def without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pretend bubblewrap is not installed (the sandbox probe is cached, so the cache is reset around the test)."""
    from accord.code_executors import _sandbox

    real_which = _sandbox.shutil.which
    monkeypatch.setattr(_sandbox.shutil, "which", lambda name: None if name == "bwrap" else real_which(name))
    _sandbox.detect.cache_clear()
    yield
    _sandbox.detect.cache_clear()


async def test_without_bubblewrap_falls_back_and_says_why(
    tmp_path: Path, local_server: int, without_bubblewrap: None
) -> None:
    ex = LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=5)
    p = ex.protections
    assert p.mechanism in ("unshare", "none")
    assert "bubblewrap (bwrap) is not installed" in p.inactive["read_only_host"]
    assert "scrubbed_env" in p and "memory_limit" in p
    if "no_network" in p:
        code, _ = await run(ex, f"import socket\nsocket.create_connection(('127.0.0.1', {local_server}), timeout=3)")
        assert code != 0
    code, out = await run(ex, "import os\nprint([k for k in os.environ if 'KEY' in k])")
    assert (code, out) == (0, "[]\n")
    with pytest.raises(SandboxUnavailableError, match="bubblewrap"):
        LocalCommandLineCodeExecutor(work_dir=tmp_path, sandbox="bwrap")


async def test_filename_in_a_new_subdirectory_is_writable(executor: LocalCommandLineCodeExecutor) -> None:
    code = "# filename: pkg/tool.py\nopen('pkg/out.txt', 'w').write('ok')\nprint(open('pkg/out.txt').read())"
    result = await executor.execute_code_blocks([CodeBlock(code, "python")], CancellationToken())
    assert (result.exit_code, result.output) == (0, "ok\n")
    assert result.code_file is not None and result.code_file.endswith("pkg/tool.py")
