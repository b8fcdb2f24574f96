from __future__ import annotations

from dataclasses import dataclass

from accord.core import MessageContext, RoutedAgent, default_subscription, message_handler


@dataclass
class Ping:
    n: int


@dataclass
class Pong:
    n: int


@default_subscription
class Counter(RoutedAgent):
    """Counts Pings; answers a sent Ping with a Pong."""

    def __init__(self, description: str = "counter") -> None:
        super().__init__(description)
        self.received: list[int] = []

    @message_handler
    async def on_ping(self, message: Ping, ctx: MessageContext) -> Pong:
        self.received.append(message.n)
        return Pong(message.n)

    async def save_state(self) -> dict[str, object]:
        return {"received": list(self.received)}

    async def load_state(self, state: object) -> None:
        assert isinstance(state, dict)
        received = state["received"]
        if not isinstance(received, list) or not all(isinstance(x, int) for x in received):
            raise ValueError(f"bad state {state!r}")
        self.received = list(received)
