"""Journal costs, accord with and without the journal in the same run.

1. Overhead per message: RoundRobinGroupChat of 3 AssistantAgents on replay models (the agentchat_teams workload),
   60 messages per run, runs alternating without and with ``journal=SqliteStore(...)``; the overhead is the
   difference of the medians, per message.
2. A 1,000-message run (3 agents, models that answer from the request): the journal's size on disk, the time a
   resume takes to reach its first new step after a crash at message 1,000, and the time of a full replay.

Usage: ``python benchmarks/journal_overhead.py [--runs N] [--messages M]``. Targets (issue 13): overhead <= 30 us per
message, resume < 1 s to the first new step, replay < 2 s, journal < 2 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from accord.agents import AssistantAgent
from accord.conditions import MaxMessageTermination
from accord.journal import Journal, SqliteStore
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import RoundRobinGroupChat
from accord.testing import ScriptedCall, ScriptedChatCompletionClient

RR_MESSAGES = 60


def replay_team(messages: int) -> RoundRobinGroupChat:
    agents = [
        AssistantAgent(
            f"agent{i}",
            model_client=ReplayChatCompletionClient([f"reply {i}-{j} " * 8 for j in range(messages)]),
        )
        for i in range(3)
    ]
    return RoundRobinGroupChat(agents, max_turns=messages)  # type: ignore[arg-type]


async def overhead(runs: int, folder: Path) -> tuple[float, float, float]:
    plain: list[float] = []
    journaled: list[float] = []
    store = SqliteStore(folder / "overhead.db")
    for i in range(runs * 2 + 2):
        team = replay_team(RR_MESSAGES)
        with_journal = i % 2 == 1
        started = time.perf_counter()
        if with_journal:
            await team.run(task="go", journal=store)
        else:
            await team.run(task="go")
        elapsed = time.perf_counter() - started
        if i >= 2:  # warm-up: imports, first database, first schema
            (journaled if with_journal else plain).append(elapsed)
    await store.close()
    a, b = statistics.median(plain), statistics.median(journaled)
    return a / RR_MESSAGES * 1e6, b / RR_MESSAGES * 1e6, (b - a) / RR_MESSAGES * 1e6


class Crash(BaseException):
    pass


def long_team(crash_at: int | None = None) -> RoundRobinGroupChat:
    calls = [0]

    def respond(call: ScriptedCall) -> str:
        calls[0] += 1
        if crash_at is not None and calls[0] >= crash_at:
            raise Crash()  # the process dies in this call
        return f"a reply to a conversation of {len(call.messages)} messages, with some words to make it real"

    agents = [AssistantAgent(f"agent{i}", model_client=ScriptedChatCompletionClient(respond=respond)) for i in range(3)]
    return RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(1000))  # type: ignore[arg-type]


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


async def long_run(folder: Path, messages: int) -> dict[str, Any]:
    path = folder / "long.db"
    store = SqliteStore(path)
    started = time.perf_counter()
    await long_team().run(task="go", journal=store)
    record_s = time.perf_counter() - started
    completed = (await store.list_runs())[0].run_id
    await store.close()
    db_bytes = size(path)

    crash_path = folder / "crash.db"
    store = SqliteStore(crash_path)
    journal = Journal(store)
    try:
        await journal.run(long_team(crash_at=messages - 1), task="go")
    except Crash:
        pass
    crashed = journal.last_run_id
    assert crashed is not None
    await store.close()

    store = SqliteStore(crash_path)  # a fresh process would open the journal again
    resumer = Journal(store)
    started = time.perf_counter()
    await resumer.resume(long_team(), crashed)
    recorder = resumer.last_recorder
    assert recorder is not None and recorder.live_since is not None
    resume_first_step_s = recorder.live_since - started
    resume_total_s = time.perf_counter() - started
    await store.close()

    store = SqliteStore(path)
    started = time.perf_counter()
    report = await Journal(store).replay(long_team(), completed)
    replay_s = time.perf_counter() - started
    assert report.ok, report.divergence
    await store.close()
    return {
        "record_s": record_s,
        "db_bytes": db_bytes,
        "resume_first_step_s": resume_first_step_s,
        "resume_total_s": resume_total_s,
        "replay_s": replay_s,
        "replayed_messages": report.matched,
        "served": recorder.served,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain, journaled, extra = await overhead(args.runs, folder)
        print(f"RoundRobin 3 agents, replay models, {RR_MESSAGES} messages/run, {args.runs} runs each (median):")
        print(f"  without journal {plain:8.1f} us/message")
        print(f"  with SQLite     {journaled:8.1f} us/message")
        print(f"  overhead        {extra:8.1f} us/message   (target <= 30)")
        long = await long_run(folder, args.messages)
        print(f"{args.messages}-message run:")
        print(f"  journal size          {long['db_bytes'] / 1e6:6.2f} MB   (target < 2)")
        print(f"  recording the run     {long['record_s']:6.2f} s")
        print(f"  resume to first step  {long['resume_first_step_s']:6.2f} s   (target < 1; {long['served']} calls served)")
        print(f"  resume to the end     {long['resume_total_s']:6.2f} s")
        print(f"  replay                {long['replay_s']:6.2f} s   (target < 2; {long['replayed_messages']} messages)")
        print(f"  cpu count {os.cpu_count()}")


if __name__ == "__main__":
    asyncio.run(main())
