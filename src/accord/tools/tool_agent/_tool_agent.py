"""ToolAgent: an agent that runs tools for function-call messages and answers with their results."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import ValidationError

from ..._errors import AccordSignal
from ...core import FunctionCall, MessageContext, RoutedAgent, message_handler
from ...models import FunctionExecutionResult
from .._base import Tool
from .._schema import ToolArgumentsError, describe_validation_error

__all__ = [
    "InvalidToolArgumentsException",
    "ToolAgent",
    "ToolException",
    "ToolExecutionException",
    "ToolNotFoundException",
]


class ToolException(AccordSignal):
    """A tool call failed; ``content`` is the error text returned to the model (a signal, not an error)."""

    def __init__(self, call_id: str, content: str, name: str) -> None:
        super().__init__(content)
        self.call_id = call_id
        self.content = content
        self.name = name

    def __str__(self) -> str:
        return self.content

    def __repr__(self) -> str:
        return f"{type(self).__name__}(call_id={self.call_id!r}, content={self.content!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, ToolException)
            and (self.call_id, self.content, self.name) == (other.call_id, other.content, other.name)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.call_id, self.content, self.name))


class ToolNotFoundException(ToolException):
    """The model called a tool the agent does not have."""


class InvalidToolArgumentsException(ToolException):
    """The arguments were not JSON or did not match the tool's schema (the message names the field)."""


class ToolExecutionException(ToolException):
    """The tool raised an exception."""


class ToolAgent(RoutedAgent):
    """Runs tools on request: send it a :class:`~accord.core.FunctionCall`, get a ``FunctionExecutionResult``.

    Failures raise a :class:`ToolException` subclass back to the sender.

    Args:
        description: the agent's description.
        tools: the tools it may run.
    """

    def __init__(self, description: str, tools: Sequence[Tool]) -> None:
        super().__init__(description)
        self._tools = list(tools)
        self._by_name = {tool.name: tool for tool in self._tools}

    @property
    def tools(self) -> list[Tool]:
        return self._tools

    @message_handler
    async def handle_function_call(self, message: FunctionCall, ctx: MessageContext) -> FunctionExecutionResult:
        tool = self._by_name.get(message.name)
        if tool is None:
            raise ToolNotFoundException(
                call_id=message.id, content=f"Error: Tool not found: {message.name}", name=message.name
            )
        try:
            arguments = json.loads(message.arguments) if message.arguments else {}
        except json.JSONDecodeError as e:
            raise InvalidToolArgumentsException(
                call_id=message.id, content=f"Error: Invalid arguments: {message.arguments}", name=message.name
            ) from e
        try:
            value = await tool.run_json(arguments, ctx.cancellation_token, call_id=message.id)
            text = tool.return_value_as_string(value)
        except ToolArgumentsError as e:
            raise InvalidToolArgumentsException(call_id=message.id, content=f"Error: {e}", name=message.name) from e
        except ValidationError as e:
            described = describe_validation_error(message.name, e)
            raise InvalidToolArgumentsException(
                call_id=message.id, content=f"Error: {described}", name=message.name
            ) from e
        except Exception as e:
            raise ToolExecutionException(call_id=message.id, content=f"Error: {e}", name=message.name) from e
        return FunctionExecutionResult(content=text, call_id=message.id, is_error=False, name=message.name)
