"""The tool protocol and the base classes for tools: plain, streaming and stateful."""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Mapping
from typing import Annotated, Any, Generic, Protocol, TypeVar, get_args, get_origin, runtime_checkable

from pydantic import BaseModel

from .._errors import UsageError
from ..core import EVENT_LOGGER_NAME, CancellationToken, ComponentBase, trace_tool_span
from ..core.logging import ToolCallEvent
from ._schema import ParametersSchema, ToolSchema, inline_refs

__all__ = ["BaseStreamTool", "BaseTool", "BaseToolWithState", "StreamTool", "Tool"]

event_logger = logging.getLogger(EVENT_LOGGER_NAME)


@runtime_checkable
class Tool(Protocol):
    """What agents and workbenches need from a tool."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def schema(self) -> ToolSchema: ...

    def args_type(self) -> type[BaseModel]: ...

    def return_type(self) -> type[Any]: ...

    def state_type(self) -> type[BaseModel] | None: ...

    def return_value_as_string(self, value: Any) -> str: ...

    async def run_json(
        self, args: Mapping[str, Any], cancellation_token: CancellationToken, call_id: str | None = None
    ) -> Any: ...

    async def save_state_json(self) -> Mapping[str, Any]: ...

    async def load_state_json(self, state: Mapping[str, Any]) -> None: ...


@runtime_checkable
class StreamTool(Tool, Protocol):
    """A tool that yields intermediate values and ends with its return value."""

    def run_json_stream(
        self, args: Mapping[str, Any], cancellation_token: CancellationToken, call_id: str | None = None
    ) -> AsyncGenerator[Any, None]: ...


ArgsT = TypeVar("ArgsT", bound=BaseModel, contravariant=True)
ReturnT = TypeVar("ReturnT", covariant=True)
StateT = TypeVar("StateT", bound=BaseModel)
StreamT = TypeVar("StreamT", covariant=True)


def _strip_annotated(tp: Any) -> Any:
    if get_origin(tp) is Annotated:
        return get_args(tp)[0]
    return tp


class BaseTool(ABC, Tool, Generic[ArgsT, ReturnT], ComponentBase[BaseModel]):
    """Base class for tools whose arguments are a pydantic model.

    The JSON schema shown to models is built once, on first use, and reused for every call.
    """

    component_type = "tool"

    def __init__(
        self, args_type: type[ArgsT], return_type: type[Any], name: str, description: str, strict: bool = False
    ) -> None:
        self._args_type = args_type
        self._return_type: type[Any] = _strip_annotated(return_type)
        self._name = name
        self._description = description
        self._strict = strict
        self._schema: ToolSchema | None = None

    def _build_schema(self) -> ToolSchema:
        model_schema = inline_refs(self._args_type.model_json_schema())
        properties: dict[str, Any] = model_schema.get("properties", {})
        required = list(model_schema.get("required", []))
        additional = bool(model_schema.get("additionalProperties", False))
        if self._strict and set(required) != set(properties):
            missing = sorted(set(properties) - set(required))
            raise UsageError(
                f"Strict mode is enabled, but not all input arguments of tool '{self._name}' are required: {missing} "
                "have defaults. Default arguments are not allowed in strict mode."
            )
        if self._strict and additional:
            raise UsageError(
                f"Strict mode is enabled but tool '{self._name}' allows additional arguments. This is not allowed in "
                "strict mode."
            )
        parameters = ParametersSchema(
            type="object", properties=properties, required=required, additionalProperties=additional
        )
        return ToolSchema(name=self._name, description=self._description, parameters=parameters, strict=self._strict)

    @property
    def schema(self) -> ToolSchema:
        if self._schema is None:
            self._schema = self._build_schema()
        return self._schema

    @property
    def name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return self._description

    def args_type(self) -> type[BaseModel]:
        return self._args_type

    def return_type(self) -> type[Any]:
        return self._return_type

    def state_type(self) -> type[BaseModel] | None:
        return None

    def return_value_as_string(self, value: Any) -> str:
        if isinstance(value, BaseModel):
            dumped = value.model_dump()
            return json.dumps(dumped) if isinstance(dumped, dict) else str(dumped)
        return str(value)

    def _validate_args(self, args: Mapping[str, Any]) -> Any:
        # Raises pydantic's ValidationError, as AutoGen does; workbenches and the tool agent turn it into
        # a message naming each field (describe_validation_error) for the model.
        return self._args_type.model_validate(args)

    @abstractmethod
    async def run(self, args: ArgsT, cancellation_token: CancellationToken) -> Any: ...

    async def run_json(
        self, args: Mapping[str, Any], cancellation_token: CancellationToken, call_id: str | None = None
    ) -> Any:
        """Validate ``args`` against the schema and run the tool; invalid arguments raise ToolArgumentsError."""
        with trace_tool_span(self._name, tool_description=self._description, tool_call_id=call_id):
            value = await self.run(self._validate_args(args), cancellation_token)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                ToolCallEvent(tool_name=self._name, arguments=dict(args), result=self.return_value_as_string(value))
            )
        return value

    async def save_state_json(self) -> Mapping[str, Any]:
        return {}

    async def load_state_json(self, state: Mapping[str, Any]) -> None:
        return None


class BaseStreamTool(BaseTool[ArgsT, ReturnT], StreamTool, ABC, Generic[ArgsT, StreamT, ReturnT]):
    """A tool that streams intermediate values; the last value yielded is its return value."""

    component_type = "tool"

    @abstractmethod
    def run_stream(self, args: ArgsT, cancellation_token: CancellationToken) -> AsyncGenerator[Any, None]: ...

    async def run_json_stream(
        self, args: Mapping[str, Any], cancellation_token: CancellationToken, call_id: str | None = None
    ) -> AsyncGenerator[Any, None]:
        last: Any = None
        seen = False
        with trace_tool_span(self._name, tool_description=self._description, tool_call_id=call_id):
            async for item in self.run_stream(self._validate_args(args), cancellation_token):
                last, seen = item, True
                yield item
        if not seen:
            raise TypeError(f"Stream tool '{self._name}' ended without yielding its return value")
        if isinstance(self._return_type, type) and not isinstance(last, self._return_type):
            raise TypeError(
                f"Stream tool '{self._name}' must end with a {self._return_type.__name__}, "
                f"but its last value was a {type(last).__name__}"
            )
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                ToolCallEvent(tool_name=self._name, arguments=dict(args), result=self.return_value_as_string(last))
            )


class BaseToolWithState(BaseTool[ArgsT, ReturnT], ABC, Generic[ArgsT, ReturnT, StateT]):
    """A tool with typed state that agents and workbenches save and load with their own state."""

    component_type = "tool"

    def __init__(
        self, args_type: type[ArgsT], return_type: type[Any], state_type: type[StateT], name: str, description: str
    ) -> None:
        super().__init__(args_type, return_type, name, description)
        self._state_type = state_type

    def state_type(self) -> type[BaseModel] | None:
        return self._state_type

    @abstractmethod
    def save_state(self) -> StateT: ...

    @abstractmethod
    def load_state(self, state: StateT) -> None: ...

    async def save_state_json(self) -> Mapping[str, Any]:
        return self.save_state().model_dump()

    async def load_state_json(self, state: Mapping[str, Any]) -> None:
        self.load_state(self._state_type.model_validate(state))
