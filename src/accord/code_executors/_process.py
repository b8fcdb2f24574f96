"""Run one program with a wall-clock timeout, cancellation and capped output capture."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import CancellationToken

__all__ = ["ProcessOutcome", "run_program"]

_CHUNK = 65536
_DRAIN_GRACE_S = 2.0


@dataclass
class ProcessOutcome:
    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False
    cancelled: bool = False


class _Capture:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buf = bytearray()
        self.dropped = 0

    async def pump(self, stream: asyncio.StreamReader) -> None:
        while True:
            chunk = await stream.read(_CHUNK)
            if not chunk:
                return
            room = self.cap - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = self.buf.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[output truncated: {self.dropped} more bytes not shown]\n"
        return out


async def run_program(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    preexec: Callable[[], None] | None,
    wall_timeout_s: float,
    cancellation_token: CancellationToken,
    max_output_bytes: int,
    kill: Callable[[int | None], None],
) -> ProcessOutcome:
    """Run ``argv``; on timeout or cancellation ``kill(pgid)`` ends it and everything it started."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=preexec,
        start_new_session=os.name == "posix",
    )
    loop = asyncio.get_running_loop()
    out, err = _Capture(max_output_bytes), _Capture(max_output_bytes)
    assert proc.stdout is not None and proc.stderr is not None
    readers = [asyncio.create_task(out.pump(proc.stdout)), asyncio.create_task(err.pump(proc.stderr))]
    waiter = asyncio.create_task(proc.wait())
    cancelled: asyncio.Future[None] = loop.create_future()

    def set_cancelled() -> None:
        if not cancelled.done():
            cancelled.set_result(None)

    def on_cancel() -> None:
        loop.call_soon_threadsafe(set_cancelled)

    cancellation_token.add_callback(on_cancel)
    timed_out = was_cancelled = False
    try:
        watched: set[asyncio.Future[Any]] = {waiter, cancelled}
        done, _ = await asyncio.wait(watched, timeout=wall_timeout_s, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            was_cancelled = cancelled in done
            timed_out = not was_cancelled
            await asyncio.to_thread(kill, proc.pid)
            await waiter
        # Background processes may still hold the pipes open: give them a moment, then end them.
        _, pending = await asyncio.wait(readers, timeout=_DRAIN_GRACE_S)
        if pending:
            await asyncio.to_thread(kill, proc.pid)
            _, pending = await asyncio.wait(readers, timeout=_DRAIN_GRACE_S)
            for task in pending:
                task.cancel()
    except BaseException:
        await asyncio.shield(asyncio.to_thread(kill, proc.pid))
        raise
    finally:
        if not cancelled.done():
            cancelled.cancel()
        tasks: list[asyncio.Future[Any]] = [*readers, waiter]
        for fut in tasks:
            if not fut.done():
                fut.cancel()
            with contextlib.suppress(BaseException):
                await fut
    code = proc.returncode if proc.returncode is not None else -9
    return ProcessOutcome(code, out.text(), err.text(), timed_out, was_cancelled)
