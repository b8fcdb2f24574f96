"""The executor's own file operations in a work dir that sandboxed code can also write: they never follow a link.

Sandboxed code can plant a symlink (or swap a directory for one) anywhere in its work dir between two runs; the
executor, often running as root, must not then write, copy or delete through it. Every operation here walks
the relative path one component at a time with ``O_NOFOLLOW`` directory descriptors, creates files with
``O_CREAT | O_EXCL | O_NOFOLLOW`` (a file it did not just create is never written), and replaces a name with
``rename`` (which replaces a planted link itself, never its target).

:class:`QuotaStore` bounds the work dir's total size: a size-limited tmpfs that accord (as root) mounts in a
private folder; the sandbox writes there, and accord copies regular files between it and the host work dir
before and after each run, with the same rules (links, devices, fifos and sockets are never copied out).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import stat
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = ["QuotaStore", "UnsafePathError", "remove_file", "write_new"]

logger = logging.getLogger("accord.code_executors")

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_MS_NOSUID, _MS_NODEV = 2, 4
_MNT_DETACH = 2


class UnsafePathError(OSError):
    """A path inside the work dir goes through a link or a non-directory: the executor does not follow it."""


def _parts(relative: str | os.PathLike[str]) -> list[str]:
    parts = [p for p in PurePosixPath(os.fspath(relative)).parts if p not in ("", ".")]
    if not parts or PurePosixPath(os.fspath(relative)).is_absolute() or ".." in parts:
        raise UnsafePathError(errno.EINVAL, f"{os.fspath(relative)!r} is not a plain path inside the work dir")
    return parts


@contextlib.contextmanager
def _open_parent(root: Path, parts: list[str], *, create: bool, uid: int | None = None) -> Iterator[int]:
    """A descriptor of the directory that holds ``parts[-1]`` (each component opened without following links)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for i, name in enumerate(parts[:-1]):
            if create:
                try:
                    os.mkdir(name, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
                else:
                    if uid is not None:
                        os.chown(name, uid, uid, dir_fd=fd, follow_symlinks=False)
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    where = "/".join(parts[: i + 1])
                    raise UnsafePathError(e.errno, f"{where!r} in {str(root)!r} is a link or not a directory") from e
                raise
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _write_at(fd: int, name: str, data: bytes, *, uid: int | None, mode: int = 0o644) -> None:
    """Write ``data`` to ``name`` in directory ``fd``: a new file created exclusively, renamed over ``name``."""
    tmp = f".accord-{uuid.uuid4().hex}.tmp"
    out = os.open(tmp, _NEW_FILE_FLAGS, mode, dir_fd=fd)
    try:
        with os.fdopen(out, "wb", closefd=False) as f:
            f.write(data)
        if uid is not None:
            os.fchown(out, uid, uid)
        os.close(out)
        out = -1
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)  # replaces a planted link itself, not its target
    except BaseException:
        if out >= 0:
            os.close(out)
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)
        raise


def write_new(
    root: Path, relative: str | os.PathLike[str], data: bytes, *, uid: int | None = None, mode: int = 0o644
) -> Path:
    """Write ``root/relative`` without following any link on the way (missing folders are created, owned by
    ``uid`` when given). Returns the path. Raises :class:`UnsafePathError` for a link or ``..`` on the way."""
    parts = _parts(relative)
    with _open_parent(root, parts, create=True, uid=uid) as fd:
        try:
            if stat.S_ISDIR(os.stat(parts[-1], dir_fd=fd, follow_symlinks=False).st_mode):
                raise UnsafePathError(errno.EISDIR, f"{'/'.join(parts)!r} in {str(root)!r} is a directory")
        except FileNotFoundError:
            pass
        _write_at(fd, parts[-1], data, uid=uid, mode=mode)
    return root.joinpath(*parts)


def remove_file(root: Path, relative: str | os.PathLike[str]) -> None:
    """Remove ``root/relative`` (a file or a link, never what a link points to); a missing file is fine."""
    try:
        parts = _parts(relative)
        with _open_parent(root, parts, create=False) as fd:
            if not stat.S_ISDIR(os.stat(parts[-1], dir_fd=fd, follow_symlinks=False).st_mode):
                os.unlink(parts[-1], dir_fd=fd)
    except (FileNotFoundError, UnsafePathError):
        pass


def _read_regular(root: Path, parts: list[str]) -> tuple[bytes, os.stat_result] | None:
    """The content of a regular file (None for a link, device, fifo or socket, or a link on the way)."""
    try:
        with _open_parent(root, parts, create=False) as fd:
            src = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
            try:
                st = os.fstat(src)
                if not stat.S_ISREG(st.st_mode):
                    return None
                with os.fdopen(src, "rb", closefd=False) as f:
                    return f.read(), st
            finally:
                os.close(src)
    except (OSError, UnsafePathError):
        return None


