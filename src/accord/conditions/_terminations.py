"""The built-in termination conditions (serves ``autogen_agentchat.conditions``); StopMessage texts match AutoGen's.

Each condition receives the delta of messages since its last call. Given the task messages of a run (through
:func:`accord.base.check_task_messages`), the counting conditions count them as AutoGen does and the others ignore
them, so the task text cannot stop a run (AutoGen #6826).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Self

from pydantic import BaseModel

from ..base import TerminatedException, TerminationCondition, evaluating_task_messages
from ..core import Component
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    HandoffMessage,
    StopMessage,
    TextMessage,
    ToolCallExecutionEvent,
)
from ._validate import check_number, check_str, check_str_list

__all__ = [
    "ExternalTermination",
    "FunctionCallTermination",
    "FunctionalTermination",
    "HandoffTermination",
    "MaxMessageTermination",
    "SourceMatchTermination",
    "StopMessageTermination",
    "TextMentionTermination",
    "TextMessageTermination",
    "TimeoutTermination",
    "TokenUsageTermination",
]

Messages = Sequence[BaseAgentEvent | BaseChatMessage]
_ALREADY = "Termination condition has already been reached"


class _Flag(TerminationCondition):
    """A condition that fires once and stays fired until reset."""

    _terminated: bool = False

    @property
    def terminated(self) -> bool:
        return self._terminated

    def _check(self) -> None:
        if self._terminated:
            raise TerminatedException(_ALREADY)

    def _fire(self, content: str) -> StopMessage:
        self._terminated = True
        return StopMessage(content=content, source=type(self).__name__)

    async def reset(self) -> None:
        self._terminated = False


class StopMessageTerminationConfig(BaseModel):
    pass


class StopMessageTermination(_Flag, Component[StopMessageTerminationConfig]):
    """Stops when a StopMessage is received."""

    component_config_schema = StopMessageTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.StopMessageTermination"

    def __init__(self) -> None:
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        for m in messages:
            if isinstance(m, StopMessage):
                return self._fire("Stop message received")
        return None

    def _to_config(self) -> StopMessageTerminationConfig:
        return StopMessageTerminationConfig()

    @classmethod
    def _from_config(cls, config: StopMessageTerminationConfig) -> Self:
        return cls()


class MaxMessageTerminationConfig(BaseModel):
    max_messages: int
    include_agent_event: bool = False


class MaxMessageTermination(TerminationCondition, Component[MaxMessageTerminationConfig]):
    """Stops after ``max_messages`` chat messages (and agent events, with ``include_agent_event``)."""

    component_config_schema = MaxMessageTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.MaxMessageTermination"

    def __init__(self, max_messages: int, include_agent_event: bool = False) -> None:
        check_number("MaxMessageTermination", "max_messages", max_messages, integer=True, minimum=1)
        self._max_messages = max_messages
        self._include_agent_event = bool(include_agent_event)
        self._message_count = 0

    @property
    def terminated(self) -> bool:
        return self._message_count >= self._max_messages

    async def __call__(self, messages: Messages) -> StopMessage | None:
        if self.terminated:
            raise TerminatedException(_ALREADY)
        if self._include_agent_event:
            self._message_count += len(messages)
        else:
            self._message_count += sum(1 for m in messages if isinstance(m, BaseChatMessage))
        if self._message_count >= self._max_messages:
            return StopMessage(
                content=f"Maximum number of messages {self._max_messages} reached, "
                f"current message count: {self._message_count}",
                source="MaxMessageTermination",
            )
        return None

    async def reset(self) -> None:
        self._message_count = 0

    def _to_config(self) -> MaxMessageTerminationConfig:
        return MaxMessageTerminationConfig(
            max_messages=self._max_messages, include_agent_event=self._include_agent_event
        )

    @classmethod
    def _from_config(cls, config: MaxMessageTerminationConfig) -> Self:
        return cls(max_messages=config.max_messages, include_agent_event=config.include_agent_event)


class TextMentionTerminationConfig(BaseModel):
    text: str


class TextMentionTermination(_Flag, Component[TextMentionTerminationConfig]):
    """Stops when a message's text contains ``text`` (only messages from ``sources``, if given; not serialized)."""

    component_config_schema = TextMentionTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.TextMentionTermination"

    def __init__(self, text: str, sources: Sequence[str] | None = None) -> None:
        check_str("TextMentionTermination", "text", text)
        self._termination_text = text
        self._sources = check_str_list("TextMentionTermination", "sources", sources, optional=True)
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        for m in messages:
            if self._sources is not None and m.source not in self._sources:
                continue
            if self._termination_text in m.to_text():
                return self._fire(f"Text '{self._termination_text}' mentioned")
        return None

    def _to_config(self) -> TextMentionTerminationConfig:
        return TextMentionTerminationConfig(text=self._termination_text)

    @classmethod
    def _from_config(cls, config: TextMentionTerminationConfig) -> Self:
        return cls(text=config.text)


