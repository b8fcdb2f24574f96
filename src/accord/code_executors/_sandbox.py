"""The process sandbox of the local executor: what can be isolated on this machine, and how.

Layers, each applied where the OS allows it and reported in :class:`SandboxProtections`:

* a scrubbed environment (a short allow-list: no API keys, tokens or passwords from the parent);
* resource limits set with ``setrlimit`` before the program starts (CPU time, address space, processes,
  file size, open files, no core dumps) plus a wall-clock timeout enforced by the executor;
* when accord runs as root, the code runs under its own unprivileged user id (derived from the work dir):
  root is exempt from the process limit, and a separate uid lets the executor kill every process the
  code left behind;
* bubblewrap (``bwrap``): a root file system built from an allowlist (``/usr``, ``/lib*``, a curated ``/etc``,
  the interpreter's own paths, all read-only; no ``/run``, ``/var``, host ``/tmp``, ``/root`` or ``/home``, so
  no host service's unix socket), the work dir the only writable place, and new network, PID, IPC and UTS
  namespaces (so no network at all); see ``_bwrap``;
* a total disk quota for the work dir (as root: a size-limited tmpfs, see ``_workspace.QuotaStore``);
* the executor's own writes in the work dir never follow a link the code planted (``_workspace``);
* without bubblewrap, ``unshare``: a new network namespace only (a separate uid then needs an interpreter
  that other users can reach on the host).

``sandbox="none"`` turns all of this off (AutoGen's behaviour) and warns.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from ._bwrap import SAFE_PATH as _SAFE_PATH
from ._bwrap import bind_plan, bwrap_args, closed_ancestor, interpreter_paths, traversable
from ._workspace import QuotaStore

__all__ = ["SandboxLimits", "SandboxMode", "SandboxProtections", "Sandbox"]

logger = logging.getLogger("accord.code_executors")

SandboxMode = Literal["auto", "bwrap", "unshare", "none"]
"""``auto``: the strongest mechanism that works here; ``bwrap`` / ``unshare``: exactly that one (an error
if it cannot work); ``none``: no sandbox at all (explicit opt-out, warns)."""

# Environment variables passed through to sandboxed code; everything else (keys, tokens...) is dropped.
_ENV_ALLOWLIST = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM")
_UID_BASE = 2_000_000_000
_UID_RANGE = 100_000_000
_CLONE_NEWNET = 0x40000000

PROTECTION_NAMES = (
    "work_dir",
    "scrubbed_env",
    "wall_timeout",
    "output_limit",
    "cpu_limit",
    "memory_limit",
    "process_limit",
    "file_size_limit",
    "separate_user",
    "no_network",
    "read_only_host",
    "pid_namespace",
    "no_host_sockets",
    "no_link_following",
    "disk_quota",
)


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits for one program run (None: no limit)."""

    cpu_seconds: int | None = 60
    memory_mb: int | None = 2048
    max_processes: int | None = 128
    max_file_size_mb: int | None = 256
    max_open_files: int | None = 1024
    max_disk_mb: int | None = 1024
    """The work dir's total size (a size-limited tmpfs; needs root)."""


@dataclass(frozen=True)
class SandboxProtections:
    """Which protections are active for an executor, and why the others are not."""

    mechanism: Literal["bwrap", "unshare", "none"]
    active: frozenset[str]
    inactive: Mapping[str, str] = field(default_factory=dict)
    uid: int | None = None
    exposed_paths: tuple[str, ...] = ()
    """Host paths inside the private ``/tmp``, the hidden ``/root`` and ``/home`` (or a directory closed to the
    sandbox uid) that the sandbox still sees, read-only: the interpreter, its standard library, its packages."""

    def __contains__(self, name: object) -> bool:
        return name in self.active

    def describe(self) -> str:
        lines = [f"sandbox mechanism: {self.mechanism}", "active: " + ", ".join(sorted(self.active))]
        lines += [f"inactive: {name}: {reason}" for name, reason in sorted(self.inactive.items())]
        lines += [f"visible read-only: {path}" for path in self.exposed_paths]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Capabilities:
    mechanism: Literal["bwrap", "unshare", "none"]
    drop_uid: bool
    notes: tuple[tuple[str, str], ...]


