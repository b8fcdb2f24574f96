"""The sandbox works wherever the interpreter and the work dir live: under /tmp, /root, /home, a closed dir.

Regression: a clone under /tmp with its virtualenv inside (``<clone>/.venv/bin/python`` a link into
``/root/.pyenv``) made bubblewrap fail (the private /tmp hid the venv, the sandbox uid could not enter
/root) and the executor fell back to far weaker protection without failing.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import venv
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from accord.code_executors import CodeBlock
from accord.code_executors.local import LocalCommandLineCodeExecutor, SandboxProtections
from accord.core import CancellationToken

IS_ROOT = os.geteuid() == 0
ALL_PROTECTIONS = {
    "work_dir",
    "scrubbed_env",
    "wall_timeout",
    "output_limit",
    "cpu_limit",
    "memory_limit",
    "process_limit",
    "file_size_limit",
    "no_network",
    "read_only_host",
    "pid_namespace",
} | ({"separate_user"} if IS_ROOT else set())

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap is not installed (.ci/setup.d/code_executors.sh installs it)"
)


@pytest.fixture
def under_tmp() -> Iterator[Path]:
    """A directory right under /tmp, whatever pytest's own base temp dir is."""
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="accord-test-") as d:
        os.chmod(d, 0o755)  # open, like a clone's folder; tests close what they need closed
        yield Path(d)


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections (the kernel completes them from the backlog)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        port: int = server.getsockname()[1]
        socket.create_connection(("127.0.0.1", port), timeout=3).close()  # reachable from this process
        yield port


def make_venv(parent: Path) -> SimpleNamespace:
    builder = venv.EnvBuilder(with_pip=False, symlinks=True)
    builder.create(parent / "venv")
    context: SimpleNamespace = builder.ensure_directories(parent / "venv")
    return context


async def run(ex: LocalCommandLineCodeExecutor, code: str, language: str = "python") -> tuple[int, str]:
    result = await ex.execute_code_blocks([CodeBlock(code=code, language=language)], CancellationToken())
    return result.exit_code, result.output


def assert_fully_active(p: SandboxProtections) -> None:
    assert p.mechanism == "bwrap", p.describe()
    assert ALL_PROTECTIONS <= p.active, p.describe()
    if IS_ROOT:
        assert p.uid is not None


FORK_PROBE = """
import os, time
children = []
try:
    for _ in range(64):
        pid = os.fork()
        if pid == 0:
            time.sleep(5)
            os._exit(0)
        children.append(pid)
    print("unlimited")
except OSError as e:
    print("limited", e.errno)
"""


@needs_bwrap
async def test_work_dir_under_tmp_is_fully_sandboxed(under_tmp: Path, listening_port: int) -> None:
    work = under_tmp / "work"
    sibling = under_tmp / "sibling"
    sibling.mkdir()
    (sibling / "secret.txt").write_text("host secret")
    async with LocalCommandLineCodeExecutor(work_dir=work, timeout=10, max_processes=16) as ex:
        p = ex.protections
        assert_fully_active(p)
        # The interpreter's own paths are bound back, read-only, and listed in the report.
        assert all(path in p.describe() for path in p.exposed_paths)

        # File system: the work dir is writable, the rest of /tmp is private, the interpreter is read-only.
        assert await run(ex, "open('inside.txt', 'w').write('ok')\nprint(open('inside.txt').read())") == (0, "ok\n")
        assert (work / "inside.txt").read_text() == "ok"
        code, out = await run(ex, f"print(open({str(sibling / 'secret.txt')!r}).read())")
        assert code != 0 and "host secret" not in out and "FileNotFoundError" in out
        code, out = await run(ex, f"open({str(sibling / 'planted.txt')!r}, 'w').write('x')")
        assert code != 0
        assert not (sibling / "planted.txt").exists()
        code, out = await run(ex, "import sys\nopen(sys.prefix + '/planted.txt', 'w')")
        assert code != 0 and "Read-only file system" in out
        assert not Path(sys.prefix, "planted.txt").exists()
        # /root and /home show only the bound interpreter paths.
        shown = {
            root: {Path(e).relative_to(root).parts[0] for e in p.exposed_paths if e.startswith(root + "/")}
            for root in ("/root", "/home")
        }
        code, out = await run(ex, "import os\nfor d in ('/root', '/home'):\n    print(sorted(os.listdir(d)))")
        assert code == 0, out
        assert out.splitlines() == [str(sorted(shown["/root"])), str(sorted(shown["/home"]))]

        # No network, even to a port this process can reach.
        code, out = await run(
            ex, f"import socket\nsocket.create_connection(('127.0.0.1', {listening_port}), timeout=3)\nprint('in')"
        )
        assert code != 0 and "in\n" not in out

        # Process limit (root included: the code runs under its own uid).
        code, out = await run(ex, FORK_PROBE)
        assert (code, out.split()[0]) == (0, "limited"), out
        assert await run(ex, "print(6 * 7)") == (0, "42\n")


