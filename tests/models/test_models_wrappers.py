from __future__ import annotations

import asyncio

import pytest

from accord.core import CancellationToken, load_component
from accord.models import CreateResult, RequestUsage, UserMessage
from accord.models._errors import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelRateLimitError,
    ModelRequestError,
    ModelServerError,
)
from accord.models.replay import ReplayChatCompletionClient
from accord.models.wrappers import (
    AllClientsFailedError,
    FallbackChatCompletionClient,
    LedgerChatCompletionClient,
    ModelPrice,
    PriceTable,
    RetryingChatCompletionClient,
    RouterChatCompletionClient,
    UsageLedger,
    classify_error,
)
from accord.testing import ScriptedChatCompletionClient

MESSAGES = [UserMessage(content="hello", source="user")]
TOOL = {"name": "f", "parameters": {"type": "object", "properties": {}}}


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def test_retry_backoff_retry_after_and_give_up() -> None:
    sleeps = Sleeps()
    inner = ScriptedChatCompletionClient(
        [ModelRateLimitError("429", retry_after=2.5), ModelServerError("500"), ModelConnectionError("down"), "ok"]
    )
    client = RetryingChatCompletionClient(
        inner, max_retries=3, initial_delay=1.0, multiplier=2.0, jitter=0, sleep=sleeps
    )
    assert (await client.create(MESSAGES)).content == "ok"
    assert sleeps.delays == [2.5, 2.0, 4.0] and client.retries == 3

    failing = ScriptedChatCompletionClient([ModelServerError("500")] * 3)
    client = RetryingChatCompletionClient(failing, max_retries=2, initial_delay=0.1, jitter=0, sleep=Sleeps())
    with pytest.raises(ModelServerError) as info:
        await client.create(MESSAGES)
    assert "gave up after 3 attempts" in "".join(info.value.__notes__)


async def test_retry_does_not_retry_fatal_errors_and_caps_delays() -> None:
    sleeps = Sleeps()
    client = RetryingChatCompletionClient(
        ScriptedChatCompletionClient([ModelAuthenticationError("401"), "never"]), sleep=sleeps
    )
    with pytest.raises(ModelAuthenticationError):
        await client.create(MESSAGES)
    assert sleeps.delays == []
    capped = RetryingChatCompletionClient(ScriptedChatCompletionClient([]), max_delay=5, max_retry_after=10, jitter=0)
    assert capped.delay_for(10, None) == 5
    assert capped.delay_for(0, 3600) == 10
    jittery = RetryingChatCompletionClient(ScriptedChatCompletionClient([]), initial_delay=1, jitter=0.5)
    assert all(0.5 <= jittery.delay_for(0, None) <= 1.5 for _ in range(50))


async def test_retry_sleep_is_cancellable() -> None:
    token = CancellationToken()

    async def slow_sleep(seconds: float) -> None:
        await asyncio.Event().wait()

    client = RetryingChatCompletionClient(
        ScriptedChatCompletionClient([ModelServerError("500"), "ok"]), sleep=slow_sleep
    )
    task = asyncio.ensure_future(client.create(MESSAGES, cancellation_token=token))
    while not client.retries:
        await asyncio.sleep(0)
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_classify_foreign_errors() -> None:
    class StatusError(Exception):
        status_code = 503

    assert classify_error(StatusError()) == (True, None)
    assert classify_error(TimeoutError()) == (True, None)
    assert classify_error(ValueError("bad")) == (False, None)


async def test_fallback_moves_on_and_reports_all_failures() -> None:
    first = ScriptedChatCompletionClient([ModelServerError("down")])
    second = ScriptedChatCompletionClient(["from second"])
    client = FallbackChatCompletionClient([first, second])
    assert (await client.create(MESSAGES)).content == "from second"
    assert client.last_client is second

    both = FallbackChatCompletionClient(
        [
            ScriptedChatCompletionClient([ModelAuthenticationError("key")]),
            ScriptedChatCompletionClient([ModelServerError("x")]),
        ]
    )
    with pytest.raises(AllClientsFailedError, match="All 2 model clients failed") as info:
        await both.create(MESSAGES)
    assert len(info.value.errors) == 2

    transient_only = FallbackChatCompletionClient(
        [ScriptedChatCompletionClient([ModelRequestError("400")]), ScriptedChatCompletionClient(["x"])],
        fallback_on="transient",
    )
    with pytest.raises(ModelRequestError):
        await transient_only.create(MESSAGES)


