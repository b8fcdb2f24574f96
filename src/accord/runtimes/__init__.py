"""Runtimes beyond the local one in :mod:`accord.core`: distributed deployments of the same AgentRuntime API.

``accord.runtimes.nats``: :class:`~accord.runtimes.nats.NatsAgentRuntime` on NATS JetStream (extra ``nats``).
"""

from __future__ import annotations

__all__: list[str] = []
