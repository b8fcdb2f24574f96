"""Production wrappers: each is a ChatCompletionClient around other clients.

- :class:`RetryingChatCompletionClient`: exponential backoff with jitter, honours retry-after, transient vs fatal;
- :class:`FallbackChatCompletionClient`: the next client when one fails;
- :class:`RouterChatCompletionClient`: a model per request by policy (default :class:`SimpleComplexPolicy`);
- :class:`LedgerChatCompletionClient` + :class:`UsageLedger` + :class:`PriceTable`: every call's tokens, latency, cost.
"""

from __future__ import annotations

from ._base import WrappingChatCompletionClient, classify_error
from ._fallback import AllClientsFailedError, FallbackChatCompletionClient, FallbackChatCompletionClientConfig
from ._ledger import (
    LedgerChatCompletionClient,
    LedgerChatCompletionClientConfig,
    ModelPrice,
    PriceTable,
    UsageLedger,
    UsageRecord,
)
from ._retry import RetryingChatCompletionClient, RetryingChatCompletionClientConfig
from ._router import RouterChatCompletionClient, RouterChatCompletionClientConfig, RouteRequest, SimpleComplexPolicy

__all__ = [
    "AllClientsFailedError",
    "FallbackChatCompletionClient",
    "FallbackChatCompletionClientConfig",
    "LedgerChatCompletionClient",
    "LedgerChatCompletionClientConfig",
    "ModelPrice",
    "PriceTable",
    "RetryingChatCompletionClient",
    "RetryingChatCompletionClientConfig",
    "RouteRequest",
    "RouterChatCompletionClient",
    "RouterChatCompletionClientConfig",
    "SimpleComplexPolicy",
    "UsageLedger",
    "UsageRecord",
    "WrappingChatCompletionClient",
    "classify_error",
]
