"""What the sandbox sees of the host file system, and the bubblewrap command line that builds it.

Inside bubblewrap the host is read-only, ``/tmp`` is a private empty tmpfs and ``/root`` and ``/home`` are
hidden behind empty tmpfs mounts. The interpreter must still start there wherever it lives: a virtualenv
inside a clone under ``/tmp``, a pyenv build under ``/root``, a project under ``/home``. So the paths the
interpreter reads (its prefixes, the real path of the executable and each link to it, every ``sys.path``
entry it computes) are bound back read-only after the hiding mounts (later mounts win). When the code runs
under a separate uid, a closed directory on the way to one of those paths (``/root`` is ``0700``) is
replaced by an open tmpfs holding only the bound paths, so the uid reaches them through bind mounts, not
through host permissions.
"""

from __future__ import annotations

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
MASKED_FILES = ("/var/run/docker.sock", "/run/docker.sock")

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
        found.append(hop if os.path.dirname(hop) in PRIVATE_DIRS else os.path.dirname(hop))
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
    """True if every parent of ``path`` can be entered by any user (bwrap recreates the private ones)."""
    skip = PRIVATE_DIRS if tmpfs_tmp else ()
    return closed_ancestor(str(path), skip=skip) is None


@dataclass(frozen=True)
class BindPlan:
    """The private mounts of a bwrap sandbox and the host paths bound back into them (read-only)."""

    private: tuple[str, ...]
    """Directories replaced by an empty tmpfs: ``/tmp``, ``/root``, ``/home`` and, for a separate uid, any
    closed directory above an interpreter path."""
    exposed: tuple[str, ...]
    """Interpreter paths inside those directories, bound back read-only."""


@lru_cache(maxsize=32)
def bind_plan(interpreter: str, *, separate_uid: bool, readable: tuple[str, ...] = ()) -> BindPlan:
    """What to hide and what to bind back so that ``interpreter`` (and the ``readable`` paths) work inside."""
    private = [p for p in PRIVATE_DIRS if p == "/tmp" or os.path.isdir(p)]
    needed = _existing([*interpreter_paths(interpreter), *readable])
    if separate_uid:
        for path in needed:
            closed = closed_ancestor(path, skip=private)
            if closed is not None and closed not in private:
                private.append(closed)
    exposed = [p for p in needed if any(_under(p, root) and p != root for root in private)]
    for path in needed:
        if path in private:
            logger.warning("code executor sandbox: %s is not bound into the sandbox (it would expose all of it)", path)
    return BindPlan(tuple(_outermost(private)), tuple(_outermost(exposed)))


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
    writable: Sequence[str] = (),
    readable: Sequence[str] = (),
) -> list[str]:
    """The bwrap command line (up to and including ``--``) for a program run in ``work_dir``.

    ``inside``: where the work dir appears in the sandbox (default: its own path); ``writable``: more
    directories bound read-write at their own paths; ``readable``: more paths the program needs to read
    (a virtualenv), bound back read-only like the interpreter's; ``uid``: with ``privileged`` (bwrap runs as
    root), the unprivileged uid the program runs as.
    """
    inside = inside or work_dir
    plan = bind_plan(interpreter, separate_uid=uid is not None, readable=tuple(readable))
    args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for private in plan.private:
        args += ["--tmpfs", private]  # mode 0755
    for masked in MASKED_FILES:
        if os.path.exists(masked):
            args += ["--ro-bind", "/dev/null", masked]
    # Outer mounts first, so that each bind keeps its own mode: an interpreter inside the work dir stays
    # read-only, a work dir inside a bound interpreter path stays writable. At the same path the work dir wins.
    binds = [(p, p, "--ro-bind") for p in plan.exposed]
    binds += [(work_dir, inside, "--bind"), *((w, w, "--bind") for w in writable)]
    binds.sort(key=lambda b: (len(Path(b[1]).parts), b[2] == "--bind"))
    bound: list[str] = []
    made: set[str] = set()
    for source, target, kind in binds:
        # Parents of the target inside a fresh tmpfs must be enterable by the sandbox uid: create them 0755.
        for parent in map(str, reversed(Path(target).parents)):
            in_private = any(_under(parent, root) and parent != root for root in plan.private)
            if in_private and parent not in made and not any(_under(parent, b) for b in bound):
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]
        args += [kind, source, target]
        bound.append(target)
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
