"""SelectorGroupChat: a model (or your function) picks who speaks next."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from .._duck import CHAT_COMPLETION_CLIENT, quacks_like
from .._errors import RunError, StateError, UsageError
from ..base import ChatAgent, Team, TerminationCondition
from ..core import TRACE_LOGGER_NAME, AgentRuntime, Component, ComponentModel
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    HandoffMessage,
    MessageFactory,
    ModelClientStreamingChunkEvent,
    SelectorEvent,
)
from ..model_context import ChatCompletionContext, UnboundedChatCompletionContext
from ..models import (
    AssistantMessage,
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelFamily,
    SystemMessage,
    UserMessage,
)
from ..state import SelectorManagerState
from ._base_group_chat import BaseGroupChat
from ._manager import BaseGroupChatManager, OutputQueue

__all__ = [
    "DEFAULT_SELECTOR_PROMPT",
    "CandidateFuncType",
    "SelectorFuncType",
    "SelectorGroupChat",
    "SelectorGroupChatConfig",
    "SelectorGroupChatManager",
]

trace_logger = logging.getLogger(TRACE_LOGGER_NAME)

DEFAULT_SELECTOR_PROMPT = (
    "You are in a role play game. The following roles are available:\n{roles}.\n"
    "Read the following conversation. Then select the next role from {participants} to play. Only return the role.\n"
    "\n{history}\n\n"
    "Read the above conversation. Then select the next role from {participants} to play. Only return the role.\n"
)

Thread = Sequence[BaseAgentEvent | BaseChatMessage]
SelectorFuncType = Callable[[Thread], str | None] | Callable[[Thread], Awaitable[str | None]]
CandidateFuncType = Callable[[Thread], list[str]] | Callable[[Thread], Awaitable[list[str]]]


def _mention_pattern(name: str) -> re.Pattern[str]:
    forms = {re.escape(name), re.escape(name.replace("_", " ")), re.escape(name.replace("_", r"\_"))}
    return re.compile(r"(?<=\W)(" + "|".join(sorted(forms)) + r")(?=\W)")


def mentioned_agents(
    content: str, agent_names: Sequence[str], patterns: Mapping[str, re.Pattern[str]] | None = None
) -> dict[str, int]:
    """How often each name is mentioned (also with spaces or ``\\_`` for underscores), at word boundaries."""
    padded = f" {content} "
    mentions: dict[str, int] = {}
    for name in agent_names:
        pattern = patterns[name] if patterns is not None else _mention_pattern(name)
        count = len(pattern.findall(padded))
        if count:
            mentions[name] = count
    return mentions


async def _call(func: Callable[[Thread], Any], thread: Thread) -> Any:
    result = func(thread)
    if inspect.isawaitable(result):
        result = await result
    return result


class SelectorGroupChatManager(BaseGroupChatManager):
    """Chooses the next speaker with ``selector_func``, ``candidate_func`` and the selector model."""

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
        model_client: ChatCompletionClient,
        selector_prompt: str,
        allow_repeated_speaker: bool,
        selector_func: SelectorFuncType | None,
        max_selector_attempts: int,
        candidate_func: CandidateFuncType | None,
        emit_team_events: bool,
        model_context: ChatCompletionContext | None,
        model_client_streaming: bool = False,
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
        self._selector_prompt = selector_prompt
        self._previous_speaker: str | None = None
        self._speaker_before: str | None = None
        self._allow_repeated_speaker = allow_repeated_speaker
        self._selector_func = selector_func
        self._max_selector_attempts = max_selector_attempts
        self._candidate_func = candidate_func
        self._model_client_streaming = model_client_streaming
        self._model_context = model_context if model_context is not None else UnboundedChatCompletionContext()
        # Chat messages not yet added to the model context: added only when the model is asked (selector_func
        # teams never pay for it).
        self._pending_context: list[BaseChatMessage] = []
        self._patterns = {n: _mention_pattern(n) for n in participant_names}
        self._history: tuple[list[LLMMessage], list[str]] = ([], [])
        pairs = zip(participant_names, participant_descriptions, strict=True)
        self._roles = "\n".join(re.sub(r"\s+", " ", f"{n}: {d}").strip() for n, d in pairs)

    async def validate_group_state(self, messages: Sequence[BaseChatMessage] | None) -> None:
        return None

    async def reset(self) -> None:
        await self._reset_common()
        await self._model_context.clear()
        self._pending_context.clear()
        self._history = ([], [])
        self._previous_speaker = None

    async def save_state(self) -> Mapping[str, Any]:
        return SelectorManagerState(
            message_thread=[m.dump() for m in self._message_thread],
            current_turn=self._current_turn,
            previous_speaker=self._previous_speaker,
        ).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        try:
            s = SelectorManagerState.model_validate(state)
            thread = self._load_thread(s.message_thread)
        except Exception as e:
            raise StateError(f"Invalid SelectorGroupChat manager state: {e}") from e
        self._message_thread = thread
        self._current_turn = s.current_turn
        self._previous_speaker = s.previous_speaker
        await self._model_context.clear()
        self._pending_context = [m for m in thread if isinstance(m, BaseChatMessage)]

    async def update_message_thread(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> None:
        self._message_thread.extend(messages)
        self._pending_context.extend(m for m in messages if isinstance(m, BaseChatMessage))

    async def _flush_context(self) -> None:
        pending, self._pending_context = self._pending_context, []
        for msg in pending:
            if isinstance(msg, HandoffMessage):
                for llm_msg in msg.context:
                    await self._model_context.add_message(llm_msg)
            await self._model_context.add_message(msg.to_model_message())

    def on_turn_aborted(self, speakers: list[str]) -> None:
        self._previous_speaker = self._speaker_before

    async def select_speaker(self, thread: Thread) -> list[str] | str:
        self._speaker_before = self._previous_speaker
        if self._selector_func is not None:
            speaker = await _call(self._selector_func, thread)
            if speaker is not None:
                if speaker not in self._participant_name_to_topic_type:
                    raise UsageError(
                        f"Selector function returned an invalid speaker name: {speaker!r}. "
                        f"Expected one of: {self._participant_names}."
                    )
                self._previous_speaker = speaker
                return [speaker]
        if self._candidate_func is not None:
            participants = await _call(self._candidate_func, thread)
            if not participants:
                raise UsageError("Candidate function must return a non-empty list of participant names.")
            invalid = [p for p in participants if p not in self._participant_name_to_topic_type]
            if invalid:
                raise UsageError(
                    f"Candidate function returned invalid participant names: {invalid}. "
                    f"Expected one of: {self._participant_names}."
                )
            participants = list(participants)
        elif self._previous_speaker is not None and not self._allow_repeated_speaker:
            participants = [p for p in self._participant_names if p != self._previous_speaker]
        else:
            participants = list(self._participant_names)
        if len(participants) > 1:
            agent_name = await self._select_with_model(participants)
        else:
            agent_name = participants[0]
        self._previous_speaker = agent_name
        trace_logger.debug("Selected speaker: %s", agent_name)
        return [agent_name]

    def construct_message_history(self, message_history: Sequence[LLMMessage]) -> str:
        """``"{source}: {content}"`` paragraphs of the user and assistant messages.

        Formatted lines are reused while the context only grows (the usual case), so each turn formats only the
        new messages.
        """
        previous, lines = self._history
        n = len(previous)
        if n and len(message_history) >= n and all(a is b for a, b in zip(previous, message_history, strict=False)):
            lines = list(lines)
            start = n
        else:
            lines = []
            start = 0
        for msg in message_history[start:]:
            if isinstance(msg, UserMessage | AssistantMessage):
                lines.append(f"{msg.source}: {msg.content}".rstrip() + "\n\n")
        self._history = (list(message_history), lines)
        return "\n".join(lines)

    async def _select_with_model(self, participants: list[str]) -> str:
        await self._flush_context()
        history = self.construct_message_history(await self._model_context.get_messages())
        prompt = self._selector_prompt.format(roles=self._roles, participants=str(participants), history=history)
        messages: list[LLMMessage] = (
            [SystemMessage(content=prompt)]
            if ModelFamily.is_openai(self._model_client.model_info["family"])
            else [UserMessage(content=prompt, source="user")]
        )
        for attempt in range(1, self._max_selector_attempts + 1):
            content = await self._ask(messages)
            messages.append(AssistantMessage(content=content, source="selector"))
            mentions = mentioned_agents(content, self._participant_names, self._patterns)
            if not mentions:
                trace_logger.debug("Model failed to select a valid name: %s (attempt %d)", content, attempt)
                feedback = f"No valid name was mentioned. Please select from: {participants}."
            elif len(mentions) > 1:
                trace_logger.debug("Model selected multiple names: %s (attempt %d)", mentions, attempt)
                feedback = f"Expected exactly one name to be mentioned. Please select only one from: {participants}."
            else:
                name = next(iter(mentions))
                if not self._allow_repeated_speaker and name == self._previous_speaker:
                    trace_logger.debug("Model selected the previous speaker: %s (attempt %d)", name, attempt)
                    feedback = f"Repeated speaker is not allowed, please select a different name from: {participants}."
                else:
                    return name
            messages.append(UserMessage(content=feedback, source="user"))
        if self._previous_speaker is not None:
            chosen, why = self._previous_speaker, "using the previous speaker"
        else:
            chosen, why = participants[0], "there was no previous speaker, using the first candidate"
        text = f"Model failed to select a speaker after {self._max_selector_attempts} attempts; {why}: {chosen}."
        trace_logger.warning(text)
        self._emit(SelectorEvent(content=text, source=self._name))
        return chosen

    async def _ask(self, messages: list[LLMMessage]) -> str:
        if not self._model_client_streaming:
            response = await self._model_client.create(messages=messages)
        else:
            final: CreateResult | None = None
            async for chunk in self._model_client.create_stream(messages=messages):
                if isinstance(chunk, CreateResult):
                    final = chunk
                    if self._emit_team_events and isinstance(chunk.content, str):
                        self._emit(SelectorEvent(content=chunk.content, source=self._name))
                elif self._emit_team_events:
                    self._emit(ModelClientStreamingChunkEvent(content=chunk, source=self._name))
            if final is None:
                raise RunError("The selector model's stream ended without a CreateResult.")
            response = final
        if not isinstance(response.content, str):
            raise RunError(f"The selector model answered with tool calls instead of a name: {response.content!r}")
        return response.content


class SelectorGroupChatConfig(BaseModel):
    """Declarative config of :class:`SelectorGroupChat` (``selector_func`` and ``candidate_func`` are not saved)."""

    name: str | None = None
    description: str | None = None
    participants: list[ComponentModel]
    model_client: ComponentModel
    termination_condition: ComponentModel | None = None
    max_turns: int | None = None
    selector_prompt: str
    allow_repeated_speaker: bool
    max_selector_attempts: int = 3
    emit_team_events: bool = False
    model_client_streaming: bool = False
    model_context: ComponentModel | None = None


class SelectorGroupChat(BaseGroupChat, Component[SelectorGroupChatConfig]):
    """A team where, after each turn, the next speaker is chosen by ``selector_func`` or by a model.

    Choice order: ``selector_func`` (if it returns a name), then among the candidates (``candidate_func``, or all
    but the previous speaker unless ``allow_repeated_speaker``) the only one or the model's pick. The model is
    asked up to ``max_selector_attempts`` times with feedback; then the previous speaker (or the first candidate)
    is used and a :class:`~accord.messages.SelectorEvent` says so.
    """

    component_config_schema = SelectorGroupChatConfig
    component_provider_override = "autogen_agentchat.teams.SelectorGroupChat"

    DEFAULT_NAME = "SelectorGroupChat"
    DEFAULT_DESCRIPTION = "A team of agents."

    def __init__(
        self,
        participants: list[ChatAgent | Team],
        model_client: ChatCompletionClient,
        *,
        name: str | None = None,
        description: str | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        runtime: AgentRuntime | None = None,
        selector_prompt: str = DEFAULT_SELECTOR_PROMPT,
        allow_repeated_speaker: bool = False,
        max_selector_attempts: int = 3,
        selector_func: SelectorFuncType | None = None,
        candidate_func: CandidateFuncType | None = None,
        custom_message_types: list[type[BaseAgentEvent | BaseChatMessage]] | None = None,
        emit_team_events: bool = False,
        model_client_streaming: bool = False,
        model_context: ChatCompletionContext | None = None,
    ) -> None:
        super().__init__(
            name=name or self.DEFAULT_NAME,
            description=description or self.DEFAULT_DESCRIPTION,
            participants=participants,
            group_chat_manager_name="SelectorGroupChatManager",
            group_chat_manager_class=SelectorGroupChatManager,
            termination_condition=termination_condition,
            max_turns=max_turns,
            runtime=runtime,
            custom_message_types=custom_message_types,
            emit_team_events=emit_team_events,
        )
        if len(participants) < 2:
            raise UsageError(f"At least two participants are required for SelectorGroupChat, got {len(participants)}.")
        if not quacks_like(model_client, ChatCompletionClient, CHAT_COMPLETION_CLIENT):
            raise UsageError(f"model_client must be a ChatCompletionClient, got {type(model_client).__name__}.")
        if (
            isinstance(max_selector_attempts, bool)
            or not isinstance(max_selector_attempts, int)
            or max_selector_attempts < 1
        ):
            raise UsageError(f"max_selector_attempts must be a positive integer, got {max_selector_attempts!r}.")
        self._model_client = model_client
        self._selector_prompt = selector_prompt
        self._allow_repeated_speaker = allow_repeated_speaker
        self._selector_func = selector_func
        self._max_selector_attempts = max_selector_attempts
        self._candidate_func = candidate_func
        self._model_client_streaming = model_client_streaming
        self._model_context = model_context

    def _group_chat_manager_options(self) -> dict[str, Any]:
        return {
            "model_client": self._model_client,
            "selector_prompt": self._selector_prompt,
            "allow_repeated_speaker": self._allow_repeated_speaker,
            "selector_func": self._selector_func,
            "max_selector_attempts": self._max_selector_attempts,
            "candidate_func": self._candidate_func,
            "emit_team_events": self._emit_team_events,
            "model_context": self._model_context,
            "model_client_streaming": self._model_client_streaming,
        }

    def _to_config(self) -> SelectorGroupChatConfig:
        return SelectorGroupChatConfig(
            **self._common_config_fields(),
            model_client=self._model_client.dump_component(),
            selector_prompt=self._selector_prompt,
            allow_repeated_speaker=self._allow_repeated_speaker,
            max_selector_attempts=self._max_selector_attempts,
            emit_team_events=self._emit_team_events,
            model_client_streaming=self._model_client_streaming,
            model_context=self._model_context.dump_component() if self._model_context is not None else None,
        )

    @classmethod
    def _from_config(cls, config: SelectorGroupChatConfig) -> Self:
        return cls(
            cls._load_participants(config.participants),
            ChatCompletionClient.load_component(config.model_client),
            **cls._common_constructor_options(config),
            selector_prompt=config.selector_prompt,
            allow_repeated_speaker=config.allow_repeated_speaker,
            max_selector_attempts=config.max_selector_attempts,
            emit_team_events=config.emit_team_events,
            model_client_streaming=config.model_client_streaming,
            model_context=(
                ChatCompletionContext.load_component(config.model_context) if config.model_context is not None else None
            ),
        )
