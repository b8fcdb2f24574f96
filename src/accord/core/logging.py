"""Structured events logged to ``autogen_core.events`` (AutoGen's logger name and event shapes).

Each event's ``str()`` is a JSON object with a ``"type"`` key; ``agent_id`` is filled in from the
handler context when the event is created inside a message handler.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from ._agent_id import AgentId
from ._contexts import MessageHandlerContext
from ._topic import TopicId

__all__ = [
    "AgentConstructionExceptionEvent",
    "DeliveryStage",
    "LLMCallEvent",
    "LLMStreamEndEvent",
    "LLMStreamStartEvent",
    "MessageDroppedEvent",
    "MessageEvent",
    "MessageHandlerExceptionEvent",
    "MessageKind",
    "ToolCallEvent",
]


def _json_default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, AgentId | TopicId):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    return repr(value)


class _Event:
    _type: str = ""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs: dict[str, Any] = {"type": self._type, **kwargs}
        if "agent_id" not in self.kwargs:
            agent_id = MessageHandlerContext.current_agent_id()
            self.kwargs["agent_id"] = None if agent_id is None else str(agent_id)

    def __str__(self) -> str:
        return json.dumps(self.kwargs, default=_json_default)


class LLMCallEvent(_Event):
    _type = "LLMCall"

    def __init__(
        self,
        *,
        messages: list[dict[str, Any]],
        response: dict[str, Any],
        prompt_tokens: int,
        completion_tokens: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            messages=messages,
            response=response,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            **kwargs,
        )

    @property
    def prompt_tokens(self) -> int:
        return int(self.kwargs["prompt_tokens"])

    @property
    def completion_tokens(self) -> int:
        return int(self.kwargs["completion_tokens"])


class LLMStreamStartEvent(_Event):
    _type = "LLMStreamStart"

    def __init__(self, *, messages: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(messages=messages, **kwargs)


class LLMStreamEndEvent(_Event):
    _type = "LLMStreamEnd"

    def __init__(self, *, response: dict[str, Any], prompt_tokens: int, completion_tokens: int, **kwargs: Any) -> None:
        super().__init__(response=response, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, **kwargs)

    @property
    def prompt_tokens(self) -> int:
        return int(self.kwargs["prompt_tokens"])

    @property
    def completion_tokens(self) -> int:
        return int(self.kwargs["completion_tokens"])


class ToolCallEvent(_Event):
    _type = "ToolCall"

    def __init__(self, *, tool_name: str, arguments: dict[str, Any], result: str, **kwargs: Any) -> None:
        super().__init__(tool_name=tool_name, arguments=arguments, result=result, **kwargs)


class MessageKind(Enum):
    DIRECT = 1
    PUBLISH = 2
    RESPOND = 3


class DeliveryStage(Enum):
    SEND = 1
    DELIVER = 2


class MessageEvent(_Event):
    _type = "Message"

    def __init__(
        self,
        *,
        payload: str,
        sender: AgentId | None,
        receiver: AgentId | TopicId | None,
        kind: MessageKind,
        delivery_stage: DeliveryStage,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            payload=payload,
            sender=None if sender is None else str(sender),
            receiver=None if receiver is None else str(receiver),
            kind=str(kind),
            delivery_stage=str(delivery_stage),
            **kwargs,
        )


class MessageDroppedEvent(_Event):
    _type = "MessageDropped"

    def __init__(
        self,
        *,
        payload: str,
        sender: AgentId | None,
        receiver: AgentId | TopicId | None,
        kind: MessageKind,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            payload=payload,
            sender=None if sender is None else str(sender),
            receiver=None if receiver is None else str(receiver),
            kind=str(kind),
            **kwargs,
        )


class MessageHandlerExceptionEvent(_Event):
    _type = "MessageHandlerException"

    def __init__(self, *, payload: str, handling_agent: AgentId, exception: BaseException, **kwargs: Any) -> None:
        super().__init__(payload=payload, handling_agent=str(handling_agent), exception=str(exception), **kwargs)


class AgentConstructionExceptionEvent(_Event):
    _type = "AgentConstructionException"

    def __init__(self, *, agent_id: AgentId, exception: BaseException, **kwargs: Any) -> None:
        super().__init__(agent_id=str(agent_id), exception=str(exception), **kwargs)
