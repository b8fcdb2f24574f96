"""OpenAIChatCompletionClient against a real OpenAI-compatible server: llama.cpp's server with SmolLM2."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from models_servers import FaultProxy, free_port

from accord.core import CancellationToken
from accord.models import CreateResult, ModelInfo, RequestUsage, SystemMessage, UserMessage
from accord.models._errors import ModelConnectionError, ModelRateLimitError, ModelServerError
from accord.models.openai import OpenAIChatCompletionClient
from accord.models.wrappers import LedgerChatCompletionClient, RetryingChatCompletionClient

pytestmark = [pytest.mark.real_server, pytest.mark.real_model]

INFO = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown", structured_output=True)
MESSAGES = [SystemMessage(content="You are brief."), UserMessage(content="Say hello.", source="user")]


def _client(base_url: str, **kwargs: object) -> OpenAIChatCompletionClient:
    options: dict[str, object] = {"seed": 7, "temperature": 0.0, "max_tokens": 12, **kwargs}
    return OpenAIChatCompletionClient(model="smollm2", base_url=base_url, model_info=INFO, **options)


async def test_create_returns_text_and_usage(llama_server: str) -> None:
    client = _client(llama_server)
    result = await client.create(MESSAGES)
    assert isinstance(result.content, str) and result.content.strip()
    assert result.finish_reason in ("stop", "length")
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert client.total_usage() == result.usage
    await client.close()


async def test_stream_yields_chunks_and_usage_is_never_zero(llama_server: str) -> None:
    client = _client(llama_server)
    items = [item async for item in client.create_stream(MESSAGES)]
    chunks, result = items[:-1], items[-1]
    assert chunks and all(isinstance(c, str) for c in chunks)
    assert isinstance(result, CreateResult) and result.content == "".join(str(c) for c in chunks)
    # llama.cpp's server sends no usage in streams: accord counts it locally instead of reporting zero
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    await client.close()


async def test_json_output_mode(llama_server: str) -> None:
    client = _client(llama_server, max_tokens=60)
    result = await client.create(
        [UserMessage(content='Reply with a JSON object with key "greeting".', source="user")], json_output=True
    )
    assert isinstance(result.content, str)
    assert result.finish_reason == "stop"
    assert isinstance(json.loads(result.content), dict)  # the server constrains output to JSON
    await client.close()


async def test_cancellation_mid_stream(llama_server: str) -> None:
    client = _client(llama_server, max_tokens=60)
    token = CancellationToken()
    received: list[str] = []
    with pytest.raises(asyncio.CancelledError):
        async for item in client.create_stream(
            [UserMessage(content="Write a long story about a dragon.", source="user")], cancellation_token=token
        ):
            assert isinstance(item, str)
            received.append(item)
            token.cancel()
    assert len(received) == 1
    # the client is still usable after a cancelled stream
    assert (await client.create(MESSAGES)).content
    await client.close()


async def test_cancellation_of_create(llama_server: str) -> None:
    client = _client(llama_server, max_tokens=60)
    token = CancellationToken()
    task = asyncio.ensure_future(
        client.create([UserMessage(content="Write a long story.", source="user")], cancellation_token=token)
    )
    await asyncio.sleep(0)
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.close()


async def test_server_down_is_a_clear_connection_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    client = OpenAIChatCompletionClient(model="smollm2", base_url=url, model_info=INFO, max_retries=0)
    with pytest.raises(ModelConnectionError, match=r"Cannot reach .* at http://127\.0\.0\.1:\d+/v1") as info:
        await client.create(MESSAGES)
    assert info.value.transient is True and isinstance(info.value, ConnectionError)
    await client.close()


async def test_retries_through_fault_proxy_honour_retry_after(llama_server: str) -> None:
    upstream = int(llama_server.rsplit(":", 1)[1].split("/")[0])
    proxy = FaultProxy(upstream, faults=[(429, {"retry-after": "0.01"}), (500, {}), (503, {"retry-after-ms": "5"})])
    await proxy.start()
    try:
        # without retries: the typed error carries the server's retry-after
        bare = _client(proxy.base_url, max_retries=0)
        with pytest.raises(ModelRateLimitError) as info:
            await bare.create(MESSAGES)
        assert info.value.retry_after == pytest.approx(0.01) and info.value.status_code == 429
        with pytest.raises(ModelServerError):
            await bare.create(MESSAGES)
        # with accord's retry wrapper: waits as told, then passes through to the real server
        proxy.faults = [(429, {"retry-after": "0.01"}), (500, {}), (503, {"retry-after-ms": "5"})]
        delays: list[float] = []

        async def record_sleep(seconds: float) -> None:
            delays.append(seconds)

        retrying = RetryingChatCompletionClient(bare, max_retries=3, initial_delay=0.001, jitter=0, sleep=record_sleep)
        ledger_client = LedgerChatCompletionClient(retrying, model="smollm2")
        result = await ledger_client.create(MESSAGES)
        assert isinstance(result.content, str) and result.content
        assert delays == [pytest.approx(0.01), pytest.approx(0.002), pytest.approx(0.005)]
        assert proxy.requests == 6
        record = ledger_client.ledger.records[0]
        assert record.model == "smollm2" and record.prompt_tokens == result.usage.prompt_tokens
        # streams are retried too while nothing was yielded
        proxy.faults = [(429, {"retry-after": "0"})]
        items = [item async for item in retrying.create_stream(MESSAGES)]
        assert isinstance(items[-1], CreateResult)
        await bare.close()
    finally:
        await proxy.stop()


async def test_usage_accumulates(llama_server: str) -> None:
    client = _client(llama_server, max_tokens=4)
    first = await client.create(MESSAGES)
    second = await client.create(MESSAGES)
    assert client.actual_usage() == second.usage
    assert client.total_usage() == RequestUsage(
        first.usage.prompt_tokens + second.usage.prompt_tokens,
        first.usage.completion_tokens + second.usage.completion_tokens,
    )
    await client.close()


ADD_TOOL = {
    "name": "add",
    "description": "Add two numbers",
    "parameters": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
}


async def test_forced_tool_call_round_trip(llama_server: str) -> None:
    from accord.core import FunctionCall
    from accord.models import AssistantMessage, FunctionExecutionResult, FunctionExecutionResultMessage

    client = _client(llama_server, max_tokens=40)
    question = UserMessage(content="What is 2 plus 3?", source="user")
    result = await client.create([question], tools=[ADD_TOOL], tool_choice=_ToolRef("add"))
    assert result.finish_reason == "function_calls"
    assert isinstance(result.content, list) and isinstance(result.content[0], FunctionCall)
    call = result.content[0]
    assert call.name == "add" and set(json.loads(call.arguments)) == {"a", "b"}
    # the tool result goes back to the server in OpenAI's tool-message format
    follow_up = await client.create(
        [
            question,
            AssistantMessage(content=result.content, source="assistant"),
            FunctionExecutionResultMessage(content=[FunctionExecutionResult(content="5", name="add", call_id=call.id)]),
        ],
        tools=[ADD_TOOL],
        tool_choice="none",
    )
    assert isinstance(follow_up.content, str)
    await client.close()


class _ToolRef:
    """A minimal Tool object (name + schema), as accord.tools / autogen_core.tools provide."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.schema = {**ADD_TOOL, "name": name}


