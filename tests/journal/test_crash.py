"""Real crash tests: a subprocess runs a journaled team against a scripted OpenAI-compatible server (a real HTTP
server in this process, spoken to by the real openai SDK), the test kills it with SIGKILL at a chosen point, resumes
the run in a fresh process, and checks that the final transcript equals an uninterrupted run's and that the server
never answered the same request twice. A request held by the server when the client died was never answered; it
may be asked again (model calls are idempotent), and is the only request that may be.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ._model_server import ModelServer

pytestmark = pytest.mark.real_server

APP = Path(__file__).with_name("_crash_app.py")
SRC = Path(__file__).resolve().parents[2] / "src"
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture
def server() -> Iterator[ModelServer]:
    s = ModelServer()
    yield s
    s.close()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PAUSE_AT", "TOOL_HANG")}
    env["PYTHONPATH"] = f"{SRC}{os.pathsep}{HERE}"
    env.update(extra)
    return env


def spawn(mode: str, scenario: str, db: Path, url: str, run_id: str, out: Path, *options: str, stdin: Any = None,
          **env: str) -> subprocess.Popen[str]:  # fmt: skip
    return subprocess.Popen(
        [sys.executable, str(APP), mode, scenario, str(db), url, run_id, str(out), *options],
        env=_env(**env),
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], out: Path, timeout: float = 60) -> dict[str, Any]:
    stdout, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{stdout}\n{stderr}"
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def reference(scenario: str, tmp_path: Path, human_says: str = "") -> list[list[str]]:
    """The transcript of an uninterrupted run of the same team (in this process, on its own server)."""
    from _crash_app import build

    own = ModelServer()
    try:
        team = build(scenario, own.url, input_func=lambda prompt: human_says)
        result = asyncio.run(team.run(task="Write about the sea."))
        return [[type(m).__name__, m.source, str(m.content)] for m in result.messages]
    finally:
        own.close()


def assert_no_answer_repeated(server: ModelServer) -> None:
    repeated = [h for h, n in collections.Counter(server.completed()).items() if n > 1]
    assert repeated == [], f"the server answered {len(repeated)} request(s) twice"


def effect_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM effects WHERE status='done'").fetchone()[0])


def has_record(db: Path, kind: str) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT 1 FROM records WHERE kind=?", (kind,)).fetchone() is not None
    except sqlite3.OperationalError:
        return False


def test_kill_before_a_model_call_returns(server: ModelServer, tmp_path: Path) -> None:
    expected = reference("rr", tmp_path)
    db, out = tmp_path / "runs.db", tmp_path / "out.json"
    server.hold_at = 3
    proc = spawn("run", "rr", db, server.url, "run-1", out)
    assert server.held.wait(30), proc.stderr.read() if proc.stderr else ""
    kill(proc)
    server.hold_at = None
    server.release.set()
    assert effect_count(db) == 2
    result = finish(spawn("resume", "rr", db, server.url, "run-1", out), out)
    assert result["messages"] == expected
    assert_no_answer_repeated(server)
    assert len(server.completed()) == 6 and len(server.log) == 7  # the held request was asked again, once


def test_kill_after_a_model_call_returned(server: ModelServer, tmp_path: Path) -> None:
    expected = reference("rr", tmp_path)
    db, out = tmp_path / "runs.db", tmp_path / "out.json"
    proc = spawn("run", "rr", db, server.url, "run-2", out, PAUSE_AT="4")
    wait_for(lambda: Path(f"{out}.paused").exists(), "the run to reach message 4")
    kill(proc)
    assert effect_count(db) == 3
    result = finish(spawn("resume", "rr", db, server.url, "run-2", out), out)
    assert result["messages"] == expected
    assert_no_answer_repeated(server)
    assert len(server.log) == 6  # nothing was in flight: no request at all was made twice


def test_kill_during_a_tool_call_needs_a_decision_then_retries(server: ModelServer, tmp_path: Path) -> None:
    expected = reference("tool", tmp_path)
    db, out = tmp_path / "runs.db", tmp_path / "out.json"
    proc = spawn("run", "tool", db, server.url, "run-3", out, TOOL_HANG="1")
    wait_for(lambda: Path(f"{out}.tool").exists(), "the tool to start")
    kill(proc)
    undecided = spawn("resume", "tool", db, server.url, "run-3", out)
    _, stderr = undecided.communicate(timeout=60)
    assert undecided.returncode != 0
    assert "NeedsDecisionError" in stderr and "agent/1/tool/1" in stderr and "book" in stderr
    result = finish(spawn("resume", "tool", db, server.url, "run-3", out, "--decision", "retry"), out)
    assert result["messages"] == expected
    assert_no_answer_repeated(server)
    assert len(server.log) == 2


def test_kill_while_waiting_for_a_human(server: ModelServer, tmp_path: Path) -> None:
    expected = reference("human", tmp_path, human_says="Looks good")
    db, out = tmp_path / "runs.db", tmp_path / "out.json"
    proc = spawn("run", "human", db, server.url, "run-4", out, stdin=subprocess.PIPE)
    wait_for(lambda: has_record(db, "awaiting_input"), "the run to ask the human")
    kill(proc)
    result = finish(spawn("resume", "human", db, server.url, "run-4", out, "--input", "Looks good"), out)
    assert result["messages"] == expected
    assert_no_answer_repeated(server)
    assert len(server.log) == 2


def test_two_processes_resuming_the_same_run(server: ModelServer, tmp_path: Path) -> None:
    db, out = tmp_path / "runs.db", tmp_path / "out.json"
    server.hold_at = 2
    first = spawn("run", "rr", db, server.url, "run-5", out)
    assert server.held.wait(30)
    kill(first)
    server.held.clear()
    server.release.set()
    server.release = __import__("threading").Event()
    server.hold_at = 3  # the first resume stays in its next call
    resumer = spawn("resume", "rr", db, server.url, "run-5", out)
    assert server.held.wait(30)
    second = spawn("resume", "rr", db, server.url, "run-5", tmp_path / "second.json")
    _, stderr = second.communicate(timeout=60)
    assert second.returncode != 0 and "LeaseHeldError" in stderr
    assert f":{resumer.pid}:" in stderr  # the refusal names the holder
    server.hold_at = None
    server.release.set()
    assert len(finish(resumer, out)["messages"]) == 7
    assert_no_answer_repeated(server)


def test_replay_with_the_network_off(server: ModelServer, tmp_path: Path) -> None:
    db, out = tmp_path / "runs.db", tmp_path / "out.json"
    finish(spawn("run", "tool", db, server.url, "run-6", out), out)
    server.close()  # nothing to answer any more ...
    replay = subprocess.run(  # ... and no network at all: a fresh network namespace without even loopback
        ["unshare", "-n", sys.executable, str(APP), "replay", "tool", str(db), server.url, "run-6", str(out)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert replay.returncode == 0, replay.stderr
    report = json.loads(out.read_text())
    assert report == {"ok": True, "matched": 5, "divergence": None}
