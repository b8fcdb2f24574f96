"""Durable runs: the journal of every run, resume after a crash, human pauses across processes, replay, fork, diff.

``await team.run(task=..., journal=store)`` records a run; ``await team.resume(run_id, store=store)`` continues it
after a crash (journaled effects are served, never executed again); :class:`Journal` also replays a run offline and
forks it at a step. Stores: :class:`SqliteStore` (the default, ``.accord/runs.db``) and :class:`PostgresStore`.
Needs the ``journal`` extra (sqlalchemy and alembic for migrations, psycopg for PostgreSQL).
"""

from __future__ import annotations

from ._diff import RunDiff, diff_runs
from ._errors import (
    CorruptJournalError,
    DivergenceError,
    JournalError,
    LeaseHeldError,
    NeedsDecisionError,
    TeamMismatchError,
    UnknownRunError,
)
from ._journal import Journal, ReplayReport, first_difference, resume, transcript
from ._migrate import HEAD as SCHEMA_REVISION
from ._postgres import PostgresStore
from ._records import RECORD_VERSION, EffectRow, Record, RunInfo, RunStatus
from ._recorder import Decision, RunAborted, RunPaused
from ._sqlite import SqliteStore
from ._store import DEFAULT_PATH, JournalStore, open_store

__all__ = [
    "DEFAULT_PATH",
    "RECORD_VERSION",
    "SCHEMA_REVISION",
    "CorruptJournalError",
    "Decision",
    "DivergenceError",
    "EffectRow",
    "Journal",
    "JournalError",
    "JournalStore",
    "LeaseHeldError",
    "NeedsDecisionError",
    "PostgresStore",
    "Record",
    "ReplayReport",
    "RunAborted",
    "RunDiff",
    "RunInfo",
    "RunPaused",
    "RunStatus",
    "SqliteStore",
    "TeamMismatchError",
    "UnknownRunError",
    "diff_runs",
    "first_difference",
    "open_store",
    "resume",
    "transcript",
]
