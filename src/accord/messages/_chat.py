"""Concrete chat messages: text, multimodal, stop, handoff, tool-call summary and structured messages."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, computed_field

from ..core import Component, ComponentBase, FunctionCall, Image
from ..models import FunctionExecutionResult, LLMMessage, UserMessage
from ._base import BaseChatMessage, BaseTextChatMessage

__all__ = [
    "HandoffMessage",
    "MultiModalMessage",
    "StopMessage",
    "StructureMessageConfig",
    "StructuredContentType",
    "StructuredMessage",
    "StructuredMessageFactory",
    "TextMessage",
    "ToolCallSummaryMessage",
]


class TextMessage(BaseTextChatMessage):
    """A plain text message."""

    type: Literal["TextMessage"] = "TextMessage"


class MultiModalMessage(BaseChatMessage):
    """A message of text and images."""

    content: list[str | Image]
    type: Literal["MultiModalMessage"] = "MultiModalMessage"

    def to_model_text(self, image_placeholder: str | None = "[image]") -> str:
        """Text of the message; images become `` {image_placeholder}`` (or their base64 if the placeholder is None)."""
        parts: list[str] = []
        for c in self.content:
            if isinstance(c, str):
                parts.append(c)
            elif image_placeholder is not None:
                parts.append(f" {image_placeholder}")
            else:
                parts.append(f" {c.to_base64()}")
        return "".join(parts)

    def to_text(self, iterm: bool = False) -> str:
        lines: list[str] = []
        for c in self.content:
            if isinstance(c, str):
                lines.append(c)
            elif iterm:
                lines.append(f"\033]1337;File=inline=1:{c.to_base64()}\a\n")
            else:
                lines.append("<image>")
        return "\n".join(lines)

    def to_model_message(self) -> UserMessage:
        return UserMessage(content=self.content, source=self.source)


class StopMessage(BaseTextChatMessage):
    """Asks the team to stop; produced by termination conditions."""

    type: Literal["StopMessage"] = "StopMessage"


class HandoffMessage(BaseTextChatMessage):
    """Hands the conversation to ``target``; ``context`` is added to the receiver's model context first."""

    target: str
    context: list[LLMMessage] = Field(default_factory=list)
    type: Literal["HandoffMessage"] = "HandoffMessage"


class ToolCallSummaryMessage(BaseTextChatMessage):
    """The summary of a round of tool calls, with the calls and their results."""

    tool_calls: list[FunctionCall]
    results: list[FunctionExecutionResult]
    type: Literal["ToolCallSummaryMessage"] = "ToolCallSummaryMessage"


StructuredContentType = TypeVar("StructuredContentType", bound=BaseModel, covariant=True)


class StructuredMessage(BaseChatMessage, Generic[StructuredContentType]):
    """A chat message whose content is a pydantic model; its ``type`` is the class name (``StructuredMessage[M]``)."""

    content: StructuredContentType
    format_string: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def type(self) -> str:
        return type(self).__name__

    def to_text(self) -> str:
        return self.to_model_text()

    def to_model_text(self) -> str:
        if self.format_string is not None:
            return self.format_string.format(**self.content.model_dump())
        return self.content.model_dump_json()

    def to_model_message(self) -> UserMessage:
        return UserMessage(content=self.content.model_dump_json(), source=self.source)


class StructureMessageConfig(BaseModel):
    """Config of :class:`StructuredMessageFactory`."""

    json_schema: dict[str, Any]
    format_string: str | None = None
    content_model_name: str


class StructuredMessageFactory(ComponentBase[StructureMessageConfig], Component[StructureMessageConfig]):
    """Creates structured messages for a content model given as a pydantic class or as a JSON schema.

    Exposes ``ContentModel`` (the pydantic content class) and ``StructuredMessage``
    (``StructuredMessage[ContentModel]``).
    """

    component_config_schema = StructureMessageConfig
    component_provider_override = "autogen_agentchat.messages.StructuredMessageFactory"
    component_type = "structured_message"

    def __init__(
        self,
        json_schema: dict[str, Any] | None = None,
        input_model: type[BaseModel] | None = None,
        format_string: str | None = None,
        content_model_name: str | None = None,
    ) -> None:
        from .._errors import UsageError

        self.format_string = format_string
        self.ContentModel: type[BaseModel]
        if json_schema:
            from ..core.utils import schema_to_pydantic_model

            self.ContentModel = schema_to_pydantic_model(
                json_schema, model_name=content_model_name or "GeneratedContentModel"
            )
        elif input_model is not None:
            self.ContentModel = input_model
        else:
            raise UsageError("StructuredMessageFactory needs `json_schema` or `input_model`; neither was given.")
        self.StructuredMessage: type[StructuredMessage[BaseModel]] = StructuredMessage[self.ContentModel]  # type: ignore[name-defined]

    def _to_config(self) -> StructureMessageConfig:
        return StructureMessageConfig(
            json_schema=self.ContentModel.model_json_schema(),
            format_string=self.format_string,
            content_model_name=self.ContentModel.__name__,
        )

    @classmethod
    def _from_config(cls, config: StructureMessageConfig) -> StructuredMessageFactory:
        return cls(
            json_schema=config.json_schema,
            format_string=config.format_string,
            content_model_name=config.content_model_name,
        )