async def test_fallback_stream_only_before_first_chunk() -> None:
    first = ScriptedChatCompletionClient([ModelConnectionError("down")])
    second = ScriptedChatCompletionClient(["a b"])
    items = [i async for i in FallbackChatCompletionClient([first, second]).create_stream(MESSAGES)]
    assert items[:2] == ["a ", "b"] and isinstance(items[-1], CreateResult)


async def test_router_simple_complex_policy() -> None:
    small = ScriptedChatCompletionClient(respond="small answer")
    large = ScriptedChatCompletionClient(respond="large answer")
    router = RouterChatCompletionClient({"small": small, "large": large}, max_prompt_tokens=20)
    assert (await router.create(MESSAGES)).content == "small answer"
    assert (await router.create(MESSAGES, tools=[TOOL])).content == "large answer"
    long = [UserMessage(content="word " * 100, source="user")]
    assert (await router.create(long)).content == "large answer"
    assert router.route_counts == {"small": 1, "large": 2}
    assert router.total_usage().prompt_tokens > 0
    custom = RouterChatCompletionClient({"a": small, "b": large}, policy=lambda request: "b")
    assert (await custom.create(MESSAGES)).content == "large answer"
    with pytest.raises(ValueError, match="route named 'small'"):
        RouterChatCompletionClient({"only": small})


async def test_ledger_records_cost_latency_and_errors() -> None:
    prices = PriceTable({"my-model": ModelPrice(input=1.0, output=2.0)})
    ledger = UsageLedger(prices)
    seen: list[str] = []
    ledger.subscribe(lambda record: seen.append(record.model))
    inner = ScriptedChatCompletionClient(
        [
            CreateResult(finish_reason="stop", content="x", usage=RequestUsage(1000, 500), cached=False),
            RuntimeError("boom"),
        ]
    )
    client = LedgerChatCompletionClient(inner, ledger=ledger, model="my-model", label="agent-1")
    await client.create(MESSAGES)
    with pytest.raises(RuntimeError):
        await client.create(MESSAGES)
    ok, failed = ledger.records
    assert ok.cost_usd == pytest.approx((1000 * 1.0 + 500 * 2.0) / 1e6)
    assert ok.latency_s >= 0 and ok.label == "agent-1" and not ok.cached
    assert failed.error == "RuntimeError: boom" and failed.cost_usd == 0
    assert ledger.by_model()["my-model"]["calls"] == 2 and seen == ["my-model", "my-model"]
    assert PriceTable().price("gpt-4o") is not None
    assert PriceTable().cost("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert PriceTable().cost("nobody-knows", 10, 10) == 0.0

    streamed = LedgerChatCompletionClient(ReplayChatCompletionClient(["one two"]), ledger=ledger, model="gpt-4o")
    [i async for i in streamed.create_stream(MESSAGES)]
    record = ledger.records[-1]
    assert record.streamed and record.time_to_first_chunk_s is not None and record.cached is True


def test_wrapper_configs_round_trip() -> None:
    replay = ReplayChatCompletionClient(["x"])
    for client in [
        RetryingChatCompletionClient(replay, max_retries=5),
        FallbackChatCompletionClient([replay, ReplayChatCompletionClient(["y"])]),
        RouterChatCompletionClient({"small": replay, "large": ReplayChatCompletionClient(["z"])}),
        LedgerChatCompletionClient(replay, model="m"),
    ]:
        model = client.dump_component()
        assert model.provider.startswith("accord.models.wrappers.")
        loaded = load_component(model)
        assert type(loaded) is type(client)
        assert loaded.dump_component() == model