async def test_model_call_events(llama_server: str, caplog: pytest.LogCaptureFixture) -> None:
    from model_events import EVENT_LOGGER_NAME, model_events

    client = _client(llama_server)
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        result = await client.create(MESSAGES)
        items = [item async for item in client.create_stream(MESSAGES)]
    call, start, end = model_events(caplog)
    assert call["type"] == "LLMCall" and call["prompt_tokens"] == result.usage.prompt_tokens > 0
    assert call["messages"][-1]["content"] == "Say hello." and call["tools"] == []
    assert call["response"]["choices"][0]["message"]["content"] == result.content
    assert start["type"] == "LLMStreamStart" and start["messages"] == call["messages"]
    final = items[-1]
    assert isinstance(final, CreateResult) and end["type"] == "LLMStreamEnd"
    assert end["response"]["content"] == final.content and end["prompt_tokens"] == final.usage.prompt_tokens
    await client.close()


async def test_model_calls_are_traced(llama_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every provider call is a ``chat {model}`` span with the usage (GenAI semantic conventions).

    The spans go to a local TracerProvider: OpenTelemetry's global provider can be set once per process, so the test
    points accord's lookup of it at its own.
    """
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from accord.core import _telemetry

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(_telemetry, "_genai_tracer", lambda tracer: provider.get_tracer("test"))
    client = _client(llama_server)
    result = await client.create(MESSAGES)
    _ = [item async for item in client.create_stream(MESSAGES)]
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["chat smollm2", "chat smollm2"]
    attributes = dict(spans[0].attributes or {})
    assert attributes["gen_ai.operation.name"] == "chat" and attributes["gen_ai.request.model"] == "smollm2"
    assert attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens
    assert attributes["gen_ai.system"] == "OpenAI-compatible server"
    await client.close()
