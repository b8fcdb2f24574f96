"""BaseGroupChat: the team runtime shared by every group chat (participants, runtime, run, state)."""

from __future__ import annotations

from contextlib import aclosing

import asyncio
import uuid
from abc import ABC
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any, Protocol

from pydantic import BaseModel

from .._errors import RunError, StateError, UsageError
from ..base import ChatAgent, TaskResult, Team, TerminationCondition
from ..base._task import RunJournal
from ..core import (
    AgentId,
    AgentRuntime,
    CancellationToken,
    ComponentBase,
    ComponentModel,
    SingleThreadedAgentRuntime,
    TypeSubscription,
)
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    MessageFactory,
    ModelClientStreamingChunkEvent,
    StructuredMessage,
    TextMessage,
)
from ..state import TeamState
from ._container import ChatAgentContainer
from ._events import GroupChatStart, GroupChatTermination, fast
from ._manager import BaseGroupChatManager, OutputQueue

__all__ = ["BaseGroupChat", "TeamRunningError"]

ManagerFactory = Callable[[], BaseGroupChatManager]


class TeamConfigFields(Protocol):
    """The fields every team config has besides its participants (see :meth:`BaseGroupChat._common_config_fields`)."""

    name: str | None
    description: str | None
    termination_condition: ComponentModel | None
    max_turns: int | None


class TeamRunningError(UsageError, RunError):
    """The team is running and cannot do that now (a ValueError for ``run``, a RuntimeError for the rest)."""


class _Done:
    __slots__ = ()


_DONE = _Done()


def check_participants(participants: Sequence[ChatAgent | Team], *, allow_teams: bool, team_kind: str) -> None:
    """Raise a ValueError naming the bad participants (none, wrong type, bad or duplicated names)."""
    if not isinstance(participants, Sequence) or isinstance(participants, str) or len(participants) == 0:
        raise UsageError(f"{team_kind} needs at least one participant, got {participants!r}.")
    allowed: tuple[type[Any], ...] = (ChatAgent, Team) if allow_teams else (ChatAgent,)
    wrong = [p for p in participants if not isinstance(p, allowed)]
    if wrong:
        kinds = "ChatAgent or Team" if allow_teams else "ChatAgent (nested teams are not supported here)"
        raise UsageError(f"{team_kind} participants must be {kinds}; got {[type(p).__name__ for p in wrong]}.")
    names = [p.name for p in participants]
    bad = [n for n in names if not isinstance(n, str) or not n.isidentifier()]
    if bad:
        raise UsageError(f"Participant names must be valid Python identifiers; invalid: {bad}.")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(f"The participant names must be unique; duplicated: {duplicates}.")


