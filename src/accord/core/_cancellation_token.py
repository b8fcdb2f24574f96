from __future__ import annotations

import threading
from asyncio import Future
from collections.abc import Callable
from typing import Any

__all__ = ["CancellationToken"]


class CancellationToken:
    """A token that cancels pending async work (linked futures) and runs callbacks when cancelled.

    Thread-safe; ``cancel()`` is idempotent.
    """

    __slots__ = ("_callbacks", "_cancelled", "_lock")

    def __init__(self) -> None:
        self._cancelled = False
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def cancel(self) -> None:
        """Cancel pending work linked to this token, running every callback once."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def is_cancelled(self) -> bool:
        return self._cancelled

    def add_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on cancellation (immediately if already cancelled)."""
        with self._lock:
            if not self._cancelled:
                self._callbacks.append(callback)
                return
        callback()

    def remove_callback(self, callback: Callable[[], None]) -> None:
        """Forget ``callback`` (no-op if it was never added or already ran). An accord extension."""
        with self._lock:
            try:
                self._callbacks.remove(callback)
            except ValueError:
                pass

    _remove_callback = remove_callback  # kept for callers written before it was public

    def link_future(self, future: Future[Any]) -> Future[Any]:
        """Cancel ``future`` when this token is cancelled; returns ``future``."""
        with self._lock:
            if not self._cancelled:

                def cancel_future() -> None:
                    future.cancel()

                self._callbacks.append(cancel_future)
                # a long-lived token must not keep callbacks of futures that are already done
                future.add_done_callback(lambda _: self.remove_callback(cancel_future))
                return future
        future.cancel()
        return future

    def __repr__(self) -> str:
        return f"CancellationToken(cancelled={self._cancelled})"
