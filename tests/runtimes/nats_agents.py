"""Agents the NATS runtime tests run, in the test process and in worker subprocesses (nats_worker.py)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

from accord.core import MessageContext, RoutedAgent, message_handler


@dataclass
class Inc:
    seq: int


@dataclass
class Get:
    pass


@dataclass
class Snapshot:
    key: str
    seqs: list[int] = field(default_factory=list)
    pid: int = 0
    worker: str = ""


@dataclass
class Slow:
    seconds: float


@dataclass
class Boom:
    text: str


class Tally(RoutedAgent):
    """Records the seq of every Inc it handles (its state); answers Get with a Snapshot."""

    def __init__(self) -> None:
        super().__init__("records every Inc")
        self.seqs: list[int] = []

    @message_handler
    async def on_inc(self, message: Inc, ctx: MessageContext) -> None:
        self.seqs.append(message.seq)

    @message_handler
    async def on_get(self, message: Get, ctx: MessageContext) -> Snapshot:
        return Snapshot(self.id.key, list(self.seqs), os.getpid(), os.environ.get("ACCORD_TEST_WORKER", ""))

    @message_handler
    async def on_slow(self, message: Slow, ctx: MessageContext) -> Snapshot:
        await asyncio.sleep(message.seconds)
        return Snapshot(self.id.key, list(self.seqs), os.getpid())

    @message_handler
    async def on_boom(self, message: Boom, ctx: MessageContext) -> None:
        raise KeyError(message.text)

    async def save_state(self) -> dict[str, Any]:
        return {"seqs": list(self.seqs)}

    async def load_state(self, state: Any) -> None:
        self.seqs = [int(x) for x in state["seqs"]]
