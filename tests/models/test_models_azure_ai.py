"""AzureAIChatCompletionClient on the official azure-ai-inference SDK, against a local HTTP server.

No Azure AI Foundry or GitHub Models endpoint can be reached from these machines, so the test starts an aiohttp
server on 127.0.0.1 that answers ``POST /models/chat/completions`` with the documented Azure AI Model Inference
response shapes (JSON and server-sent events). The SDK itself (its aiohttp transport, auth headers, serialization)
makes every request; the server records what arrived.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential
from pydantic import BaseModel

from accord.core import CancellationToken, ComponentModel, FunctionCall, load_component
from accord.errors import ComponentError, UsageError
from accord.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    ModelInfo,
    SystemMessage,
    UserMessage,
)
from accord.models.azure import AzureAIChatCompletionClient
from accord.tools import FunctionTool

pytestmark = pytest.mark.real_server

INFO = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown", structured_output=False)
Reply = Callable[[dict[str, Any]], web.StreamResponse]


def completion(content: str | None, *, finish: str = "stop", tool_calls: list[dict[str, Any]] | None = None) -> Any:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return web.json_response(
        {
            "id": "cmpl-1",
            "created": 1700000000,
            "model": "Phi-4",
            "choices": [{"index": 0, "finish_reason": finish, "message": message}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }
    )


class FakeInference:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: list[Reply] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(
            {"path": request.path, "query": dict(request.query), "headers": dict(request.headers), "body": body}
        )
        reply = self.replies.pop(0)
        result = reply(body)
        if isinstance(result, web.StreamResponse) and not isinstance(result, web.Response):
            await result.prepare(request)
        return result


@pytest.fixture
async def fake() -> AsyncIterator[tuple[str, FakeInference]]:
    state = FakeInference()
    app = web.Application()
    app.router.add_post("/models/chat/completions", state.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/models", state
    finally:
        await runner.cleanup()


def _client(endpoint: str, **kwargs: Any) -> AzureAIChatCompletionClient:
    return AzureAIChatCompletionClient(
        endpoint=endpoint, credential=AzureKeyCredential("k-123"), model_info=INFO, model="Phi-4", **kwargs
    )


async def test_text_completion_request_and_result(fake: tuple[str, FakeInference]) -> None:
    endpoint, server = fake
    server.replies.append(lambda body: completion("Hello there"))
    client = _client(endpoint, temperature=0.2)
    result = await client.create([SystemMessage(content="Be brief."), UserMessage(content="Hi", source="user")])
    assert result.content == "Hello there" and result.finish_reason == "stop"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (11, 7)
    assert client.total_usage().prompt_tokens == 11
    request = server.requests[0]
    assert request["headers"]["api-key"] == "k-123"
    assert "api-version" in request["query"]
    assert request["body"]["model"] == "Phi-4" and request["body"]["temperature"] == 0.2
    assert request["body"]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]
    await client.close()


async def test_tool_call_round_trip(fake: tuple[str, FakeInference]) -> None:
    endpoint, server = fake

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    tool = FunctionTool(add, description="Add two numbers.")
    call = {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
    server.replies.append(lambda body: completion(None, finish="tool_calls", tool_calls=[call]))
    server.replies.append(lambda body: completion("3"))
    client = _client(endpoint)
    first = await client.create([UserMessage(content="1+2?", source="user")], tools=[tool], tool_choice=tool)
    assert first.finish_reason == "function_calls"
    assert first.content == [FunctionCall(id="call_1", arguments='{"a": 1, "b": 2}', name="add")]
    sent = server.requests[0]["body"]
    assert sent["tools"][0]["function"]["name"] == "add"
    assert "title" not in json.dumps(sent["tools"][0]["function"]["parameters"]["properties"])
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    history = [
        UserMessage(content="1+2?", source="user"),
        AssistantMessage(content=first.content, source="assistant"),
        FunctionExecutionResultMessage(content=[FunctionExecutionResult(content="3", call_id="call_1", name="add")]),
    ]
    second = await client.create(history, tools=[tool])
    assert second.content == "3"
    messages = server.requests[1]["body"]["messages"]
    assert messages[1]["tool_calls"][0]["id"] == "call_1"
    assert messages[2] == {"role": "tool", "content": "3", "tool_call_id": "call_1"}
    assert server.requests[1]["body"]["tool_choice"] == "auto"


def _sse(chunks: list[dict[str, Any]]) -> Reply:
    def reply(body: dict[str, Any]) -> web.StreamResponse:
        assert body["stream"] is True
        text = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        return web.Response(text=text, content_type="text/event-stream")

    return reply


def _chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": "s1",
        "created": 1700000000,
        "model": "Phi-4",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        chunk["usage"] = {**usage, "total_tokens": sum(usage.values())}
    return chunk


async def test_streaming_yields_chunks_then_the_result(fake: tuple[str, FakeInference]) -> None:
    endpoint, server = fake
    server.replies.append(
        _sse(
            [
                _chunk({"role": "assistant", "content": "Hel"}),
                _chunk({"content": "lo"}),
                _chunk({}, finish="stop", usage={"prompt_tokens": 5, "completion_tokens": 2}),
            ]
        )
    )
    client = _client(endpoint)
    items = [item async for item in client.create_stream([UserMessage(content="Hi", source="user")])]
    assert items[:2] == ["Hel", "lo"]
    result = items[-1]
    assert isinstance(result, CreateResult)
    assert result.content == "Hello" and result.finish_reason == "stop"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (5, 2)


async def test_json_output_and_refusals(fake: tuple[str, FakeInference]) -> None:
    endpoint, server = fake
    server.replies.append(lambda body: completion('{"ok": true}'))
    client = _client(endpoint)
    await client.create([UserMessage(content="json", source="user")], json_output=True)
    assert server.requests[0]["body"]["response_format"] == {"type": "json_object"}

    class Answer(BaseModel):
        ok: bool

    with pytest.raises(UsageError, match="Structured output is not currently supported"):
        await client.create([UserMessage(content="x", source="user")], json_output=Answer)
    with pytest.raises(UsageError, match="Extra create args are invalid"):
        await client.create([UserMessage(content="x", source="user")], extra_create_args={"best_of": 2})
    with pytest.raises(UsageError, match="Invalid name"):
        await client.create([UserMessage(content="x", source="not valid!")])
    assert len(server.requests) == 1


def test_bad_configuration_names_the_problem() -> None:
    key = AzureKeyCredential("k")
    with pytest.raises(UsageError, match="endpoint is required"):
        AzureAIChatCompletionClient(credential=key, model_info=INFO)
    with pytest.raises(UsageError, match="credential is required"):
        AzureAIChatCompletionClient(endpoint="http://127.0.0.1:1/models", model_info=INFO)
    with pytest.raises(UsageError, match="model_info is required"):
        AzureAIChatCompletionClient(endpoint="http://127.0.0.1:1/models", credential=key)
    with pytest.raises(UsageError, match="model is required for when using a Github model"):
        AzureAIChatCompletionClient(endpoint="https://models.github.ai/inference", credential=key, model_info=INFO)
    with pytest.raises(UsageError, match=r"Unknown AzureAIChatCompletionClient options: \['temprature'\]"):
        AzureAIChatCompletionClient(
            endpoint="http://127.0.0.1:1/models", credential=key, model_info=INFO, temprature=0.1
        )


async def test_config_masks_the_key_and_round_trips(fake: tuple[str, FakeInference]) -> None:
    endpoint, server = fake
    client = _client(endpoint, temperature=0.5)
    dumped = client.dump_component()
    assert dumped.provider == "autogen_ext.models.azure.AzureAIChatCompletionClient"
    assert "k-123" not in dumped.to_json()
    loaded = load_component(ComponentModel.model_validate(json.loads(dumped.to_json(reveal_secrets=True))))
    assert isinstance(loaded, AzureAIChatCompletionClient)
    server.replies.append(lambda body: completion("ok"))
    await loaded.create([UserMessage(content="Hi", source="user")])
    assert server.requests[0]["headers"]["api-key"] == "k-123"
    assert server.requests[0]["body"]["temperature"] == 0.5

    class TokenCredential:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise AssertionError("not called")

    token_client = AzureAIChatCompletionClient(endpoint=endpoint, credential=TokenCredential(), model_info=INFO)
    with pytest.raises(ComponentError, match="only an AzureKeyCredential is serializable"):
        token_client.dump_component()


async def test_cancellation_stops_the_request(fake: tuple[str, FakeInference]) -> None:
    endpoint, server = fake
    server.replies.append(lambda body: completion("late"))
    token = CancellationToken()
    token.cancel()
    with pytest.raises(BaseException) as info:
        await _client(endpoint).create([UserMessage(content="Hi", source="user")], cancellation_token=token)
    assert type(info.value).__name__ == "CancelledError"


def test_served_under_autogens_paths() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.models.azure import AzureAIChatCompletionClient, AzureAIChatCompletionClientConfig
        from autogen_ext.models.azure.config import GITHUB_MODELS_ENDPOINT
        import accord.models.azure
        assert AzureAIChatCompletionClient is accord.models.azure.AzureAIChatCompletionClient
        assert GITHUB_MODELS_ENDPOINT == "https://models.github.ai/inference"
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
