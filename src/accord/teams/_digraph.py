"""DiGraph: the execution graph of a :class:`GraphFlow` (nodes = agents, edges = who runs after whom).

Validation is exact: every cycle must contain a conditional edge (checked on the strongly connected components'
unconditional edges, so no cycle is missed and edges leaving a cycle do not count as its exit). Loop-back edges
(edges that return to a node already on the path from the start) that keep the default activation group get
a group of their own, so a node entered first from before the loop does not wait for its loop-back parent
(AutoGen #6628, #6643).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, PrivateAttr, model_validator

from .._errors import UsageError
from ..base import ChatAgent
from ..messages import BaseChatMessage

__all__ = ["DiGraph", "DiGraphBuilder", "DiGraphEdge", "DiGraphNode"]

EdgeCondition = str | Callable[[BaseChatMessage], bool] | None


class DiGraphEdge(BaseModel):
    """An edge to ``target``, taken when ``condition`` holds for the source's message.

    ``condition``: None (always), a string (taken when it occurs in the message's model text), or a callable
    (moved to ``condition_function``, which is not serialized). Edges into one target are grouped by
    ``activation_group`` (default: the target's name); ``activation_condition`` "all" waits for every edge of the
    group, "any" for one.
    """

    target: str
    condition: str | Callable[[BaseChatMessage], bool] | None = Field(default=None)
    condition_function: Callable[[BaseChatMessage], bool] | None = Field(default=None, exclude=True)
    activation_group: str = Field(default="")
    activation_condition: Literal["all", "any"] = "all"

    @model_validator(mode="after")
    def _validate_condition(self) -> Self:
        if callable(self.condition):
            object.__setattr__(self, "condition_function", self.condition)
            object.__setattr__(self, "condition", None)
        if not self.activation_group:
            object.__setattr__(self, "activation_group", self.target)
        return self

    @property
    def is_conditional(self) -> bool:
        return self.condition is not None or self.condition_function is not None

    def check_condition(self, message: BaseChatMessage) -> bool:
        """Whether this edge is taken after ``message``."""
        if self.condition_function is not None:
            return bool(self.condition_function(message))
        if isinstance(self.condition, str):
            return self.condition in message.to_model_text()
        return True


class DiGraphNode(BaseModel):
    """A node (an agent, by name) and its outgoing edges. ``activation`` is kept for compatibility only."""

    name: str
    edges: list[DiGraphEdge] = []
    activation: Literal["all", "any"] = "all"


class DiGraph(BaseModel):
    """Nodes by name and an optional default start node."""

    nodes: dict[str, DiGraphNode]
    default_start_node: str | None = None
    _has_cycles: bool | None = PrivateAttr(default=None)

    def get_parents(self) -> dict[str, list[str]]:
        """Each node's parents (sources of edges into it)."""
        parents: dict[str, list[str]] = {n: [] for n in self.nodes}
        for node in self.nodes.values():
            for edge in node.edges:
                parents.setdefault(edge.target, []).append(node.name)
        return parents

    def get_start_nodes(self) -> set[str]:
        """The default start node, or every node without parents."""
        if self.default_start_node:
            return {self.default_start_node}
        return {n for n, ps in self.get_parents().items() if not ps and n in self.nodes}

    def get_leaf_nodes(self) -> set[str]:
        """Nodes without outgoing edges."""
        return {n for n, node in self.nodes.items() if not node.edges}

    def _ordered_start_nodes(self) -> list[str]:
        starts = self.get_start_nodes()
        return [n for n in self.nodes if n in starts]

    def _components(self) -> list[list[str]]:
        """Strongly connected components (Tarjan), each in discovery order."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        result: list[list[str]] = []
        counter = 0

        for root in self.nodes:
            if root in index:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                node, i = work.pop()
                if i == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                edges = self.nodes[node].edges
                if i < len(edges):
                    work.append((node, i + 1))
                    target = edges[i].target
                    if target not in index:
                        work.append((target, 0))
                    elif target in on_stack:
                        low[node] = min(low[node], index[target])
                    continue
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    result.append(component[::-1])
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return result

    def has_cycles_with_exit(self) -> bool:
        """True if the graph has cycles, all of which contain a conditional edge; False if it has none.

        Raises ValueError naming a cycle made only of unconditional edges.
        """
        has_cycle = False
        for component in self._components():
            members = set(component)
            if len(component) == 1:
                node = self.nodes[component[0]]
                loops = [e for e in node.edges if e.target == node.name]
                if not loops:
                    continue
                has_cycle = True
                if any(not e.is_conditional for e in loops):
                    raise UsageError(f"Cycle detected without exit condition: {node.name} -> {node.name}")
                continue
            has_cycle = True
            cycle = self._unconditional_cycle(component, members)
            if cycle is not None:
                raise UsageError(f"Cycle detected without exit condition: {' -> '.join([*cycle, cycle[0]])}")
        return has_cycle

    def _unconditional_cycle(self, order: list[str], members: set[str]) -> list[str] | None:
        """A cycle inside ``members`` using only unconditional edges, if there is one."""
        state: dict[str, int] = {}
        path: list[str] = []

        def visit(name: str) -> list[str] | None:
            state[name] = 1
            path.append(name)
            for edge in self.nodes[name].edges:
                if edge.is_conditional or edge.target not in members:
                    continue
                if state.get(edge.target) == 1:
                    return path[path.index(edge.target) :]
                if edge.target not in state:
                    found = visit(edge.target)
                    if found is not None:
                        return found
            path.pop()
            state[name] = 2
            return None

        for name in order:
            if name not in state:
                found = visit(name)
                if found is not None:
                    return found
        return None

    def get_has_cycles(self) -> bool:
        """Whether the graph has cycles (each with an exit condition; validated)."""
        if self._has_cycles is None:
            self._has_cycles = self.has_cycles_with_exit()
        return self._has_cycles

    def graph_validate(self) -> None:
        """Check the structure; raise ValueError saying what is wrong."""
        if not self.nodes:
            raise UsageError("Graph has no nodes.")
        unknown = sorted({e.target for n in self.nodes.values() for e in n.edges if e.target not in self.nodes})
        if unknown:
            raise UsageError(f"Edges point to nodes that are not in the graph: {unknown}")
        if self.default_start_node is not None and self.default_start_node not in self.nodes:
            raise UsageError(f"Default start node {self.default_start_node!r} is not in the graph.")
        if not self.get_start_nodes():
            raise UsageError("Graph must have at least one start node")
        if not self.get_leaf_nodes():
            raise UsageError("Graph must have at least one leaf node")
        for node in self.nodes.values():
            conditional = [e.is_conditional for e in node.edges]
            if any(conditional) and not all(conditional):
                raise UsageError(f"Node '{node.name}' has a mix of conditional and unconditional edges.")
        self._validate_activation_conditions()
        self._has_cycles = self.has_cycles_with_exit()

    def _validate_activation_conditions(self) -> None:
        seen: dict[tuple[str, str], tuple[str, str]] = {}
        for node in self.nodes.values():
            for edge in node.edges:
                key = (edge.target, edge.activation_group)
                if key not in seen:
                    seen[key] = (edge.activation_condition, node.name)
                elif seen[key][0] != edge.activation_condition:
                    first_condition, first_source = seen[key]
                    raise UsageError(
                        f"Conflicting activation conditions for target '{edge.target}' group "
                        f"'{edge.activation_group}': '{first_condition}' (from node '{first_source}') and "
                        f"'{edge.activation_condition}' (from node '{node.name}')"
                    )

    def get_back_edges(self) -> set[tuple[str, int]]:
        """Loop-back edges as (source, edge index): edges to a node on the current path of a walk from the starts."""
        back: set[tuple[str, int]] = set()
        done: set[str] = set()
        on_path: set[str] = set()

        def walk(root: str) -> None:
            work: list[tuple[str, int]] = [(root, 0)]
            on_path.add(root)
            while work:
                node, i = work.pop()
                edges = self.nodes[node].edges
                if i < len(edges):
                    work.append((node, i + 1))
                    target = edges[i].target
                    if target in on_path:
                        back.add((node, i))
                    elif target not in done:
                        on_path.add(target)
                        work.append((target, 0))
                else:
                    on_path.discard(node)
                    done.add(node)

        for start in [*self._ordered_start_nodes(), *self.nodes]:
            if start not in done:
                walk(start)
        return back

    def effective_group(self, source: str, index: int, back_edges: set[tuple[str, int]]) -> str:
        """The activation group the manager uses for an edge (loop-back edges in the default group get their own)."""
        edge = self.nodes[source].edges[index]
        if (
            (source, index) in back_edges
            and edge.activation_group == edge.target
            and edge.activation_condition == "all"
        ):
            return f"{edge.target}<-{source}"
        return edge.activation_group

    def get_remaining_map(self) -> dict[str, dict[str, int]]:
        """For each target and activation group, how many edges point to it (as AutoGen counts them)."""
        remaining: dict[str, dict[str, int]] = {}
        for node in self.nodes.values():
            for edge in node.edges:
                groups = remaining.setdefault(edge.target, {})
                groups[edge.activation_group] = groups.get(edge.activation_group, 0) + 1
        return remaining


class DiGraphBuilder:
    """Builds a :class:`DiGraph` fluently: ``add_node``, ``add_edge``, ``set_entry_point``, ``build``."""

    def __init__(self) -> None:
        self.nodes: dict[str, DiGraphNode] = {}
        self.agents: dict[str, ChatAgent] = {}
        self._default_start_node: str | None = None

    @staticmethod
    def _get_name(obj: str | ChatAgent) -> str:
        return obj if isinstance(obj, str) else obj.name

    def add_node(self, agent: ChatAgent, activation: Literal["all", "any"] = "all") -> Self:
        """Add ``agent`` as a node (once)."""
        if agent.name not in self.nodes:
            self.nodes[agent.name] = DiGraphNode(name=agent.name, edges=[], activation=activation)
            self.agents[agent.name] = agent
        return self

    def add_edge(
        self,
        source: str | ChatAgent,
        target: str | ChatAgent,
        condition: EdgeCondition = None,
        activation_group: str | None = None,
        activation_condition: Literal["all", "any"] | None = None,
    ) -> Self:
        """Add an edge ``source -> target`` (both already added), optionally conditional."""
        source_name = self._get_name(source)
        target_name = self._get_name(target)
        if source_name not in self.nodes:
            raise UsageError(f"Source node '{source_name}' must be added before adding an edge.")
        if target_name not in self.nodes:
            raise UsageError(f"Target node '{target_name}' must be added before adding an edge.")
        fields: dict[str, Any] = {"target": target_name, "condition": condition}
        fields["activation_group"] = activation_group or target_name
        fields["activation_condition"] = activation_condition or "all"
        self.nodes[source_name].edges.append(DiGraphEdge(**fields))
        return self

    def add_conditional_edges(self, source: str | ChatAgent, condition_to_target: dict[str, str | ChatAgent]) -> Self:
        """Deprecated: one edge per ``{keyword: target}`` taken when the keyword occurs in the message."""
        warnings.warn(
            "add_conditional_edges will change to support callable conditions; use add_edge for custom conditions.",
            DeprecationWarning,
            stacklevel=2,
        )
        for keyword, target in condition_to_target.items():
            self.add_edge(source, target, condition=keyword)
        return self

    def set_entry_point(self, name: str | ChatAgent) -> Self:
        """Make ``name`` the default start node."""
        node_name = self._get_name(name)
        if node_name not in self.nodes:
            raise UsageError(f"Start node '{node_name}' must be added before setting as entry point.")
        self._default_start_node = node_name
        return self

    def build(self) -> DiGraph:
        """The validated graph."""
        graph = DiGraph(nodes=self.nodes, default_start_node=self._default_start_node)
        graph.graph_validate()
        return graph

    def get_participants(self) -> list[ChatAgent]:
        """The agents, in the order they were added."""
        return list(self.agents.values())
