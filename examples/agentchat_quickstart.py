"""An AutoGen AgentChat program, unchanged but for its first import: a writer and a critic in a round-robin team.

    python examples/agentchat_quickstart.py

It uses AutoGen's ReplayChatCompletionClient so that it runs anywhere; put a real model in its place, e.g.
``OpenAIChatCompletionClient(model="gpt-4.1-mini")`` from ``autogen_ext.models.openai``.
"""

# ruff: noqa: I001  (accord.compat.autogen must be imported before the autogen modules)
import accord.compat.autogen  # noqa: F401  # first: autogen_core / autogen_agentchat / autogen_ext now resolve to accord

import asyncio

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_agentchat.ui import Console
from autogen_ext.models.replay import ReplayChatCompletionClient


async def main() -> None:
    writer_model = ReplayChatCompletionClient(
        ["Morning fog lifts slow,\nthe harbour bells count the boats,\ngulls write on the sky."]
    )
    critic_model = ReplayChatCompletionClient(["Vivid and calm, with a clear image in each line. APPROVE"])
    writer = AssistantAgent("writer", model_client=writer_model, system_message="You write haiku.")
    critic = AssistantAgent(
        "critic", model_client=critic_model, system_message="Review the haiku. Say APPROVE when it is good."
    )
    team = RoundRobinGroupChat(
        [writer, critic], termination_condition=TextMentionTermination("APPROVE") | MaxMessageTermination(6)
    )
    result = await Console(team.run_stream(task="Write a haiku about a harbour."))
    print(f"stop reason: {result.stop_reason}")
    print(team.dump_component().model_dump_json()[:120] + "...")  # teams are declarative components too


if __name__ == "__main__":
    asyncio.run(main())
