from __future__ import annotations

import pytest

from accord.core import FunctionCall, load_component
from accord.model_context import (
    BufferedChatCompletionContext,
    ContextTooLongError,
    HeadAndTailChatCompletionContext,
    TokenLimitedChatCompletionContext,
    UnboundedChatCompletionContext,
)
from accord.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
    UserMessage,
)
from accord.models.replay import ReplayChatCompletionClient


def _user(text: str) -> UserMessage:
    return UserMessage(content=text, source="user")


def _call(call_id: str) -> AssistantMessage:
    return AssistantMessage(content=[FunctionCall(id=call_id, arguments="{}", name="f")], source="a")


def _result(call_id: str) -> FunctionExecutionResultMessage:
    return FunctionExecutionResultMessage(content=[FunctionExecutionResult(content="r", name="f", call_id=call_id)])


async def test_unbounded_state_round_trip_and_clear() -> None:
    context = UnboundedChatCompletionContext(initial_messages=[_user("a")])
    await context.add_message(_user("b"))
    assert [m.content for m in await context.get_messages()] == ["a", "b"]
    state = await context.save_state()
    other = UnboundedChatCompletionContext()
    await other.load_state(state)
    assert await other.get_messages() == await context.get_messages()
    await context.clear()
    assert await context.get_messages() == []
    with pytest.raises(ValueError):
        await other.load_state({"messages": [{"type": "Nope"}]})


async def test_buffered_keeps_last_n_and_drops_leading_result() -> None:
    context = BufferedChatCompletionContext(buffer_size=2)
    for message in [_user("a"), _call("1"), _result("1"), _user("b")]:
        await context.add_message(message)
    assert await context.get_messages() == [_user("b")]
    with pytest.raises(ValueError, match="buffer_size must be greater than 0"):
        BufferedChatCompletionContext(buffer_size=0)


async def test_head_and_tail_inserts_skip_note() -> None:
    messages: list[LLMMessage] = [_user("h"), _call("1"), _result("1"), _user("m"), _user("t1"), _user("t2")]
    context = HeadAndTailChatCompletionContext(head_size=2, tail_size=2, initial_messages=messages)
    got = await context.get_messages()
    assert got == [_user("h"), UserMessage(content="Skipped 2 messages.", source="System"), _user("t1"), _user("t2")]
    small = HeadAndTailChatCompletionContext(head_size=5, tail_size=5, initial_messages=messages)
    assert await small.get_messages() == messages


async def test_token_limited_removes_middle_like_autogen() -> None:
    client = ReplayChatCompletionClient([])
    messages: list[LLMMessage] = [_user("one two"), _user("three four"), _user("five six"), _user("seven eight")]
    context = TokenLimitedChatCompletionContext(client, token_limit=5, initial_messages=messages)
    assert [m.content for m in await context.get_messages()] == ["one two", "seven eight"]


async def test_token_limited_keeps_system_and_tool_pairs() -> None:
    client = ReplayChatCompletionClient([])
    messages: list[LLMMessage] = [
        SystemMessage(content="sys tem"),
        _user("a a"),
        _call("1"),
        _result("1"),
        _user("b b"),
        _user("c c"),
    ]
    context = TokenLimitedChatCompletionContext(client, token_limit=4, initial_messages=messages)
    got = await context.get_messages()
    assert got[0] == SystemMessage(content="sys tem")
    ids = [m.type for m in got]
    # a tool call is never separated from its result
    for i, message in enumerate(got):
        if isinstance(message, FunctionExecutionResultMessage):
            assert ids[i - 1] == "AssistantMessage"
    assert client.count_tokens(got) <= 4


async def test_token_limited_system_alone_too_long_is_clear_error() -> None:
    client = ReplayChatCompletionClient([])
    context = TokenLimitedChatCompletionContext(
        client, token_limit=1, initial_messages=[SystemMessage(content="far too long")]
    )
    with pytest.raises(ContextTooLongError, match="token_limit=1"):
        await context.get_messages()


def test_context_configs_round_trip() -> None:
    client = ReplayChatCompletionClient(["x"])
    for context in [
        UnboundedChatCompletionContext(initial_messages=[_user("a")]),
        BufferedChatCompletionContext(buffer_size=3),
        HeadAndTailChatCompletionContext(head_size=1, tail_size=2),
        TokenLimitedChatCompletionContext(client, token_limit=10, tool_schema=[{"name": "f"}]),
    ]:
        model = context.dump_component()
        assert model.provider == f"autogen_core.model_context.{type(context).__name__}"
        assert model.component_type == "chat_completion_context"
        loaded = load_component(model)
        assert type(loaded) is type(context)
        assert loaded.dump_component() == model


async def test_token_limited_search_matches_one_removal_at_a_time() -> None:
    """The O(log n) search returns what removing the middle message one step at a time would."""
    import random

    from accord.model_context._token_limited import TokenLimitedChatCompletionContext as Ctx

    rng = random.Random(7)
    client = ReplayChatCompletionClient([])
    for trial in range(40):
        history: list[LLMMessage] = [SystemMessage(content="s y s")] if trial % 2 else []
        for i in range(rng.randint(1, 30)):
            if rng.random() < 0.2:
                history += [_call(str(i)), _result(str(i))]
            else:
                history.append(_user(" ".join(["w"] * rng.randint(1, 8))))
        limit = rng.randint(4, 60)
        expected = list(history)
        protected = 1 if trial % 2 else 0
        while client.count_tokens(expected) > limit and len(expected) > protected:
            start, stop = Ctx._middle_span(expected, protected)
            del expected[start:stop]
        context = Ctx(client, token_limit=limit, initial_messages=list(history))
        if client.count_tokens(expected) > limit:
            with pytest.raises(ContextTooLongError):
                await context.get_messages()
        else:
            got = await context.get_messages()
            assert got == (
                expected[1:] if expected and isinstance(expected[0], FunctionExecutionResultMessage) else expected
            )