_POSIX = os.name == "posix"


def _is_root() -> bool:
    return _POSIX and os.geteuid() == 0


def uid_for(work_dir: Path) -> int:
    """The unprivileged uid that code in ``work_dir`` runs as when accord runs as root (stable per dir)."""
    digest = hashlib.sha256(str(work_dir.resolve()).encode()).digest()
    return _UID_BASE + int.from_bytes(digest[:8], "big") % _UID_RANGE


def _drop_to(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _unshare_net() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWNET) failed: {os.strerror(errno)}")


def _probe(argv: list[str], preexec: Callable[[], None] | None, cwd: str) -> str | None:
    """None if ``argv`` runs and exits 0; otherwise the reason."""
    try:
        done = subprocess.run(
            argv, cwd=cwd, preexec_fn=preexec, capture_output=True, timeout=20, check=False, env={"PATH": _SAFE_PATH}
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"{type(e).__name__}: {e}"
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        return f"exit code {done.returncode}" + (f": {err[-1]}" if err else "")
    return None


def _why_no_uid(interpreter: str, error: str) -> str:
    """Why the interpreter cannot run under a separate uid without bubblewrap (which binds it in instead)."""
    for path in (os.path.abspath(interpreter), os.path.realpath(interpreter), *interpreter_paths(interpreter)):
        closed = closed_ancestor(path)
        if closed is not None:
            with contextlib.suppress(OSError):
                closed += f" (mode {stat.S_IMODE(os.stat(closed).st_mode):o})"
            return (
                f"the interpreter {interpreter} needs {path}, which another uid can only reach through bubblewrap: "
                f"{closed} is closed to other users; install bubblewrap or run accord from an interpreter "
                f"outside it ({error})"
            )
    return f"the interpreter {interpreter} cannot run under a separate uid ({error})"


@lru_cache(maxsize=16)
def detect(mode: SandboxMode, interpreter: str, allow_network: bool) -> _Capabilities:
    """Find the strongest mechanism that works here for ``mode`` (probed once per process)."""
    if mode == "none":
        return _Capabilities("none", False, ())
    notes: list[tuple[str, str]] = []
    root = _is_root()
    with tempfile.TemporaryDirectory(prefix="accord-probe-") as probe_dir:
        probe_uid = _UID_BASE + _UID_RANGE - 1
        if root:
            os.chown(probe_dir, probe_uid, probe_uid)
        probe_cmd = [interpreter, "-c", "pass"]

        def drop() -> None:
            _drop_to(probe_uid)

        bwrap = shutil.which("bwrap")
        if mode in ("auto", "bwrap"):
            if bwrap is None:
                notes.append(("read_only_host", "bubblewrap (bwrap) is not installed"))
            else:
                env = {"PATH": _SAFE_PATH}
                common = {"allow_network": allow_network, "env": env, "interpreter": interpreter}
                if root and shutil.which("setpriv") is not None:
                    args = bwrap_args(bwrap, probe_dir, privileged=True, uid=probe_uid, **common)  # type: ignore[arg-type]
                    reason = _probe([*args, *probe_cmd], None, probe_dir)
                    if reason is None:
                        return _Capabilities("bwrap", True, tuple(notes))
                    notes.append(("separate_user", f"bubblewrap cannot switch to a separate uid here ({reason})"))
                elif root:
                    notes.append(("separate_user", "setpriv (util-linux) is not installed"))
                args = bwrap_args(bwrap, probe_dir, privileged=root, **common)  # type: ignore[arg-type]
                reason = _probe([*args, *probe_cmd], None, probe_dir)
                if reason is None:
                    if root:
                        notes.append(("process_limit", "root is exempt from RLIMIT_NPROC and no separate uid works"))
                    return _Capabilities("bwrap", False, tuple(notes))
                notes.append(("read_only_host", f"bubblewrap does not work here ({reason})"))
            if mode == "bwrap":
                from ._errors import SandboxUnavailableError

                raise SandboxUnavailableError(
                    f"sandbox='bwrap' was asked for but cannot be used: {notes[-1][1]}. "
                    "Install bubblewrap (apt-get install bubblewrap) or use sandbox='auto'."
                )
        # unshare: a network namespace only.
        if root:
            uid_reason = _probe(probe_cmd, drop, probe_dir)

            def net_and_drop() -> None:
                _unshare_net()
                _drop_to(probe_uid)

            net_reason = _probe(probe_cmd, net_and_drop, probe_dir)
            if net_reason is None and uid_reason is None:
                return _Capabilities("unshare", True, tuple(notes))
            if uid_reason is not None:
                notes.append(("separate_user", _why_no_uid(interpreter, uid_reason)))
                notes.append(("process_limit", "root is exempt from RLIMIT_NPROC and no separate uid works"))
            net_reason = net_reason if uid_reason is None else _probe(probe_cmd, _unshare_net, probe_dir)
            if net_reason is None:
                return _Capabilities("unshare", False, tuple(notes))
            notes.append(("no_network", f"a network namespace cannot be created ({net_reason})"))
        else:
            unshare = shutil.which("unshare")
            if unshare is None:
                notes.append(("no_network", "neither bubblewrap nor unshare is available"))
            else:
                reason = _probe([unshare, "--map-root-user", "--net", "--", *probe_cmd], None, probe_dir)
                if reason is None:
                    return _Capabilities("unshare", False, tuple(notes))
                notes.append(("no_network", f"unshare cannot create a network namespace ({reason})"))
        if mode == "unshare":
            from ._errors import SandboxUnavailableError

            raise SandboxUnavailableError(f"sandbox='unshare' was asked for but cannot be used: {notes[-1][1]}")
        return _Capabilities("none", root and _probe(probe_cmd, drop, probe_dir) is None, tuple(notes))


@lru_cache(maxsize=1)
def _quota_unavailable() -> str | None:
    return QuotaStore.available()


def _count_processes_of(uid: int) -> int:
    count = 0
    if not os.path.isdir("/proc"):
        return 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid == uid:
                    count += 1
    return count


class Sandbox:
    """Builds the command line, environment and pre-exec hook for one executor's runs."""

    def __init__(
        self,
        mode: SandboxMode,
        work_dir: Path,
        *,
        limits: SandboxLimits,
        allow_network: bool = False,
        interpreter: str = sys.executable,
        extra_env: Mapping[str, str] | None = None,
        readable: Sequence[str] = (),
    ) -> None:
        self.mode: SandboxMode = mode
        self.work_dir = work_dir
        self.limits = limits
        self.allow_network = allow_network
        self.extra_env = dict(extra_env or {})
        self.interpreter = interpreter
        self.readable = tuple(readable)
        self._caps = detect(mode, interpreter, allow_network)
        self.uid: int | None = uid_for(work_dir) if self._caps.drop_uid else None
        # Where the work dir appears inside the sandbox: its own path (bubblewrap builds every parent itself).
        self.inside_dir = str(work_dir)
        if self.uid is not None and not traversable(work_dir, tmpfs_tmp=self._caps.mechanism == "bwrap"):
            self.uid = None
            self._caps = _Capabilities(
                self._caps.mechanism,
                False,
                (*self._caps.notes, ("separate_user", f"a parent of {str(work_dir)!r} is not traversable")),
            )
        self._store: QuotaStore | None = None
        self._quota_reason: str | None = None
        if limits.max_disk_mb is None:
            self._quota_reason = "disabled by configuration"
        elif self._caps.mechanism != "bwrap":
            self._quota_reason = "bubblewrap is not in use (the work dir is the host folder itself)"
        else:
            self._quota_reason = _quota_unavailable()
        if self._quota_reason is None and limits.max_disk_mb is not None:
            self._store = QuotaStore(work_dir, limits.max_disk_mb * 1024 * 1024, self.uid)
        for name, reason in self._caps.notes:
            logger.warning("code executor sandbox: %s inactive: %s", name, reason)

    @property
    def scratch_root(self) -> str | None:
        """A folder inside the quota store for the executor's own files (None without a store)."""
        return str(self._store.scratch) if self._store is not None else None

    @property
    def host_dir(self) -> Path:
        """Where the sandbox's work dir lives on the host: the quota store, or the work dir itself."""
        return self._store.path if self._store is not None else self.work_dir

    def before_run(self) -> None:
        """Bring host-side changes of the work dir into the quota store (nothing to do without one)."""
        if self._store is not None:
            self._store.pull()

    def after_run(self) -> None:
        """Copy what the code wrote back into the host work dir (nothing to do without a quota store)."""
        if self._store is not None:
            self._store.push()

    def close(self) -> None:
        """Copy the last results out and release the quota store."""
        store, self._store = self._store, None
        if store is not None:
            with contextlib.suppress(OSError):
                store.push()
            store.close()

    # -- reporting -----------------------------------------------------------------------------------------------
    def protections(self) -> SandboxProtections:
        active: set[str] = {"work_dir", "wall_timeout", "output_limit"}
        inactive: dict[str, str] = {}
        if self.mode == "none":
            reason = "sandbox='none' (explicit opt-out)"
            for name in PROTECTION_NAMES:
                if name not in active:
                    inactive[name] = reason
            return SandboxProtections("none", frozenset(active), inactive, None)
        active.add("scrubbed_env")
        lim = self.limits
        for name, value in (
            ("cpu_limit", lim.cpu_seconds),
            ("memory_limit", lim.memory_mb),
            ("file_size_limit", lim.max_file_size_mb),
            ("process_limit", lim.max_processes),
        ):
            if value is None:
                inactive[name] = "disabled by configuration"
            else:
                active.add(name)
        notes = dict(self._caps.notes)
        if self.uid is not None:
            active.add("separate_user")
        elif _is_root():
            inactive["separate_user"] = notes.get("separate_user", "no separate uid could be used")
            if lim.max_processes is not None:
                active.discard("process_limit")
                inactive["process_limit"] = "root is exempt from RLIMIT_NPROC and no separate uid works"
        else:
            inactive["separate_user"] = "not running as root: code runs under the caller's uid"
        mech = self._caps.mechanism
        if self.allow_network:
            inactive["no_network"] = "allow_network=True"
        elif mech in ("bwrap", "unshare"):
            active.add("no_network")
        active.add("no_link_following")
        if mech == "bwrap":
            active |= {"read_only_host", "pid_namespace", "no_host_sockets"}
        else:
            inactive.setdefault("pid_namespace", "bubblewrap is not in use")
            inactive.setdefault(
                "no_host_sockets",
                "bubblewrap is not in use: the code sees the host file system, with every unix socket on it",
            )
        if self._store is not None:
            active.add("disk_quota")
        else:
            inactive["disk_quota"] = (self._quota_reason or "unavailable") + (
                "; only each file's size is bounded (file_size_limit)" if lim.max_file_size_mb is not None else ""
            )
        for name, reason in self._caps.notes:
            if name not in active:
                inactive.setdefault(name, reason)
        for name in PROTECTION_NAMES:
            if name not in active:
                inactive.setdefault(name, f"not available with mechanism {mech!r}")
        exposed: tuple[str, ...] = ()
        if mech == "bwrap":
            exposed = bind_plan(self.interpreter, separate_uid=self.uid is not None, readable=self.readable).exposed
        return SandboxProtections(mech, frozenset(active), inactive, self.uid, exposed)

    # -- running -------------------------------------------------------------------------------------------------
    def prepare_work_dir(self) -> None:
        """Let the sandbox uid write in the work dir (the directory itself, not its contents).

        With a quota store the host work dir is never handed to the sandbox uid: the store is."""
        if self.uid is not None and self._store is None:
            st = self.work_dir.stat()
            if st.st_uid != self.uid:
                os.chown(self.work_dir, self.uid, self.uid)

    def prepare_dir(self, path: Path) -> None:
        """Let the sandbox uid write in ``path``, a directory accord created inside the work dir."""
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)

    def environment(self, *, path_prefix: Sequence[str] = (), extra: Mapping[str, str] | None = None) -> dict[str, str]:
        if self.mode == "none":
            env = dict(os.environ)
        else:
            env = {k: os.environ[k] for k in _ENV_ALLOWLIST if k in os.environ}
            env["PATH"] = _SAFE_PATH
            env["HOME"] = self.inside_dir
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.setdefault("LANG", "C.UTF-8")
        if path_prefix:
            env["PATH"] = os.pathsep.join([*path_prefix, env.get("PATH", _SAFE_PATH)])
        env.update(self.extra_env)
        if extra:
            env.update(extra)
        return env

    def inside_path(self, path: Path) -> str:
        """``path`` (inside the work dir) as the sandboxed program sees it."""
        return str(Path(self.inside_dir) / path.relative_to(self.work_dir))

    def command(self, argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
        mech = self._caps.mechanism
        if mech == "bwrap":
            bwrap = shutil.which("bwrap") or "bwrap"
            args = bwrap_args(
                bwrap,
                str(self.host_dir),
                allow_network=self.allow_network,
                env=env,
                interpreter=self.interpreter,
                readable=self.readable,
                inside=self.inside_dir,
                privileged=_is_root(),
                uid=self.uid,
            )
            return [*args, *argv]
        if mech == "unshare" and not _is_root() and not self.allow_network:
            return ["unshare", "--map-root-user", "--net", "--", *argv]
        return list(argv)

    def preexec(self) -> Callable[[], None] | None:
        if self.mode == "none" or not _POSIX:
            return None
        import resource

        lim = self.limits
        uid = self.uid if self._caps.mechanism != "bwrap" else None
        net = self._caps.mechanism == "unshare" and _is_root() and not self.allow_network
        nproc: int | None = None
        if lim.max_processes is not None:
            # Without a separate uid the limit counts every process of the caller's uid.
            base = 0 if self.uid is not None else _count_processes_of(os.getuid())
            nproc = base + lim.max_processes

        def hook() -> None:
            def setlim(kind: int, value: int | None) -> None:
                if value is None:
                    return
                hard = resource.getrlimit(kind)[1]
                if hard != resource.RLIM_INFINITY:
                    value = min(value, hard)
                with contextlib.suppress(ValueError, OSError):  # a limit this OS does not support
                    resource.setrlimit(kind, (value, value))

            setlim(resource.RLIMIT_CORE, 0)
            setlim(resource.RLIMIT_CPU, lim.cpu_seconds)
            setlim(resource.RLIMIT_AS, lim.memory_mb * 1024 * 1024 if lim.memory_mb else None)
            setlim(resource.RLIMIT_FSIZE, lim.max_file_size_mb * 1024 * 1024 if lim.max_file_size_mb else None)
            setlim(resource.RLIMIT_NOFILE, lim.max_open_files)
            setlim(resource.RLIMIT_NPROC, nproc)
            if net:
                _unshare_net()
            if uid is not None:
                _drop_to(uid)

        return hook

    def kill_all(self, pgid: int | None) -> None:
        """Kill the run's process group and, under a separate uid, every process of that uid."""
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                if _POSIX:
                    os.killpg(pgid, signal.SIGKILL)
                else:
                    os.kill(pgid, signal.SIGTERM)
        if self.uid is not None:
            uid = self.uid
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(
                    ["/bin/sh", "-c", "kill -9 -1 2>/dev/null; true"],
                    preexec_fn=lambda: _drop_to(uid),
                    env={"PATH": _SAFE_PATH},
                    timeout=10,
                    check=False,
                    capture_output=True,
                )

    def reap(self) -> None:
        """Under a separate uid: make sure no process of that uid survives the run (waits until they are gone)."""
        if self.uid is None or _count_processes_of(self.uid) == 0:
            return
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            self.kill_all(None)
            if _count_processes_of(self.uid) == 0:
                return
            time.sleep(0.005)
        logger.warning("code executor sandbox: processes of uid %s survived the cleanup", self.uid)

    @property
    def isolates_processes(self) -> bool:
        """True when every process the code starts dies with the run (PID namespace or separate uid)."""
        return self._caps.mechanism == "bwrap" or self.uid is not None
