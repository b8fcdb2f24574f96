"""A diskcache ``Disk`` that never unpickles, and a check of a cache directory before diskcache opens it.

diskcache's own ``Disk`` unpickles pickle-mode rows (values and keys) inside ``Cache.get``, before the caller sees
them, and trusts the ``Settings`` table and the file names stored in the database. A cache directory is data (it
may have been written by someone else), so accord's stores read it through :func:`json_only_disk`:

* a pickle-mode value or a pickled key is refused with :class:`PickledCacheRowError` (never loaded);
* a value file must be a plain file inside the cache directory (no ``..``, no absolute path, no symlink), for
  reading and for removal;
* :func:`check_cache_directory` refuses a ``Settings`` table with keys or values diskcache itself never writes
  (they would become SQLite pragmas and attributes of the ``Disk``) and a ``cache.db`` that is a symlink.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from .._errors import ComponentError
from .._imports import require

__all__ = ["PickledCacheRowError", "UnsafeCacheDirectoryError", "check_cache_directory", "json_only_disk"]

_SAFE_PRAGMA_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class PickledCacheRowError(ComponentError):
    """A cache row holds a pickle (or points outside the cache directory); accord never loads it."""


class UnsafeCacheDirectoryError(ComponentError):
    """A cache directory's database has settings diskcache never writes, or is a symlink; it was not opened."""


def _inside(directory: str, filename: str) -> str:
    path = Path(filename)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise PickledCacheRowError(f"cache row names the file {filename!r}, outside the cache directory {directory!r}")
    full = os.path.join(directory, filename)
    if os.path.islink(full):
        raise PickledCacheRowError(f"cache row file {full!r} is a symlink; accord does not follow it")
    return full


@functools.cache
def json_only_disk() -> type[Any]:
    """The ``Disk`` subclass accord's DiskCacheStore opens every cache with (built once; diskcache is lazy)."""
    core = require("diskcache.core", extra="diskcache")

    class JsonOnlyDisk(core.Disk):  # type: ignore[misc,name-defined]
        """Keys and values are JSON text or bytes; pickle rows and files outside the directory are refused."""

        def get(self, key: Any, raw: bool) -> Any:
            if not raw:
                raise PickledCacheRowError(
                    f"a key in the cache at {self._directory!r} is pickled; accord never unpickles cache data"
                )
            return super().get(key, raw)

        def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
            if mode == core.MODE_PICKLE:
                raise PickledCacheRowError(
                    f"a value in the cache at {self._directory!r} is a pickle; accord never unpickles cache data "
                    f"(it stores JSON). The row is ignored and replaced on the next write; delete the directory to "
                    f"drop such rows."
                )
            if filename is not None:
                _inside(self._directory, filename)
            return super().fetch(mode, filename, value, read)

        def remove(self, file_path: str) -> None:
            try:
                _inside(self._directory, file_path)
            except PickledCacheRowError:
                return  # never delete outside the cache directory
            super().remove(file_path)

    return JsonOnlyDisk


def check_cache_directory(directory: str) -> None:
    """Refuse a cache directory whose database could steer diskcache (see the module docstring)."""
    core = require("diskcache.core", extra="diskcache")
    db = os.path.join(directory, core.DBNAME)
    if os.path.islink(db):
        raise UnsafeCacheDirectoryError(f"{db} is a symlink; accord opens only a real cache database")
    if not os.path.exists(db):
        return
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT key, value FROM Settings").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return  # no Settings table yet (or not a database: diskcache reports that itself)
    allowed = {**core.DEFAULT_SETTINGS, **core.METADATA}
    for key, value in rows:
        problem = None
        if key not in allowed:
            problem = "is not a diskcache setting"
        elif key == "eviction_policy" and value not in core.EVICTION_POLICY:
            problem = "is not an eviction policy"
        elif key.startswith("sqlite_") and not _SAFE_PRAGMA_VALUE.match(str(value)):
            problem = "is not a plain pragma value"
        elif key != "eviction_policy" and not key.startswith("sqlite_") and not isinstance(value, int | float):
            problem = "is not a number"
        if problem is not None:
            raise UnsafeCacheDirectoryError(
                f"the cache database {db} has the setting {key!r} = {value!r}, which {problem}; accord did not open "
                f"it. Use a cache directory only accord writes to (or delete this one)."
            )
