"""Teams of agents (serves ``autogen_agentchat.teams``): round robin, selector, swarm, graph flow, Magentic-One.

Every team runs on an embedded runtime by default, or on the ``runtime`` you pass (you start and stop it).
"""

from __future__ import annotations

from ._base_group_chat import BaseGroupChat, TeamRunningError
from ._digraph import DiGraph, DiGraphBuilder, DiGraphEdge, DiGraphNode
from ._graph_flow import GraphFlow
from ._magentic_one import MagenticOneGroupChat
from ._round_robin import RoundRobinGroupChat
from ._selector import SelectorGroupChat
from ._swarm import Swarm

__all__ = [
    "BaseGroupChat",
    "DiGraph",
    "DiGraphBuilder",
    "DiGraphEdge",
    "DiGraphNode",
    "GraphFlow",
    "MagenticOneGroupChat",
    "RoundRobinGroupChat",
    "SelectorGroupChat",
    "Swarm",
    "TeamRunningError",
]
