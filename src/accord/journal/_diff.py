"""Comparing two journaled runs: the first divergence, messages side by side, tokens, cost and time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._journal import transcript
from ._records import EffectRow, RunInfo
from ._store import JournalStore

__all__ = ["RunDiff", "RunTotals", "diff_runs", "run_totals"]


@dataclass
class RunTotals:
    """What a run cost: messages, model calls, tokens, USD (from the price table) and wall time."""

    messages: int = 0
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    unpriced: list[str] = field(default_factory=list)


@dataclass
class RunDiff:
    """Two runs compared; ``first_divergence`` is the index of the first message that differs (None: same)."""

    a: RunInfo
    b: RunInfo
    messages_a: list[dict[str, Any]]
    messages_b: list[dict[str, Any]]
    first_divergence: int | None
    totals_a: RunTotals
    totals_b: RunTotals


def _key(message: Mapping[str, Any]) -> tuple[Any, ...]:
    return (message.get("type"), message.get("source"), repr(message.get("content")))


def run_totals(info: RunInfo, messages: list[dict[str, Any]], effects: Mapping[str, EffectRow]) -> RunTotals:
    from ..models.wrappers import PriceTable

    prices = PriceTable()
    totals = RunTotals(messages=len(messages), seconds=max(0.0, info.updated_at - info.created_at))
    for effect in effects.values():
        if effect.kind != "model" or effect.status != "done" or not isinstance(effect.result, Mapping):
            continue
        usage = effect.result.get("result", {}).get("usage", {})
        prompt, completion = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
        totals.model_calls += 1
        totals.prompt_tokens += prompt
        totals.completion_tokens += completion
        totals.cost_usd += prices.cost(str(effect.result.get("model", "")), prompt, completion)
    totals.unpriced = sorted(prices.unpriced)
    return totals


async def diff_runs(store: JournalStore, a: str, b: str) -> RunDiff:
    """Compare runs ``a`` and ``b`` of ``store``."""
    info_a, info_b = await store.get_run(a), await store.get_run(b)
    messages_a = transcript(await store.read_records(a, ["message"]))
    messages_b = transcript(await store.read_records(b, ["message"]))
    first: int | None = None
    for i, (x, y) in enumerate(zip(messages_a, messages_b, strict=False)):
        if _key(x) != _key(y):
            first = i
            break
    if first is None and len(messages_a) != len(messages_b):
        first = min(len(messages_a), len(messages_b))
    return RunDiff(
        a=info_a,
        b=info_b,
        messages_a=messages_a,
        messages_b=messages_b,
        first_divergence=first,
        totals_a=run_totals(info_a, messages_a, await store.read_effects(a)),
        totals_b=run_totals(info_b, messages_b, await store.read_effects(b)),
    )
