"""Usage ledger: every model call recorded with tokens, latency and cost from a price table."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ...core import CancellationToken, Component, ComponentModel
from .._call import ModelCall
from .._catalog import CATALOG, lookup
from .._client import ChatCompletionClient, ToolChoice
from .._tool_schema import ToolInput
from .._types import CreateResult, LLMMessage
from ._base import WrappingChatCompletionClient, model_name

__all__ = [
    "LedgerChatCompletionClient",
    "LedgerChatCompletionClientConfig",
    "ModelPrice",
    "PriceTable",
    "UsageLedger",
    "UsageRecord",
]


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    output: float
    cached_input: float | None = None


class PriceTable:
    """Prices per model: accord's defaults (public list prices) overridden by the user's entries.

    ``PriceTable({"my-model": ModelPrice(0.2, 0.8)})``; unknown models cost 0 and are listed in ``unpriced``.
    """

    def __init__(
        self, overrides: Mapping[str, ModelPrice | tuple[float, float]] | None = None, *, defaults: bool = True
    ):
        self._prices: dict[str, ModelPrice] = {}
        if defaults:
            for name, card in CATALOG.items():
                self._prices[name] = ModelPrice(card.input_price, card.output_price, card.cached_input_price)
        for name, price in (overrides or {}).items():
            self.set(name, price)
        self.unpriced: set[str] = set()

    def set(self, model: str, price: ModelPrice | tuple[float, float]) -> None:
        if isinstance(price, tuple):
            price = ModelPrice(*price)
        if price.input < 0 or price.output < 0:
            raise UsageError(f"Prices must be >= 0, got {price} for {model!r}")
        self._prices[model] = price

    def price(self, model: str) -> ModelPrice | None:
        found = self._prices.get(model)
        if found is not None:
            return found
        card = lookup(model)
        if card is not None:
            return ModelPrice(card.input_price, card.output_price, card.cached_input_price)
        return None

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        price = self.price(model)
        if price is None:
            self.unpriced.add(model)
            return 0.0
        cached_rate = price.cached_input if price.cached_input is not None else price.input
        fresh = max(prompt_tokens - cached_tokens, 0)
        return (fresh * price.input + cached_tokens * cached_rate + completion_tokens * price.output) / 1_000_000


@dataclass
class UsageRecord:
    model: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    latency_s: float
    cost_usd: float
    streamed: bool
    label: str | None = None
    error: str | None = None
    time_to_first_chunk_s: float | None = None
    timestamp: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class UsageLedger:
    """An append-only, thread-safe list of :class:`UsageRecord` with totals; ``subscribe`` for budgets/metrics."""

    def __init__(self, prices: PriceTable | None = None) -> None:
        self.prices = prices if prices is not None else PriceTable()
        self._records: list[UsageRecord] = []
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[UsageRecord], None]] = []

    def subscribe(self, callback: Callable[[UsageRecord], None]) -> Callable[[], None]:
        """Call ``callback`` with each new record; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def record(self, record: UsageRecord) -> None:
        with self._lock:
            self._records.append(record)
        for callback in list(self._subscribers):
            callback(record)

    @property
    def records(self) -> list[UsageRecord]:
        with self._lock:
            return list(self._records)

    def __iter__(self) -> Iterator[UsageRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self._records)

    def total_cost(self) -> float:
        return sum(r.cost_usd for r in self.records)

    def total_tokens(self) -> tuple[int, int]:
        records = self.records
        return sum(r.prompt_tokens for r in records), sum(r.completion_tokens for r in records)

    def by_model(self) -> dict[str, dict[str, float]]:
        """Per model: calls, prompt_tokens, completion_tokens, cost_usd, errors."""
        out: dict[str, dict[str, float]] = {}
        for r in self.records:
            row = out.setdefault(
                r.model, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "errors": 0}
            )
            row["calls"] += 1
            row["prompt_tokens"] += r.prompt_tokens
            row["completion_tokens"] += r.completion_tokens
            row["cost_usd"] += r.cost_usd
            row["errors"] += 1 if r.error else 0
        return out

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class LedgerChatCompletionClientConfig(BaseModel):
    client: ComponentModel
    model: str | None = None
    label: str | None = None


class LedgerChatCompletionClient(WrappingChatCompletionClient, Component[LedgerChatCompletionClientConfig]):
    """Records every call of ``client`` in ``ledger`` (model, tokens, cached, latency, cost, errors).

    Failed calls are recorded too, with zero tokens and the error text.
    """

    component_provider_override = "accord.models.wrappers.LedgerChatCompletionClient"
    component_config_schema = LedgerChatCompletionClientConfig

    def __init__(
        self,
        client: ChatCompletionClient,
        *,
        ledger: UsageLedger | None = None,
        model: str | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(client)
        self.ledger = ledger if ledger is not None else UsageLedger()
        self._model_override = model
        self._label = label

    @property
    def model_name(self) -> str:
        return self._model_override or model_name(self.inner)

    def _record(
        self,
        result: CreateResult | None,
        started: float,
        streamed: bool,
        error: BaseException | None,
        ttfc: float | None,
    ) -> None:
        model = self.model_name
        prompt = result.usage.prompt_tokens if result else 0
        completion = result.usage.completion_tokens if result else 0
        cached = bool(result and result.cached)
        cost = 0.0 if cached else self.ledger.prices.cost(model, prompt, completion)
        self.ledger.record(
            UsageRecord(
                model=model,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cached=cached,
                latency_s=time.perf_counter() - started,
                cost_usd=cost,
                streamed=streamed,
                label=self._label,
                error=None if error is None else f"{type(error).__name__}: {error}",
                time_to_first_chunk_s=ttfc,
            )
        )

    def _before_call(self, call: ModelCall) -> None:
        """Called before each model call is made (a subclass can refuse it by raising)."""

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        self._before_call(call)
        started = time.perf_counter()
        try:
            result = await call.create(self.inner)
        except Exception as e:
            self._record(None, started, False, e, None)
            raise
        self._record(result, started, False, None, None)
        return result

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        self._before_call(call)
        started = time.perf_counter()
        first: float | None = None
        try:
            async for item in call.stream(self.inner):
                if first is None:
                    first = time.perf_counter() - started
                if isinstance(item, CreateResult):
                    self._record(item, started, True, None, first)
                yield item
        except Exception as e:
            self._record(None, started, True, e, first)
            raise

    def _to_config(self) -> LedgerChatCompletionClientConfig:
        return LedgerChatCompletionClientConfig(
            client=self.inner.dump_component(), model=self._model_override, label=self._label
        )

    @classmethod
    def _from_config(cls, config: LedgerChatCompletionClientConfig) -> Self:
        return cls(ChatCompletionClient.load_component(config.client), model=config.model, label=config.label)