@needs_bwrap
async def test_default_temp_work_dir_is_fully_sandboxed() -> None:
    ex = LocalCommandLineCodeExecutor(timeout=10)
    async with ex:
        assert_fully_active(ex.protections)
        assert await run(ex, "import os\nprint(os.getcwd())") == (0, f"{ex.work_dir.resolve()}\n")


@needs_bwrap
async def test_virtualenv_under_tmp_runs_fully_sandboxed(under_tmp: Path) -> None:
    context = make_venv(under_tmp)
    env_dir = str(under_tmp / "venv")
    async with LocalCommandLineCodeExecutor(work_dir=under_tmp / "work", virtual_env_context=context) as ex:
        assert_fully_active(ex.protections)
        assert env_dir in ex.protections.exposed_paths
        code, out = await run(ex, "import sys, os\nprint(sys.prefix)\nprint(os.environ['VIRTUAL_ENV'])")
        assert (code, out) == (0, f"{env_dir}\n{env_dir}\n")
        code, out = await run(ex, "import sys\nopen(sys.prefix + '/planted.txt', 'w')")
        assert code != 0 and "Read-only file system" in out


@needs_bwrap
async def test_virtualenv_inside_the_work_dir_stays_read_only(under_tmp: Path) -> None:
    context = make_venv(under_tmp)
    async with LocalCommandLineCodeExecutor(work_dir=under_tmp, virtual_env_context=context) as ex:
        assert_fully_active(ex.protections)
        code, out = await run(ex, "import sys\nprint(sys.prefix)\nopen('ok.txt', 'w').write('ok')")
        assert (code, out) == (0, f"{under_tmp / 'venv'}\n")
        # The venv is its own read-only mount inside the writable work dir (not just root-owned files).
        mounts = "import os\nfor line in open('/proc/self/mountinfo'):\n    f = line.split()\n    print(f[4], f[5])"
        code, out = await run(ex, mounts)
        assert code == 0, out
        options = dict(line.split(" ", 1) for line in out.splitlines())
        assert "ro" in options[str(under_tmp / "venv")].split(",")
        assert "rw" in options[str(under_tmp)].split(",")


@pytest.mark.skipif(not IS_ROOT, reason="a separate uid is only used when accord runs as root")
@needs_bwrap
async def test_virtualenv_in_a_closed_directory_reaches_the_sandbox_uid(under_tmp: Path) -> None:
    closed = under_tmp / "closed"
    closed.mkdir(mode=0o700)
    context = make_venv(closed)
    async with LocalCommandLineCodeExecutor(work_dir=under_tmp / "work", virtual_env_context=context) as ex:
        assert_fully_active(ex.protections)
        code, out = await run(ex, "import os, sys\nprint(os.getuid() != 0, sys.prefix)")
        assert (code, out) == (0, f"True {closed / 'venv'}\n")


@pytest.fixture
def without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from accord.code_executors import _sandbox

    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "bwrap" else real_which(name, *a, **k))
    _sandbox.detect.cache_clear()
    yield
    _sandbox.detect.cache_clear()


@pytest.fixture
async def closed_venv_executor(under_tmp: Path) -> AsyncIterator[tuple[LocalCommandLineCodeExecutor, Path]]:
    closed = under_tmp / "closed"
    closed.mkdir(mode=0o700)
    context = make_venv(closed)
    async with LocalCommandLineCodeExecutor(work_dir=under_tmp / "work", virtual_env_context=context) as ex:
        yield ex, closed


@pytest.mark.skipif(not IS_ROOT, reason="a separate uid is only used when accord runs as root")
async def test_without_bubblewrap_an_unreachable_interpreter_is_explained(
    without_bubblewrap: None, closed_venv_executor: tuple[LocalCommandLineCodeExecutor, Path]
) -> None:
    ex, closed = closed_venv_executor
    p = ex.protections
    assert "separate_user" not in p and "process_limit" not in p
    reason = p.inactive["separate_user"]
    assert f"{closed} (mode 700) is closed to other users" in reason
    assert "bubblewrap" in reason
    assert await run(ex, "print('runs')") == (0, "runs\n")
