from __future__ import annotations

import logging

import pytest

from accord.core import FunctionCall, load_component
from accord.models import CreateResult, ModelInfo, RequestUsage, SystemMessage, UserMessage
from accord.models.replay import ReplayChatCompletionClient


async def test_string_answers_in_order_with_whitespace_usage() -> None:
    client = ReplayChatCompletionClient(["hello there", "second"])
    messages = [SystemMessage(content="a b"), UserMessage(content="c d e", source="user")]
    first = await client.create(messages)
    assert first == CreateResult(finish_reason="stop", content="hello there", usage=RequestUsage(5, 2), cached=True)
    assert client.actual_usage() == RequestUsage(5, 2)
    second = await client.create(messages)
    assert second.content == "second"
    assert client.total_usage() == RequestUsage(10, 3)
    assert len(client.create_calls) == 2 and client.create_calls[0]["messages"] == messages
    with pytest.raises(ValueError, match="No more mock responses available"):
        await client.create(messages)


async def test_stream_yields_words_then_result() -> None:
    client = ReplayChatCompletionClient(["one two three"])
    items = [item async for item in client.create_stream([UserMessage(content="x", source="u")])]
    assert items[:3] == ["one ", "two ", "three"]
    assert isinstance(items[3], CreateResult) and items[3].content == "one two three"
    assert client.total_usage() == RequestUsage(1, 3)


async def test_create_result_answers_returned_as_is_and_reset() -> None:
    call = FunctionCall(id="1", arguments="{}", name="f")
    scripted = CreateResult(finish_reason="function_calls", content=[call], usage=RequestUsage(99, 7), cached=False)
    client = ReplayChatCompletionClient([scripted])
    result = await client.create([UserMessage(content="a b", source="u")])
    assert result is scripted
    assert client.actual_usage() == RequestUsage(2, 7)
    client.reset()
    assert client.total_usage() == RequestUsage(0, 0)
    stream = [item async for item in client.create_stream([UserMessage(content="a", source="u")])]
    assert stream == [scripted]


async def test_cached_flag_tool_choice_warning_and_tokens(caplog: pytest.LogCaptureFixture) -> None:
    client = ReplayChatCompletionClient(["x"])
    client.set_cached_bool_value(False)
    with caplog.at_level(logging.WARNING):
        result = await client.create([UserMessage(content="a", source="u")], tool_choice="required")
    assert result.cached is False
    assert "tool_choice parameter specified but is ignored in replay mode" in caplog.text
    assert client.count_tokens([UserMessage(content="a b c", source="u")]) == 3
    assert client.remaining_tokens([]) == 10000 - 2


def test_default_model_info_disallows_tools_and_config_round_trip() -> None:
    client = ReplayChatCompletionClient(["a"])
    assert client.model_info["function_calling"] is False
    info = ModelInfo(vision=False, function_calling=True, json_output=False, family="unknown", structured_output=False)
    client = ReplayChatCompletionClient(["a", "b"], model_info=info)
    model = client.dump_component()
    assert model.provider == "autogen_ext.models.replay.ReplayChatCompletionClient"
    assert model.component_type == "replay_chat_completion_client"
    loaded = load_component(model.model_dump())
    assert isinstance(loaded, ReplayChatCompletionClient)
    assert loaded.chat_completions == ["a", "b"] and loaded.model_info["function_calling"] is True


def test_deprecated_capabilities_warns() -> None:
    client = ReplayChatCompletionClient(["a"])
    with pytest.warns(DeprecationWarning):
        assert client.capabilities["vision"] is False
