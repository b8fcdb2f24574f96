from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from accord.core import FunctionCall
from accord.models import AssistantMessage, ModelInfo, SystemMessage, UserMessage, _tokens
from accord.models._tokens import count_messages, estimate_tokens, token_counter
from accord.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient


def test_counts_offline_without_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # an empty tiktoken cache: the encoding must come from the shipped offline data, not a download
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_tokens, "_counters", {})
    count = token_counter("gpt-4")
    assert count("hello world") == 2
    messages = [SystemMessage(content="Be brief."), UserMessage(content="hello world", source="user")]
    with_tools = count_messages(messages, [{"name": "f", "description": "d", "parameters": {"type": "object"}}], count)
    assert count_messages(messages, [], count) < with_tools


def test_fallback_estimate_is_logged(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import tiktoken

    def unavailable(name: str) -> Any:
        raise ValueError(f"Unknown encoding {name}")

    monkeypatch.setattr(tiktoken, "get_encoding", unavailable)
    monkeypatch.setattr(_tokens, "_counters", {})
    monkeypatch.setattr(_tokens, "_warned", set())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    with caplog.at_level(logging.WARNING, logger="accord.models"):
        count = token_counter("gpt-4o")
    assert count is estimate_tokens and "estimates" in caplog.text
    assert estimate_tokens("") == 0 and estimate_tokens("a b c") == 3 and estimate_tokens("x" * 40) == 10


def test_tool_calls_and_names_are_counted() -> None:
    count = token_counter("gpt-4o")
    call = AssistantMessage(content=[FunctionCall(id="1", arguments='{"city": "Paris"}', name="weather")], source="a")
    assert count_messages([call], [], count) > count_messages([], [], count)


async def test_r1_thoughts_and_gemini_and_azure_wiring(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        message = {"role": "assistant", "content": "<think>plan</think>The answer."}
        body = {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }
        return httpx.Response(200, json=body)

    r1 = ModelInfo(vision=False, function_calling=False, json_output=False, family="r1", structured_output=False)
    client = OpenAIChatCompletionClient(
        model="deepseek-r1",
        api_key="k",
        model_info=r1,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    result = await client.create([UserMessage(content="q", source="user")])
    assert result.thought == "plan" and result.content == "The answer."
    assert result.usage.prompt_tokens > 0  # no usage from the server: counted locally

    monkeypatch.setenv("GEMINI_API_KEY", "g")
    gemini = OpenAIChatCompletionClient(model="gemini-2.0-flash")
    assert "generativelanguage.googleapis.com" in str(gemini._client.base_url)

    azure = AzureOpenAIChatCompletionClient(
        model="gpt-4o",
        azure_deployment="my-deploy",
        azure_endpoint="https://example.openai.azure.com",
        api_version="2024-06-01",
        api_key="az",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    await azure.create([UserMessage(content="q", source="user")])
    url = seen[-1].url
    assert url.path == "/openai/deployments/my-deploy/chat/completions"
    assert url.params["api-version"] == "2024-06-01" and seen[-1].headers["api-key"] == "az"
    assert azure.dump_component().provider == "autogen_ext.models.openai.AzureOpenAIChatCompletionClient"
