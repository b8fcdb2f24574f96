"""OpenTelemetry spans, used only when opentelemetry is installed and in use (never a hard dependency).

Tracing costs nothing unless the user passes a tracer provider or has configured a global one:
accord never imports opentelemetry itself when the program has not imported it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any, Literal

from ._agent_id import AgentId
from ._topic import TopicId

__all__ = [
    "RuntimeTracer",
    "trace_chat_span",
    "trace_create_agent_span",
    "trace_invoke_agent_span",
    "trace_tool_span",
]

Operation = Literal["create", "send", "publish", "receive", "intercept", "process", "ack"]


def _otel_trace() -> Any | None:
    """The opentelemetry.trace module if the program already uses OpenTelemetry, else None."""
    return sys.modules.get("opentelemetry.trace")


def _global_provider_configured(trace: Any) -> bool:
    provider = trace.get_tracer_provider()
    name = type(provider).__name__
    return name not in ("ProxyTracerProvider", "NoOpTracerProvider")


def _destination(value: AgentId | TopicId | str | None) -> str:
    if isinstance(value, AgentId):
        return f"{value.type}.({value.key})-A"
    if isinstance(value, TopicId):
        return f"{value.type}.({value.source})-T"
    return "" if value is None else value


class RuntimeTracer:
    """Messaging spans of a runtime (AutoGen's names: ``"autogen {operation} {destination}"``)."""

    def __init__(self, tracer_provider: Any | None, runtime_name: str) -> None:
        self._tracer: Any | None = None
        disabled = any(
            os.environ.get(var, "").lower() == "true"
            for var in ("AUTOGEN_DISABLE_RUNTIME_TRACING", "ACCORD_DISABLE_RUNTIME_TRACING")
        )
        if disabled:
            return
        if tracer_provider is not None:
            self._tracer = tracer_provider.get_tracer(f"autogen {runtime_name}")
            return
        trace = _otel_trace()
        if trace is not None and _global_provider_configured(trace):
            self._tracer = trace.get_tracer(f"autogen {runtime_name}")

    @property
    def enabled(self) -> bool:
        return self._tracer is not None

    @contextmanager
    def span(
        self,
        operation: Operation,
        destination: AgentId | TopicId | str | None,
        *,
        attributes: Mapping[str, Any] | None = None,
    ) -> Generator[Any, None, None]:
        if self._tracer is None:
            yield None
            return
        from opentelemetry.trace import SpanKind

        kind = SpanKind.PRODUCER if operation in ("create", "send", "publish") else SpanKind.CONSUMER
        dest = _destination(destination)
        attrs: dict[str, Any] = {"messaging.operation": operation, "messaging.destination": dest}
        if attributes:
            attrs.update({k: v for k, v in attributes.items() if v is not None})
        with self._tracer.start_as_current_span(f"autogen {operation} {dest}", kind=kind, attributes=attrs) as span:
            yield span


_NO_SPAN = nullcontext()


def _genai_tracer(tracer: Any | None) -> Any | None:
    if tracer is not None:
        return tracer
    trace = _otel_trace()
    if trace is None or not _global_provider_configured(trace):
        return None
    return trace.get_tracer("autogen-core")


@contextmanager
def _genai_span(
    name: str, kind_name: str, attributes: dict[str, Any], tracer: Any | None, parent: Any | None
) -> Generator[Any, None, None]:
    t = _genai_tracer(tracer)
    if t is None:
        yield None
        return
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind

    context = trace.set_span_in_context(parent) if parent is not None else None
    attrs = {k: v for k, v in attributes.items() if v is not None}
    with t.start_as_current_span(name, kind=getattr(SpanKind, kind_name), attributes=attrs, context=context) as span:
        try:
            yield span
        except BaseException as e:
            span.set_attribute("error.type", type(e).__name__)
            raise


def _agent_span(
    operation: str,
    agent_name: str,
    tracer: Any | None,
    parent: Any | None,
    agent_id: str | None,
    agent_description: str | None,
) -> Any:
    if tracer is None and "opentelemetry.trace" not in sys.modules:
        return _NO_SPAN
    return _genai_span(
        f"{operation} {agent_name}",
        "CLIENT",
        {
            "gen_ai.operation.name": operation,
            "gen_ai.system": "autogen",
            "gen_ai.agent.name": agent_name,
            "gen_ai.agent.id": agent_id,
            "gen_ai.agent.description": agent_description,
        },
        tracer,
        parent,
    )


def trace_create_agent_span(
    agent_name: str,
    *,
    tracer: Any | None = None,
    parent: Any | None = None,
    agent_id: str | None = None,
    agent_description: str | None = None,
) -> Any:
    """Span ``create_agent {name}`` (GenAI semantic conventions)."""
    return _agent_span("create_agent", agent_name, tracer, parent, agent_id, agent_description)


def trace_invoke_agent_span(
    agent_name: str,
    *,
    tracer: Any | None = None,
    parent: Any | None = None,
    agent_id: str | None = None,
    agent_description: str | None = None,
) -> Any:
    """Span ``invoke_agent {name}`` (GenAI semantic conventions)."""
    return _agent_span("invoke_agent", agent_name, tracer, parent, agent_id, agent_description)


def trace_tool_span(
    tool_name: str,
    *,
    tracer: Any | None = None,
    parent: Any | None = None,
    tool_description: str | None = None,
    tool_call_id: str | None = None,
) -> Any:
    """Span ``execute_tool {name}`` (GenAI semantic conventions)."""
    if tracer is None and "opentelemetry.trace" not in sys.modules:
        return _NO_SPAN  # the common case: no OpenTelemetry in this program, nothing to do
    return _genai_span(
        f"execute_tool {tool_name}",
        "INTERNAL",
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.system": "autogen",
            "gen_ai.tool.name": tool_name,
            "gen_ai.tool.description": tool_description,
            "gen_ai.tool.call.id": tool_call_id,
        },
        tracer,
        parent,
    )


@contextmanager
def _detached_span(name: str, attributes: dict[str, Any]) -> Generator[Any, None, None]:
    """A span that is started and ended here but never made current (safe across an async generator's yields)."""
    t = _genai_tracer(None)
    if t is None:
        yield None
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode

    span = t.start_span(name, kind=SpanKind.CLIENT, attributes={k: v for k, v in attributes.items() if v is not None})
    try:
        yield span
    except BaseException as e:
        span.set_attribute("error.type", type(e).__name__)
        span.set_status(Status(StatusCode.ERROR, str(e)))
        raise
    finally:
        span.end()


def trace_chat_span(model: str, provider: str, *, current: bool = True) -> Any:
    """Span ``chat {model}`` around one model call (GenAI semantic conventions); yields the span or None.

    ``current=False`` for a streamed call: the span is not made the current one, because the stream's consumer runs
    between its chunks.
    """
    if "opentelemetry.trace" not in sys.modules:
        return _NO_SPAN
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.system": provider, "gen_ai.request.model": model}
    if not current:
        return _detached_span(f"chat {model}", attributes)
    return _genai_span(f"chat {model}", "CLIENT", attributes, None, None)
