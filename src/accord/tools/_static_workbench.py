"""StaticWorkbench: a fixed list of tools, optionally renamed, called by name."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from .._errors import UsageError
from ..core import CancellationToken, Component, ComponentModel
from ._base import BaseTool, StreamTool, Tool
from ._result import DEFAULT_MAX_OUTPUT_CHARS, TextResultContent, ToolResult, truncate_text
from ._schema import ToolOverride, ToolSchema
from ._workbench import StreamWorkbench, Workbench, format_error

__all__ = ["StaticStreamWorkbench", "StaticWorkbench", "StaticWorkbenchConfig", "StaticWorkbenchState"]


class StaticWorkbenchConfig(BaseModel):
    tools: list[ComponentModel] = []
    tool_overrides: dict[str, ToolOverride] = Field(default_factory=dict)


class StaticWorkbenchState(BaseModel):
    type: Literal["StaticWorkbenchState"] = "StaticWorkbenchState"
    tools: dict[str, Mapping[str, Any]] = {}


class StaticWorkbench(Workbench, Component[StaticWorkbenchConfig]):
    """A workbench over a fixed list of tools.

    Args:
        tools: the tools.
        tool_overrides: original tool name → new name and/or description shown to models.
        max_output_chars: longer results are cut with a note (None: never cut).
    """

    component_provider_override = "autogen_core.tools.StaticWorkbench"
    component_config_schema = StaticWorkbenchConfig

    def __init__(
        self,
        tools: Sequence[Tool],
        tool_overrides: Mapping[str, ToolOverride] | None = None,
        *,
        max_output_chars: int | None = DEFAULT_MAX_OUTPUT_CHARS,
    ) -> None:
        self._tools = list(tools)
        self._tool_overrides = dict(tool_overrides or {})
        self._max_output_chars = max_output_chars
        self._by_name: dict[str, Tool] = {}
        for tool in self._tools:
            if tool.name in self._by_name:
                raise UsageError(f"Two tools are named {tool.name!r}; tool names in a workbench must be unique")
            self._by_name[tool.name] = tool
        self._override_name_to_original: dict[str, str] = {}
        for original, override in self._tool_overrides.items():
            if not override.name or override.name == original:
                continue
            if override.name in self._by_name:
                raise UsageError(
                    f"Tool override name '{override.name}' conflicts with existing tool name. "
                    "Override names must not conflict with any tool names."
                )
            if override.name in self._override_name_to_original:
                first = self._override_name_to_original[override.name]
                raise UsageError(
                    f"Tool override name '{override.name}' is used by multiple tools: "
                    f"'{first}' and '{original}'. Override names must be unique."
                )
            self._override_name_to_original[override.name] = original
        self._schemas: list[ToolSchema] | None = None

    async def list_tools(self) -> list[ToolSchema]:
        if self._schemas is None:
            self._schemas = [self._schema_of(tool) for tool in self._tools]
        return list(self._schemas)

    def _schema_of(self, tool: Tool) -> ToolSchema:
        schema = tool.schema
        override = self._tool_overrides.get(tool.name)
        if override is None:
            return schema
        result: ToolSchema = {
            "name": override.name if override.name is not None else schema["name"],
            "description": override.description if override.description is not None else schema.get("description", ""),
        }
        if "parameters" in schema:
            result["parameters"] = schema["parameters"]
        if "strict" in schema:
            result["strict"] = schema["strict"]
        return result

    def _find(self, name: str) -> Tool | None:
        return self._by_name.get(self._override_name_to_original.get(name, name))

    def _text_result(self, name: str, text: str, *, is_error: bool) -> ToolResult:
        return ToolResult(
            name=name,
            result=[TextResultContent(content=truncate_text(text, self._max_output_chars))],
            is_error=is_error,
        )

    def _not_found(self, name: str) -> ToolResult:
        return ToolResult(name=name, result=[TextResultContent(content=f"Tool {name} not found.")], is_error=True)

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> ToolResult:
        tool = self._find(name)
        if tool is None:
            return self._not_found(name)
        token = cancellation_token or CancellationToken()
        try:
            future = asyncio.ensure_future(tool.run_json(arguments or {}, token, call_id=call_id))
            token.link_future(future)
            value = await future
            return self._text_result(name, tool.return_value_as_string(value), is_error=False)
        except asyncio.CancelledError:
            if token.is_cancelled():
                return self._text_result(name, f"Tool call to '{name}' was cancelled.", is_error=True)
            raise
        except Exception as e:
            return self._text_result(name, format_error(e, tool.name), is_error=True)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def reset(self) -> None:
        return None

    async def save_state(self) -> Mapping[str, Any]:
        state = StaticWorkbenchState()
        for tool in self._tools:
            state.tools[tool.name] = await tool.save_state_json()
        return state.model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        parsed = StaticWorkbenchState.model_validate(state)
        for tool in self._tools:
            if tool.name in parsed.tools:
                await tool.load_state_json(parsed.tools[tool.name])

    def _to_config(self) -> StaticWorkbenchConfig:
        models: list[ComponentModel] = []
        for tool in self._tools:
            if not isinstance(tool, BaseTool):
                raise UsageError(f"Tool {tool.name!r} ({type(tool).__name__}) is not a component and cannot be dumped")
            models.append(tool.dump_component())
        return StaticWorkbenchConfig(tools=models, tool_overrides=self._tool_overrides)

    @classmethod
    def _from_config(cls, config: StaticWorkbenchConfig) -> Self:
        tools: list[Tool] = [BaseTool.load_component(model) for model in config.tools]
        return cls(tools, tool_overrides=config.tool_overrides)


class StaticStreamWorkbench(StaticWorkbench, StreamWorkbench):
    """A static workbench whose calls stream the intermediate values of stream tools, then a ToolResult."""

    component_provider_override = "autogen_core.tools.StaticStreamWorkbench"

    async def call_tool_stream(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> AsyncGenerator[Any | ToolResult, None]:
        tool = self._find(name)
        if tool is None:
            yield self._not_found(name)
            return
        token = cancellation_token or CancellationToken()
        if not isinstance(tool, StreamTool):
            yield await self.call_tool(name, arguments, token, call_id)
            return
        previous: Any = None
        has_previous = False
        try:
            async for item in tool.run_json_stream(arguments or {}, token, call_id=call_id):
                if has_previous:
                    yield previous
                previous, has_previous = item, True
        except Exception as e:
            if has_previous:
                yield previous
            yield self._text_result(name, format_error(e, tool.name), is_error=True)
            return
        yield self._text_result(name, tool.return_value_as_string(previous), is_error=False)
