"""``accord run`` journals by default; ``accord runs list|show|resume|replay|fork|diff`` (real subprocesses, the
real openai SDK against the scripted OpenAI-compatible server of _model_server.py)."""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._model_server import ModelServer

pytestmark = pytest.mark.real_server

SRC = Path(__file__).resolve().parents[2] / "src"
SPEC = """accord: 1
name: trio
task: Write about the sea.
model: openai:gpt-4o-mini
agents:
  - {name: writer, system_message: You are writer.}
  - {name: critic, system_message: You are critic.}
  - {name: editor, system_message: You are editor.}
team: {type: round_robin, participants: [writer, critic, editor]}
termination: {max_messages: 7}
"""
HUMAN_SPEC = """accord: 1
task: Draft a slogan.
model: openai:gpt-4o-mini
agents:
  - {name: writer, system_message: You are writer.}
  - {name: human, type: user_proxy}
team: {type: round_robin, participants: [writer, human]}
termination: {any: [APPROVED, {max_messages: 6}]}
"""


@pytest.fixture
def server() -> Iterator[ModelServer]:
    s = ModelServer()
    yield s
    s.close()


def env(server: ModelServer) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ACCORD_", "ANTHROPIC_", "AZURE_"))}
    return {**keep, "PYTHONPATH": str(SRC), "OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "test-key",
            "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}  # fmt: skip


def accord(server: ModelServer, cwd: Path, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord.cli", *args],
        cwd=cwd,
        env=env(server),
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_id_of(result: subprocess.CompletedProcess[str]) -> str:
    found = re.search(r"run id:? (\d{8}-\d{6}-[0-9a-f]{6})", result.stdout)
    assert found, result.stdout + result.stderr
    return found.group(1)


def test_run_journals_by_default_and_runs_list_show_replay(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    first = accord(server, tmp_path, "run", "spec.yaml")
    assert first.returncode == 0, first.stderr
    run_id = run_id_of(first)
    assert (tmp_path / ".accord" / "runs.db").exists()
    listed = accord(server, tmp_path, "runs", "list")
    assert run_id in listed.stdout and "completed" in listed.stdout
    shown = accord(server, tmp_path, "runs", "show", run_id)
    assert "editor reply to 7 messages" in shown.stdout and "6 model calls" in shown.stdout
    calls = len(server.log)
    replay = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "accord.cli", "runs", "replay", run_id],
        cwd=tmp_path, env=env(server), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "matches: 7 of 7 messages" in replay.stdout and len(server.log) == calls
    quiet = accord(server, tmp_path, "run", "spec.yaml", "--no-journal")
    assert quiet.returncode == 0 and "run id" not in quiet.stdout
    assert len(accord(server, tmp_path, "runs", "list").stdout.split(run_id)) == 2


def test_replay_of_a_changed_spec_shows_the_first_divergence(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    run_id = run_id_of(accord(server, tmp_path, "run", "spec.yaml"))
    (tmp_path / "changed.yaml").write_text(SPEC.replace("You are critic.", "You are critic and harsh."))
    replay = accord(server, tmp_path, "runs", "replay", run_id, "--spec", "changed.yaml")
    assert replay.returncode == 1
    assert "diverges at message 2" in replay.stdout and "critic/2/model/1" in replay.stdout


def test_unknown_run_id_lists_recent_ids(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    run_id = run_id_of(accord(server, tmp_path, "run", "spec.yaml"))
    result = accord(server, tmp_path, "runs", "show", "20990101-000000-abcdef")
    assert result.returncode == 2 and "No run '20990101-000000-abcdef'" in result.stderr and run_id in result.stderr


def test_human_pause_then_resume_with_input_in_another_process(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(HUMAN_SPEC)
    paused = accord(server, tmp_path, "run", "spec.yaml", "--pause-for-human")
    assert paused.returncode == 4, paused.stdout + paused.stderr
    run_id = run_id_of(paused)
    assert f"accord runs resume {run_id} --input" in paused.stdout
    missing = accord(server, tmp_path, "runs", "resume", run_id)
    assert missing.returncode == 2 and "waits for input from human" in missing.stderr
    resumed = accord(server, tmp_path, "runs", "resume", run_id, "--input", "APPROVED")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    shown = accord(server, tmp_path, "runs", "show", run_id)
    assert "completed" in shown.stdout and "APPROVED" in shown.stdout
    assert len(server.log) == 1  # the writer's call was served on resume, not made again


def test_kill_accord_run_then_runs_resume(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    server.hold_at = 4
    proc = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "run", "spec.yaml"],
        cwd=tmp_path, env=env(server), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.held.wait(60)
    os.kill(proc.pid, signal.SIGKILL)
    stdout, _ = proc.communicate(timeout=10)
    run_id = run_id_of(subprocess.CompletedProcess([], 0, stdout, ""))
    server.hold_at = None
    server.release.set()
    resumed = accord(server, tmp_path, "runs", "resume", run_id)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    shown = accord(server, tmp_path, "runs", "show", run_id)
    for i, agent in enumerate(["writer", "critic", "editor", "writer", "critic", "editor"], start=2):
        assert f"{agent} reply to {i} messages" in shown.stdout
    assert [h for h, n in collections.Counter(server.completed()).items() if n > 1] == []


def test_fork_with_a_system_message_then_diff(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    source = run_id_of(accord(server, tmp_path, "run", "spec.yaml"))
    calls = len(server.log)
    forked = accord(server, tmp_path, "runs", "fork", source, "--at", "4", "--system-message", "writer=You are poet.")
    assert forked.returncode == 0, forked.stdout + forked.stderr
    new_id = re.search(r"new run (\S+)", forked.stdout).group(1)  # type: ignore[union-attr]
    assert len(server.log) == calls + 3  # steps 1-3 served, 4-6 called
    diff = accord(server, tmp_path, "runs", "diff", source, new_id)
    assert diff.returncode == 0, diff.stderr
    assert "first divergence at message 4" in diff.stdout  # step 4 is the writer, now a poet
    assert "poet reply to 5 messages" in diff.stdout and "model calls" in diff.stdout
