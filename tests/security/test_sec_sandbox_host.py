"""Sandboxed code attacks the host the way an attacker would: host sockets, planted links, a full disk.

Runs with the real bubblewrap sandbox, as root in CI (code then runs under its own unprivileged uid). Each test
also checks that the legitimate use next to the attack still works.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.code_executors import CodeBlock
from accord.code_executors._workspace import QuotaStore
from accord.code_executors.local import LocalCommandLineCodeExecutor
from accord.core import CancellationToken

IS_ROOT = os.geteuid() == 0
needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap is not installed (.ci/setup.d/code_executors.sh installs it)"
)
PG_SOCKET = "/var/run/postgresql/.s.PGSQL.5432"


async def run(ex: LocalCommandLineCodeExecutor, code: str) -> tuple[int, str]:
    result = await ex.execute_code_blocks([CodeBlock(code=code, language="python")], CancellationToken())
    return result.exit_code, result.output


def _socket_dirs() -> list[Path]:
    """One fresh folder in each place where host services keep unix sockets."""
    tag = f"accord-sec-{uuid.uuid4().hex[:8]}"
    places = [Path("/run") / tag, Path("/var/run") / f"{tag}-v", Path("/var/lib") / tag, Path("/tmp") / tag]
    places += [Path("/var/tmp") / tag, Path("/dev/shm") / tag, Path("/root") / tag, Path("/home") / tag]
    return places


@pytest.fixture
def host_sockets() -> Iterator[list[str]]:
    """Listening unix sockets (mode 0777, in 0755 folders) in /run, /var/run, /var/lib, /tmp, /dev/shm ..."""
    made: list[Path] = []
    servers: list[socket.socket] = []
    paths: list[str] = []
    try:
        for folder in _socket_dirs():
            if not folder.parent.is_dir():
                continue
            folder.mkdir(mode=0o755)
            made.append(folder)
            path = str(folder / "service.sock")
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            os.chmod(path, 0o777)
            server.listen(8)
            servers.append(server)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:  # reachable from the host
                probe.connect(path)
            paths.append(path)
        yield paths
    finally:
        for server in servers:
            server.close()
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


CONNECT = """
import socket, sys
for path in sys.argv[1:] if len(sys.argv) > 1 else PATHS:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        print("CONNECTED", path)
    except OSError as e:
        print("refused", path, type(e).__name__)
    finally:
        s.close()
"""


@needs_bwrap
async def test_host_unix_sockets_are_unreachable(tmp_path: Path, host_sockets: list[str]) -> None:
    assert len(host_sockets) >= 6
    targets = [*host_sockets]
    if os.path.exists(PG_SOCKET):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(PG_SOCKET)  # the real PostgreSQL server (trust auth: a connection is a superuser login)
        targets.append(PG_SOCKET)
    elif os.environ.get("CI"):
        pytest.fail(f"PostgreSQL's socket {PG_SOCKET} is missing: the machine's PostgreSQL must run in CI")
    targets += [p for p in ("/run/mysqld/mysqld.sock", "/var/run/docker.sock") if os.path.exists(p)]
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path / "work", timeout=20) as ex:
        p = ex.protections
        assert "no_host_sockets" in p.active, p.describe()
        code, out = await run(ex, f"PATHS = {targets!r}\n" + CONNECT)
        assert code == 0, out
        assert "CONNECTED" not in out, out
        assert out.count("refused") == len(targets), out
        # The places themselves are empty or absent inside: nothing to find by listing either.
        code, out = await run(ex, "import os\nprint([d for d in ('/run', '/var', '/sys') if os.path.exists(d)])")
        assert (code, out) == (0, "[]\n")
        # Legitimate: the code's own unix socket in its work dir works, and the system is readable.
        own = (
            "import socket, os\ns = socket.socket(socket.AF_UNIX)\ns.bind('own.sock')\ns.listen(1)\n"
            "c = socket.socket(socket.AF_UNIX)\nc.connect('own.sock')\nprint('own ok', os.path.exists('/usr/lib'))"
        )
        assert await run(ex, own) == (0, "own ok True\n")


@pytest.fixture
def victim() -> Iterator[Path]:
    """A root-owned host file outside every work dir."""
    folder = Path(tempfile.mkdtemp(prefix="accord-victim-"))
    target = folder / "precious.txt"
    target.write_text("host data\n")
    yield target
    shutil.rmtree(folder, ignore_errors=True)


@needs_bwrap
async def test_planted_link_named_like_the_next_code_file_touches_no_host_file(tmp_path: Path, victim: Path) -> None:
    follow_up = "print('second block ran')"
    name = f"tmp_code_{hashlib.sha256(follow_up.encode()).hexdigest()}.py"
    plant = (
        "import os\n"
        f"os.symlink({str(victim)!r}, {name!r})\n"
        f"os.makedirs('sub', exist_ok=True)\nos.rmdir('sub')\nos.symlink({str(victim.parent)!r}, 'sub')\n"
        "print('planted')"
    )
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path / "work", timeout=20) as ex:
        assert "no_link_following" in ex.protections.active
        assert await run(ex, plant) == (0, "planted\n")
        # The executor now writes, runs and deletes the next code file, as root: the link is replaced, not followed.
        assert await run(ex, follow_up) == (0, "second block ran\n")
        assert victim.read_text() == "host data\n"
        # A named file through a planted directory link is refused, and nothing lands in the host folder.
        code, out = await run(ex, "# filename: sub/evil.py\nprint('ran')")
        assert code != 0 and "ran\n" not in out
        assert sorted(os.listdir(victim.parent)) == ["precious.txt"]
        assert victim.read_text() == "host data\n"
        # Legitimate: named files in real sub folders still work.
        assert await run(ex, "# filename: pkg/tool.py\nprint('tool')") == (0, "tool\n")


def test_runner_never_copies_onto_a_planted_link(tmp_path: Path, victim: Path) -> None:
    from accord.cli._runner import copy_executor_files
    from accord.spec import BuiltSpec
    from accord.spec._build import ExecutorFiles

    spec_dir = tmp_path / "bundle"
    (spec_dir / "data").mkdir(parents=True)
    (spec_dir / "data" / "input.csv").write_text("a,b\n1,2\n")
    work = spec_dir / "work"
    work.mkdir()
    (work / "input.csv").symlink_to(victim)  # planted by code that ran in this work dir before
    built = BuiltSpec(
        component={},
        kind="agent",
        task=None,
        max_turns=None,
        budget_usd=None,
        executor_files=[ExecutorFiles("executor", work, [spec_dir / "data" / "input.csv"])],
    )
    copy_executor_files(built)
    assert victim.read_text() == "host data\n"
    assert not (work / "input.csv").is_symlink()
    assert (work / "input.csv").read_text() == "a,b\n1,2\n"


FILL = """
import os
written = 0
try:
    for i in range(40):
        with open(f"blob{i}.bin", "wb") as f:
            f.write(os.urandom(1024 * 1024))
        written += 1
    print("wrote", written)