class BaseGroupChat(Team, ABC, ComponentBase[BaseModel]):
    """A team of participants that take turns under a manager; see the concrete teams.

    Runs on an embedded :class:`~accord.core.SingleThreadedAgentRuntime` (started for each run and stopped after)
    unless ``runtime`` is given, in which case the caller starts and stops that runtime.
    """

    component_type = "team"

    def __init__(
        self,
        name: str,
        description: str,
        participants: list[ChatAgent | Team],
        group_chat_manager_name: str,
        group_chat_manager_class: type[BaseGroupChatManager],
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        runtime: AgentRuntime | None = None,
        custom_message_types: list[type[BaseAgentEvent | BaseChatMessage]] | None = None,
        emit_team_events: bool = False,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise UsageError(f"Team name must be a non-empty string, got {name!r}.")
        check_participants(participants, allow_teams=True, team_kind=type(self).__name__)
        if termination_condition is not None and not isinstance(termination_condition, TerminationCondition):
            raise UsageError(
                f"termination_condition must be a TerminationCondition, got {type(termination_condition).__name__}."
            )
        if max_turns is not None and (isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns <= 0):
            raise UsageError(f"max_turns must be a positive integer or None, got {max_turns!r}.")
        self._name = name
        self._description = description
        self._participants = list(participants)
        self._base_group_chat_manager_class = group_chat_manager_class
        self._termination_condition = termination_condition
        self._max_turns = max_turns
        self._emit_team_events = emit_team_events
        self._message_factory = MessageFactory()
        for message_type in custom_message_types or []:
            if not self._message_factory.is_registered(message_type):
                self._message_factory.register(message_type)
        for participant in participants:
            if isinstance(participant, ChatAgent):
                for message_type in participant.produced_message_types:
                    if (
                        isinstance(message_type, type)
                        and issubclass(message_type, StructuredMessage)
                        and not self._message_factory.is_registered(message_type)
                    ):
                        self._message_factory.register(message_type)

        self._team_id = str(uuid.uuid4())
        self._group_topic_type = f"group_topic_{self._team_id}"
        self._group_chat_manager_name = group_chat_manager_name
        self._group_chat_manager_topic_type = f"{group_chat_manager_name}_{self._team_id}"
        self._participant_names = [p.name for p in participants]
        self._participant_descriptions = [p.description for p in participants]
        self._participant_topic_types = [f"{n}_{self._team_id}" for n in self._participant_names]
        self._output_topic_type = f"output_topic_{self._team_id}"
        self._output_message_queue: OutputQueue = asyncio.Queue()

        self._embedded_runtime = runtime is None
        self._runtime: AgentRuntime = (
            SingleThreadedAgentRuntime(ignore_unhandled_exceptions=False) if runtime is None else runtime
        )
        self._initialized = False
        self._is_running = False
        self._current_run: object | None = None
        self._containers: dict[str, ChatAgentContainer] = {}
        self._manager: BaseGroupChatManager | None = None
        self._manager_id = AgentId(self._group_chat_manager_topic_type, self._team_id)

    # ------------------------------------------------------------------ identity

    @property
    def name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return self._description

    # ------------------------------------------------------------------ wiring

    def _create_group_chat_manager_factory(
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
    ) -> ManagerFactory:
        """A factory for this team's manager: ``group_chat_manager_class`` built from these arguments.

        The team's own options (model client, graph...) come from :meth:`_group_chat_manager_options`. A custom team
        may override this method instead, as in AutoGen.
        """
        manager_class = self._base_group_chat_manager_class

        def factory() -> BaseGroupChatManager:
            return manager_class(
                name=name,
                group_topic_type=group_topic_type,
                output_topic_type=output_topic_type,
                participant_topic_types=participant_topic_types,
                participant_names=participant_names,
                participant_descriptions=participant_descriptions,
                output_message_queue=output_message_queue,
                termination_condition=termination_condition,
                max_turns=max_turns,
                message_factory=message_factory,
                **self._group_chat_manager_options(),
            )

        return factory

    def _group_chat_manager_options(self) -> dict[str, Any]:
        """Keyword arguments for the manager beyond the standard ones (by default ``emit_team_events``)."""
        return {"emit_team_events": self._emit_team_events}

    def _manager_factory(self) -> ManagerFactory:
        """:meth:`_create_group_chat_manager_factory` called with this team's standard arguments."""
        return self._create_group_chat_manager_factory(
            name=self._group_chat_manager_name,
            group_topic_type=self._group_topic_type,
            output_topic_type=self._output_topic_type,
            participant_topic_types=self._participant_topic_types,
            participant_names=self._participant_names,
            participant_descriptions=self._participant_descriptions,
            output_message_queue=self._output_message_queue,
            termination_condition=self._termination_condition,
            max_turns=self._max_turns,
            message_factory=self._message_factory,
        )

    async def _init(self, runtime: AgentRuntime) -> None:
        ids: dict[str, AgentId] = {}
        for participant, topic_type in zip(self._participants, self._participant_topic_types, strict=True):
            container = ChatAgentContainer(
                parent_topic_type=self._group_topic_type,
                output_topic_type=self._output_topic_type,
                agent=participant,
                message_factory=self._message_factory,
            )
            agent_id = AgentId(topic_type, self._team_id)
            await runtime.register_agent_instance(container, agent_id)
            await runtime.add_subscription(TypeSubscription(topic_type=topic_type, agent_type=topic_type))
            await runtime.add_subscription(TypeSubscription(topic_type=self._group_topic_type, agent_type=topic_type))
            self._containers[participant.name] = container
            ids[participant.name] = agent_id
        manager = self._manager_factory()()
        manager_type = self._group_chat_manager_topic_type
        await runtime.register_agent_instance(manager, self._manager_id)
        for topic in (manager_type, self._group_topic_type, self._output_topic_type):
            await runtime.add_subscription(TypeSubscription(topic_type=topic, agent_type=manager_type))
        manager.attach(self._containers, ids)
        self._manager = manager
        self._initialized = True

    async def _ensure_init(self) -> BaseGroupChatManager:
        if not self._initialized:
            await self._init(self._runtime)
        assert self._manager is not None
        return self._manager

    def _convert_task(
        self, task: str | BaseChatMessage | Sequence[BaseChatMessage] | None
    ) -> list[BaseChatMessage] | None:
        if task is None:
            return None
        if isinstance(task, str):
            return [TextMessage(content=task, source="user")]
        if isinstance(task, BaseChatMessage):
            messages = [task]
        elif isinstance(task, Sequence):
            if len(task) == 0:
                raise UsageError("The task list must not be empty.")
            messages = list(task)  # type: ignore[arg-type]
            wrong = [type(m).__name__ for m in messages if not isinstance(m, BaseChatMessage)]
            if wrong:
                raise UsageError(f"All messages in the task list must be BaseChatMessage; got {wrong}.")
        else:
            raise UsageError(
                f"Invalid task type {type(task).__name__}: expected str, BaseChatMessage, a list of them, or None."
            )
        for m in messages:
            if not self._message_factory.is_registered(type(m)):
                raise UsageError(
                    f"Message type {type(m).__name__} is not registered with the team; pass it in custom_message_types."
                )
        return messages

    # ------------------------------------------------------------------ running

    async def run(
        self,
        *,
        task: str | BaseChatMessage | Sequence[BaseChatMessage] | None = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
        journal: RunJournal | None = None,
    ) -> TaskResult:
        """Run the team on ``task`` (or continue where it stopped when ``task`` is None) and return the result.

        With ``journal`` (an ``accord.journal`` store), the run is journaled and can be resumed after a crash
        (:meth:`resume`), replayed and forked: see :mod:`accord.journal`.
        """
        result: TaskResult | None = None
        async for item in self.run_stream(
            task=task, cancellation_token=cancellation_token, output_task_messages=output_task_messages, journal=journal
        ):
            if isinstance(item, TaskResult):
                result = item
        if result is None:  # pragma: no cover - run_stream always ends with a TaskResult
            raise RunError("The team's run ended without a TaskResult.")
        return result

    async def run_stream(
        self,
        *,
        task: str | BaseChatMessage | Sequence[BaseChatMessage] | None = None,
        cancellation_token: CancellationToken | None = None,
        output_task_messages: bool = True,
        journal: RunJournal | None = None,
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | TaskResult, None]:
        """Run the team, yielding every message and event as it happens, then the :class:`TaskResult`."""
        if journal is not None:
            journaled = journal.record_stream(
                self, task=task, cancellation_token=cancellation_token, output_task_messages=output_task_messages
            )
            async with aclosing(journaled):
                async for item in journaled:
                    yield item
            return
        messages = self._convert_task(task)
        if self._is_running:
            raise TeamRunningError("The team is already running, it cannot run again until it is stopped.")
        self._is_running = True
        marker = object()
        self._current_run = marker
        driver: asyncio.Future[Any] | None = None
        runtime = self._runtime
        started_here = False
        try:
            manager = await self._ensure_init()
            queue: OutputQueue = asyncio.Queue()
            self._output_message_queue = queue
            manager.set_output_queue(queue)
            put = queue.put_nowait
            for container in self._containers.values():
                container.emit = put
            if self._embedded_runtime and isinstance(runtime, SingleThreadedAgentRuntime) and not runtime.is_running:
                runtime.start()
                started_here = True
            start = fast(GroupChatStart, messages=messages, output_task_messages=output_task_messages)
            driver = asyncio.ensure_future(
                runtime.send_message(start, self._manager_id, cancellation_token=cancellation_token)
            )
            driver.add_done_callback(lambda _: queue.put_nowait(_DONE))  # type: ignore[arg-type]
            output: list[BaseAgentEvent | BaseChatMessage] = []
            termination: GroupChatTermination | None = None
            get = queue.get
            while True:
                item: Any = await get()
                if item is _DONE:
                    break
                if isinstance(item, GroupChatTermination):
                    termination = item
                    continue
                if type(item) is not ModelClientStreamingChunkEvent:
                    output.append(item)
                yield item
            result = driver.result()
            if isinstance(result, GroupChatTermination):
                termination = result
            if termination is not None and termination.error is not None:
                raise RunError(str(termination.error)) from manager.last_error
            stop_reason = termination.message.content if termination is not None else None
            result_item = TaskResult.model_construct(messages=output, stop_reason=stop_reason)
            # The run is over before the result is handed out: a caller that stops iterating at the TaskResult
            # can run the team again at once (AutoGen #6882).
            if started_here and isinstance(runtime, SingleThreadedAgentRuntime) and runtime.is_running:
                await runtime.stop_when_idle()
            started_here = False
            self._is_running = False
            self._current_run = None
            yield result_item
        finally:
            if driver is not None and not driver.done():
                driver.cancel()
                try:
                    await driver
                except BaseException:
                    pass
            if started_here and isinstance(runtime, SingleThreadedAgentRuntime) and runtime.is_running:
                await runtime.stop()
            if self._current_run is marker:
                self._is_running = False
                self._current_run = None

    # ------------------------------------------------------------------ control

    async def reset(self) -> None:
        """Reset the team and its participants to their initial state (not while running)."""
        if self._is_running:
            raise TeamRunningError("The group chat is currently running. It must be stopped before it can be reset.")
        manager = await self._ensure_init()
        token = CancellationToken()
        for container in self._containers.values():
            await container.reset(token)
        await manager.reset()

    async def pause(self) -> None:
        """Pause the participants (calls ``on_pause`` on agents, ``pause`` on nested teams); the run keeps waiting."""
        manager = await self._ensure_init()
        token = CancellationToken()
        await asyncio.gather(*(c.pause(token) for c in self._containers.values()))
        await manager.pause()

    async def resume(  # type: ignore[override]
        self, run_id: str | None = None, *, store: RunJournal | None = None, **options: Any
    ) -> Any:
        """Resume the participants after :meth:`pause`; or, given a ``run_id`` and a journal ``store``, continue
        that journaled run after a crash or a human pause (``input=``, ``decision=``) and return its TaskResult."""
        if run_id is not None:
            if store is None:
                raise UsageError(f"resume({run_id!r}) needs the journal it was recorded in: resume(run_id, store=...)")
            return await store.resume_run(self, run_id, **options)
        manager = await self._ensure_init()
        token = CancellationToken()
        await asyncio.gather(*(c.resume(token) for c in self._containers.values()))
        await manager.resume()

    async def save_state(self) -> Mapping[str, Any]:
        """``TeamState`` with each participant's container state and the manager's, by name."""
        manager = await self._ensure_init()
        agent_states: dict[str, Mapping[str, Any]] = {}
        for name, container in self._containers.items():
            agent_states[name] = await container.save_state()
        agent_states[self._group_chat_manager_name] = await manager.save_state()
        return TeamState(agent_states=agent_states).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        """Load a state from :meth:`save_state` (not while running)."""
        if self._is_running:
            raise TeamRunningError("The team cannot load state while it is running.")
        manager = await self._ensure_init()
        try:
            team_state = TeamState.model_validate(state)
        except Exception as e:
            raise StateError(f"Invalid team state: {e}") from e
        agent_states = team_state.agent_states
        missing = [n for n in [*self._participant_names, self._group_chat_manager_name] if n not in agent_states]
        if missing:
            raise StateError(
                f"Invalid state format: no state for {missing}. The team state format changed in v0.4.9 "
                "(states are keyed by participant name); save the state again with this version."
            )
        previous = await self.save_state()
        try:
            for name, container in self._containers.items():
                await container.load_state(agent_states[name])
            await manager.load_state(agent_states[self._group_chat_manager_name])
        except Exception as e:
            # Put every participant back as it was: a state is loaded whole or not at all.
            old = previous["agent_states"]
            for name, container in self._containers.items():
                await container.load_state(old[name])
            await manager.load_state(old[self._group_chat_manager_name])
            if isinstance(e, StateError):
                raise
            raise StateError(f"Could not load the team state; the team keeps its previous state: {e}") from e

    # ------------------------------------------------------------------ components

    def _participant_configs(self) -> list[ComponentModel]:
        return [p.dump_component() for p in self._participants]

    def _common_config_fields(self) -> dict[str, Any]:
        """The config fields every team has: name, description, participants, termination_condition, max_turns."""
        termination = self._termination_condition
        return {
            "name": self._name,
            "description": self._description,
            "participants": self._participant_configs(),
            "termination_condition": termination.dump_component() if termination is not None else None,
            "max_turns": self._max_turns,
        }

    @staticmethod
    def _common_constructor_options(config: TeamConfigFields) -> dict[str, Any]:
        """The constructor keywords every team takes from its config: name, description, termination, max_turns."""
        model = config.termination_condition
        return {
            "name": config.name,
            "description": config.description,
            "termination_condition": TerminationCondition.load_component(model) if model is not None else None,
            "max_turns": config.max_turns,
        }

    @staticmethod
    def _load_participants(models: Sequence[ComponentModel]) -> list[ChatAgent | Team]:
        participants: list[ChatAgent | Team] = []
        for model in models:
            if model.component_type == "team":
                participants.append(Team.load_component(model))
            else:
                participants.append(ChatAgent.load_component(model))
        return participants
