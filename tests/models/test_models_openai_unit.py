"""OpenAI client at the HTTP layer (httpx.MockTransport speaking OpenAI's wire format).

Why not the real llama.cpp server here: it cannot produce what these tests need (parallel tool calls, usage in
streams, OpenAI's json_schema structured output, a 400 rejecting a tool schema, malformed tool arguments) and no
OpenAI account is reachable from these machines. The real-server behaviour is in test_models_openai_server.py.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from accord.core import FunctionCall, load_component
from accord.model_context import TokenLimitedChatCompletionContext
from accord.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    ModelInfo,
    SystemMessage,
    UserMessage,
)
from accord.models._errors import MissingApiKeyError, ToolSchemaError, UnknownModelError
from accord.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient

Handler = Callable[[dict[str, Any]], httpx.Response]


def _completion(message: dict[str, Any], finish: str = "stop", usage: tuple[int, int] = (11, 5)) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


class Recorder:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        return self.handler(body)


def _client(handler: Handler, **kwargs: Any) -> tuple[OpenAIChatCompletionClient, Recorder]:
    recorder = Recorder(handler)
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    options: dict[str, Any] = {"model": "gpt-4o", "api_key": "sk-test", "max_retries": 0, **kwargs}
    return OpenAIChatCompletionClient(http_client=http, **options), recorder


USER = UserMessage(content="hi", source="user")
TOOL_A = {"name": "get_weather", "description": "w", "parameters": {"type": "object", "properties": {}}}
TOOL_B = {"name": "get_time", "description": "t", "parameters": {"type": "object", "properties": {}}}


def test_unknown_model_without_model_info_says_how() -> None:
    with pytest.raises(ValueError, match="model_info=") as info:
        OpenAIChatCompletionClient(model="my-private-model", api_key="k")
    assert isinstance(info.value, UnknownModelError)


def test_missing_api_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    with pytest.raises(MissingApiKeyError, match="OPENAI_API_KEY"):
        OpenAIChatCompletionClient(model="gpt-4o")
    with pytest.raises(MissingApiKeyError, match="GEMINI_API_KEY"):
        OpenAIChatCompletionClient(model="gemini-2.0-flash")
    # a local server needs no key
    OpenAIChatCompletionClient(model="gpt-4o", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(MissingApiKeyError, match="AZURE_OPENAI_API_KEY"):
        AzureOpenAIChatCompletionClient(
            model="gpt-4o", azure_endpoint="https://x.openai.azure.com", api_version="2024-06-01"
        )


async def test_parallel_tool_calls_and_malformed_arguments_reach_the_agent() -> None:
    def handler(body: dict[str, Any]) -> httpx.Response:
        calls = [
            {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
            {"id": "c2", "type": "function", "function": {"name": "get_time", "arguments": '{"tz": '}},
        ]
        return httpx.Response(200, json=_completion({"content": "Let me check.", "tool_calls": calls}, "tool_calls"))

    client, recorder = _client(handler, parallel_tool_calls=True)
    result = await client.create([USER], tools=[TOOL_A, TOOL_B])
    assert result.finish_reason == "function_calls" and result.thought == "Let me check."
    assert result.content == [
        FunctionCall(id="c1", arguments='{"city": "Paris"}', name="get_weather"),
        FunctionCall(id="c2", arguments='{"tz": ', name="get_time"),  # malformed: passed on for the tool to report
    ]
    sent = recorder.requests[0]
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather", "get_time"]
    assert sent["tool_choice"] == "auto" and sent["parallel_tool_calls"] is True
    # without tools, parallel_tool_calls is not sent (OpenAI rejects it)
    client2, recorder2 = _client(
        lambda b: httpx.Response(200, json=_completion({"content": "x"})), parallel_tool_calls=True
    )
    await client2.create([USER])
    assert "parallel_tool_calls" not in recorder2.requests[0]


async def test_message_conversion_and_system_normalisation() -> None:
    client, recorder = _client(
        lambda b: httpx.Response(200, json=_completion({"content": "ok"})),
        model_info=ModelInfo(
            vision=True, function_calling=True, json_output=True, family="unknown", structured_output=True
        ),
        model="local-model",
    )
    await client.create(
        [
            SystemMessage(content="a"),
            SystemMessage(content="b"),
            UserMessage(content="hello", source="Bob Smith"),
            AssistantMessage(content=[FunctionCall(id="1", arguments="{}", name="f")], source="agent"),
            FunctionExecutionResultMessage(content=[FunctionExecutionResult(content="r", name="f", call_id="1")]),
            SystemMessage(content="late"),
        ]
    )
    wire = recorder.requests[0]["messages"]
    assert wire[0] == {"role": "system", "content": "a\nb"}
    assert wire[1] == {"role": "user", "name": "Bob_Smith", "content": "hello"}
    assert wire[2]["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}
    assert wire[3] == {"role": "tool", "tool_call_id": "1", "content": "r"}
    assert wire[4] == {"role": "user", "name": "system", "content": "late"}


async def test_structured_output_sends_json_schema() -> None:
    class Person(BaseModel):
        name: str
        age: int

    client, recorder = _client(lambda b: httpx.Response(200, json=_completion({"content": '{"name":"A","age":3}'})))
    result = await client.create([USER], json_output=Person)
    assert Person.model_validate_json(str(result.content)) == Person(name="A", age=3)
    fmt = recorder.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Person"
    await client.create([USER], json_output=True)
    assert recorder.requests[1]["response_format"] == {"type": "json_object"}


async def test_stream_usage_from_server_and_events(caplog: pytest.LogCaptureFixture) -> None:
    def sse(body: dict[str, Any]) -> httpx.Response:
        assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
        chunks = [
            {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
            {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}},
        ]
        text = "".join(
            f"data: {json.dumps({'id': 'x', 'object': 'chat.completion.chunk', 'created': 0, 'model': 'm', **c})}\n\n"
            for c in chunks
        )
        return httpx.Response(200, text=text + "data: [DONE]\n\n", headers={"content-type": "text/event-stream"})

    client, _ = _client(sse)
    with caplog.at_level(logging.INFO, logger="autogen_core.events"):
        items = [item async for item in client.create_stream([USER])]
    assert items[:2] == ["Hel", "lo"]
    final = items[-1]
    assert isinstance(final, CreateResult) and final.content == "Hello" and final.usage.prompt_tokens == 9
    assert '"type": "LLMStreamStart"' in caplog.text and '"type": "LLMStreamEnd"' in caplog.text
    with pytest.raises(ValueError, match="disagree"):
        async for _ in client.create_stream(
            [USER], include_usage=False, extra_create_args={"stream_options": {"include_usage": True}}
        ):
            pass


async def test_rejected_tool_schema_names_the_tool() -> None:
    def handler(body: dict[str, Any]) -> httpx.Response:
        error = {
            "message": "Invalid schema for function 'get_time': In context=(), 'required' is required",
            "param": "tools[1].function.parameters",
        }
        return httpx.Response(400, json={"error": {**error, "type": "invalid_request_error"}})

    client, _ = _client(handler)
    with pytest.raises(ToolSchemaError, match="'get_time'") as info:
        await client.create([USER], tools=[TOOL_A, TOOL_B])
    assert info.value.tool_name == "get_time" and info.value.transient is False


async def test_request_validation_errors() -> None:
    client, _ = _client(lambda b: httpx.Response(200, json=_completion({"content": "x"})), model="gpt-3.5-turbo")
    image_message = UserMessage(content=["look", _tiny_image()], source="user")
    with pytest.raises(ValueError, match="does not support vision"):
        await client.create([image_message])
    with pytest.raises(ValueError, match="not accepted"):
        await client.create([USER], tools=[{"name": "bad name!"}])
    with pytest.raises(ValueError, match="not among the tools"):
        await client.create([USER], tools=[TOOL_A], tool_choice=_Named("other"))


def test_config_round_trip_masks_key_and_pickles() -> None:
    client = OpenAIChatCompletionClient(model="gpt-4o", api_key="sk-secret", temperature=0.2)
    model = client.dump_component()
    assert model.provider == "autogen_ext.models.openai.OpenAIChatCompletionClient"
    assert "sk-secret" not in model.to_json()
    loaded = load_component(model.model_dump())
    assert isinstance(loaded, OpenAIChatCompletionClient) and loaded.model_info["family"] == "gpt-4o"
    clone = pickle.loads(pickle.dumps(client))
    assert clone.count_tokens([USER]) == client.count_tokens([USER])


async def test_token_limited_context_with_openai_counts_offline() -> None:
    client = OpenAIChatCompletionClient(model="gpt-4o", api_key="k")
    messages = [SystemMessage(content="You are helpful.")] + [
        UserMessage(content=f"message number {i} " * 20, source="user") for i in range(30)
    ]
    total = client.count_tokens(messages)
    assert total > 30 * 20
    context = TokenLimitedChatCompletionContext(client, token_limit=300, initial_messages=list(messages))
    kept = await context.get_messages()
    assert kept[0] == messages[0] and client.count_tokens(kept) <= 300 and len(kept) < len(messages)
    assert client.remaining_tokens(messages) == 128_000 - total


def _tiny_image() -> Any:
    from PIL import Image as PILImage

    from accord.core import Image

    return Image.from_pil(PILImage.new("RGB", (4, 4)))


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name
        self.schema = {"name": name}


async def test_context_too_long_is_a_clear_error() -> None:
    from accord.models._errors import ContextLengthError

    def handler(body: dict[str, Any]) -> httpx.Response:
        error = {
            "message": "This model's maximum context length is 128000 tokens.",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        }
        return httpx.Response(400, json={"error": error})

    client, _ = _client(handler)
    with pytest.raises(ContextLengthError, match="TokenLimitedChatCompletionContext"):
        await client.create([USER])


async def test_images_are_sent_as_content_parts() -> None:
    client, recorder = _client(lambda b: httpx.Response(200, json=_completion({"content": "a square"})))
    await client.create([UserMessage(content=["What is this?", _tiny_image()], source="user")])
    parts = recorder.requests[0]["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "What is this?"}
    assert parts[1]["type"] == "image_url" and parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert client.count_tokens([UserMessage(content=["x", _tiny_image()], source="u")]) > 85


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from accord.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "openai", None)  # as if the openai package were not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'accord\[openai\]'"):
        OpenAIChatCompletionClient(model="gpt-4o", api_key="k")
