"""Termination conditions: exact stop reasons, combination with & and |, reset, config round trip, bad arguments."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from accord.base import (
    AndTerminationCondition,
    OrTerminationCondition,
    TerminatedException,
    TerminationCondition,
)
from accord.conditions import (
    ExternalTermination,
    FunctionalTermination,
    FunctionCallTermination,
    HandoffTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    StopMessageTermination,
    TextMentionTermination,
    TextMessageTermination,
    TimeoutTermination,
    TokenUsageTermination,
)
from accord.core import ComponentModel, FunctionCall
from accord.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    HandoffMessage,
    StopMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from accord.models import FunctionExecutionResult, RequestUsage


def text(content: str, source: str = "agent", usage: RequestUsage | None = None) -> TextMessage:
    return TextMessage(content=content, source=source, models_usage=usage)


async def test_stop_message_termination() -> None:
    t = StopMessageTermination()
    assert await t([]) is None
    assert await t([text("hi")]) is None
    stop = await t([text("hi"), StopMessage(content="stop", source="a")])
    assert stop is not None and stop.content == "Stop message received" and stop.source == "StopMessageTermination"
    assert t.terminated
    with pytest.raises(TerminatedException):
        await t([])
    await t.reset()
    assert not t.terminated and await t([text("x")]) is None


async def test_max_message_termination_counts_cumulatively() -> None:
    t = MaxMessageTermination(3)
    call = FunctionCall(id="1", name="f", arguments="{}")
    assert await t([text("a"), ToolCallRequestEvent(content=[call], source="a")]) is None
    stop = await t([text("b"), text("c")])
    assert stop is not None
    assert stop.content == "Maximum number of messages 3 reached, current message count: 3"
    assert stop.source == "MaxMessageTermination"
    await t.reset()
    assert await t([text("a")]) is None
    events = MaxMessageTermination(2, include_agent_event=True)
    stop = await events([text("a"), ToolCallRequestEvent(content=[call], source="a")])
    assert stop is not None and stop.content == "Maximum number of messages 2 reached, current message count: 2"


async def test_text_mention_termination_and_sources() -> None:
    t = TextMentionTermination("TERMINATE")
    assert await t([text("working")]) is None
    stop = await t([text("done. TERMINATE")])
    assert stop is not None and stop.content == "Text 'TERMINATE' mentioned" and stop.source == "TextMentionTermination"
    only = TextMentionTermination("TERMINATE", sources=["critic"])
    assert await only([text("TERMINATE", source="writer")]) is None
    assert await only([text("TERMINATE", source="critic")]) is not None
    # sources are not serialized (as in AutoGen)
    assert only.dump_component().config == {"text": "TERMINATE"}


async def test_token_usage_termination() -> None:
    t = TokenUsageTermination(max_total_token=10)
    assert await t([text("a", usage=RequestUsage(prompt_tokens=3, completion_tokens=2))]) is None
    stop = await t([text("b", usage=RequestUsage(prompt_tokens=4, completion_tokens=1))])
    assert stop is not None
    assert stop.content == (
        "Token usage limit reached, total token count: 10, prompt token count: 7, completion token count: 3."
    )
    p = TokenUsageTermination(max_prompt_token=2)
    assert await p([text("a", usage=RequestUsage(prompt_tokens=2, completion_tokens=0))]) is not None
    c = TokenUsageTermination(max_completion_token=5)
    assert await c([text("a")]) is None


async def test_handoff_termination() -> None:
    t = HandoffTermination("user")
    assert await t([HandoffMessage(content="x", target="bob", source="alice")]) is None
    stop = await t([HandoffMessage(content="x", target="user", source="alice")])
    assert stop is not None and stop.content == "Handoff to user from alice detected."


async def test_timeout_termination() -> None:
    t = TimeoutTermination(0)
    stop = await t([])
    assert stop is not None and stop.content == "Timeout of 0 seconds reached" and stop.source == "TimeoutTermination"
    long = TimeoutTermination(3600)
    assert await long([text("a")]) is None


async def test_external_termination() -> None:
    t = ExternalTermination()
    assert await t([text("a")]) is None
    t.set()
    assert not t.terminated  # checked only at the next evaluation
    stop = await t([])
    assert stop is not None and stop.content == "External termination requested"
    await t.reset()
    assert await t([]) is None


async def test_source_match_and_text_message_termination() -> None:
    s = SourceMatchTermination(["critic"])
    assert await s([]) is None
    assert await s([text("a", source="writer")]) is None
    stop = await s([text("a", source="critic")])
    assert stop is not None and stop.content == "'critic' answered"
    tm = TextMessageTermination("critic")
    assert await tm([text("a", source="writer")]) is None
    stop = await tm([text("a", source="critic")])
    assert stop is not None and stop.content == "Text message received from 'critic'"
    anyone = TextMessageTermination()
    assert await anyone([StopMessage(content="x", source="y")]) is None
    assert await anyone([text("a", source="z")]) is not None


async def test_function_call_termination() -> None:
    t = FunctionCallTermination("approve")
    other = FunctionExecutionResult(content="ok", name="search", call_id="1")
    assert await t([ToolCallExecutionEvent(content=[other], source="a")]) is None
    hit = FunctionExecutionResult(content="ok", name="approve", call_id="2")
    stop = await t([ToolCallExecutionEvent(content=[hit], source="a")])
    assert stop is not None and stop.content == "Function 'approve' was executed."


async def test_functional_termination_sync_and_async() -> None:
    def sync(msgs: Sequence[BaseAgentEvent | BaseChatMessage]) -> bool:
        return any("bye" in m.to_text() for m in msgs)

    async def asynchronous(msgs: Sequence[BaseAgentEvent | BaseChatMessage]) -> bool:
        await asyncio.sleep(0)
        return len(msgs) > 1

    t = FunctionalTermination(sync)
    assert await t([text("hi")]) is None
    stop = await t([text("bye")])
    assert stop is not None and stop.content == "Functional termination condition met"
    a = FunctionalTermination(asynchronous)
    assert await a([text("x")]) is None
    assert await a([text("x"), text("y")]) is not None


async def test_or_combination() -> None:
    t = MaxMessageTermination(2) | TextMentionTermination("STOP")
    assert isinstance(t, OrTerminationCondition)
    assert await t([text("a")]) is None
    stop = await t([text("STOP")])
    assert stop is not None
    assert stop.content == "Maximum number of messages 2 reached, current message count: 2, Text 'STOP' mentioned"
    assert stop.source == "MaxMessageTermination, TextMentionTermination"
    assert t.terminated
    with pytest.raises(RuntimeError, match="already been reached"):
        await t([])
    await t.reset()
    assert not t.terminated


async def test_and_combination_accumulates_across_calls() -> None:
    t = TextMentionTermination("A") & TextMentionTermination("B")
    assert isinstance(t, AndTerminationCondition)
    assert await t([text("A")]) is None
    stop = await t([text("B")])
    assert stop is not None and stop.content == "Text 'A' mentioned, Text 'B' mentioned"
    with pytest.raises(TerminatedException):
        await t([])
    await t.reset()
    assert await t([text("B")]) is None


async def test_config_round_trip_with_autogen_providers() -> None:
    cond = (MaxMessageTermination(5) | TextMentionTermination("DONE")) & TokenUsageTermination(max_total_token=100)
    model = cond.dump_component()
    assert model.provider == "autogen_agentchat.base.AndTerminationCondition"
    assert model.config["conditions"][0]["provider"] == "autogen_agentchat.base.OrTerminationCondition"
    inner = model.config["conditions"][0]["config"]["conditions"]
    assert inner[0]["provider"] == "autogen_agentchat.conditions.MaxMessageTermination"
    assert inner[0]["config"] == {"max_messages": 5, "include_agent_event": False}
    loaded = TerminationCondition.load_component(model)
    assert isinstance(loaded, AndTerminationCondition)
    assert await loaded([text("DONE", usage=RequestUsage(prompt_tokens=100, completion_tokens=0))]) is not None
    for c in (
        StopMessageTermination(),
        HandoffTermination("x"),
        TimeoutTermination(1.5),
        ExternalTermination(),
        SourceMatchTermination(["a"]),
        TextMessageTermination("a"),
        FunctionCallTermination("f"),
    ):
        again = TerminationCondition.load_component(ComponentModel.model_validate(c.dump_component().model_dump()))
        assert type(again) is type(c)
        assert again.dump_component().config == c.dump_component().config


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: MaxMessageTermination("10"), "max_messages must be an integer"),  # type: ignore[arg-type]
        (lambda: MaxMessageTermination(0), "max_messages must be at least 1"),
        (lambda: TextMentionTermination(5), "text must be a string"),  # type: ignore[arg-type]
        (lambda: TextMentionTermination("X", sources="critic"), "sources must be a list of strings"),
        (lambda: SourceMatchTermination("critic"), r"sources must be a list of strings \(e\.g\. \['critic'\]"),  # type: ignore[arg-type]
        (lambda: TokenUsageTermination(), "At least one of max_total_token"),
        (lambda: TokenUsageTermination(max_total_token=1.5), "max_total_token must be an integer"),  # type: ignore[arg-type]
        (lambda: TimeoutTermination("1"), "timeout_seconds must be a number"),  # type: ignore[arg-type]
        (lambda: HandoffTermination(None), "target must be a string"),  # type: ignore[arg-type]
        (lambda: FunctionalTermination("x"), "func must be callable"),  # type: ignore[arg-type]
        (lambda: MaxMessageTermination(3) | "STOP", "combines TerminationCondition objects"),  # type: ignore[operator]
        (lambda: AndTerminationCondition(MaxMessageTermination(2), 5), "got 5 of type int"),  # type: ignore[arg-type]
    ],
)
def test_wrong_types_fail_at_construction(make: object, fragment: str) -> None:
    with pytest.raises((ValueError, TypeError), match=fragment):
        make()  # type: ignore[operator]


async def test_task_messages_are_counted_but_cannot_stop_the_run() -> None:
    """AutoGen #6826: the task text never triggers a termination; counting conditions still count the task."""
    from accord.base import check_task_messages, evaluating_task_messages

    task = [TextMessage(content="Say TERMINATE when done", source="user")]
    mention = TextMentionTermination("TERMINATE")
    assert await check_task_messages(mention, task) is None
    assert not mention.terminated
    assert await mention([text("TERMINATE", source="assistant")]) is not None

    for content_condition in (
        TextMessageTermination(),
        SourceMatchTermination(["user"]),
        StopMessageTermination(),
        HandoffTermination("bob"),
        FunctionalTermination(lambda msgs: True),
    ):
        task_msgs = [
            TextMessage(content="x", source="user"),
            StopMessage(content="stop", source="user"),
            HandoffMessage(content="h", target="bob", source="user"),
        ]
        assert await check_task_messages(content_condition, task_msgs) is None, content_condition

    counted = MaxMessageTermination(2)
    assert await check_task_messages(counted, task) is None
    stop = await counted([text("reply")])
    assert stop is not None and stop.content == "Maximum number of messages 2 reached, current message count: 2"

    # inside combinations too (evaluated concurrently in child tasks)
    combined = TextMentionTermination("TERMINATE") | MaxMessageTermination(1)
    stop = await check_task_messages(combined, task)
    assert stop is not None and stop.content == "Maximum number of messages 1 reached, current message count: 1"
    both = TextMentionTermination("TERMINATE") & ExternalTermination()
    assert await check_task_messages(both, task) is None
    assert not evaluating_task_messages()
