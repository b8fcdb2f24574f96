"""Journal test fixtures: a store of each kind (a fresh SQLite file; a fresh schema in the local PostgreSQL)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from accord.journal import JournalStore, PostgresStore, SqliteStore

PG_URL = os.environ.get("ACCORD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[JournalStore]:
    """Every store test runs against both stores (the conformance suite)."""
    if request.param == "sqlite":
        sqlite = SqliteStore(tmp_path / "runs.db")
        yield sqlite
        await sqlite.close()
        return
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (.ci/setup.d/journal.sh starts one)")
    pg = PostgresStore(PG_URL, schema=f"journal_test_{uuid.uuid4().hex[:10]}")
    try:
        yield pg
    finally:
        await pg.drop_schema()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "runs.db")
    yield s
    await s.close()
