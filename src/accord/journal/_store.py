"""The store interface every journal backend implements (SQLite, PostgreSQL), and the SQL they share."""

from __future__ import annotations

import os
import socket
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._records import EffectRow, Record, RunInfo, RunStatus

if TYPE_CHECKING:
    from ..base import TaskResult
    from ..core import CancellationToken

__all__ = ["DEFAULT_PATH", "JournalStore", "Lease", "new_holder", "open_store"]

DEFAULT_PATH = Path(".accord") / "runs.db"
"""The default SQLite journal, relative to the project (the working directory)."""

def new_holder() -> str:
    """A lease holder name: ``host:pid:nonce`` (a dead pid on this host means a stale lease)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """Whether ``holder`` was a process of this host that no longer runs (its lease is stale)."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent) holds nothing
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state == "Z"


class Lease:
    """Who may write a run now; renewed as the run writes, released when it ends."""

    def __init__(self, store: JournalStore, run_id: str, holder: str, ttl: float) -> None:
        self.store = store
        self.run_id = run_id
        self.holder = holder
        self.ttl = ttl
        self.expires = 0.0

    async def renew_if_due(self) -> None:
        if self.expires - time.time() < self.ttl / 2:
            await self.store.acquire_lease(self.run_id, self.holder, self.ttl)
            self.expires = time.time() + self.ttl

    async def release(self) -> None:
        await self.store.release_lease(self.run_id, self.holder)


class JournalStore(ABC):
    """Where journals live. Every method is one transaction; ``write`` is the hot path (one commit per call).

    A store is also what ``team.run(..., journal=store)`` takes: :meth:`record_stream` records a run into it.
    """

    url: str

    @abstractmethod
    async def create_run(self, run: RunInfo) -> None: ...

    @abstractmethod
    async def get_run(self, run_id: str) -> RunInfo:
        """The run, or :class:`UnknownRunError` with the recent ids."""

    @abstractmethod
    async def list_runs(self, limit: int = 20) -> list[RunInfo]:
        """The latest runs, newest first."""

    @abstractmethod
    async def set_status(self, run_id: str, status: RunStatus, meta: Mapping[str, Any] | None = None) -> None:
        """Set the status and merge ``meta`` into the run's meta."""

    @abstractmethod
    async def write(
        self,
        run_id: str,
        records: Sequence[Record],
        effects: Sequence[EffectRow] = (),
        blobs: Mapping[str, str] | None = None,
    ) -> None:
        """Append records, upsert effects, add blobs: all or nothing."""

    @abstractmethod
    async def read_records(self, run_id: str, kinds: Sequence[str] | None = None) -> list[Record]: ...

    @abstractmethod
    async def read_effects(self, run_id: str) -> dict[str, EffectRow]: ...

    @abstractmethod
    async def get_blobs(self, hashes: Sequence[str]) -> dict[str, str]: ...

    @abstractmethod
    async def acquire_lease(self, run_id: str, holder: str, ttl: float) -> None:
        """Take or renew the lease; :class:`LeaseHeldError` if a live holder has it."""

    @abstractmethod
    async def release_lease(self, run_id: str, holder: str) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> JournalStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------ what ``run(..., journal=store)`` calls

    def record_stream(
        self,
        runnable: Any,
        *,
        task: Any = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
    ) -> AsyncGenerator[Any, None]:
        from ._journal import Journal

        return Journal(self).run_stream(
            runnable, task=task, cancellation_token=cancellation_token, output_task_messages=output_task_messages
        )

    async def resume_run(self, runnable: Any, run_id: str, **options: Any) -> TaskResult:
        from ._journal import Journal

        return await Journal(self).resume(runnable, run_id, **options)


def open_store(location: str | Path | None = None) -> JournalStore:
    """A store from a location: ``postgresql://...`` for PostgreSQL, else a SQLite file (default ``.accord/runs.db``)."""
    text = str(location) if location is not None else os.environ.get("ACCORD_JOURNAL", "")
    if text.startswith(("postgresql://", "postgres://")):
        from ._postgres import PostgresStore

        return PostgresStore(text)
    from ._sqlite import SqliteStore

    return SqliteStore(Path(text) if text else DEFAULT_PATH)
