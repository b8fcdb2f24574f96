"""The PostgreSQL journal store (production): psycopg 3, async, one transaction per call, a schema of its own.

``PostgresStore("postgresql://user@host/db", schema="accord_journal")``; in a URL, ``?schema=NAME`` picks the schema.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._errors import UsageError
from .._imports import require
from ._errors import CorruptJournalError, JournalError, LeaseHeldError, UnknownRunError
from ._migrate import HEAD, VERSION_TABLE, upgrade
from ._records import EffectRow, Record, RunInfo, RunStatus, blob_hash, dumps, loads
from ._store import JournalStore, holder_is_dead

__all__ = ["PostgresStore"]

_RUN_COLUMNS = "run_id, status, name, kind, created_at, updated_at, config, meta, lease_holder, lease_expires"
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _split_schema(url: str, schema: str | None) -> tuple[str, str]:
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    found = [v for k, v in query if k == "schema"]
    rest = [(k, v) for k, v in query if k != "schema"]
    name = schema or (found[0] if found else "accord_journal")
    if not _SCHEMA_NAME.match(name):
        raise UsageError(f"Invalid journal schema name {name!r}: letters, digits and _ only, at most 63.")
    return urlunsplit(parts._replace(query=urlencode(rest))), name


def _wrapped(method: Any) -> Any:
    """Database errors leave a store method as :class:`JournalError` naming the store (the transaction is rolled
    back: nothing half-written stays)."""

    @functools.wraps(method)
    async def call(self: PostgresStore, *args: Any, **kwargs: Any) -> Any:
        psycopg: Any = require("psycopg", extra="journal")
        try:
            return await method(self, *args, **kwargs)
        except psycopg.Error as e:
            raise JournalError(f"The PostgreSQL journal {self.url} failed: {type(e).__name__}: {e}") from e

    return call


def _parse(text: str, where: str) -> Any:
    try:
        return loads(text)
    except ValueError as e:
        raise CorruptJournalError(f"The journal record {where} is not valid JSON (corrupt or truncated): {e}") from e


class PostgresStore(JournalStore):
    """A journal in a PostgreSQL schema (created and migrated on first use)."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.dsn, self.schema = _split_schema(url, schema)
        self.url = f"{self.dsn} (schema {self.schema})"
        self._conn: Any = None

    async def _db(self) -> Any:
        if self._conn is None:
            psycopg: Any = require("psycopg", extra="journal")
            try:
                conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
            except psycopg.Error as e:
                raise JournalError(f"Cannot connect to the PostgreSQL journal {self.dsn}: {e}") from e
            current = await self._revision(conn)
            if current != HEAD:
                sa_url = self.dsn.replace("postgresql://", "postgresql+psycopg://", 1).replace(
                    "postgres://", "postgresql+psycopg://", 1
                )
                upgrade(sa_url, schema=self.schema)
            await conn.execute(f'SET search_path TO "{self.schema}"')
            self._conn = conn
        return self._conn

    async def _revision(self, conn: Any) -> str | None:
        cur = await conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema=%s AND table_name=%s",
            (self.schema, VERSION_TABLE),
        )
        if await cur.fetchone() is None:
            return None
        cur = await conn.execute(f'SELECT version_num FROM "{self.schema}".{VERSION_TABLE}')
        row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        conn = await self._db()
        cur = await conn.execute(sql, params)
        return list(await cur.fetchall()) if cur.description is not None else []

    # ------------------------------------------------------------ runs

    async def _info(self, row: tuple[Any, ...]) -> RunInfo:
        run_id, status, name, kind, created, updated, config_hash, meta, holder, expires = row
        blobs = await self.get_blobs([config_hash])
        if config_hash not in blobs:
            raise CorruptJournalError(f"The journal lacks the config of run {run_id} (blob {config_hash}).")
        return RunInfo(
            run_id=run_id,
            status=status,
            name=name,
            kind=kind,
            created_at=created,
            updated_at=updated,
            config=_parse(blobs[config_hash], f"config of run {run_id}"),
            meta=_parse(meta, f"meta of run {run_id}"),
            lease_holder=holder,
            lease_expires=expires,
        )

    @_wrapped
    async def create_run(self, run: RunInfo) -> None:
        config = dumps(run.config)
        digest = blob_hash(config)
        conn = await self._db()
        async with conn.transaction():
            await conn.execute("INSERT INTO blobs VALUES (%s, %s) ON CONFLICT DO NOTHING", (digest, config))
            await conn.execute(
                f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (run.run_id, run.status, run.name, run.kind, run.created_at, run.updated_at, digest, dumps(run.meta),
                 run.lease_holder, run.lease_expires),
            )  # fmt: skip

    @_wrapped
    async def get_run(self, run_id: str) -> RunInfo:
        rows = await self._fetch(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id=%s", (run_id,))
        if not rows:
            recent = await self._fetch("SELECT run_id FROM runs ORDER BY updated_at DESC LIMIT 10")
            raise UnknownRunError(run_id, [r[0] for r in recent])
        return await self._info(rows[0])

    @_wrapped
    async def list_runs(self, limit: int = 20) -> list[RunInfo]:
        rows = await self._fetch(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY updated_at DESC LIMIT %s", (limit,))
        return [await self._info(row) for row in rows]

    @_wrapped
    async def set_status(self, run_id: str, status: RunStatus, meta: Mapping[str, Any] | None = None) -> None:
        conn = await self._db()
        async with conn.transaction():
            if meta:
                cur = await conn.execute("SELECT meta FROM runs WHERE run_id=%s FOR UPDATE", (run_id,))
                row = await cur.fetchone()
                merged = {**(_parse(row[0], f"meta of run {run_id}") if row else {}), **meta}
                await conn.execute(
                    "UPDATE runs SET status=%s, meta=%s, updated_at=%s WHERE run_id=%s",
                    (status, dumps(merged), time.time(), run_id),
                )
            else:
                await conn.execute(
                    "UPDATE runs SET status=%s, updated_at=%s WHERE run_id=%s", (status, time.time(), run_id)
                )

    # ------------------------------------------------------------ records, effects, blobs

    @_wrapped
    async def write(
        self,
        run_id: str,
        records: Sequence[Record],
        effects: Sequence[EffectRow] = (),
        blobs: Mapping[str, str] | None = None,
    ) -> None:
        conn = await self._db()
        async with conn.transaction(), conn.cursor() as cur:
            if blobs:
                await cur.executemany("INSERT INTO blobs VALUES (%s, %s) ON CONFLICT DO NOTHING", list(blobs.items()))
            if records:
                await cur.executemany(
                    "INSERT INTO records VALUES (%s,%s,%s,%s,%s)",
                    [(run_id, r.seq, r.kind, r.step, dumps(r.data)) for r in records],
                )
            if effects:
                await cur.executemany(
                    "INSERT INTO effects VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (run_id, key) DO UPDATE SET "
                    "status=EXCLUDED.status, request=EXCLUDED.request, result=EXCLUDED.result, step=EXCLUDED.step",
                    [
                        (run_id, e.key, e.kind, e.step, e.agent, e.status, e.request,
                         None if e.result is None else dumps(e.result), int(e.idempotent))
                        for e in effects
                    ],
                )  # fmt: skip

    @_wrapped
    async def read_records(self, run_id: str, kinds: Sequence[str] | None = None) -> list[Record]:
        if kinds:
            rows = await self._fetch(
                "SELECT seq, kind, step, data FROM records WHERE run_id=%s AND kind = ANY(%s) ORDER BY seq",
                (run_id, list(kinds)),
            )
        else:
            rows = await self._fetch("SELECT seq, kind, step, data FROM records WHERE run_id=%s ORDER BY seq", (run_id,))
        return [Record(seq, kind, step, _parse(data, f"{run_id}#{seq}")) for seq, kind, step, data in rows]

    @_wrapped
    async def read_effects(self, run_id: str) -> dict[str, EffectRow]:
        rows = await self._fetch(
            "SELECT key, kind, step, agent, status, request, result, idempotent FROM effects WHERE run_id=%s", (run_id,)
        )
        return {
            key: EffectRow(
                key, kind, step, agent, status, request,
                None if result is None else _parse(result, f"effect {key} of run {run_id}"), bool(idem),
            )
            for key, kind, step, agent, status, request, result, idem in rows
        }  # fmt: skip

    @_wrapped
    async def get_blobs(self, hashes: Sequence[str]) -> dict[str, str]:
        if not hashes:
            return {}
        rows = await self._fetch("SELECT hash, data FROM blobs WHERE hash = ANY(%s)", (list(set(hashes)),))
        return {h: d for h, d in rows}

    # ------------------------------------------------------------ leases

    @_wrapped
    async def acquire_lease(self, run_id: str, holder: str, ttl: float) -> None:
        conn = await self._db()
        async with conn.transaction():
            cur = await conn.execute(
                "SELECT lease_holder, lease_expires FROM runs WHERE run_id=%s FOR UPDATE", (run_id,)
            )
            row = await cur.fetchone()
            if row is None:
                raise UnknownRunError(run_id, [r.run_id for r in await self.list_runs(10)])
            current, expires = row
            now = time.time()
            if current and current != holder and (expires or 0) > now and not holder_is_dead(current):
                raise LeaseHeldError(run_id, current, float(expires))
            await conn.execute(
                "UPDATE runs SET lease_holder=%s, lease_expires=%s WHERE run_id=%s", (holder, now + ttl, run_id)
            )

    @_wrapped
    async def release_lease(self, run_id: str, holder: str) -> None:
        await self._fetch(
            "UPDATE runs SET lease_holder=NULL, lease_expires=NULL WHERE run_id=%s AND lease_holder=%s", (run_id, holder)
        )

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def drop_schema(self) -> None:
        """Drop the store's schema and everything in it (for tests and throwaway journals)."""
        conn = await self._db()
        await conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        await self.close()
