"""Cache stores for ``ChatCompletionCache``: ``accord.cache_stores.diskcache`` and ``accord.cache_stores.redis``.

The in-memory store is ``accord.core.InMemoryStore``. Submodules import their SDK lazily.
"""

from __future__ import annotations

__all__: list[str] = []