class FunctionalTermination(_Flag):
    """Stops when ``func(messages)`` (sync or async) returns True. Not a declarative component."""

    def __init__(
        self,
        func: Callable[[Messages], bool] | Callable[[Messages], Awaitable[bool]],
    ) -> None:
        if not callable(func):
            from ..base import InvalidConditionError

            raise InvalidConditionError(f"FunctionalTermination: func must be callable, got {func!r}")
        self._func = func
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        result = self._func(messages)
        if inspect.isawaitable(result):
            result = await result
        if result is True:
            return self._fire("Functional termination condition met")
        return None


class TokenUsageTerminationConfig(BaseModel):
    max_total_token: int | None = None
    max_prompt_token: int | None = None
    max_completion_token: int | None = None


class TokenUsageTermination(TerminationCondition, Component[TokenUsageTerminationConfig]):
    """Stops when the summed ``models_usage`` of the messages reaches one of the limits (at least one is required)."""

    component_config_schema = TokenUsageTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.TokenUsageTermination"

    def __init__(
        self,
        max_total_token: int | None = None,
        max_prompt_token: int | None = None,
        max_completion_token: int | None = None,
    ) -> None:
        if max_total_token is None and max_prompt_token is None and max_completion_token is None:
            from ..base import InvalidConditionError

            raise InvalidConditionError(
                "At least one of max_total_token, max_prompt_token, or max_completion_token must be provided"
            )
        for arg, v in (
            ("max_total_token", max_total_token),
            ("max_prompt_token", max_prompt_token),
            ("max_completion_token", max_completion_token),
        ):
            check_number("TokenUsageTermination", arg, v, integer=True, minimum=0, optional=True)
        self._max_total_token = max_total_token
        self._max_prompt_token = max_prompt_token
        self._max_completion_token = max_completion_token
        self._total_token_count = 0
        self._prompt_token_count = 0
        self._completion_token_count = 0

    @property
    def terminated(self) -> bool:
        return (
            (self._max_total_token is not None and self._total_token_count >= self._max_total_token)
            or (self._max_prompt_token is not None and self._prompt_token_count >= self._max_prompt_token)
            or (self._max_completion_token is not None and self._completion_token_count >= self._max_completion_token)
        )

    async def __call__(self, messages: Messages) -> StopMessage | None:
        if self.terminated:
            raise TerminatedException(_ALREADY)
        for m in messages:
            usage = m.models_usage
            if usage is not None:
                self._prompt_token_count += usage.prompt_tokens
                self._completion_token_count += usage.completion_tokens
                self._total_token_count += usage.prompt_tokens + usage.completion_tokens
        if self.terminated:
            return StopMessage(
                content=f"Token usage limit reached, total token count: {self._total_token_count}, "
                f"prompt token count: {self._prompt_token_count}, "
                f"completion token count: {self._completion_token_count}.",
                source="TokenUsageTermination",
            )
        return None

    async def reset(self) -> None:
        self._total_token_count = 0
        self._prompt_token_count = 0
        self._completion_token_count = 0

    def _to_config(self) -> TokenUsageTerminationConfig:
        return TokenUsageTerminationConfig(
            max_total_token=self._max_total_token,
            max_prompt_token=self._max_prompt_token,
            max_completion_token=self._max_completion_token,
        )

    @classmethod
    def _from_config(cls, config: TokenUsageTerminationConfig) -> Self:
        return cls(
            max_total_token=config.max_total_token,
            max_prompt_token=config.max_prompt_token,
            max_completion_token=config.max_completion_token,
        )


class HandoffTerminationConfig(BaseModel):
    target: str


class HandoffTermination(_Flag, Component[HandoffTerminationConfig]):
    """Stops when a HandoffMessage to ``target`` is received."""

    component_config_schema = HandoffTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.HandoffTermination"

    def __init__(self, target: str) -> None:
        check_str("HandoffTermination", "target", target)
        self._target = target
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        for m in messages:
            if isinstance(m, HandoffMessage) and m.target == self._target:
                return self._fire(f"Handoff to {self._target} from {m.source} detected.")
        return None

    def _to_config(self) -> HandoffTerminationConfig:
        return HandoffTerminationConfig(target=self._target)

    @classmethod
    def _from_config(cls, config: HandoffTerminationConfig) -> Self:
        return cls(target=config.target)


class TimeoutTerminationConfig(BaseModel):
    timeout_seconds: float


