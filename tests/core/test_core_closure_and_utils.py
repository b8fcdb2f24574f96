from __future__ import annotations

import datetime
import warnings
from typing import Any

import pytest
from core_helpers import Ping, Pong
from pydantic import ValidationError

from accord.core import (
    AgentId,
    ClosureAgent,
    ClosureContext,
    DefaultSubscription,
    DefaultTopicId,
    MessageContext,
    SingleThreadedAgentRuntime,
    TopicId,
    TypeSubscription,
)
from accord.core.exceptions import CantHandleException
from accord.core.utils import (
    FormatNotSupportedError,
    ReferenceNotFoundError,
    extract_json_from_str,
    schema_to_pydantic_model,
)


async def test_closure_agent_receives_published_messages() -> None:
    got: list[tuple[int, TopicId | None]] = []

    async def collect(ctx: ClosureContext, message: Ping, mctx: MessageContext) -> None:
        got.append((message.n, mctx.topic_id))

    runtime = SingleThreadedAgentRuntime()
    await ClosureAgent.register_closure(
        runtime, "collector", collect, subscriptions=lambda: [DefaultSubscription(agent_type="collector")]
    )
    runtime.start()
    await runtime.publish_message(Ping(1), DefaultTopicId())
    await runtime.stop_when_idle()
    assert got == [(1, TopicId("default", "default"))]


async def test_closure_unknown_type_policies() -> None:
    async def only_pings(ctx: ClosureContext, message: Ping, mctx: MessageContext) -> int:
        return message.n

    runtime = SingleThreadedAgentRuntime()
    await ClosureAgent.register_closure(runtime, "warn", only_pings)
    await ClosureAgent.register_closure(runtime, "error", only_pings, unknown_type_policy="error")
    await ClosureAgent.register_closure(runtime, "ignore", only_pings, unknown_type_policy="ignore")
    runtime.start()
    assert await runtime.send_message(Ping(3), AgentId("warn", "k")) == 3
    with pytest.warns(UserWarning, match="unexpected Pong"):
        assert await runtime.send_message(Pong(1), AgentId("warn", "k")) is None
    with pytest.raises(CantHandleException):
        await runtime.send_message(Pong(1), AgentId("error", "k"))
    assert await runtime.send_message(Pong(4), AgentId("ignore", "k")) == 4
    await runtime.stop_when_idle()


async def test_closure_can_send_and_publish() -> None:
    async def forward(ctx: ClosureContext, message: Ping, mctx: MessageContext) -> Any:
        await ctx.publish_message(Pong(message.n), TopicId("out", "k"))
        return "ok"

    received: list[int] = []

    async def sink(ctx: ClosureContext, message: Pong, mctx: MessageContext) -> None:
        received.append(message.n)

    runtime = SingleThreadedAgentRuntime()
    await ClosureAgent.register_closure(runtime, "fwd", forward)
    await ClosureAgent.register_closure(runtime, "sink", sink, subscriptions=lambda: [TypeSubscription("out", "sink")])
    runtime.start()
    assert await runtime.send_message(Ping(8), AgentId("fwd", "k")) == "ok"
    await runtime.stop_when_idle()
    assert received == [8]


def test_closure_signature_is_checked() -> None:
    from accord.core._closure_agent import _closure_types

    async def two(ctx: ClosureContext, message: Ping) -> None: ...

    with pytest.raises(ValueError, match="exactly 3 arguments"):
        _closure_types(two)


def test_extract_json() -> None:
    assert extract_json_from_str('{"a": 1}') == [{"a": 1}]
    text = 'Here:\n```json\n{"a": 1}\n```\nand\n```\n{"b": 2}\n```'
    assert extract_json_from_str(text) == [{"a": 1}, {"b": 2}]
    with pytest.raises(ValueError, match="```python block"):
        extract_json_from_str("```python\nprint(1)\n```")


def test_schema_to_pydantic_model() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 2, "description": "who"},
            "age": {"type": "integer", "minimum": 0},
            "when": {"type": "string", "format": "date-time"},
            "kind": {"enum": ["a", "b"]},
            "pet": {"$ref": "#/$defs/Pet"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        },
        "required": ["name", "pet"],
        "$defs": {"Pet": {"type": "object", "properties": {"legs": {"type": "integer"}}, "required": ["legs"]}},
    }
    Model = schema_to_pydantic_model(schema, "Person")
    person = Model(name="al", pet={"legs": 4}, when="2024-01-01T00:00:00Z", kind="a", tags=["x"], either="s")
    assert person.when == datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)  # type: ignore[attr-defined]
    assert person.pet.legs == 4  # type: ignore[attr-defined]
    assert Model.model_json_schema()["properties"]["name"]["description"] == "who"
    for bad in (
        {"name": "a", "pet": {"legs": 1}},
        {"name": "al", "pet": {}},
        {"name": "al", "pet": {"legs": 1}, "kind": "z"},
    ):
        with pytest.raises(ValidationError):
            Model(**bad)
    with pytest.raises(ReferenceNotFoundError, match="Missing"):
        schema_to_pydantic_model({"type": "object", "properties": {"x": {"$ref": "#/$defs/Missing"}}})
    with pytest.raises(FormatNotSupportedError, match="weird"):
        schema_to_pydantic_model({"type": "object", "properties": {"x": {"type": "string", "format": "weird"}}})


def test_schema_all_of_and_forbid_extra() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"type": "object", "properties": {"b": {"type": "string"}}},
        ],
        "additionalProperties": False,
    }
    Model = schema_to_pydantic_model(schema)
    assert Model(a=1, b="x").model_dump() == {"a": 1, "b": "x"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValidationError):
            Model(b="x")
