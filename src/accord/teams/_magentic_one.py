"""MagenticOneGroupChat: an orchestrator plans (task ledger), tracks progress (progress ledger), replans on stalls."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from .._duck import CHAT_COMPLETION_CLIENT, quacks_like
from .._errors import RunError, StateError, UsageError
from ..base import ChatAgent, TerminationCondition
from ..core import TRACE_LOGGER_NAME, AgentRuntime, CancellationToken, Component, ComponentModel
from ..core.utils import extract_json_from_str
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    MessageFactory,
    MultiModalMessage,
    SelectSpeakerEvent,
    StopMessage,
    TextMessage,
)
from ..models import AssistantMessage, ChatCompletionClient, LLMMessage, UserMessage
from ..state import MagenticOneOrchestratorState
from ._base_group_chat import BaseGroupChat, check_participants
from ._events import GroupChatStart, GroupChatTermination
from ._magentic_one_prompts import (
    ORCHESTRATOR_FINAL_ANSWER_PROMPT,
    ORCHESTRATOR_PROGRESS_LEDGER_PROMPT,
    ORCHESTRATOR_TASK_LEDGER_FACTS_PROMPT,
    ORCHESTRATOR_TASK_LEDGER_FACTS_UPDATE_PROMPT,
    ORCHESTRATOR_TASK_LEDGER_FULL_PROMPT,
    ORCHESTRATOR_TASK_LEDGER_PLAN_PROMPT,
    ORCHESTRATOR_TASK_LEDGER_PLAN_UPDATE_PROMPT,
)
from ._manager import BaseGroupChatManager, OutputQueue

__all__ = ["MagenticOneGroupChat", "MagenticOneGroupChatConfig", "MagenticOneOrchestrator"]

trace_logger = logging.getLogger(TRACE_LOGGER_NAME)

_LEDGER_KEYS = (
    "is_request_satisfied",
    "is_in_loop",
    "is_progress_being_made",
    "next_speaker",
    "instruction_or_question",
)


class MagenticOneOrchestrator(BaseGroupChatManager):
    """Magentic-One's orchestrator: outer loop (facts and plan), inner loop (progress ledger, next speaker)."""

    _max_json_retries = 10

    def __init__(
        self,
        name: str,
        group_topic_type: str,
        output_topic_type: str,
        participant_topic_types: list[str],
        participant_names: list[str],
        participant_descriptions: list[str],
        max_turns: int | None,
        message_factory: MessageFactory,
        model_client: ChatCompletionClient,
        max_stalls: int,
        final_answer_prompt: str,
        output_message_queue: OutputQueue,
        termination_condition: TerminationCondition | None,
        emit_team_events: bool,
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
            emit_team_events,
        )
        self._model_client = model_client
        self._max_stalls = max_stalls
        self._final_answer_prompt = final_answer_prompt
        self._task = ""
        self._facts = ""
        self._plan = ""
        self._n_rounds = 0
        self._n_stalls = 0
        self._team_description = "\n".join(
            f"{n}: {d}" for n, d in zip(participant_names, participant_descriptions, strict=True)
        )

    # ------------------------------------------------------------------ model calls

    async def _ask(self, messages: Sequence[LLMMessage], token: CancellationToken, *, json_output: bool = False) -> str:
        use_json = json_output and bool(self._model_client.model_info.get("json_output", False))
        result = await self._model_client.create(
            list(messages), json_output=True if use_json else None, cancellation_token=token
        )
        if not isinstance(result.content, str):
            raise RunError(f"The orchestrator's model answered with tool calls: {result.content!r}")
        return result.content

    def _thread_as_context(self) -> list[LLMMessage]:
        vision = bool(self._model_client.model_info.get("vision", False))
        context: list[LLMMessage] = []
        for m in self._message_thread:
            if not isinstance(m, BaseChatMessage):
                continue
            if m.source == self._name:
                context.append(AssistantMessage(content=m.to_model_text(), source=self._name))
            elif isinstance(m, MultiModalMessage) and vision:
                context.append(m.to_model_message())
            else:
                context.append(UserMessage(content=m.to_model_text(), source=m.source))
        return context

    def _say(self, content: str) -> TextMessage:
        """A message from the orchestrator: into the thread, the output and every participant's buffer."""
        message = TextMessage(content=content, source=self._name)
        self._message_thread.append(message)
        self._emit(message)
        for container in self._containers.values():
            container.buffer(message)
        return message

    # ------------------------------------------------------------------ the run

    async def start(self, message: GroupChatStart, cancellation_token: CancellationToken) -> GroupChatTermination:
        if self._termination_condition is not None and self._termination_condition.terminated:
            return GroupChatTermination(
                message=StopMessage(content="The group chat has already terminated.", source=self._name)
            )
        await self.validate_group_state(message.messages)
        self.last_error = None
        token = cancellation_token
        try:
            if message.messages:
                if message.output_task_messages:
                    for m in message.messages:
                        self._emit(m)
                task = list(message.messages)
                for container in self._containers.values():
                    container.buffer_many(task)
                self._message_thread.extend(task)
                self._task = " ".join(m.to_model_text() for m in task)
                await self._plan_task(token)
                self._n_stalls = 0
                await self._reenter_outer_loop(token)
            elif not self._task:
                raise UsageError("MagenticOneGroupChat needs a task to start.")
            return await self.run_turns(token)
        except Exception as e:
            return self._error_termination(e)

    async def _plan_task(self, token: CancellationToken) -> None:
        team = self._team_description
        conversation: list[LLMMessage] = [
            UserMessage(content=ORCHESTRATOR_TASK_LEDGER_FACTS_PROMPT.format(task=self._task), source=self._name)
        ]
        self._facts = await self._ask(conversation, token)
        conversation.append(AssistantMessage(content=self._facts, source=self._name))
        conversation.append(
            UserMessage(content=ORCHESTRATOR_TASK_LEDGER_PLAN_PROMPT.format(team=team), source=self._name)
        )
        self._plan = await self._ask(conversation, token)

    async def _update_task_ledger(self, token: CancellationToken) -> None:
        context = self._thread_as_context()
        facts_prompt = ORCHESTRATOR_TASK_LEDGER_FACTS_UPDATE_PROMPT.format(task=self._task, facts=self._facts)
        context.append(UserMessage(content=facts_prompt, source=self._name))
        self._facts = await self._ask(context, token)
        context.append(AssistantMessage(content=self._facts, source=self._name))
        plan_prompt = ORCHESTRATOR_TASK_LEDGER_PLAN_UPDATE_PROMPT.format(team=self._team_description)
        context.append(UserMessage(content=plan_prompt, source=self._name))
        self._plan = await self._ask(context, token)

    async def _reenter_outer_loop(self, token: CancellationToken) -> None:
        for container in self._containers.values():
            await container.reset(token)
        self._message_thread.clear()
        ledger = ORCHESTRATOR_TASK_LEDGER_FULL_PROMPT.format(
            task=self._task, team=self._team_description, facts=self._facts, plan=self._plan
        )
        self._say(ledger)

    async def run_turns(self, cancellation_token: CancellationToken) -> GroupChatTermination:
        while True:
            speaker = await self._orchestrate_step(cancellation_token)
            if isinstance(speaker, StopMessage):
                return GroupChatTermination(message=speaker)
            if self._emit_team_events:
                self._emit(SelectSpeakerEvent(content=[speaker], source=self._name))
            response = await self._request(speaker, cancellation_token)
            self._responder = speaker
            delta = self._deliver(response)
            chat = [m for m in delta if isinstance(m, BaseChatMessage)]
            self._message_thread.extend(chat[-1:])
            stop = await self._apply_termination_condition(delta)
            if stop is not None:
                return GroupChatTermination(message=stop)

    async def _orchestrate_step(self, token: CancellationToken) -> str | StopMessage:
        """The next speaker after posting its instruction, or the StopMessage that ends the run."""
        while True:
            if self._max_turns is not None and self._n_rounds > self._max_turns:
                return await self._prepare_final_answer("Max rounds reached.", token)
            self._n_rounds += 1
            ledger = await self._progress_ledger(token)
            if ledger["is_request_satisfied"]["answer"]:
                return await self._prepare_final_answer(str(ledger["is_request_satisfied"]["reason"]), token)
            if not ledger["is_progress_being_made"]["answer"] or ledger["is_in_loop"]["answer"]:
                self._n_stalls += 1
            else:
                self._n_stalls = max(0, self._n_stalls - 1)
            if self._n_stalls >= self._max_stalls:
                trace_logger.debug("Stalled %d times: replanning", self._n_stalls)
                await self._update_task_ledger(token)
                await self._reenter_outer_loop(token)
                continue
            self._say(str(ledger["instruction_or_question"]["answer"]))
            return str(ledger["next_speaker"]["answer"])

    async def _progress_ledger(self, token: CancellationToken) -> dict[str, Any]:
        names = self._participant_names
        prompt = ORCHESTRATOR_PROGRESS_LEDGER_PROMPT.format(task=self._task, team=self._team_description, names=names)
        context = [*self._thread_as_context(), UserMessage(content=prompt, source=self._name)]
        problem = ""
        for _ in range(self._max_json_retries):
            text = await self._ask(context, token, json_output=True)
            try:
                found = extract_json_from_str(text)
                ledger = found[0] if found else None
                if not isinstance(ledger, dict):
                    raise ValueError("no JSON object")
                if len(names) == 1:
                    ledger.setdefault("next_speaker", {"reason": "only participant", "answer": names[0]})
                    if isinstance(ledger["next_speaker"], dict):
                        ledger["next_speaker"]["answer"] = names[0]
                for key in _LEDGER_KEYS:
                    entry = ledger.get(key)
                    if not isinstance(entry, dict) or "answer" not in entry:
                        raise ValueError(f"missing {key}.answer")
                    entry.setdefault("reason", "")
                if ledger["next_speaker"]["answer"] not in self._participant_name_to_topic_type:
                    raise ValueError(f"next_speaker {ledger['next_speaker']['answer']!r} is not one of {names}")
                for key in ("is_request_satisfied", "is_in_loop", "is_progress_being_made"):
                    ledger[key]["answer"] = _as_bool(ledger[key]["answer"])
                return ledger
            except (ValueError, json.JSONDecodeError) as e:
                problem = str(e)
                trace_logger.debug("Invalid progress ledger (%s): %s", problem, text)
        raise UsageError(f"Failed to parse ledger information after multiple retries ({problem}).")

    async def _prepare_final_answer(self, reason: str, token: CancellationToken) -> StopMessage:
        context = self._thread_as_context()
        context.append(UserMessage(content=self._final_answer_prompt.format(task=self._task), source=self._name))
        self._say(await self._ask(context, token))
        if self._termination_condition is not None:
            await self._termination_condition.reset()
        self._current_turn = 0
        return StopMessage(content=reason, source=self._name)

    # ------------------------------------------------------------------ base hooks and state

    async def validate_group_state(self, messages: Sequence[BaseChatMessage] | None) -> None:
        return None

    async def select_speaker(self, thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str] | str:
        raise RunError("MagenticOneOrchestrator selects speakers through its progress ledger.")

    async def reset(self) -> None:
        await self._reset_common()
        self._task = self._facts = self._plan = ""
        self._n_rounds = self._n_stalls = 0

    async def save_state(self) -> Mapping[str, Any]:
        return MagenticOneOrchestratorState(
            message_thread=[m.dump() for m in self._message_thread],
            current_turn=self._current_turn,
            task=self._task,
            facts=self._facts,
            plan=self._plan,
            n_rounds=self._n_rounds,
            n_stalls=self._n_stalls,
        ).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            s = MagenticOneOrchestratorState.model_validate(state)
            thread = self._load_thread(s.message_thread)
        except Exception as e:
            raise StateError(f"Invalid MagenticOneOrchestrator state: {e}") from e
        self._message_thread = thread
        self._current_turn = s.current_turn
        self._task, self._facts, self._plan = s.task, s.facts, s.plan
        self._n_rounds, self._n_stalls = s.n_rounds, s.n_stalls


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    raise ValueError(f"expected a boolean answer, got {value!r}")


