"""AnthropicChatCompletionClient at the HTTP layer.

No Anthropic server can run on these machines (no account, no network), so these tests put the real ``anthropic``
SDK on an ``httpx.MockTransport`` that answers with the Messages API's documented request/response shapes
(JSON and server-sent events) and check what the client sends and how it reads the answers.
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
    SystemMessage,
    UserMessage,
)
from accord.models._errors import MissingApiKeyError, ModelRateLimitError, ToolSchemaError

anthropic = pytest.importorskip("anthropic", reason="anthropic is not installed (accord[anthropic])")
from accord.models.anthropic import AnthropicChatCompletionClient  # noqa: E402

# anthropic 2.x runs on the httpx2 fork, earlier versions on httpx: use the one the installed SDK uses
httpx: Any = pytest.importorskip("httpx2" if "httpx2" in vars(anthropic._base_client) else "httpx")

MODEL = "claude-3-5-sonnet-20241022"
WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def _message(content: list[dict[str, Any]], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 21, "output_tokens": 7},
    }


def _client(responder: Any, requests: list[dict[str, Any]], **kwargs: Any) -> AnthropicChatCompletionClient:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/messages"
        body = json.loads(request.content)
        requests.append(body)
        result: httpx.Response = responder(body)
        return result

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    options: dict[str, Any] = {"model": MODEL, "api_key": "sk-ant-test", "max_retries": 0, **kwargs}
    return AnthropicChatCompletionClient(http_client=http, **options)


async def test_system_merged_and_tool_round_trip() -> None:
    requests: list[dict[str, Any]] = []
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
    client = _client(
        lambda b: httpx.Response(200, json=_message([{"type": "text", "text": "Checking."}, tool_use], "tool_use")),
        requests,
    )
    result = await client.create(
        [
            SystemMessage(content="Be brief."),
            SystemMessage(content="Use tools."),
            UserMessage(content="Weather in Paris?", source="user"),
            AssistantMessage(
                content=[FunctionCall(id="t0", arguments='{"city": "Rome"}', name="get_weather")], source="a"
            ),
            FunctionExecutionResultMessage(
                content=[FunctionExecutionResult(content="sunny", name="get_weather", call_id="t0")]
            ),
        ],
        tools=[WEATHER],
    )
    assert result.finish_reason == "function_calls" and result.thought == "Checking."
    assert result.content == [FunctionCall(id="toolu_1", arguments='{"city": "Paris"}', name="get_weather")]
    assert result.usage.prompt_tokens == 21 and client.total_usage().completion_tokens == 7
    sent = requests[0]
    assert sent["system"] == "Be brief.\nUse tools."
    assert sent["tools"][0] == {
        "name": "get_weather",
        "description": "Weather for a city",
        "input_schema": WEATHER["parameters"],
    }
    assert sent["tool_choice"] == {"type": "auto"}
    assert sent["messages"][1]["content"][0] == {
        "type": "tool_use",
        "id": "t0",
        "name": "get_weather",
        "input": {"city": "Rome"},
    }
    assert sent["messages"][2]["content"][0]["type"] == "tool_result"
    assert sent["max_tokens"] == 4096


async def test_streaming_text_and_usage() -> None:
    events = [
        {"type": "message_start", "message": {**_message([]), "usage": {"input_tokens": 12, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "lo"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 3},
        },
        {"type": "message_stop"},
    ]
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    requests: list[dict[str, Any]] = []
    client = _client(lambda b: httpx.Response(200, text=body, headers={"content-type": "text/event-stream"}), requests)
    items = [item async for item in client.create_stream([UserMessage(content="hi", source="user")])]
    assert items[:2] == ["Hel", "lo"]
    final = items[-1]
    assert isinstance(final, CreateResult) and final.content == "Hello" and final.finish_reason == "stop"
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (12, 3)
    assert requests[0]["stream"] is True


async def test_errors_are_typed() -> None:
    def rate_limited(body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(
            429,
            json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
            headers={"retry-after": "7"},
        )

    client = _client(rate_limited, [])
    with pytest.raises(ModelRateLimitError) as info:
        await client.create([UserMessage(content="hi", source="user")])
    assert info.value.retry_after == 7.0

    def bad_tool(body: dict[str, Any]) -> httpx.Response:
        error = {"type": "invalid_request_error", "message": "tools.0.custom.input_schema: JSON schema is invalid"}
        return httpx.Response(400, json={"type": "error", "error": error})

    client = _client(bad_tool, [])
    with pytest.raises(ToolSchemaError, match="get_weather"):
        await client.create([UserMessage(content="hi", source="user")], tools=[WEATHER])


def test_bad_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingApiKeyError, match="ANTHROPIC_API_KEY"):
        AnthropicChatCompletionClient(model=MODEL)
    with pytest.raises(ValueError, match="model_info="):
        AnthropicChatCompletionClient(model="claude-from-the-future", api_key="k")


async def test_structured_output_rejected_and_config_round_trip() -> None:
    class Answer(BaseModel):
        value: int

    client = AnthropicChatCompletionClient(model=MODEL, api_key="sk-ant-secret", temperature=0.5)
    with pytest.raises(ValueError, match="Structured output is currently not supported"):
        await client.create([UserMessage(content="hi", source="user")], json_output=Answer)
    model = client.dump_component()
    assert model.provider == "autogen_ext.models.anthropic.AnthropicChatCompletionClient"
    assert "sk-ant-secret" not in model.to_json()
    assert isinstance(load_component(model), AnthropicChatCompletionClient)


def test_bedrock_client_configuration() -> None:
    from accord.models.anthropic import AnthropicBedrockChatCompletionClient

    info = {"vision": False, "function_calling": True, "json_output": False, "family": "claude-3-5-sonnet"}
    with pytest.raises(ValueError, match="bedrock_info"):
        AnthropicBedrockChatCompletionClient(
            model="anthropic.claude-3-5-sonnet-20241022-v2:0", model_info={**info, "structured_output": False}
        )
    client = AnthropicBedrockChatCompletionClient(
        model="anthropic.claude-3-5-sonnet-20241022-v2:0",
        model_info={**info, "structured_output": False},
        bedrock_info={
            "aws_access_key": "AKIA-secret",
            "aws_secret_key": "s",
            "aws_session_token": "t",
            "aws_region": "us-east-1",
        },
    )
    model = client.dump_component()
    assert model.provider == "autogen_ext.models.anthropic.AnthropicBedrockChatCompletionClient"
    assert "AKIA-secret" not in model.to_json()
    assert model.config["bedrock_info"]["aws_region"] == "us-east-1"


async def test_model_call_events(caplog: pytest.LogCaptureFixture) -> None:
    from model_events import EVENT_LOGGER_NAME, model_events

    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
    client = _client(lambda b: httpx.Response(200, json=_message([tool_use], "tool_use")), [])
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        await client.create([UserMessage(content="Weather?", source="user")], tools=[WEATHER])
    (call,) = model_events(caplog)
    assert call["type"] == "LLMCall" and (call["prompt_tokens"], call["completion_tokens"]) == (21, 7)
    assert call["messages"] == [{"role": "user", "content": "Weather?"}]
    assert call["response"]["content"][0]["name"] == "get_weather"
    assert [t["name"] for t in call["tools"]] == ["get_weather"]

    caplog.clear()
    events = [
        {"type": "message_start", "message": {**_message([]), "usage": {"input_tokens": 12, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}},
        {"type": "message_stop"},
    ]
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    client = _client(lambda b: httpx.Response(200, text=body, headers={"content-type": "text/event-stream"}), [])
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER_NAME):
        _ = [item async for item in client.create_stream([UserMessage(content="hi", source="user")])]
    start, end = model_events(caplog)
    assert start["type"] == "LLMStreamStart" and start["messages"] == [{"role": "user", "content": "hi"}]
    assert end["type"] == "LLMStreamEnd" and (end["prompt_tokens"], end["completion_tokens"]) == (12, 3)
    assert end["response"]["content"] == "Hi"
