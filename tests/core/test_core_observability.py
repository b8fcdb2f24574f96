from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from core_helpers import Counter, Ping, Pong

from accord.core import (
    EVENT_LOGGER_NAME,
    AgentId,
    DefaultTopicId,
    EnvelopeEvent,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    message_handler,
    trace_tool_span,
)
from accord.core.logging import LLMCallEvent, ToolCallEvent


async def test_envelope_event_stream() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    events: list[EnvelopeEvent] = []
    remove = runtime.add_envelope_listener(events.append)
    runtime.start()
    await runtime.send_message(Ping(1), AgentId("counter", "a"), sender=AgentId("me", "x"))
    await runtime.publish_message(Ping(2), DefaultTopicId())
    await runtime.stop_when_idle()
    kinds = [(e.kind, e.message_type) for e in events]
    assert kinds == [("send", "Ping"), ("response", "Pong"), ("publish", "Ping")]
    send, response, publish = events
    assert send.sender == AgentId("me", "x") and send.recipient == AgentId("counter", "a")
    assert response.message_id == send.message_id and response.duration_s is not None
    assert publish.topic_id == DefaultTopicId()
    remove()
    runtime.start()
    await runtime.send_message(Ping(3), AgentId("counter", "a"))
    await runtime.stop_when_idle()
    assert len(events) == 3


async def test_envelope_error_event_and_failing_listener_is_isolated() -> None:
    class Failing(RoutedAgent):
        def __init__(self) -> None:
            super().__init__("f")

        @message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
            raise RuntimeError("bad")

    runtime = SingleThreadedAgentRuntime()
    await Failing.register(runtime, "f", Failing)
    events: list[EnvelopeEvent] = []

    def broken(event: EnvelopeEvent) -> None:
        raise ValueError("listener bug")

    runtime.add_envelope_listener(broken)
    runtime.add_envelope_listener(events.append)
    runtime.start()
    with pytest.raises(RuntimeError, match="bad"):
        await runtime.send_message(Ping(1), AgentId("f", "k"))
    await runtime.stop_when_idle()
    assert [e.kind for e in events] == ["send", "error"]
    assert events[1].error == "RuntimeError: bad"


async def test_structured_message_events_on_autogen_logger(caplog: pytest.LogCaptureFixture) -> None:
    runtime = SingleThreadedAgentRuntime()
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        await runtime.send_message(Ping(1), AgentId("counter", "a"))
    await runtime.stop_when_idle()
    payloads = [json.loads(r.getMessage()) for r in caplog.records if r.name == EVENT_LOGGER_NAME]
    assert [p["type"] for p in payloads] == ["Message", "Message"]
    assert payloads[0]["receiver"] == "counter/a" and payloads[0]["kind"] == "MessageKind.DIRECT"
    assert payloads[1]["kind"] == "MessageKind.RESPOND"


def test_event_classes_render_json() -> None:
    event = LLMCallEvent(messages=[{"role": "user"}], response={"x": 1}, prompt_tokens=3, completion_tokens=4)
    data = json.loads(str(event))
    assert data["type"] == "LLMCall" and data["prompt_tokens"] == 3 and data["agent_id"] is None
    assert event.prompt_tokens == 3 and event.completion_tokens == 4
    assert json.loads(str(ToolCallEvent(tool_name="t", arguments={"a": 1}, result="r")))["type"] == "ToolCall"


@pytest.fixture
def exporter() -> Any:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exp = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exp))
    return exp, provider


async def test_runtime_spans_with_a_tracer_provider(exporter: Any) -> None:
    exp, provider = exporter
    runtime = SingleThreadedAgentRuntime(tracer_provider=provider)
    await Counter.register(runtime, "counter", Counter)
    runtime.start()
    assert await runtime.send_message(Ping(1), AgentId("counter", "a")) == Pong(1)
    await runtime.publish_message(Ping(2), DefaultTopicId())
    await runtime.stop_when_idle()
    names = [span.name for span in exp.get_finished_spans()]
    assert names == [
        "autogen create counter.(a)-A",
        "autogen process counter.(a)-A",
        "autogen create default.(default)-T",
        "autogen process counter.(default)-A",
    ]


async def test_no_spans_without_a_provider(exporter: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = SingleThreadedAgentRuntime()
    assert not runtime._tracer.enabled


async def test_genai_tool_span(exporter: Any) -> None:
    exp, provider = exporter
    tracer = provider.get_tracer("test")
    with pytest.raises(KeyError):
        with trace_tool_span("lookup", tracer=tracer, tool_description="d", tool_call_id="c1"):
            raise KeyError("x")
    (span,) = exp.get_finished_spans()
    assert span.name == "execute_tool lookup"
    assert span.attributes["gen_ai.tool.call.id"] == "c1"
    assert span.attributes["error.type"] == "KeyError"
    with trace_tool_span("no tracer") as nothing:  # no provider configured: a no-op
        assert nothing is None
