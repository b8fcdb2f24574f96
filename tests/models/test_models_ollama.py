"""OllamaChatCompletionClient at the HTTP layer.

No Ollama server can run on these machines (not in Debian's or PyPI's packages, and it would download models), so
these tests run the real ``ollama`` SDK over an ``httpx.MockTransport`` that answers ``/api/chat`` with Ollama's
documented JSON and NDJSON-stream shapes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pydantic import BaseModel

from accord.core import FunctionCall, load_component
from accord.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    UserMessage,
)
from accord.models._errors import ModelConnectionError, ModelRequestError

pytest.importorskip("ollama", reason="ollama is not installed (accord[ollama])")
import httpx

from accord.models.ollama import OllamaChatCompletionClient

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def _reply(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "model": "llama3.1",
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", **message},
        "done": True,
        "done_reason": "stop",
        "prompt_eval_count": 20,
        "eval_count": 8,
        **extra,
    }


def _client(responder: Any, requests: list[dict[str, Any]], **kwargs: Any) -> OllamaChatCompletionClient:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/chat"
        body = json.loads(request.content)
        requests.append(body)
        result: httpx.Response = responder(body)
        return result

    return OllamaChatCompletionClient(
        model=kwargs.pop("model", "llama3.1"), transport=httpx.MockTransport(handle), **kwargs
    )


async def test_tool_calls_thought_and_options() -> None:
    requests: list[dict[str, Any]] = []
    calls = [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]
    client = _client(
        lambda b: httpx.Response(200, json=_reply({"content": "Let me look.", "tool_calls": calls})),
        requests,
        options={"temperature": 0},
        seed=3,
    )
    result = await client.create(
        [
            UserMessage(content="Weather?", source="user"),
            AssistantMessage(
                content=[FunctionCall(id="1", arguments='{"city": "Rome"}', name="get_weather")], source="a"
            ),
            FunctionExecutionResultMessage(
                content=[FunctionExecutionResult(content="sunny", name="get_weather", call_id="1")]
            ),
        ],
        tools=[WEATHER],
    )
    assert result.finish_reason == "function_calls" and result.thought == "Let me look."
    assert isinstance(result.content, list) and result.content[0].name == "get_weather"
    assert json.loads(result.content[0].arguments) == {"city": "Paris"}
    assert result.usage.prompt_tokens == 20 and result.usage.completion_tokens == 8
    sent = requests[0]
    assert sent["options"] == {"temperature": 0, "seed": 3}
    assert sent["tools"][0]["function"]["name"] == "get_weather"
    assert sent["messages"][1]["tool_calls"][0]["function"]["arguments"] == {"city": "Rome"}
    assert sent["messages"][2] == {"role": "tool", "content": "sunny", "tool_name": "get_weather"}


async def test_structured_output_and_stream() -> None:
    class City(BaseModel):
        name: str

    requests: list[dict[str, Any]] = []
    client = _client(lambda b: httpx.Response(200, json=_reply({"content": '{"name": "Paris"}'})), requests)
    result = await client.create([UserMessage(content="A city", source="user")], json_output=City)
    assert City.model_validate_json(str(result.content)).name == "Paris"
    assert requests[0]["format"] == City.model_json_schema()

    lines = [
        {"model": "llama3.1", "created_at": "t", "message": {"role": "assistant", "content": "Hel"}, "done": False},
        {"model": "llama3.1", "created_at": "t", "message": {"role": "assistant", "content": "lo"}, "done": False},
        _reply({"content": ""}),
    ]
    ndjson = "\n".join(json.dumps(line) for line in lines) + "\n"
    client = _client(lambda b: httpx.Response(200, text=ndjson), [])
    items = [item async for item in client.create_stream([UserMessage(content="hi", source="user")])]
    assert items[:2] == ["Hel", "lo"]
    final = items[-1]
    assert isinstance(final, CreateResult) and final.content == "Hello" and final.usage.completion_tokens == 8


async def test_errors() -> None:
    client = _client(lambda b: httpx.Response(404, json={"error": "model 'llama3.1' not found"}), [])
    with pytest.raises(ModelRequestError, match="not found"):
        await client.create([UserMessage(content="hi", source="user")])

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    down = OllamaChatCompletionClient(model="llama3.1", transport=httpx.MockTransport(refuse))
    with pytest.raises(ModelConnectionError, match="ollama serve"):
        await down.create([UserMessage(content="hi", source="user")])


def test_unknown_model_and_config_round_trip() -> None:
    with pytest.raises(ValueError, match="model_info="):
        OllamaChatCompletionClient(model="my-finetune:latest")
    client = OllamaChatCompletionClient(model="qwen2.5:7b", host="http://127.0.0.1:11434", temperature=0.1)
    assert client.model_info["function_calling"] is True
    model = client.dump_component()
    assert model.provider == "autogen_ext.models.ollama.OllamaChatCompletionClient"
    assert model.config["options"] == {"temperature": 0.1}
    assert isinstance(load_component(model), OllamaChatCompletionClient)


async def test_model_call_events(caplog: pytest.LogCaptureFixture) -> None:
    from model_events import EVENT_LOGGER_NAME, model_events

    client = _client(lambda b: httpx.Response(200, json=_reply({"content": "Hello"})), [])
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        await client.create([UserMessage(content="hi", source="user")], tools=[WEATHER])
    (call,) = model_events(caplog)
    assert call["type"] == "LLMCall" and (call["prompt_tokens"], call["completion_tokens"]) == (20, 8)
    assert call["messages"] == [{"role": "user", "content": "hi"}]
    assert call["response"]["message"]["content"] == "Hello"
    assert [t["function"]["name"] for t in call["tools"]] == ["get_weather"]

    caplog.clear()
    lines = [
        {"model": "llama3.1", "created_at": "t", "message": {"role": "assistant", "content": "Hi"}, "done": False},
        _reply({"content": ""}),
    ]
    ndjson = "\n".join(json.dumps(line) for line in lines) + "\n"
    client = _client(lambda b: httpx.Response(200, text=ndjson), [])
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        _ = [item async for item in client.create_stream([UserMessage(content="hi", source="user")])]
    start, end = model_events(caplog)
    assert start["type"] == "LLMStreamStart" and start["messages"] == [{"role": "user", "content": "hi"}]
    assert end["type"] == "LLMStreamEnd" and (end["prompt_tokens"], end["completion_tokens"]) == (20, 8)
    assert end["response"]["content"] == "Hi"
