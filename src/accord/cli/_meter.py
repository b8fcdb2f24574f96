"""Limits of one run, checked before each model call: a budget in USD and a number of turns.

Every model client of a run is wrapped in :class:`MeteredChatCompletionClient`, a usage-ledger client
(:mod:`accord.models.wrappers`) that asks the run's :class:`RunMeter` before each call. Cost comes from the ledger's
price table; before a call, its prompt is estimated with the client's ``count_tokens`` (or about 4 characters per
token when the client cannot count) at the model's input price, and the call is refused when the money spent plus
that estimate would pass the budget. Models without a price (local, Ollama, scripted) cost nothing.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any, Self

from pydantic import BaseModel

from .._errors import RunError, UsageError
from ..core import Component, ComponentModel
from ..models import ChatCompletionClient, LLMMessage
from ..models._call import ModelCall
from ..models.wrappers import LedgerChatCompletionClient, UsageLedger, UsageRecord
from ..spec._build import is_model_component

__all__ = ["LimitReachedError", "MeteredChatCompletionClient", "RunMeter", "wrap_models"]


class LimitReachedError(RunError):
    """A run reached --max-turns or --budget-usd before a model call; ``stop_reason`` says which."""

    def __init__(self, stop_reason: str) -> None:
        super().__init__(stop_reason)
        self.stop_reason = stop_reason


_ids = itertools.count(1)
_meters: dict[str, RunMeter] = {}
_meters_lock = threading.Lock()


class RunMeter:
    """The ledger and limits shared by every model client of one run."""

    def __init__(self, *, budget_usd: float | None = None, max_calls: int | None = None) -> None:
        if budget_usd is not None and budget_usd <= 0:
            raise UsageError(f"budget_usd must be > 0, got {budget_usd}")
        self.ledger = UsageLedger()
        self.budget_usd = budget_usd
        self.max_calls = max_calls
        self.calls = 0
        self.stop_reason: str | None = None
        self.id = f"run-{next(_ids)}"
        with _meters_lock:
            _meters[self.id] = self

    def close(self) -> None:
        with _meters_lock:
            _meters.pop(self.id, None)

    @staticmethod
    def get(meter_id: str) -> RunMeter:
        with _meters_lock:
            meter = _meters.get(meter_id)
        if meter is None:
            raise UsageError(f"No active run meter {meter_id!r}: metered clients only load inside 'accord run'")
        return meter

    def subscribe(self, callback: Callable[[UsageRecord], None]) -> Callable[[], None]:
        return self.ledger.subscribe(callback)

    def spent(self) -> float:
        return self.ledger.total_cost()

    def before_call(self, client: MeteredChatCompletionClient, messages: Sequence[LLMMessage], tools: Any) -> None:
        if self.stop_reason is not None:
            raise LimitReachedError(self.stop_reason)
        if self.max_calls is not None and self.calls >= self.max_calls:
            self.stop_reason = f"Maximum number of turns {self.max_calls} reached."
            raise LimitReachedError(self.stop_reason)
        if self.budget_usd is not None:
            spent = self.spent()
            estimate = self.ledger.prices.cost(client.model_name, _estimate_prompt(client, messages, tools), 0)
            if spent + estimate > self.budget_usd:
                self.stop_reason = (
                    f"Budget of ${_money(self.budget_usd)} reached: spent ${spent:.6f}, the next model call would "
                    f"cost about ${estimate:.6f} more."
                )
                raise LimitReachedError(self.stop_reason)
        self.calls += 1


def _money(value: float) -> str:
    return f"{value:.2f}" if value >= 0.01 else f"{value:.8f}".rstrip("0").rstrip(".")


def _estimate_prompt(client: LedgerChatCompletionClient, messages: Sequence[LLMMessage], tools: Any) -> int:
    try:
        return int(client.inner.count_tokens(messages, tools=tools))
    except Exception:
        chars = sum(len(str(getattr(m, "content", ""))) for m in messages)
        return chars // 4 + 1


class MeteredChatCompletionClientConfig(BaseModel):
    client: ComponentModel
    meter: str
    model: str | None = None
    label: str | None = None


class MeteredChatCompletionClient(LedgerChatCompletionClient, Component[MeteredChatCompletionClientConfig]):  # type: ignore[misc]
    """A ledger client that checks its run's limits before each call (used by ``accord run``)."""

    component_provider_override = "accord.cli.MeteredChatCompletionClient"
    component_config_schema = MeteredChatCompletionClientConfig  # type: ignore[assignment]

    def __init__(
        self, client: ChatCompletionClient, *, meter: RunMeter, model: str | None = None, label: str | None = None
    ) -> None:
        super().__init__(client, ledger=meter.ledger, model=model, label=label)
        # LedgerChatCompletionClient does `ledger or UsageLedger()`, and an empty ledger is falsy (len 0)
        self.ledger = meter.ledger
        self.meter = meter

    def _before_call(self, call: ModelCall) -> None:
        self.meter.before_call(self, call.messages, call.tools)

    def _to_config(self) -> MeteredChatCompletionClientConfig:  # type: ignore[override]
        return MeteredChatCompletionClientConfig(
            client=self.inner.dump_component(), meter=self.meter.id, model=self._model_override, label=self._label
        )

    @classmethod
    def _from_config(cls, config: MeteredChatCompletionClientConfig) -> Self:  # type: ignore[override]
        client = ChatCompletionClient.load_component(config.client)
        return cls(client, meter=RunMeter.get(config.meter), model=config.model, label=config.label)


def wrap_models(component: Any, meter: RunMeter, owner: str | None = None) -> Any:
    """A copy of a component tree where every model client is metered by ``meter``.

    Each metered client is labelled with the agent that owns it (``UsageRecord.label``), or ``team``.
    """
    if isinstance(component, list):
        return [wrap_models(item, meter, owner) for item in component]
    if not isinstance(component, dict):
        return component
    config = component.get("config")
    if isinstance(config, dict) and is_model_component(component):
        name = config.get("model") or config.get("azure_deployment") or component.get("label")
        wrapped: dict[str, Any] = {"client": component, "meter": meter.id, "label": owner or "team"}
        wrapped["model"] = name if isinstance(name, str) else None
        return {
            "provider": MeteredChatCompletionClient.component_provider_override,
            "component_type": "model",
            "config": wrapped,
        }
    if component.get("component_type") == "agent" and isinstance(config, dict) and isinstance(config.get("name"), str):
        owner = config["name"]
    return {key: wrap_models(value, meter, owner) for key, value in component.items()}
