"""OpenAIAgent (Responses API) and OpenAIAssistantAgent (Assistants API) on the official openai SDK.

No OpenAI service can be reached from these machines, so the SDK's own ``AsyncOpenAI`` client is given an
``httpx.MockTransport`` that answers with the documented request/response shapes of the Responses and Assistants
APIs. The SDK builds, sends and parses every request; the fake records what arrived.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest

from accord.agents.openai import OpenAIAgent, OpenAIAssistantAgent
from accord.base import Response
from accord.core import CancellationToken, Image
from accord.errors import RunError, UsageError
from accord.messages import MultiModalMessage, TextMessage, ToolCallExecutionEvent, ToolCallRequestEvent
from accord.testing import ScriptedChatCompletionClient

# The SDK marks the Assistants API deprecated (OpenAI's own notice); the agent still serves it as AutoGen does.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

Handler = Callable[[httpx.Request], dict[str, Any]]


class FakeOpenAI:
    """Routes ``METHOD path`` to handlers; records each request (method, path, query, JSON body)."""

    def __init__(self, routes: dict[str, Handler | list[dict[str, Any]]]) -> None:
        self.routes = routes
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = (
            json.loads(request.content)
            if request.content and request.headers.get("content-type", "").startswith("application/json")
            else None
        )
        key = f"{request.method} {request.url.path}"
        self.requests.append({"key": key, "query": dict(request.url.params), "body": body, "headers": request.headers})
        route = self.routes.get(key)
        if route is None:
            return httpx.Response(404, json={"error": {"message": f"no route {key}", "type": "invalid_request_error"}})
        payload = route.pop(0) if isinstance(route, list) else route(request)
        status = int(payload.pop("_status", 200))
        return httpx.Response(status, json=payload)

    def client(self) -> openai.AsyncOpenAI:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return openai.AsyncOpenAI(api_key="sk-test", base_url="http://openai.test/v1", http_client=http, max_retries=0)

    def bodies(self, key: str) -> list[Any]:
        return [r["body"] for r in self.requests if r["key"] == key]


def response_object(text: str, response_id: str) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": 1700000000,
        "model": "gpt-4o",
        "status": "completed",
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "output": [
            {
                "type": "message",
                "id": "msg_" + response_id,
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
    }


# -- OpenAIAgent ----------------------------------------------------------------------------------------------


async def test_openai_agent_sends_history_and_chains_responses() -> None:
    fake = FakeOpenAI({"POST /v1/responses": [response_object("Hello!", "resp_1"), response_object("Fine.", "resp_2")]})
    agent = OpenAIAgent(
        name="assistant",
        description="d",
        client=fake.client(),
        model="gpt-4o",
        instructions="Be kind.",
        tools=["web_search_preview", {"type": "file_search", "vector_store_ids": ["vs1"]}],
        max_output_tokens=100,
        json_mode=True,
    )
    first = await agent.on_messages([TextMessage(content="Hi", source="user")], CancellationToken())
    assert first.chat_message.to_text() == "Hello!" and first.chat_message.source == "assistant"
    second = await agent.on_messages([TextMessage(content="How are you?", source="user")], CancellationToken())
    assert second.chat_message.to_text() == "Fine."
    one, two = fake.bodies("POST /v1/responses")
    assert one["input"] == [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}]
    assert one["tools"] == [{"type": "web_search_preview"}, {"type": "file_search", "vector_store_ids": ["vs1"]}]
    assert one["max_output_tokens"] == 100 and one["text"] == {"type": "json_object"}
    assert one["store"] is True and one["truncation"] == "disabled" and "previous_response_id" not in one
    assert two["previous_response_id"] == "resp_1"
    assert two["input"][-2:] == [
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "How are you?"},
    ]
    state = await agent.save_state()
    assert state["response_id"] == "resp_2" and len(state["history"]) == 4
    await agent.on_reset(CancellationToken())
    assert (await agent.save_state())["history"] == []


async def test_openai_agent_sends_images_as_input_images() -> None:
    fake = FakeOpenAI({"POST /v1/responses": [response_object("A red dot.", "resp_1")]})
    agent = OpenAIAgent(name="a", description="d", client=fake.client(), model="gpt-4o", instructions="")
    pixel = Image.from_base64(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    )
    await agent.on_messages([MultiModalMessage(content=["What is this?", pixel], source="user")], CancellationToken())
    (body,) = fake.bodies("POST /v1/responses")
    content = body["input"][0]["content"]
    assert content[0] == {"type": "input_text", "text": "What is this?"}
    assert content[1]["type"] == "input_image" and content[1]["image_url"].startswith("data:image/png;base64,")


async def test_openai_agent_api_error_becomes_the_reply() -> None:
    fake = FakeOpenAI(
        {"POST /v1/responses": [{"_status": 400, "error": {"message": "bad model", "type": "invalid_request_error"}}]}
    )
    agent = OpenAIAgent(name="a", description="d", client=fake.client(), model="gpt-x", instructions="")
    items = [
        item async for item in agent.on_messages_stream([TextMessage(content="Hi", source="user")], CancellationToken())
    ]
    assert isinstance(items[-1], Response)
    assert items[-1].chat_message.to_text().startswith("Error generating response:")
    assert "bad model" in items[-1].chat_message.to_text()


def test_openai_agent_tool_validation() -> None:
    client = openai.AsyncOpenAI(api_key="sk-test", base_url="http://openai.test/v1")
    with pytest.raises(UsageError, match=r"requires specific parameters.*vector_store_ids"):
        OpenAIAgent(name="a", description="d", client=client, model="gpt-4o", instructions="", tools=["file_search"])
    with pytest.raises(UsageError, match="only supported with model 'codex-mini-latest'"):
        OpenAIAgent(name="a", description="d", client=client, model="gpt-4o", instructions="", tools=["local_shell"])
    with pytest.raises(UsageError, match="Unsupported built-in tool type: nope"):
        OpenAIAgent(name="a", description="d", client=client, model="gpt-4o", instructions="", tools=["nope"])
    with pytest.raises(ValueError, match="Unsupported tool type"):
        OpenAIAgent(name="a", description="d", client=client, model="gpt-4o", instructions="", tools=[42])  # type: ignore[list-item]


def test_openai_agent_config_round_trip_takes_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    client = openai.AsyncOpenAI(api_key="sk-given", base_url="http://openai.test/v1")
    agent = OpenAIAgent(
        name="a", description="d", client=client, model="gpt-4o", instructions="i", tools=["image_generation"]
    )
    dumped = agent.dump_component()
    assert dumped.provider == "autogen_ext.agents.openai.OpenAIAgent"
    assert "sk-given" not in dumped.to_json(reveal_secrets=True)
    loaded = OpenAIAgent.load_component(dumped)
    assert loaded.tools == [{"type": "image_generation"}]
    assert loaded._client.api_key == "sk-from-env"


# -- OpenAIAssistantAgent -------------------------------------------------------------------------------------


def _page(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": False, "first_id": None, "last_id": None}


def _message(message_id: str, text: str, role: str = "assistant") -> dict[str, Any]:
    return {
        "id": message_id,
        "object": "thread.message",
        "created_at": 0,
        "thread_id": "thread_1",
        "role": role,
        "status": "completed",
        "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
        "attachments": [],
        "metadata": {},
    }


def _run(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "run_1",
        "object": "thread.run",
        "created_at": 0,
        "thread_id": "thread_1",
        "assistant_id": "asst_1",
        "status": status,
        "model": "gpt-4o",
        "instructions": "",
        "tools": [],
        "parallel_tool_calls": True,
        **extra,
    }


def _assistant_routes(extra_messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'}}
    requires = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [call]}}
    return {
        "POST /v1/assistants": [
            {"id": "asst_1", "object": "assistant", "created_at": 0, "model": "gpt-4o", "tools": []}
        ],
        "POST /v1/threads": [{"id": "thread_1", "object": "thread", "created_at": 0, "metadata": {}}],
        "GET /v1/threads/thread_1/messages": [
            _page(extra_messages or []),
            _page([_message("msg_2", "2 + 3 = 5")]),
        ],
        "POST /v1/threads/thread_1/messages": [_message("msg_1", "add 2 and 3", role="user")],
        "POST /v1/threads/thread_1/runs": [_run("queued")],
        "GET /v1/threads/thread_1/runs/run_1": [
            _run("in_progress"),
            _run("requires_action", required_action=requires),
            _run("completed"),
        ],
        "POST /v1/threads/thread_1/runs/run_1/submit_tool_outputs": [_run("queued")],
    }


async def test_assistant_agent_runs_a_tool_call_and_answers() -> None:
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    fake = FakeOpenAI(_assistant_routes())
    agent = OpenAIAssistantAgent(
        name="math",
        description="adds",
        client=fake.client(),
        model="gpt-4o",
        instructions="Use tools.",
        tools=[add, "code_interpreter"],
        temperature=0.1,
    )
    items = [
        item
        async for item in agent.on_messages_stream(
            [TextMessage(content="add 2 and 3", source="user")], CancellationToken()
        )
    ]
    request, execution, response = items
    assert isinstance(request, ToolCallRequestEvent) and request.content[0].name == "add"
    assert isinstance(execution, ToolCallExecutionEvent) and execution.content[0].content == "5"
    assert isinstance(response, Response) and response.chat_message.to_text() == "2 + 3 = 5"
    (assistant,) = fake.bodies("POST /v1/assistants")
    assert (
        assistant["model"] == "gpt-4o" and assistant["instructions"] == "Use tools." and assistant["temperature"] == 0.1
    )
    assert assistant["tools"][0]["function"]["name"] == "add" and assistant["tools"][1] == {"type": "code_interpreter"}
    assert fake.bodies("POST /v1/threads/thread_1/messages") == [{"content": "add 2 and 3", "role": "user"}]
    (submitted,) = fake.bodies("POST /v1/threads/thread_1/runs/run_1/submit_tool_outputs")
    assert submitted["tool_outputs"] == [{"tool_call_id": "call_1", "output": "5"}]
    state = await agent.save_state()
    assert state["assistant_id"] == "asst_1" and state["thread_id"] == "thread_1"


async def test_assistant_agent_reports_a_failed_run_and_unknown_tools() -> None:
    routes = _assistant_routes()
    routes["GET /v1/threads/thread_1/runs/run_1"] = [
        _run("failed", last_error={"code": "server_error", "message": "boom"})
    ]
    fake = FakeOpenAI(routes)
    agent = OpenAIAssistantAgent(name="a", description="d", client=fake.client(), model="gpt-4o", instructions="")
    with pytest.raises(ValueError, match=r"Run failed:.*boom") as failed:
        await agent.on_messages([TextMessage(content="x", source="user")], CancellationToken())
    assert isinstance(failed.value, RunError)
    with pytest.raises(UsageError, match="Incorrect client passed to OpenAIAssistantAgent"):
        OpenAIAssistantAgent(
            name="a", description="d", client=ScriptedChatCompletionClient([]), model="gpt-4o", instructions=""
        )


async def test_assistant_agent_unknown_tool_goes_back_to_the_model_as_an_error() -> None:
    fake = FakeOpenAI(_assistant_routes())
    agent = OpenAIAssistantAgent(
        name="a", description="d", client=fake.client(), model="gpt-4o", instructions="", tools=["file_search"]
    )
    items = [
        item async for item in agent.on_messages_stream([TextMessage(content="x", source="user")], CancellationToken())
    ]
    execution = items[1]
    assert isinstance(execution, ToolCallExecutionEvent)
    assert execution.content[0].is_error and "No tools are available" in execution.content[0].content


def test_served_under_autogens_paths() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.agents.openai import OpenAIAgent, OpenAIAssistantAgent
        from autogen_ext.agents.openai._openai_agent import _convert_message_to_openai_message
        from autogen_agentchat.messages import TextMessage
        import accord.agents.openai
        assert OpenAIAgent is accord.agents.openai.OpenAIAgent
        assert OpenAIAssistantAgent is accord.agents.openai.OpenAIAssistantAgent
        assert _convert_message_to_openai_message(TextMessage(content="s", source="system"))["role"] == "system"
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