def _regular_files(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every regular file below ``root`` (links neither followed nor listed): relative path -> (size, mtime, ino)."""
    found: dict[str, tuple[int, int, int]] = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(root / rel if rel else root))
        except OSError:
            continue
        for entry in entries:
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append(name)
            elif stat.S_ISREG(st.st_mode) and not entry.name.startswith(".accord-"):
                found[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@dataclass
class QuotaStore:
    """A size-limited tmpfs holding the sandbox's view of a host work dir (root only; see the module doc)."""

    host: Path
    size_bytes: int
    uid: int | None
    base: Path = field(init=False)
    path: Path = field(init=False)
    scratch: Path = field(init=False)
    _host_seen: dict[str, tuple[int, int, int]] = field(init=False, default_factory=dict)
    _store_seen: dict[str, tuple[int, int, int]] = field(init=False, default_factory=dict)
    _finalizer: weakref.finalize[[Path], QuotaStore] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="accord-quota-"))  # 0700: only root reaches the store
        mnt = self.base / "mnt"
        mnt.mkdir()
        opts = f"size={self.size_bytes},mode=0755".encode()
        if _libc().mount(b"tmpfs", str(mnt).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, opts) != 0:
            err = ctypes.get_errno()
            shutil.rmtree(self.base, ignore_errors=True)
            raise OSError(err, f"cannot mount a size-limited tmpfs: {os.strerror(err)}")
        # Released with the executor, or at exit at the latest: no tmpfs outlives the process that mounted it.
        self._finalizer = weakref.finalize(self, _release, self.base)
        self.path = mnt / "work"
        self.path.mkdir(mode=0o755)
        self.scratch = mnt / "scratch"
        """For the executor's own files that the sandbox writes (a kernel's sockets): bounded by the same quota."""
        self.scratch.mkdir(mode=0o755)
        if self.uid is not None:
            os.chown(self.path, self.uid, self.uid)
        try:
            self.pull()
        except BaseException:
            self.close()
            raise

    @staticmethod
    def available() -> str | None:
        """None if a size-limited tmpfs can be mounted here; otherwise why not."""
        if os.name != "posix" or os.geteuid() != 0:
            return "needs root (to mount a size-limited tmpfs for the work dir)"
        probe = Path(tempfile.mkdtemp(prefix="accord-quota-probe-"))
        try:
            if _libc().mount(b"tmpfs", str(probe).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=4096") != 0:
                return f"cannot mount a tmpfs here: {os.strerror(ctypes.get_errno())}"
            _libc().umount2(str(probe).encode(), _MNT_DETACH)
            return None
        finally:
            with contextlib.suppress(OSError):
                probe.rmdir()

    def pull(self) -> None:
        """Bring files the host side added or changed since the last sync into the store (and drop deleted ones)."""
        self._sync(self.host, self.path, self._host_seen, self._store_seen, uid=self.uid)

    def push(self) -> None:
        """Copy the files the code wrote into the host work dir (regular files only; deleted ones are deleted)."""
        self._sync(self.path, self.host, self._store_seen, self._host_seen, uid=None)

    def _sync(
        self,
        src: Path,
        dst: Path,
        src_seen: dict[str, tuple[int, int, int]],
        dst_seen: dict[str, tuple[int, int, int]],
        *,
        uid: int | None,
    ) -> None:
        """Copy what changed in ``src`` since the last sync to ``dst``; delete there what was deleted here."""
        now = _regular_files(src)
        for rel, sig in now.items():
            if src_seen.get(rel) == sig:
                continue
            src_seen[rel] = sig
            got = _read_regular(src, rel.split("/"))
            if got is None:
                continue
            try:
                # Permission bits only (an executable stays executable; no set-id bits, ever).
                written = write_new(dst, rel, got[0], uid=uid, mode=stat.S_IMODE(got[1].st_mode) & 0o755)
                st = os.stat(written, follow_symlinks=False)
                dst_seen[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
            except OSError as e:
                if e.errno == errno.ENOSPC and dst == self.path:
                    raise OSError(
                        errno.ENOSPC,
                        f"the work dir {str(self.host)!r} is larger than its disk quota "
                        f"({self.size_bytes // (1024 * 1024)} MB)",
                    ) from e
                logger.warning("code executor: %s not copied from %s to %s: %s", rel, src, dst, e)
        for rel in set(src_seen) - set(now):
            del src_seen[rel]
            if rel in dst_seen:
                remove_file(dst, rel)
                del dst_seen[rel]

    def close(self) -> None:
        self._finalizer()


def _release(base: Path) -> None:
    _libc().umount2(str(base / "mnt").encode(), _MNT_DETACH)
    shutil.rmtree(base, ignore_errors=True)
