"""The program the crash tests run in a subprocess (and kill -9): a team on the scripted model server, journaled.

``python _crash_app.py run|resume SCENARIO DB URL RUN_ID OUT [--input TEXT] [--decision retry|skip:TEXT|abort]``.
Environment: ``PAUSE_AT=N`` makes the run stop for good after its N-th message (a model call returned and was
journaled, nothing in flight), writing ``OUT.paused`` first; ``TOOL_HANG=1`` makes the tool hang after writing
``OUT.tool``; the human's input is read from stdin.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from accord.agents import AssistantAgent, UserProxyAgent
from accord.conditions import MaxMessageTermination, TextMentionTermination
from accord.journal import Decision, Journal, SqliteStore
from accord.models.openai import OpenAIChatCompletionClient
from accord.teams import RoundRobinGroupChat
from accord.tools import FunctionTool

OUT = Path(sys.argv[6]) if len(sys.argv) > 6 and __name__ == "__main__" else Path("out.json")


class PausingMax(MaxMessageTermination):
    """MaxMessageTermination (same component config) that can stop the process for good at message PAUSE_AT."""

    async def __call__(self, messages: Any) -> Any:
        stop = await super().__call__(messages)
        if os.environ.get("PAUSE_AT") and self._message_count >= int(os.environ["PAUSE_AT"]):
            Path(f"{OUT}.paused").write_text("paused")
            await asyncio.sleep(3600)
        return stop


async def book(city: str) -> str:
    if os.environ.get("TOOL_HANG"):
        Path(f"{OUT}.tool").write_text("started")
        await asyncio.sleep(3600)
    return f"booked {city}"


def model(url: str) -> OpenAIChatCompletionClient:
    return OpenAIChatCompletionClient(model="gpt-4o-mini", base_url=url, api_key="test-key", max_retries=0)


def build(scenario: str, url: str, input_func: Any = input) -> RoundRobinGroupChat:
    if scenario == "rr":
        agents = [AssistantAgent(n, model_client=model(url), system_message=f"You are {n}.") for n in ("writer", "critic", "editor")]
        return RoundRobinGroupChat(agents, termination_condition=PausingMax(7))  # type: ignore[arg-type]
    if scenario == "tool":
        tool = FunctionTool(book, name="book", description="Book a trip.")
        agent = AssistantAgent("agent", model_client=model(url), system_message="You are agent.", tools=[tool])
        return RoundRobinGroupChat([agent], termination_condition=TextMentionTermination("DONE"))
    writer = AssistantAgent("writer", model_client=model(url), system_message="You are writer.")
    user = UserProxyAgent("user", input_func=input_func)
    return RoundRobinGroupChat([writer, user], termination_condition=PausingMax(4))


async def main() -> None:
    mode, scenario, db, url, run_id = sys.argv[1:6]
    options = sys.argv[7:]
    store = SqliteStore(db)
    team = build(scenario, url)
    if mode == "replay":
        report = await Journal(store).replay(team, run_id)
        OUT.write_text(json.dumps({"ok": report.ok, "matched": report.matched, "divergence": report.divergence}))
        return
    if mode == "run":
        result = await Journal(store, run_id=run_id).run(team, task="Write about the sea.")
    else:
        kwargs: dict[str, Any] = {}
        if "--input" in options:
            kwargs["input"] = options[options.index("--input") + 1]
        if "--decision" in options:
            action, _, text = options[options.index("--decision") + 1].partition(":")
            kwargs["decision"] = Decision(action, text or None)  # type: ignore[arg-type]
        result = await team.resume(run_id, store=store, **kwargs)
    chat = [[type(m).__name__, m.source, str(m.content)] for m in result.messages]
    OUT.write_text(json.dumps({"messages": chat, "stop_reason": result.stop_reason}))
    await store.close()


if __name__ == "__main__":
    asyncio.run(main())
