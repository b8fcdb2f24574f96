"""GraphFlow: agents run in the order a :class:`DiGraph` gives (sequences, fan-out, joins, conditional loops)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Self

from pydantic import BaseModel

from .._errors import StateError, UsageError
from ..base import ChatAgent, TerminationCondition
from ..core import AgentRuntime, Component, ComponentModel
from ..messages import BaseAgentEvent, BaseChatMessage, MessageFactory, StopMessage
from ._base_group_chat import BaseGroupChat, check_participants
from ._digraph import DiGraph, DiGraphEdge
from ._manager import BaseGroupChatManager, OutputQueue

__all__ = ["DIGRAPH_STOP_MESSAGE", "GraphFlow", "GraphFlowConfig", "GraphFlowManager"]

DIGRAPH_STOP_MESSAGE = "Digraph execution is complete"


class GraphFlowManager(BaseGroupChatManager):
    """Runs the nodes whose activation conditions are met; several ready nodes speak concurrently."""

    def __init__(
        self,
        name: str,
        group_topic_type: str,
        output_topic_type: str,
        participant_topic_types: list[str],
        participant_names: list[str],
        participant_descriptions: list[str],
        output_message_queue: OutputQueue,
        termination_condition: TerminationCondition | None,
        max_turns: int | None,
        message_factory: MessageFactory,
        graph: DiGraph,
    ) -> None:
        super().__init__(
            name,
            group_topic_type,
            output_topic_type,
            participant_topic_types,
            participant_names,
            participant_descriptions,
            output_message_queue,
            termination_condition,
            max_turns,
            message_factory,
        )
        graph.graph_validate()
        if graph.get_has_cycles() and termination_condition is None and max_turns is None:
            raise UsageError("A termination condition is required for cyclic graphs without a maximum turn limit.")
        missing = sorted(set(graph.nodes) - set(participant_names))
        if missing:
            raise UsageError(f"Graph nodes {missing} are not participants of the GraphFlow.")
        self._graph = graph
        back = graph.get_back_edges()
        # Outgoing edges of each node with the activation group the manager uses for each.
        self._edges: dict[str, list[tuple[DiGraphEdge, str]]] = {
            name: [(edge, graph.effective_group(name, i, back)) for i, edge in enumerate(node.edges)]
            for name, node in graph.nodes.items()
        }
        self._activation: dict[str, dict[str, Literal["all", "any"]]] = {}
        origin: dict[str, dict[str, int]] = {}
        for edges in self._edges.values():
            for edge, group in edges:
                self._activation.setdefault(edge.target, {}).setdefault(group, edge.activation_condition)
                counts = origin.setdefault(edge.target, {})
                counts[group] = counts.get(group, 0) + 1
        self._origin_remaining = origin
        self._start_nodes = [n for n in graph.nodes if n in graph.get_start_nodes()]
        self._remaining: dict[str, dict[str, int]] = {}
        self._enqueued_any: dict[str, dict[str, bool]] = {}
        self._ready: deque[str] = deque()
        self._triggered: dict[str, set[str]] = {}
        self._reset_execution_state()

    def _reset_execution_state(self) -> None:
        self._remaining = {t: dict(groups) for t, groups in self._origin_remaining.items()}
        self._enqueued_any = {t: dict.fromkeys(groups, False) for t, groups in self._activation.items()}
        self._ready = deque(self._start_nodes)
        self._triggered = {}

    async def update_message_thread(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> None:
        self._message_thread.extend(messages)
        if not messages:
            return
        message = messages[-1]
        node = self._responder if self._responder is not None else message.source
        if node not in self._edges or not isinstance(message, BaseChatMessage):
            return
        for edge, group in self._edges[node]:
            if not edge.check_condition(message):
                continue
            target = edge.target
            if self._activation[target][group] == "all":
                self._remaining[target][group] -= 1
                if self._remaining[target][group] == 0:
                    self._ready.append(target)
                    self._triggered.setdefault(target, set()).add(group)
            elif not self._enqueued_any[target][group]:
                self._ready.append(target)
                self._enqueued_any[target][group] = True
                self._triggered.setdefault(target, set()).add(group)

    async def select_speaker(self, thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str]:
        speakers: list[str] = []
        while self._ready:
            speaker = self._ready.popleft()
            if speaker in speakers:
                continue
            speakers.append(speaker)
            for group in self._triggered.pop(speaker, set()):
                if self._activation[speaker][group] == "any":
                    self._enqueued_any[speaker][group] = False
                else:
                    self._remaining[speaker][group] = self._origin_remaining[speaker][group]
        return speakers

    def on_turn_aborted(self, speakers: list[str]) -> None:
        self._ready.extendleft(reversed(speakers))

    async def validate_group_state(self, messages: Sequence[BaseChatMessage] | None) -> None:
        return None

    async def _apply_termination_condition(
        self, delta: Sequence[BaseAgentEvent | BaseChatMessage], increment_turn_count: bool = False
    ) -> StopMessage | None:
        if not self._ready:
            self._reset_execution_state()
            if self._termination_condition is not None:
                await self._termination_condition.reset()
            self._current_turn = 0
            return StopMessage(content=DIGRAPH_STOP_MESSAGE, source=self._name)
        return await super()._apply_termination_condition(delta, increment_turn_count)

    async def reset(self) -> None:
        await self._reset_common()
        self._reset_execution_state()

    async def save_state(self) -> Mapping[str, Any]:
        return {
            "type": "GraphFlowManagerState",
            "version": "1.0.0",
            "message_thread": [m.dump() for m in self._message_thread],
            "current_turn": self._current_turn,
            "remaining": {t: dict(groups) for t, groups in self._remaining.items()},
            "enqueued_any": {t: dict(groups) for t, groups in self._enqueued_any.items()},
            "ready": list(self._ready),
            "triggered_activation_groups": {t: sorted(groups) for t, groups in self._triggered.items() if groups},
        }

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            thread = self._load_thread(state["message_thread"])
            current_turn = int(state["current_turn"])
            saved_remaining = {t: {g: int(c) for g, c in gs.items()} for t, gs in state["remaining"].items()}
            saved_any = {t: {g: bool(v) for g, v in gs.items()} for t, gs in state["enqueued_any"].items()}
            ready = deque(str(n) for n in state["ready"])
            saved_triggered = state.get("triggered_activation_groups")
            triggered = {t: set(gs) for t, gs in (saved_triggered or {}).items()}
        except Exception as e:
            raise StateError(f"Invalid GraphFlow manager state: {e}") from e
        unknown = [n for n in ready if n not in self._edges]
        if unknown:
            raise StateError(f"Invalid GraphFlow manager state: ready nodes {unknown} are not in the graph")
        # Keep the groups this graph uses (a state saved by AutoGen may group loop-back edges differently).
        remaining = {
            target: {g: saved_remaining.get(target, {}).get(g, count) for g, count in groups.items()}
            for target, groups in self._origin_remaining.items()
        }
        enqueued_any = {
            target: {g: saved_any.get(target, {}).get(g, False) for g in flags}
            for target, flags in self._activation.items()
        }
        if saved_triggered is None:
            # States saved by AutoGen do not record which groups enqueued a ready node (AutoGen #7043); they are
            # the exhausted "all" groups and the flagged "any" groups of that node.
            for node in ready:
                triggered[node] = {
                    g
                    for g, condition in self._activation.get(node, {}).items()
                    if (condition == "all" and remaining[node][g] <= 0)
                    or (condition == "any" and enqueued_any[node][g])
                }
        self._message_thread = thread
        self._current_turn = current_turn
        self._remaining = remaining
        self._enqueued_any = enqueued_any
        self._ready = ready
        self._triggered = {t: {g for g in gs if g in self._activation.get(t, {})} for t, gs in triggered.items()}


class GraphFlowConfig(BaseModel):
    """Declarative config of :class:`GraphFlow` (callable edge conditions are not saved)."""

    name: str | None = None
    description: str | None = None
    participants: list[ComponentModel]
    termination_condition: ComponentModel | None = None
    max_turns: int | None = None
    graph: DiGraph


class GraphFlow(BaseGroupChat, Component[GraphFlowConfig]):
    """A team that runs agents along a :class:`DiGraph` (build it with :class:`DiGraphBuilder`).

    Start nodes run first; after a node speaks, each outgoing edge whose condition holds counts toward its
    target's activation group ("all" waits for every edge of the group, "any" for one). Ready nodes speak
    concurrently. When nothing is ready the run stops with "Digraph execution is complete". Every participant
    receives every message (wrap agents in a MessageFilterAgent to restrict that). Cyclic graphs need a
    termination condition or ``max_turns``.
    """

    component_config_schema = GraphFlowConfig
    component_provider_override = "autogen_agentchat.teams.GraphFlow"

    DEFAULT_NAME = "GraphFlow"
    DEFAULT_DESCRIPTION = "A team of agents"

    def __init__(
        self,
        participants: list[ChatAgent],
        graph: DiGraph,
        *,
        name: str | None = None,
        description: str | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        runtime: AgentRuntime | None = None,
        custom_message_types: list[type[BaseAgentEvent | BaseChatMessage]] | None = None,
    ) -> None:
        check_participants(participants, allow_teams=False, team_kind="GraphFlow")
        if not isinstance(graph, DiGraph):
            raise UsageError(f"graph must be a DiGraph, got {type(graph).__name__}.")
        self._graph = graph
        super().__init__(
            name=name or self.DEFAULT_NAME,
            description=description or self.DEFAULT_DESCRIPTION,
            participants=list(participants),
            group_chat_manager_name="GraphManager",
            group_chat_manager_class=GraphFlowManager,
            termination_condition=termination_condition,
            max_turns=max_turns,
            runtime=runtime,
            custom_message_types=custom_message_types,
        )
        # Validate now (not at the first run): bad graphs and cyclic graphs without a stop fail at construction.
        self._manager_factory()()

    def _group_chat_manager_options(self) -> dict[str, Any]:
        return {"graph": self._graph}

    def _to_config(self) -> GraphFlowConfig:
        return GraphFlowConfig(
            **self._common_config_fields(),
            graph=self._graph,
        )

    @classmethod
    def _from_config(cls, config: GraphFlowConfig) -> Self:
        participants = [ChatAgent.load_component(p) for p in config.participants]
        return cls(
            participants,
            config.graph,
            **cls._common_constructor_options(config),
        )
