"""A routed agent that handles some message types one at a time, in arrival order."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any

from ..core import MessageContext, RoutedAgent

__all__ = ["FIFOLock", "SequentialRoutedAgent"]


class FIFOLock:
    """A lock granted strictly in the order it was requested."""

    def __init__(self) -> None:
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._locked = False

    async def acquire(self) -> None:
        if not self._locked and not self._waiters:
            self._locked = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release_next()
            else:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        self._release_next()

    def _release_next(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._locked = False


class SequentialRoutedAgent(RoutedAgent):
    """Handles messages of ``sequential_message_types`` one at a time in arrival order; others concurrently."""

    def __init__(self, description: str, sequential_message_types: Sequence[type[Any]]) -> None:
        super().__init__(description=description)
        self._fifo_lock = FIFOLock()
        self._sequential_message_types = tuple(sequential_message_types)

    async def on_message_impl(self, message: Any, ctx: MessageContext) -> Any:
        if isinstance(message, self._sequential_message_types):
            await self._fifo_lock.acquire()
            try:
                return await super().on_message_impl(message, ctx)
            finally:
                self._fifo_lock.release()
        return await super().on_message_impl(message, ctx)
