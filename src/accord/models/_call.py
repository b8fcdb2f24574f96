"""One model call's arguments, passed on unchanged: how a wrapping client forwards ``create``/``create_stream``."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..core import CancellationToken
from ._client import ChatCompletionClient, ToolChoice
from ._tool_schema import ToolInput
from ._types import CreateResult, LLMMessage

__all__ = ["ModelCall"]


@dataclass(frozen=True, slots=True)
class ModelCall:
    """The six arguments of ``create``/``create_stream``; :meth:`create` and :meth:`stream` make the call on a client.

    A wrapper writes ``call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args,
    cancellation_token)`` once and then ``await call.create(inner)``, however many clients it tries.
    """

    messages: Sequence[LLMMessage]
    tools: Sequence[ToolInput]
    tool_choice: ToolChoice
    json_output: bool | type[BaseModel] | None
    extra_create_args: Mapping[str, Any]
    cancellation_token: CancellationToken | None

    def create(self, client: ChatCompletionClient) -> Coroutine[Any, Any, CreateResult]:
        return client.create(
            self.messages,
            tools=self.tools,
            tool_choice=self.tool_choice,
            json_output=self.json_output,
            extra_create_args=self.extra_create_args,
            cancellation_token=self.cancellation_token,
        )

    def stream(self, client: ChatCompletionClient) -> AsyncGenerator[str | CreateResult, None]:
        return client.create_stream(
            self.messages,
            tools=self.tools,
            tool_choice=self.tool_choice,
            json_output=self.json_output,
            extra_create_args=self.extra_create_args,
            cancellation_token=self.cancellation_token,
        )
