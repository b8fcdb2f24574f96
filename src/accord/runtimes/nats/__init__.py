"""A distributed AgentRuntime on NATS JetStream (extra ``nats``): many workers per agent type, failover, teams.

``NatsAgentRuntime`` offers the API of :class:`accord.core.SingleThreadedAgentRuntime`; see docs/distributed.md.
"""

from __future__ import annotations

from ._runtime import NatsAgentRuntime
from ._server import LocalNatsServer, find_nats_server
from ._wire import MessageTooLargeError, NoSerializerError, RemoteHandlerError

__all__ = [
    "LocalNatsServer",
    "MessageTooLargeError",
    "NatsAgentRuntime",
    "NoSerializerError",
    "RemoteHandlerError",
    "find_nats_server",
]
