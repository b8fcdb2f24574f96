"""Every example runs through `accord run` with scripted models (and real MCP servers and sandboxes where the
example uses them); Ctrl-C during a run exits cleanly with a partial summary."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import ACCORD, EXAMPLES, accord, clean_env, copy_example, output


def run_example(name: str, tmp_path: Path, *extra: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    folder = copy_example(name, tmp_path)
    return accord("run", folder / "spec.yaml", "--model", f"scripted:{folder / 'script.json'}", *extra, input=input)


def test_assistant_example(tmp_path: Path) -> None:
    result = run_example("assistant", tmp_path)
    assert result.returncode == 0, output(result)
    assert "A multi-agent system is a group of programs" in result.stdout
    assert "The agent answered." in result.stdout


def test_poem_team_example_the_demo(tmp_path: Path) -> None:
    result = run_example("poem_team", tmp_path)
    assert result.returncode == 0, output(result)
    assert "The sea lies dark beneath the moon," in result.stdout
    assert "Text 'APPROVE' mentioned" in result.stdout


def test_writer_reviewer_example_stops_when_the_human_approves(tmp_path: Path) -> None:
    result = run_example("writer_reviewer", tmp_path, input="Make it shorter.\nAPPROVED\n")
    assert result.returncode == 0, output(result)
    out = result.stdout
    assert out.count("human is waiting for your input") == 2
    assert "Make it shorter." in out
    assert "forged from 100% recycled steel" in out  # the writer's revision after the human's feedback
    assert "Text 'APPROVED' mentioned" in out


def _read_until(proc: subprocess.Popen[bytes], marker: bytes, deadline_s: float = 60) -> bytes:
    """Read the child's stdout until ``marker`` appears (a bound on waiting, not a synchronisation sleep)."""
    assert proc.stdout is not None
    seen = b""
    end = time.monotonic() + deadline_s
    fd = proc.stdout.fileno()
    while marker not in seen:
        remaining = end - time.monotonic()
        assert remaining > 0, f"timed out waiting for {marker!r}; got:\n{seen.decode(errors='replace')}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"the process ended before {marker!r}; got:\n{seen.decode(errors='replace')}"
            seen += chunk
    return seen


def test_ctrl_c_during_a_run_cancels_cleanly_with_a_partial_summary(tmp_path: Path) -> None:
    folder = copy_example("writer_reviewer", tmp_path)
    proc = subprocess.Popen(
        [str(ACCORD), "run", str(folder / "spec.yaml"), "--model", f"scripted:{folder / 'script.json'}"],
        stdin=subprocess.PIPE,  # kept open: the human step waits for input
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    try:
        before = _read_until(proc, b"Enter your response:")
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = (before + rest).decode()
    assert proc.returncode == 130, out + err.decode()
    assert "Interrupted: cancelling the run" in err.decode()
    assert "Traceback" not in err.decode()
    assert "cancelled" in out and "Cancelled by the user (Ctrl-C)." in out
    assert "Meet the Forever Bottle" in out  # what was produced before Ctrl-C
    assert "partial result: Give the exact recycled share" in out
    assert "messages      │ 3" in out  # task, writer, reviewer


def test_examples_each_have_a_spec_a_readme_and_a_script() -> None:
    names = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert {"assistant", "poem_team", "writer_reviewer", "analyst_mcp", "customer_support", "data_analysis"} <= set(
        names
    )
    for name in names:
        for file in ("spec.yaml", "README.md", "script.json"):
            assert (EXAMPLES / name / file).is_file(), f"examples/{name}/{file}"


def test_data_analysis_example_cleans_analyses_charts_and_reports(tmp_path: Path) -> None:
    result = run_example("data_analysis", tmp_path)
    assert result.returncode == 0, output(result)
    work = tmp_path / "data_analysis" / "work"
    # the code really ran in the sandboxed executor, on the CSV the spec ships
    assert "kept 10 of 14 rows" in result.stdout
    assert "North: 689.50" in result.stdout and "West: 422.00" in result.stdout
    clean = (work / "clean.csv").read_text().splitlines()
    assert len(clean) == 11 and clean[0] == "date,region,product,units,unit_price"
    assert (work / "chart.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "Revenue per region" in result.stdout and "Text 'TERMINATE' mentioned" in result.stdout
    assert "UserWarning" not in result.stderr


MCP_FILESYSTEM = "npx -y @modelcontextprotocol/server-filesystem"
MCP_SERVER_INSTALLED = (EXAMPLES.parent / "node_modules" / "@modelcontextprotocol" / "server-filesystem").is_dir()


def test_mcp_servers_of_a_spec_start_only_when_allowed(tmp_path: Path) -> None:
    result = run_example("analyst_mcp", tmp_path)
    assert result.returncode == 2, output(result)
    assert "is not on the allowlist, so it was not started" in result.stderr
    assert "--allow-mcp" in result.stderr
    assert "── analyst" not in result.stdout


@pytest.mark.real_server
@pytest.mark.skipif(
    not MCP_SERVER_INSTALLED, reason="needs npm's @modelcontextprotocol/server-filesystem (.ci/setup.d/tools.sh)"
)
def test_analyst_executor_example_reads_files_over_mcp_and_runs_code(tmp_path: Path) -> None:
    result = run_example("analyst_mcp", tmp_path, "--allow-mcp", MCP_FILESYSTEM)
    assert result.returncode == 0, output(result)
    out = result.stdout
    assert "analyst calls read_text_file" in out
    assert "what was the average monthly rainfall" in out  # notes.md, read through the MCP server
    assert "average 62.1 mm, wettest Nov (102 mm)" in out  # the executor's sandboxed run
    assert "Text 'TERMINATE' mentioned" in out
    assert "Traceback" not in result.stderr


@pytest.mark.real_server
@pytest.mark.skipif(
    not MCP_SERVER_INSTALLED, reason="needs npm's @modelcontextprotocol/server-filesystem (.ci/setup.d/tools.sh)"
)
def test_customer_support_example_looks_up_writes_a_ticket_and_waits_for_the_human(tmp_path: Path) -> None:
    result = run_example("customer_support", tmp_path, "--allow-mcp", MCP_FILESYSTEM, input="CONFIRM\n")
    assert result.returncode == 0, output(result)
    out = result.stdout
    assert out.index("INTENT: refund") < out.index("researcher calls read_text_file") < out.index("resolver calls")
    assert "Damaged or faulty items" in out  # the policy, read over MCP
    ticket = tmp_path / "customer_support" / "desk" / "tickets" / "ticket-A-1042.md"
    assert "decision: full refund" in ticket.read_text()  # written by the resolver's tool call
    assert "human is waiting for your input" in out and "Digraph execution is complete" in out
    assert "Traceback" not in result.stderr


def test_agentchat_quickstart_runs_unchanged_through_compat() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "agentchat_quickstart.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert result.returncode == 0, output(result)
    assert "---------- TextMessage (writer) ----------" in result.stdout
    assert "gulls write on the sky." in result.stdout
    assert "stop reason: Text 'APPROVE' mentioned" in result.stdout
    assert '{"provider":"autogen_agentchat.teams.RoundRobinGroupChat"' in result.stdout
