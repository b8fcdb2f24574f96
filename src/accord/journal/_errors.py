"""The journal's errors: every one names the run, the record or the call it is about, and what to do."""

from __future__ import annotations

from collections.abc import Sequence

from .._errors import AccordError, RunError, StateError, UsageError

__all__ = [
    "CorruptJournalError",
    "DivergenceError",
    "JournalError",
    "LeaseHeldError",
    "NeedsDecisionError",
    "TeamMismatchError",
    "UnknownRunError",
]


class JournalError(AccordError):
    """Root of the journal's errors."""


class UnknownRunError(JournalError, KeyError):
    """No run with this id in the store; ``recent`` holds the ids of the latest runs."""

    def __init__(self, run_id: str, recent: Sequence[str]) -> None:
        listed = ", ".join(recent) if recent else "(the journal holds no runs)"
        super().__init__(f"No run {run_id!r} in the journal. Recent runs: {listed}")
        self.run_id = run_id
        self.recent = list(recent)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class CorruptJournalError(JournalError, StateError):
    """A journal database or record cannot be read (corrupt, truncated, or not a journal)."""


class LeaseHeldError(JournalError, RunError):
    """Another process holds the run's lease (it is running it); ``holder`` names it, ``expires`` when it lapses."""

    def __init__(self, run_id: str, holder: str, expires: float) -> None:
        import time

        left = max(0.0, expires - time.time())
        super().__init__(
            f"Run {run_id} is already running in {holder} (lease expires in {left:.0f} s). "
            "Wait for it to finish or for the lease to expire."
        )
        self.run_id = run_id
        self.holder = holder
        self.expires = expires


class NeedsDecisionError(JournalError, RunError):
    """An effect that is not idempotent was in flight when the run stopped: a person decides what happens."""

    def __init__(self, run_id: str, key: str, description: str) -> None:
        super().__init__(
            f"Run {run_id} stopped during {description} (call {key}), which is not marked idempotent, so it may or may "
            "not have happened. Decide: retry it (accord runs resume RUN_ID --retry), skip it with a result "
            "(--skip-with TEXT), or abort the run (--abort)."
        )
        self.run_id = run_id
        self.key = key
        self.description = description


class DivergenceError(JournalError, RunError):
    """A replayed or resumed run asked for something the journal does not hold (changed code, prompt or tool)."""

    def __init__(self, run_id: str, key: str, detail: str) -> None:
        super().__init__(f"Run {run_id} diverges from its journal at {key}: {detail}")
        self.run_id = run_id
        self.key = key
        self.detail = detail


class TeamMismatchError(JournalError, UsageError):
    """The team given to resume is not the one that was journaled; ``path`` is the first differing field."""

    def __init__(self, run_id: str, path: str, journaled: object, given: object) -> None:
        super().__init__(
            f"Run {run_id} was journaled with a different team definition: first difference at {path}: journaled "
            f"{journaled!r}, given {given!r}. Resume it with the journaled definition, or fork it to run the new one."
        )
        self.run_id = run_id
        self.path = path
        self.journaled = journaled
        self.given = given
