"""A small AutoGen-core program, unchanged, running on accord through ``accord.compat.autogen``.

Two agents: a ``Greeter`` that answers direct messages, and a ``Tally`` that counts what is published on the
default topic. Run it with ``make demo`` (or ``python examples/core_quickstart.py``).
"""

# ruff: noqa: I001  (accord.compat.autogen must be imported before autogen_core)
import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import accord.compat.autogen  # noqa: F401  (the only accord-specific line)

from autogen_core import (
    AgentId,
    DefaultTopicId,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    default_subscription,
    message_handler,
)


@dataclass
class Greeting:
    name: str


@dataclass
class Reply:
    text: str


@default_subscription
class Greeter(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("Greets whoever sends a Greeting and announces it.")

    @message_handler
    async def on_greeting(self, message: Greeting, ctx: MessageContext) -> Reply:
        await self.publish_message(Reply(f"{self.id.key} greeted {message.name}"), DefaultTopicId())
        return Reply(f"Hello, {message.name}! (from {self.id})")

    async def save_state(self) -> dict[str, object]:
        return {}  # stateless

    async def load_state(self, state: Mapping[str, Any]) -> None:
        pass


@default_subscription
class Tally(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("Counts announcements.")
        self.seen: list[str] = []

    @message_handler
    async def on_reply(self, message: Reply, ctx: MessageContext) -> None:
        self.seen.append(message.text)

    async def save_state(self) -> dict[str, object]:
        return {"seen": list(self.seen)}  # agent state is JSON: runs can be saved and resumed

    async def load_state(self, state: Mapping[str, Any]) -> None:
        self.seen = list(state["seen"])


async def main() -> None:
    runtime = SingleThreadedAgentRuntime()
    await Greeter.register(runtime, "greeter", Greeter)
    await Tally.register(runtime, "tally", Tally)
    runtime.start()
    for name in ("Ada", "Grace", "Barbara"):
        reply = await runtime.send_message(Greeting(name), AgentId("greeter", "default"))
        print(reply.text)
    await runtime.stop_when_idle()
    tally = await runtime.try_get_underlying_agent_instance(AgentId("tally", "default"), Tally)
    print(f"Tally saw {len(tally.seen)} announcements: {tally.seen}")
    print("Runtime state:", await runtime.save_state())


if __name__ == "__main__":
    asyncio.run(main())
