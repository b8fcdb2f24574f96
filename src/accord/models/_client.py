"""The one interface every model client implements (``autogen_core.models.ChatCompletionClient``)."""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from ..core import CancellationToken, ComponentBase
from ._model_info import ModelCapabilities, ModelInfo
from ._tool_schema import ToolInput
from ._types import CreateResult, LLMMessage, RequestUsage

__all__ = ["ChatCompletionClient", "ToolChoice"]

ToolChoice = Any | Literal["auto", "required", "none"]


class ChatCompletionClient(ComponentBase[BaseModel], ABC):
    """A chat model: ``create`` returns one :class:`CreateResult`; ``create_stream`` yields text chunks, then it.

    Subclass it for a new provider; wrap a client in another client to add behaviour (retry, fallback, cache).
    """

    component_type = "model"

    @abstractmethod
    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult: ...

    @abstractmethod
    def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def actual_usage(self) -> RequestUsage: ...

    @abstractmethod
    def total_usage(self) -> RequestUsage: ...

    @abstractmethod
    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int: ...

    @abstractmethod
    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[ToolInput] = []) -> int: ...

    @property
    def capabilities(self) -> ModelCapabilities:
        """Deprecated: use :attr:`model_info`."""
        warnings.warn("capabilities is deprecated, use model_info instead", DeprecationWarning, stacklevel=2)
        info = self.model_info
        return ModelCapabilities(
            vision=info["vision"], function_calling=info["function_calling"], json_output=info["json_output"]
        )

    @property
    @abstractmethod
    def model_info(self) -> ModelInfo: ...
