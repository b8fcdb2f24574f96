"""Bad input: an older schema, a corrupt or truncated database, a full disk (SQLite; the PostgreSQL store shares the
migrations and the transactions, see the conformance suite)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from accord.agents import AssistantAgent
from accord.conditions import MaxMessageTermination
from accord.journal import CorruptJournalError, JournalError, SqliteStore, transcript
from accord.journal._migrate import HEAD, VERSION_TABLE, upgrade
from accord.teams import RoundRobinGroupChat
from accord.testing import ScriptedChatCompletionClient


def team(n: int = 5) -> RoundRobinGroupChat:
    agents = [
        AssistantAgent(name, model_client=ScriptedChatCompletionClient(respond=f"{name} says hi"))
        for name in ("a", "b")
    ]
    return RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(n))  # type: ignore[arg-type]


async def test_a_journal_of_the_first_schema_still_opens(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    upgrade(f"sqlite:///{db}", revision="0001")
    with sqlite3.connect(db) as conn:  # a run as the first schema wrote it: no lease columns
        assert "lease_holder" not in [c[1] for c in conn.execute("PRAGMA table_info(runs)")]
        conn.execute("INSERT INTO blobs VALUES ('cfg', '{\"provider\":\"x\"}')")
        conn.execute(
            "INSERT INTO runs VALUES ('old-run','completed','team','team',?,?,'cfg','{}')", (time.time(), time.time())
        )
        conn.execute("INSERT INTO records VALUES ('old-run', 0, 'message', 1, '{\"type\":\"TextMessage\"}')")
    store = SqliteStore(db)
    info = await store.get_run("old-run")
    assert info.status == "completed" and info.lease_holder is None
    assert transcript(await store.read_records("old-run")) == [{"type": "TextMessage"}]
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()[0] == HEAD
    await store.acquire_lease("old-run", "h:1:a", 30)  # the new columns work
    await store.close()


async def test_a_file_that_is_not_a_journal_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    db.write_bytes(b"this is not a database at all" * 100)
    store = SqliteStore(db)
    with pytest.raises(CorruptJournalError) as info:
        await store.list_runs()
    assert str(db) in str(info.value) and "Move it aside" in str(info.value)


async def test_a_damaged_run_errors_clearly_and_the_others_still_open(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "runs.db")
    await team().run(task="one", journal=store)
    await team().run(task="two", journal=store)
    good, bad = [r.run_id for r in await store.list_runs()]
    with sqlite3.connect(tmp_path / "runs.db") as conn:  # half a record, as a torn write would leave it
        conn.execute("UPDATE records SET data = substr(data, 1, 7) WHERE run_id=? AND kind='message'", (bad,))
    with pytest.raises(CorruptJournalError) as info:
        await store.read_records(bad)
    assert bad in str(info.value) and "not valid JSON" in str(info.value)
    assert len(transcript(await store.read_records(good))) == 5
    await store.close()


async def test_a_truncated_database_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store = SqliteStore(path)
    for i in range(20):
        await team().run(task=f"run {i}", journal=store)
    await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    store = SqliteStore(path)
    readable = 0
    errors: list[str] = []
    try:
        runs = await store.list_runs(limit=100)
    except CorruptJournalError as e:
        errors.append(str(e))
        runs = []
    for run in runs:
        try:
            await store.read_records(run.run_id)
            readable += 1
        except CorruptJournalError as e:
            errors.append(str(e))
    assert errors, "half of the file is gone: some read must fail"
    assert all(str(path) in e or "not valid JSON" in e for e in errors)
    await store.close()


async def test_disk_full_stops_the_run_with_no_half_written_record(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "runs.db")
    await team(2).run(task="warm up", journal=store)
    db = store._conn()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk is full after one more page
    with pytest.raises(JournalError) as info:
        await team(400).run(task="a long run " * 200, journal=store)
    assert "full" in str(info.value)
    db.execute("PRAGMA max_page_count = 1000000")
    runs = await store.list_runs()
    run_id = runs[0].run_id
    seqs = [r.seq for r in await store.read_records(run_id)]
    assert seqs == list(range(len(seqs)))  # whole records only, no gap
    for effect in (await store.read_effects(run_id)).values():
        assert effect.status == "done" and effect.result is not None
    await store.close()
