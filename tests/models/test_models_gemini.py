"""Gemini: ``gemini:`` model references and the OpenAI-compatible Gemini endpoint, as AutoGen does it.

No Gemini endpoint can be reached from these machines, so the openai SDK (the client AutoGen and accord use for
Gemini) gets an ``httpx.MockTransport`` answering with the Chat Completions shape Gemini's OpenAI endpoint returns;
the test checks where the request went and with which key.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from accord.core import load_component
from accord.models import UserMessage
from accord.models._catalog import lookup
from accord.models.openai import OpenAIChatCompletionClient
from accord.spec import resolve_model
from accord.spec._errors import NoModelAvailableError, UnknownModelError
from accord.spec._models import provider_statuses


def test_gemini_reference_resolves_to_the_openai_client_on_gemini(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "g-key")
    resolved = resolve_model("gemini:gemini-2.5-flash")
    assert resolved.provider == "gemini" and resolved.model == "gemini-2.5-flash"
    assert resolved.component["provider"] == "autogen_ext.models.openai.OpenAIChatCompletionClient"
    assert resolved.component["config"] == {"model": "gemini-2.5-flash"}  # the key stays in the environment
    client = load_component(resolved.component)
    assert isinstance(client, OpenAIChatCompletionClient)
    assert str(client._client.base_url) == "https://generativelanguage.googleapis.com/v1beta/openai/"
    assert client.model_info["family"] == "gemini-2.5-flash"
    assert client.model_info["multiple_system_messages"] is False
    assert resolve_model("gemini").model == "gemini-2.5-flash"  # the default Gemini model


def test_gemini_reference_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    with pytest.raises(NoModelAvailableError, match="GEMINI_API_KEY is not set"):
        resolve_model("gemini:gemini-2.0-flash")
    assert resolve_model("gemini:gemini-2.0-flash", check_credentials=False).model == "gemini-2.0-flash"
    with pytest.raises(UnknownModelError, match="Gemini model names start with 'gemini-'"):
        resolve_model("gemini:pro", check_credentials=False)
    with pytest.raises(UnknownModelError, match=r"unknown gemini model 'gemini-9-ultra'.*gemini-2.5-flash"):
        resolve_model("gemini:gemini-9-ultra", check_credentials=False)
    status = next(s for s in provider_statuses() if s.name == "gemini")
    assert not status.configured and "GEMINI_API_KEY" in status.detail


def test_catalog_has_autogens_gemini_models() -> None:
    for name in (
        "gemini-1.5-flash",
        "gemini-1.5-flash-8b",
        "gemini-1.5-pro",
        "gemini-2.0-flash",
        "gemini-2.0-flash-lite-preview-02-05",
        "gemini-2.5-pro-preview-03-25",
        "gemini-2.5-flash",
    ):
        card = lookup(name)
        assert card is not None, name
        info = card.model_info()
        assert info["vision"] and info["function_calling"] and info["structured_output"], name
        assert info["multiple_system_messages"] is False, name


async def test_gemini_requests_go_to_gemini_with_the_gemini_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "g-key")
    monkeypatch.setenv("OPENAI_API_KEY", "o-key")
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body: dict[str, Any] = {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": "gemini-2.5-flash",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi"}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        }
        return httpx.Response(200, json=body)

    client = OpenAIChatCompletionClient(
        model="gemini-2.5-flash", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    )
    result = await client.create([UserMessage(content="Hello", source="user")])
    assert result.content == "Hi"
    (request,) = seen
    assert str(request.url) == "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"
    assert request.headers["Authorization"] == "Bearer g-key"
    assert json.loads(request.content)["model"] == "gemini-2.5-flash"


def test_autogens_model_info_helpers_read_the_catalog() -> None:
    from accord.models._catalog import get_info, get_token_limit, resolve_model

    assert resolve_model("gpt-4o") == "gpt-4o-2024-08-06"
    assert get_info("gemini-2.0-flash")["family"] == "gemini-2.0-flash"
    assert get_token_limit("gemini-1.5-pro") == 2_097_152
    with pytest.raises(ValueError, match="model_info is required"):
        get_info("not-a-model")
    with pytest.raises(KeyError):
        get_token_limit("not-a-model")
