"""The SQLite journal store (the default, ``.accord/runs.db``): WAL mode, one commit per ``write``.

Calls run on the event loop's thread: each is a few microseconds of local I/O, cheaper than a thread hop.
``synchronous=NORMAL`` in WAL mode keeps every committed record through a process crash (``kill -9``); only an
operating-system crash or power loss can drop the last commits.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._errors import CorruptJournalError, JournalError, LeaseHeldError, UnknownRunError
from ._migrate import HEAD, VERSION_TABLE, upgrade
from ._records import EffectRow, Record, RunInfo, RunStatus, blob_hash, dumps, loads
from ._store import JournalStore, holder_is_dead

__all__ = ["SqliteStore"]

_RUN_COLUMNS = "run_id, status, name, kind, created_at, updated_at, config, meta, lease_holder, lease_expires"


def _record_row(run_id: str, record: Record) -> tuple[Any, ...]:
    return (run_id, record.seq, record.kind, record.step, dumps(record.data))


def _effect_row(run_id: str, e: EffectRow) -> tuple[Any, ...]:
    result = None if e.result is None else dumps(e.result)
    return (run_id, e.key, e.kind, e.step, e.agent, e.status, e.request, result, int(e.idempotent))


def _parse(text: str, where: str) -> Any:
    try:
        return loads(text)
    except ValueError as e:
        raise CorruptJournalError(f"The journal record {where} is not valid JSON (corrupt or truncated): {e}") from e


class SqliteStore(JournalStore):
    """A journal in one SQLite file (created with its folder on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        self._db: sqlite3.Connection | None = None

    # ------------------------------------------------------------ connection and schema

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            current = self._revision(db)
        except sqlite3.DatabaseError as e:
            raise CorruptJournalError(
                f"{self.path} is not a readable accord journal ({e}). Move it aside to start a new journal."
            ) from e
        if current != HEAD:
            db.close()
            upgrade(f"sqlite:///{self.path}")
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        return db

    @staticmethod
    def _revision(db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name=?", (VERSION_TABLE,)).fetchone()
        if row is None:
            return None
        version = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        return None if version is None else str(version[0])

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as e:
            raise self._error(e) from e

    def _error(self, e: sqlite3.DatabaseError) -> JournalError:
        text = str(e)
        if "full" in text:
            return JournalError(f"The journal {self.path} cannot be written: {text}. Nothing half-written was kept.")
        if isinstance(e, sqlite3.OperationalError) and "locked" in text:
            return JournalError(f"The journal {self.path} is locked by another process: {text}")
        return CorruptJournalError(f"The journal {self.path} is damaged here ({text}); other runs may still open.")

    # ------------------------------------------------------------ runs

    def _info(self, row: tuple[Any, ...]) -> RunInfo:
        run_id, status, name, kind, created, updated, config_hash, meta, holder, expires = row
        config = self._blob(config_hash, f"config of run {run_id}")
        return RunInfo(
            run_id=run_id,
            status=status,
            name=name,
            kind=kind,
            created_at=created,
            updated_at=updated,
            config=config,
            meta=_parse(meta, f"meta of run {run_id}"),
            lease_holder=holder,
            lease_expires=expires,
        )

    def _blob(self, digest: str, where: str) -> Any:
        rows = self._run("SELECT data FROM blobs WHERE hash=?", (digest,))
        if not rows:
            raise CorruptJournalError(f"The journal {self.path} lacks the {where} (blob {digest}).")
        return _parse(rows[0][0], where)

    async def create_run(self, run: RunInfo) -> None:
        config = dumps(run.config)
        digest = blob_hash(config)
        db = self._conn()
        try:
            db.execute("BEGIN")
            db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?)", (digest, config))
            db.execute(
                f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run.run_id, run.status, run.name, run.kind, run.created_at, run.updated_at, digest, dumps(run.meta),
                 run.lease_holder, run.lease_expires),
            )  # fmt: skip
            db.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            db.execute("ROLLBACK") if db.in_transaction else None
            raise self._error(e) from e

    async def get_run(self, run_id: str) -> RunInfo:
        rows = self._run(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id=?", (run_id,))
        if not rows:
            recent = self._run("SELECT run_id FROM runs ORDER BY updated_at DESC LIMIT 10")
            raise UnknownRunError(run_id, [r[0] for r in recent])
        return self._info(rows[0])

    async def list_runs(self, limit: int = 20) -> list[RunInfo]:
        rows = self._run(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY updated_at DESC LIMIT ?", (limit,))
        return [self._info(row) for row in rows]

    async def set_status(self, run_id: str, status: RunStatus, meta: Mapping[str, Any] | None = None) -> None:
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE")
            if meta:
                row = db.execute("SELECT meta FROM runs WHERE run_id=?", (run_id,)).fetchone()
                merged = {**(_parse(row[0], f"meta of run {run_id}") if row else {}), **meta}
                db.execute(
                    "UPDATE runs SET status=?, meta=?, updated_at=? WHERE run_id=?",
                    (status, dumps(merged), time.time(), run_id),
                )
            else:
                db.execute("UPDATE runs SET status=?, updated_at=? WHERE run_id=?", (status, time.time(), run_id))
            db.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise self._error(e) from e

    # ------------------------------------------------------------ records, effects, blobs

    async def write(
        self,
        run_id: str,
        records: Sequence[Record],
        effects: Sequence[EffectRow] = (),
        blobs: Mapping[str, str] | None = None,
    ) -> None:
        db = self._conn()
        try:
            db.execute("BEGIN")
            if blobs:
                db.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?)", blobs.items())
            if records:
                db.executemany("INSERT INTO records VALUES (?,?,?,?,?)", [_record_row(run_id, r) for r in records])
            if effects:
                db.executemany(
                    "INSERT OR REPLACE INTO effects VALUES (?,?,?,?,?,?,?,?,?)",
                    [_effect_row(run_id, e) for e in effects],
                )
            db.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise self._error(e) from e

    async def read_records(self, run_id: str, kinds: Sequence[str] | None = None) -> list[Record]:
        sql = "SELECT seq, kind, step, data FROM records WHERE run_id=?"
        params: list[Any] = [run_id]
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params.extend(kinds)
        rows = self._run(sql + " ORDER BY seq", params)
        return [Record(seq, kind, step, _parse(data, f"{run_id}#{seq}")) for seq, kind, step, data in rows]

    async def read_effects(self, run_id: str) -> dict[str, EffectRow]:
        rows = self._run(
            "SELECT key, kind, step, agent, status, request, result, idempotent FROM effects WHERE run_id=?", (run_id,)
        )
        return {
            key: EffectRow(
                key, kind, step, agent, status, request,
                None if result is None else _parse(result, f"effect {key} of run {run_id}"), bool(idem),
            )
            for key, kind, step, agent, status, request, result, idem in rows
        }  # fmt: skip

    async def get_blobs(self, hashes: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._run(f"SELECT hash, data FROM blobs WHERE hash IN ({','.join('?' * len(chunk))})", chunk)
            out.update(rows)  # type: ignore[arg-type]
        return out

    # ------------------------------------------------------------ leases

    async def acquire_lease(self, run_id: str, holder: str, ttl: float) -> None:
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT lease_holder, lease_expires FROM runs WHERE run_id=?", (run_id,)).fetchone()
            if row is None:
                db.execute("ROLLBACK")
                await self.get_run(run_id)  # raises UnknownRunError with the recent ids
                return
            current, expires = row
            now = time.time()
            if current and current != holder and (expires or 0) > now and not holder_is_dead(current):
                db.execute("ROLLBACK")
                raise LeaseHeldError(run_id, current, float(expires))
            db.execute("UPDATE runs SET lease_holder=?, lease_expires=? WHERE run_id=?", (holder, now + ttl, run_id))
            db.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise self._error(e) from e

    async def release_lease(self, run_id: str, holder: str) -> None:
        self._run(
            "UPDATE runs SET lease_holder=NULL, lease_expires=NULL WHERE run_id=? AND lease_holder=?", (run_id, holder)
        )

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