except OSError as e:
    print("stopped after", written, e.strerror)
"""


@needs_bwrap
@pytest.mark.skipif(not IS_ROOT, reason="the disk quota needs root (a size-limited tmpfs); CI runs as root")
async def test_disk_quota_bounds_the_work_dir(tmp_path: Path) -> None:
    assert QuotaStore.available() is None
    work = tmp_path / "work"
    async with LocalCommandLineCodeExecutor(work_dir=work, timeout=30, max_disk_mb=16) as ex:
        assert "disk_quota" in ex.protections.active, ex.protections.describe()
        # Legitimate: a few MB are written, and reach the host work dir.
        assert await run(ex, "open('ok.bin', 'wb').write(b'x' * 4 * 1024 * 1024)\nprint('ok')") == (0, "ok\n")
        assert (work / "ok.bin").stat().st_size == 4 * 1024 * 1024
        # 40 x 1 MB: the quota stops it, and the host disk did not take the rest.
        code, out = await run(ex, FILL)
        assert code == 0 and "stopped after" in out and "No space left on device" in out, out
        total = sum(f.stat().st_size for f in work.iterdir() if f.is_file())
        assert total <= 16 * 1024 * 1024
        # Deleting frees the space again.
        code, out = await run(ex, "import glob, os\nfor f in glob.glob('blob*'): os.remove(f)\nprint('freed')")
        assert (code, out) == (0, "freed\n")
        assert await run(ex, "open('again.bin', 'wb').write(b'y' * 8 * 1024 * 1024)\nprint('ok')") == (0, "ok\n")
    assert not list(work.glob("blob*"))
    assert (work / "again.bin").stat().st_size == 8 * 1024 * 1024


@needs_bwrap
async def test_host_work_dir_is_never_handed_to_the_sandbox_uid(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "root-owned.txt").write_text("keep\n")
    async with LocalCommandLineCodeExecutor(work_dir=work, timeout=20) as ex:
        code, out = await run(
            ex, "import os\nos.replace('root-owned.txt', 'moved.txt')\nprint(open('moved.txt').read(), end='')"
        )
        assert (code, out) == (0, "keep\n")
        if IS_ROOT and "disk_quota" in ex.protections.active:
            assert work.stat().st_uid == 0  # not chowned: the sandbox writes its quota store


@pytest.fixture
def without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from accord.code_executors import _sandbox

    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "bwrap" else real_which(name, *a, **k))
    _sandbox.detect.cache_clear()
    yield
    _sandbox.detect.cache_clear()


def _every_protection_accounted_for(ex: LocalCommandLineCodeExecutor) -> None:
    from accord.code_executors._sandbox import PROTECTION_NAMES

    p = ex.protections
    for name in PROTECTION_NAMES:
        assert (name in p.active) != (name in p.inactive), (name, p.describe())
        if name in p.inactive:
            assert p.inactive[name].strip(), name


@needs_bwrap
async def test_protections_report_every_protection(tmp_path: Path) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path / "a") as ex:
        _every_protection_accounted_for(ex)
        expected = {"no_host_sockets", "no_link_following", "read_only_host"} | ({"disk_quota"} if IS_ROOT else set())
        assert expected <= ex.protections.active, ex.protections.describe()
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path / "b", max_disk_mb=None) as ex:
        assert ex.protections.inactive["disk_quota"].startswith("disabled by configuration")


async def test_without_bubblewrap_the_report_says_host_sockets_are_exposed(
    without_bubblewrap: None, tmp_path: Path
) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path / "w", timeout=10) as ex:
        _every_protection_accounted_for(ex)
        p = ex.protections
        assert "unix socket" in p.inactive["no_host_sockets"] and "bubblewrap" in p.inactive["no_host_sockets"]
        assert "bubblewrap" in p.inactive["disk_quota"]
        assert "no_link_following" in p.active
        assert await run(ex, "print('still runs')") == (0, "still runs\n")