class MagenticOneGroupChatConfig(BaseModel):
    """Declarative config of :class:`MagenticOneGroupChat`."""

    name: str | None = None
    description: str | None = None
    participants: list[ComponentModel]
    model_client: ComponentModel
    termination_condition: ComponentModel | None = None
    max_turns: int | None = None
    max_stalls: int
    final_answer_prompt: str
    emit_team_events: bool = False


class MagenticOneGroupChat(BaseGroupChat, Component[MagenticOneGroupChatConfig]):
    """A team led by the Magentic-One orchestrator.

    The orchestrator writes a fact sheet and a plan (the task ledger), then each round asks its model for a
    progress ledger (done? looping? progressing? who next, with what instruction). After ``max_stalls`` rounds
    without progress it rewrites facts and plan and restarts the participants. When the request is satisfied (or
    after ``max_turns`` rounds) it writes a final answer. Nested teams are not supported.
    """

    component_config_schema = MagenticOneGroupChatConfig
    component_provider_override = "autogen_agentchat.teams.MagenticOneGroupChat"

    DEFAULT_NAME = "MagenticOneGroupChat"
    DEFAULT_DESCRIPTION = "A team of agents."

    def __init__(
        self,
        participants: list[ChatAgent],
        model_client: ChatCompletionClient,
        *,
        name: str | None = None,
        description: str | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = 20,
        runtime: AgentRuntime | None = None,
        max_stalls: int = 3,
        final_answer_prompt: str = ORCHESTRATOR_FINAL_ANSWER_PROMPT,
        custom_message_types: list[type[BaseAgentEvent | BaseChatMessage]] | None = None,
        emit_team_events: bool = False,
    ) -> None:
        check_participants(participants, allow_teams=False, team_kind="MagenticOneGroupChat")
        if not quacks_like(model_client, ChatCompletionClient, CHAT_COMPLETION_CLIENT):
            raise UsageError(f"model_client must be a ChatCompletionClient, got {type(model_client).__name__}.")
        if isinstance(max_stalls, bool) or not isinstance(max_stalls, int) or max_stalls < 1:
            raise UsageError(f"max_stalls must be a positive integer, got {max_stalls!r}.")
        super().__init__(
            name=name or self.DEFAULT_NAME,
            description=description or self.DEFAULT_DESCRIPTION,
            participants=list(participants),
            group_chat_manager_name="MagenticOneOrchestrator",
            group_chat_manager_class=MagenticOneOrchestrator,
            termination_condition=termination_condition,
            max_turns=max_turns,
            runtime=runtime,
            custom_message_types=custom_message_types,
            emit_team_events=emit_team_events,
        )
        self._model_client = model_client
        self._max_stalls = max_stalls
        self._final_answer_prompt = final_answer_prompt

    def _group_chat_manager_options(self) -> dict[str, Any]:
        return {
            "model_client": self._model_client,
            "max_stalls": self._max_stalls,
            "final_answer_prompt": self._final_answer_prompt,
            "emit_team_events": self._emit_team_events,
        }

    def _to_config(self) -> MagenticOneGroupChatConfig:
        return MagenticOneGroupChatConfig(
            **self._common_config_fields(),
            model_client=self._model_client.dump_component(),
            max_stalls=self._max_stalls,
            final_answer_prompt=self._final_answer_prompt,
            emit_team_events=self._emit_team_events,
        )

    @classmethod
    def _from_config(cls, config: MagenticOneGroupChatConfig) -> Self:
        return cls(
            [ChatAgent.load_component(p) for p in config.participants],
            ChatCompletionClient.load_component(config.model_client),
            **cls._common_constructor_options(config),
            max_stalls=config.max_stalls,
            final_answer_prompt=config.final_answer_prompt,
            emit_team_events=config.emit_team_events,
        )
