"""What the sandbox sees of the host file system, and the bubblewrap command line that builds it.

The sandbox's root is an empty tmpfs built from an allowlist, never a bind of the host's ``/``: the system
directories (``/usr``, ``/bin``, ``/sbin``, ``/lib*``), a curated set of ``/etc`` entries (dynamic linker,
time zone, certificates, fonts, name service files; no ``shadow``, no service configs), the interpreter's own
paths wherever they live (its prefixes, the real path of the executable and each link to it, every
``sys.path`` entry it computes), the caller's extra read-only paths, all read-only, and the work dir, read-write.
Everything else does not exist inside: ``/run``, ``/var``, ``/tmp`` (a private empty tmpfs), ``/root`` and
``/home`` (empty but for bound paths), ``/dev`` (bubblewrap's minimal one), ``/proc`` (the sandbox's own), no
``/sys``. So no unix socket of a host service (PostgreSQL in ``/var/run/postgresql``, MariaDB, Docker, D-Bus,
systemd, ``/tmp/.X11-unix`` ...) is reachable, whatever its path: only sockets inside bound paths could be,
and :func:`bind_plan` refuses to bind the places where they live as a whole.

bubblewrap creates every missing parent of a bind target (mode 0755) on its own tmpfs, so a path under a closed
host directory (``/root`` is ``0700``) is reachable by the sandbox uid through its bind mount without opening
anything on the host.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["BindPlan", "bind_plan", "bwrap_args", "interpreter_paths", "traversable"]

logger = logging.getLogger("accord.code_executors")

SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
HIDDEN_DIRS = ("/root", "/home")
PRIVATE_DIRS = ("/tmp", *HIDDEN_DIRS)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""Bound read-only (a top-level link such as ``/bin -> usr/bin`` is recreated as the same link)."""
ETC_ALLOWLIST = (
    "alternatives",
    "ca-certificates",
    "ca-certificates.conf",
    "debian_version",
    "fonts",
    "gai.conf",
    "group",
    "host.conf",
    "hostname",
    "hosts",
    "inputrc",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "locale.alias",
    "locale.conf",
    "localtime",
    "magic",
    "magic.mime",
    "mime.types",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "protocols",
    "pki",
    "python3",
    "python3.*",
    "resolv.conf",
    "services",
    "ssl",
    "terminfo",
    "timezone",
)
"""The ``/etc`` entries the sandbox sees (glob patterns). Not there: ``shadow``, ``sudoers``, ssh keys, service
configs (``mysql``, ``postgresql``, ``redis`` ...), cron, systemd."""
SOCKET_PLACES = ("/", "/run", "/var", "/var/run", "/var/lib", "/var/tmp", "/tmp", "/dev", "/dev/shm", "/proc", "/sys")
"""Directories never bound as a whole (host services keep their unix sockets somewhere below them)."""

# Asked of the interpreter itself, with the sandbox's scrubbed environment: what it reads at start-up.
_QUERY = (
    "import json, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, "
    "*sys.path]))"
)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _outermost(paths: Sequence[str]) -> list[str]:
    """``paths`` without duplicates and without those that lie inside another one (sorted)."""
    out: list[str] = []
    for path in sorted(set(paths)):
        if not any(_under(path, kept) for kept in out):
            out.append(path)
    return out


@lru_cache(maxsize=16)
def interpreter_paths(interpreter: str) -> tuple[str, ...]:
    """The existing host directories ``interpreter`` reads when it starts and imports its installed packages."""
    found: list[str] = []
    hop, seen = os.path.abspath(interpreter), set[str]()
    while hop not in seen:  # each link of a chain such as .venv/bin/python -> python3 -> /root/.pyenv/.../python3
        seen.add(hop)
        # Its directory, or the link alone where that directory is a whole private one (a link in /root).
        parent = os.path.dirname(hop)
        found.append(hop if parent in (*PRIVATE_DIRS, *SOCKET_PLACES) else parent)
        if not os.path.islink(hop):
            break
        hop = os.path.normpath(os.path.join(os.path.dirname(hop), os.readlink(hop)))
    found.append(os.path.dirname(os.path.realpath(interpreter)))
    try:
        done = subprocess.run(
            [interpreter, "-c", _QUERY],
            env={"PATH": SAFE_PATH, "HOME": "/nonexistent", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"},
            cwd="/",
            capture_output=True,
            timeout=30,
            check=True,
        )
        reported = json.loads(done.stdout)
        found += [p for p in reported if isinstance(p, str)]
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        logger.debug("could not ask %s for its paths (%s); using this process's", interpreter, e)
        found.append(str(Path(interpreter).absolute().parent.parent))
        if os.path.realpath(interpreter) == os.path.realpath(sys.executable):
            found += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path]
    return _existing(found)


def _existing(paths: Sequence[str]) -> tuple[str, ...]:
    """The existing absolute ``paths``, each with its real path too (a link may point into a hidden dir)."""
    out: list[str] = []
    for path in paths:
        if path and os.path.isabs(path) and os.path.exists(path):
            out += [os.path.normpath(path), os.path.realpath(path)]
    return tuple(_outermost(out))


def _closed(path: str) -> bool:
    try:
        return not os.stat(path).st_mode & stat.S_IXOTH
    except OSError:
        return True


def closed_ancestor(path: str, *, skip: Sequence[str] = ()) -> str | None:
    """The outermost directory above ``path`` that other users cannot enter (those under ``skip`` excepted)."""
    for parent in reversed(Path(path).parents):
        p = str(parent)
        if p == "/" or any(_under(p, s) for s in skip):
            continue
        if _closed(p):
            return p
    return None