class TimeoutTermination(_Flag, Component[TimeoutTerminationConfig]):
    """Stops at the first check after ``timeout_seconds`` since construction or reset."""

    component_config_schema = TimeoutTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.TimeoutTermination"

    def __init__(self, timeout_seconds: float) -> None:
        check_number("TimeoutTermination", "timeout_seconds", timeout_seconds, integer=False, minimum=0)
        self._timeout_seconds = timeout_seconds
        self._start_time = time.monotonic()
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if time.monotonic() - self._start_time >= self._timeout_seconds:
            return self._fire(f"Timeout of {self._timeout_seconds} seconds reached")
        return None

    async def reset(self) -> None:
        self._start_time = time.monotonic()
        self._terminated = False

    def _to_config(self) -> TimeoutTerminationConfig:
        return TimeoutTerminationConfig(timeout_seconds=self._timeout_seconds)

    @classmethod
    def _from_config(cls, config: TimeoutTerminationConfig) -> Self:
        return cls(timeout_seconds=config.timeout_seconds)


class ExternalTerminationConfig(BaseModel):
    pass


class ExternalTermination(_Flag, Component[ExternalTerminationConfig]):
    """Stops at the next check after :meth:`set` was called (from any task or thread): a graceful stop."""

    component_config_schema = ExternalTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.ExternalTermination"

    def __init__(self) -> None:
        self._terminated = False
        self._setted = False

    def set(self) -> None:
        """Request the stop; the team stops after the current speaker's turn."""
        self._setted = True

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if self._setted:
            return self._fire("External termination requested")
        return None

    async def reset(self) -> None:
        self._terminated = False
        self._setted = False

    def _to_config(self) -> ExternalTerminationConfig:
        return ExternalTerminationConfig()

    @classmethod
    def _from_config(cls, config: ExternalTerminationConfig) -> Self:
        return cls()


class SourceMatchTerminationConfig(BaseModel):
    sources: list[str]


class SourceMatchTermination(_Flag, Component[SourceMatchTerminationConfig]):
    """Stops when any message comes from one of ``sources``."""

    component_config_schema = SourceMatchTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.SourceMatchTermination"

    def __init__(self, sources: list[str]) -> None:
        checked = check_str_list("SourceMatchTermination", "sources", sources)
        assert checked is not None
        self._sources = checked
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        for m in messages:
            if m.source in self._sources:
                return self._fire(f"'{m.source}' answered")
        return None

    def _to_config(self) -> SourceMatchTerminationConfig:
        return SourceMatchTerminationConfig(sources=self._sources)

    @classmethod
    def _from_config(cls, config: SourceMatchTerminationConfig) -> Self:
        return cls(sources=config.sources)


class TextMessageTerminationConfig(BaseModel):
    source: str | None = None


class TextMessageTermination(_Flag, Component[TextMessageTerminationConfig]):
    """Stops when a TextMessage is received (from ``source``, if given)."""

    component_config_schema = TextMessageTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.TextMessageTermination"

    def __init__(self, source: str | None = None) -> None:
        check_str("TextMessageTermination", "source", source, optional=True)
        self._source = source
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        for m in messages:
            if isinstance(m, TextMessage) and (self._source is None or m.source == self._source):
                return self._fire(f"Text message received from '{m.source}'")
        return None

    def _to_config(self) -> TextMessageTerminationConfig:
        return TextMessageTerminationConfig(source=self._source)

    @classmethod
    def _from_config(cls, config: TextMessageTerminationConfig) -> Self:
        return cls(source=config.source)


class FunctionCallTerminationConfig(BaseModel):
    function_name: str


class FunctionCallTermination(_Flag, Component[FunctionCallTerminationConfig]):
    """Stops when a tool named ``function_name`` has been executed (seen in a ToolCallExecutionEvent)."""

    component_config_schema = FunctionCallTerminationConfig
    component_provider_override = "autogen_agentchat.conditions.FunctionCallTermination"

    def __init__(self, function_name: str) -> None:
        check_str("FunctionCallTermination", "function_name", function_name)
        self._function_name = function_name
        self._terminated = False

    async def __call__(self, messages: Messages) -> StopMessage | None:
        self._check()
        if evaluating_task_messages():
            return None
        for m in messages:
            if isinstance(m, ToolCallExecutionEvent) and any(r.name == self._function_name for r in m.content):
                return self._fire(f"Function '{self._function_name}' was executed.")
        return None

    def _to_config(self) -> FunctionCallTerminationConfig:
        return FunctionCallTerminationConfig(function_name=self._function_name)

    @classmethod
    def _from_config(cls, config: FunctionCallTerminationConfig) -> Self:
        return cls(function_name=config.function_name)
