"""The store conformance suite: every test runs on SQLite and on PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from accord.journal import (
    EffectRow,
    JournalError,
    JournalStore,
    LeaseHeldError,
    Record,
    RunInfo,
    UnknownRunError,
)


def _run(run_id: str, **kw: object) -> RunInfo:
    now = time.time()
    return RunInfo(
        run_id=run_id,
        status="running",
        name="team",
        kind="team",
        created_at=now,
        updated_at=now,
        config={"provider": "x", "config": {"name": "team", "api_key": "<redacted>"}},
        meta={"seed": "s"},
        **kw,  # type: ignore[arg-type]
    )


async def test_create_get_list(store: JournalStore) -> None:
    await store.create_run(_run("a"))
    await asyncio.sleep(0.01)
    await store.create_run(_run("b"))
    got = await store.get_run("a")
    assert got.run_id == "a" and got.config["config"]["name"] == "team" and got.meta == {"seed": "s"}
    assert [r.run_id for r in await store.list_runs()] == ["b", "a"]
    assert [r.run_id for r in await store.list_runs(limit=1)] == ["b"]


async def test_unknown_run_lists_recent_ids(store: JournalStore) -> None:
    await store.create_run(_run("known-1"))
    with pytest.raises(UnknownRunError) as info:
        await store.get_run("nope")
    assert "nope" in str(info.value) and "known-1" in str(info.value)
    assert info.value.recent == ["known-1"]
    assert isinstance(info.value, KeyError)


async def test_records_in_order_and_by_kind(store: JournalStore) -> None:
    await store.create_run(_run("r"))
    await store.write("r", [Record(0, "segment", 0, {"task": "t"}), Record(1, "message", 0, {"content": "hi"})])
    await store.write("r", [Record(2, "message", 1, {"content": "ünïcode ✓"})])
    records = await store.read_records("r")
    assert [(r.seq, r.kind, r.step) for r in records] == [(0, "segment", 0), (1, "message", 0), (2, "message", 1)]
    assert [r.data["content"] for r in await store.read_records("r", ["message"])] == ["hi", "ünïcode ✓"]


async def test_effects_upsert_by_key(store: JournalStore) -> None:
    await store.create_run(_run("e"))
    started = EffectRow("w/1/tool/1", "tool", 1, "w", "started", "h1", None, False)
    await store.write("e", [], [started])
    assert (await store.read_effects("e"))["w/1/tool/1"].status == "started"
    done = EffectRow("w/1/tool/1", "tool", 1, "w", "done", "h1", {"text": "ok"}, False)
    await store.write("e", [], [done])
    effects = await store.read_effects("e")
    assert len(effects) == 1 and effects["w/1/tool/1"].result == {"text": "ok"}
    assert effects["w/1/tool/1"].idempotent is False


async def test_blobs_stored_once(store: JournalStore) -> None:
    await store.create_run(_run("b"))
    await store.write("b", [], [], {"h1": '{"a":1}', "h2": '"x"'})
    await store.write("b", [], [], {"h1": '{"a":1}'})
    assert await store.get_blobs(["h1", "h2", "missing"]) == {"h1": '{"a":1}', "h2": '"x"'}


async def test_write_is_all_or_nothing(store: JournalStore) -> None:
    await store.create_run(_run("t"))
    await store.write("t", [Record(0, "message", 0, {"n": 0})])
    with pytest.raises(JournalError):
        # seq 1 is new but seq 0 is a duplicate: the whole write is rolled back
        await store.write("t", [Record(1, "message", 0, {"n": 1}), Record(0, "message", 0, {"n": 2})])
    assert [r.seq for r in await store.read_records("t")] == [0]


async def test_status_and_meta_merge(store: JournalStore) -> None:
    await store.create_run(_run("s"))
    await store.set_status("s", "waiting", {"waiting": {"agent": "user"}})
    info = await store.get_run("s")
    assert info.status == "waiting" and info.meta == {"seed": "s", "waiting": {"agent": "user"}}
    await store.set_status("s", "completed")
    assert (await store.get_run("s")).status == "completed"


async def test_lease_refused_to_a_second_holder_then_released(store: JournalStore) -> None:
    await store.create_run(_run("l"))
    await store.acquire_lease("l", "hostA:1:aa", 30)
    await store.acquire_lease("l", "hostA:1:aa", 30)  # the holder renews
    with pytest.raises(LeaseHeldError) as info:
        await store.acquire_lease("l", "hostB:2:bb", 30)
    assert "hostA:1:aa" in str(info.value)
    await store.release_lease("l", "hostA:1:aa")
    await store.acquire_lease("l", "hostB:2:bb", 30)


async def test_expired_lease_can_be_taken(store: JournalStore) -> None:
    await store.create_run(_run("x"))
    await store.acquire_lease("x", "hostA:1:aa", 0.01)
    await asyncio.sleep(0.05)
    await store.acquire_lease("x", "hostB:2:bb", 30)
    assert (await store.get_run("x")).lease_holder == "hostB:2:bb"


async def test_lease_of_a_dead_local_process_is_stale(store: JournalStore) -> None:
    import socket
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    await store.create_run(_run("d"))
    await store.acquire_lease("d", f"{socket.gethostname()}:{child.pid}:dead", 300)
    await store.acquire_lease("d", f"{socket.gethostname()}:{os.getpid()}:me", 30)


async def test_lease_of_unknown_run(store: JournalStore) -> None:
    with pytest.raises(UnknownRunError):
        await store.acquire_lease("ghost", "h:1:a", 30)
