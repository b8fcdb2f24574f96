from __future__ import annotations

import json

import pytest

from accord.models import CreateResult, UserMessage
from accord.testing import ScriptedCall, ScriptedChatCompletionClient, ScriptExhaustedError, tool_call

MESSAGES = [UserMessage(content="what is 1 + 2", source="user")]
ADD_TOOL = {"name": "add", "description": "add", "parameters": {"type": "object", "properties": {}}}


async def test_script_text_tool_calls_errors_and_callables() -> None:
    def by_call(call: ScriptedCall) -> str:
        return f"tools: {','.join(call.tool_names)}"

    async def async_answer(call: ScriptedCall) -> str:
        return "async"

    client = ScriptedChatCompletionClient(
        ["hi", tool_call("add", {"a": 1, "b": 2}, id="c1"), RuntimeError("boom"), by_call, async_answer]
    )
    assert (await client.create(MESSAGES)).content == "hi"
    calls = await client.create(MESSAGES, tools=[ADD_TOOL])
    assert calls.finish_reason == "function_calls"
    assert isinstance(calls.content, list) and json.loads(calls.content[0].arguments) == {"a": 1, "b": 2}
    with pytest.raises(RuntimeError, match="boom"):
        await client.create(MESSAGES)
    assert (await client.create(MESSAGES, tools=[ADD_TOOL])).content == "tools: add"
    assert (await client.create(MESSAGES)).content == "async"
    client.assert_complete()
    with pytest.raises(ScriptExhaustedError, match="called 6 times"):
        await client.create(MESSAGES)
    assert client.calls[1].tools[0]["name"] == "add"


async def test_assert_complete_and_respond_and_stream() -> None:
    client = ScriptedChatCompletionClient(["a b"], respond="again")
    with pytest.raises(AssertionError, match="1 of 1"):
        client.assert_complete()
    chunks = [c async for c in client.create_stream(MESSAGES)]
    assert chunks[:2] == ["a ", "b"] and isinstance(chunks[-1], CreateResult)
    assert (await client.create(MESSAGES)).content == "again"
    assert client.total_usage().completion_tokens == 3
    assert client.model_info["function_calling"] is True
    assert client.calls[0].stream is True


def test_scripted_dumps_plain_scripts_only() -> None:
    client = ScriptedChatCompletionClient(["a", tool_call("f")])
    model = client.dump_component()
    assert model.provider == "accord.testing.ScriptedChatCompletionClient"
    with pytest.raises(TypeError, match="Cannot dump"):
        ScriptedChatCompletionClient([RuntimeError("x")]).dump_component()