def traversable(path: Path, *, tmpfs_tmp: bool) -> bool:
    """True if the sandbox uid can reach ``path``: always inside bubblewrap (it builds every parent itself),
    otherwise only if every parent of ``path`` can be entered by any user."""
    if tmpfs_tmp:
        return True
    return closed_ancestor(str(path)) is None


def _is_system(path: str) -> bool:
    return any(_under(path, d) for d in SYSTEM_DIRS)


@dataclass(frozen=True)
class BindPlan:
    """The host paths a bwrap sandbox sees, all read-only (the work dir is added by :func:`bwrap_args`)."""

    system: tuple[tuple[str, str, str], ...]
    """``(kind, source, target)`` for the system directories and the curated ``/etc``: kind ``link`` (a top-level
    link recreated), ``dir`` or ``file`` (bound read-only)."""
    exposed: tuple[str, ...]
    """Host paths outside the system directories bound read-only: the interpreter, its standard library and
    packages, the caller's ``readable`` paths."""
    refused: tuple[str, ...] = ()
    """Needed paths that were not bound because binding them would expose a place where sockets live."""


def _system_binds() -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            out.append(("link", os.readlink(d), d))
        elif os.path.isdir(d):
            out.append(("dir", d, d))
    for pattern in ETC_ALLOWLIST:
        for entry in sorted(glob.glob(os.path.join("/etc", pattern))):
            real = os.path.realpath(entry)
            try:
                mode = os.stat(real).st_mode
            except OSError:
                continue  # a dangling link (resolv.conf into /run): nothing to show
            if stat.S_ISDIR(mode):
                out.append(("dir", real, entry))
            elif stat.S_ISREG(mode):
                out.append(("file", real, entry))
    return out


@lru_cache(maxsize=32)
def bind_plan(interpreter: str, *, separate_uid: bool = False, readable: tuple[str, ...] = ()) -> BindPlan:
    """What the sandbox sees so that ``interpreter`` (and the ``readable`` paths) work inside it.

    ``separate_uid`` is accepted for compatibility: bubblewrap builds every parent itself, so the plan is the
    same for every uid.
    """
    needed = _existing([*interpreter_paths(interpreter), *readable])
    exposed: list[str] = []
    refused: list[str] = []
    for path in needed:
        if _is_system(path):
            continue
        if any(path == place for place in (*SOCKET_PLACES, *HIDDEN_DIRS, "/etc")):
            logger.warning("code executor sandbox: %s is not bound into the sandbox (it would expose all of it)", path)
            refused.append(path)
            continue
        exposed.append(path)
    return BindPlan(tuple(_system_binds()), tuple(_outermost(exposed)), tuple(refused))


def bwrap_args(
    bwrap: str,
    work_dir: str,
    *,
    allow_network: bool,
    env: Mapping[str, str],
    interpreter: str,
    inside: str | None = None,
    privileged: bool = False,
    uid: int | None = None,
    writable: Sequence[str | tuple[str, str]] = (),
    readable: Sequence[str] = (),
) -> list[str]:
    """The bwrap command line (up to and including ``--``) for a program run in ``work_dir``.

    ``inside``: where the work dir appears in the sandbox (default: its own path); ``writable``: more
    directories bound read-write at their own paths (or ``(host, inside)`` pairs); ``readable``: more paths
    the program needs to read (a virtualenv), bound read-only like the interpreter's; ``uid``: with
    ``privileged`` (bwrap runs as root), the unprivileged uid the program runs as.
    """
    inside = inside or work_dir
    plan = bind_plan(interpreter, readable=tuple(readable))
    args = [bwrap, "--tmpfs", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    made = {"/", "/dev", "/proc", "/tmp"}

    def parents(target: str) -> None:
        # bubblewrap would create missing parents closed to other users: create them 0755 first.
        for parent in map(str, reversed(Path(target).parents)):
            if parent not in made:
                made.add(parent)
                args.extend(["--perms", "0755", "--dir", parent])

    for d in HIDDEN_DIRS:
        parents(d + "/x")  # /root and /home: empty but for the paths bound below them
    for kind, source, target in plan.system:
        parents(target)
        if kind == "link":
            args += ["--symlink", source, target]
        else:
            args += ["--ro-bind", source, target]
    # Outer mounts first, so that each bind keeps its own mode: an interpreter inside the work dir stays
    # read-only, a work dir inside a bound interpreter path stays writable. At the same path the work dir wins.
    binds = [(p, p, "--ro-bind") for p in plan.exposed]
    pairs = [(w, w) if isinstance(w, str) else w for w in writable]
    binds += [(work_dir, inside, "--bind"), *((src, dst, "--bind") for src, dst in pairs)]
    binds.sort(key=lambda b: (len(Path(b[1]).parts), b[2] == "--bind"))
    for source, target, kind in binds:
        parents(target)
        made.add(target)
        args += [kind, source, target]
    args += ["--remount-ro", "/"]  # the root tmpfs itself: nothing new appears next to /usr or in /etc
    if privileged:
        # bwrap runs as root: no user namespace, so the code can then switch to its own unprivileged uid.
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
        if not allow_network:
            args.append("--unshare-net")
    else:
        args.append("--unshare-all")
        if allow_network:
            args.append("--share-net")
    args += ["--die-with-parent", "--new-session", "--chdir", inside, "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    if privileged and uid is not None:
        setpriv = shutil.which("setpriv") or "setpriv"
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--"]
        args += [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    else:
        args.append("--")
    return args
