"""MCP tools as accord tools (``StdioMcpToolAdapter`` & co.), ``mcp_server_tools`` and ``create_mcp_server_session``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

from ..._imports import require
from ...core import CancellationToken, Component
from .._base import BaseTool
from .._result import DEFAULT_MAX_OUTPUT_CHARS, truncate_text
from .._schema import ParametersSchema, ToolSchema
from ._config import SseServerParams, StdioServerParams, StreamableHttpServerParams, check_command_allowed
from ._connection import McpConnection, ServerParams, open_transport
from ._convert import ArgumentChecker
from ._errors import McpToolError

__all__ = [
    "McpToolAdapter",
    "SseMcpToolAdapter",
    "StdioMcpToolAdapter",
    "StreamableHttpMcpToolAdapter",
    "create_mcp_server_session",
    "mcp_server_tools",
]

ParamsT = TypeVar("ParamsT", StdioServerParams, SseServerParams, StreamableHttpServerParams)


@asynccontextmanager
async def create_mcp_server_session(
    server_params: ServerParams,
    sampling_callback: Any = None,
    elicitation_callback: Any = None,
    list_roots_callback: Any = None,
) -> AsyncIterator[Any]:
    """Open a raw ``mcp.ClientSession`` to the server (not yet initialized: call ``await session.initialize()``)."""
    client = require("mcp.client.session", extra="mcp")
    callbacks = {
        "sampling_callback": sampling_callback,
        "elicitation_callback": elicitation_callback,
        "list_roots_callback": list_roots_callback,
    }
    async with (
        open_transport(server_params) as (read, write),
        client.ClientSession(read, write, **{k: v for k, v in callbacks.items() if v is not None}) as session,
    ):
        yield session


class _Args(BaseModel):
    model_config = {"extra": "allow"}


class McpToolAdapterConfig(BaseModel):
    server_params: Any
    tool: dict[str, Any]


class McpToolAdapter(BaseTool[BaseModel, Any], Generic[ParamsT]):
    """One MCP tool as an accord tool.

    Calls go through ``session`` when given, else through a managed connection shared by the adapters
    made together (``mcp_server_tools``), kept open and reconnected, never one process per call.
    Tool errors raise :class:`McpToolError`.
    """

    def __init__(
        self,
        server_params: ParamsT,
        tool: Any,
        session: Any = None,
        *,
        connection: McpConnection | None = None,
        max_output_chars: int | None = DEFAULT_MAX_OUTPUT_CHARS,
    ) -> None:
        self._server_params: ParamsT = server_params
        self._tool = tool
        self._session = session
        self._connection = connection
        self._max_output_chars = max_output_chars
        self._checker = ArgumentChecker(tool.name, dict(tool.inputSchema or {}))
        super().__init__(_Args, list, tool.name, tool.description or "")

    @property
    def server_params(self) -> ParamsT:
        return self._server_params

    def _build_schema(self) -> ToolSchema:
        schema: dict[str, Any] = dict(self._tool.inputSchema or {})
        parameters = ParametersSchema(
            type="object",
            properties=dict(schema.get("properties", {})),
            required=list(schema.get("required", [])),
            additionalProperties=bool(schema.get("additionalProperties", False)),
        )
        return ToolSchema(name=self._name, description=self._description, parameters=parameters, strict=False)

    def _validate_args(self, args: Any) -> Any:
        arguments = dict(args)
        self._checker.check(arguments)
        return _Args.model_validate(arguments)

    def _connection_for_call(self) -> McpConnection:
        if self._connection is None:
            self._connection = McpConnection(self._server_params)
        return self._connection

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> Any:
        arguments = args.model_dump(exclude_unset=True)
        if self._session is not None:
            result = await self._session.call_tool(self._tool.name, arguments)
        else:
            result = await self._connection_for_call().request(
                f"call_tool '{self._tool.name}'",
                lambda s: s.call_tool(self._tool.name, arguments),
                idempotent=False,
                cancellation_token=cancellation_token,
            )
        content = list(result.content)
        if result.isError:
            raise McpToolError(truncate_text(self.return_value_as_string(content), self._max_output_chars))
        return content

    def return_value_as_string(self, value: Any) -> str:
        """JSON list of the MCP content items (AutoGen's format), cut to ``max_output_chars``."""
        items = value if isinstance(value, list) else [value]
        dumped: list[Any] = []
        for item in items:
            if isinstance(item, BaseModel):
                data = item.model_dump(mode="json")
                if data.get("meta") is None:
                    data.pop("meta", None)
                if isinstance(data.get("resource"), dict) and data["resource"].get("meta") is None:
                    data["resource"].pop("meta", None)
                dumped.append(data)
            else:
                dumped.append(item if isinstance(item, dict | str | int | float | bool) or item is None else str(item))
        return truncate_text(json.dumps(dumped), self._max_output_chars)

    async def close(self) -> None:
        """Close the managed connection (shared adapters close it for all)."""
        if self._connection is not None:
            await self._connection.close()

    def _to_config(self) -> McpToolAdapterConfig:
        return McpToolAdapterConfig(
            server_params=self._server_params, tool=self._tool.model_dump(mode="json", exclude_none=True)
        )

    @classmethod
    async def from_server_params(cls, server_params: ParamsT, tool_name: str) -> Self:
        """Connect, find ``tool_name`` and wrap it (the adapter keeps the connection)."""
        connection = McpConnection(server_params)
        result = await connection.request("list_tools", lambda s: s.list_tools(), idempotent=True)
        for tool in result.tools:
            if tool.name == tool_name:
                return cls(server_params, tool, connection=connection)
        await connection.close()
        names = [t.name for t in result.tools]
        raise McpToolError(f"MCP server has no tool {tool_name!r}; it has {names}")


def _load_tool(data: dict[str, Any]) -> Any:
    types = require("mcp.types", extra="mcp")
    return types.Tool.model_validate(data)


class StdioMcpToolAdapterConfig(BaseModel):
    server_params: StdioServerParams
    tool: dict[str, Any]


class StdioMcpToolAdapter(McpToolAdapter[StdioServerParams], Component[StdioMcpToolAdapterConfig]):
    """An MCP tool of a stdio server."""

    component_provider_override = "autogen_ext.tools.mcp.StdioMcpToolAdapter"
    component_config_schema = StdioMcpToolAdapterConfig

    def _to_config(self) -> StdioMcpToolAdapterConfig:  # type: ignore[override]
        return StdioMcpToolAdapterConfig(
            server_params=self._server_params, tool=self._tool.model_dump(mode="json", exclude_none=True)
        )

    @classmethod
    def _from_config(cls, config: StdioMcpToolAdapterConfig) -> Self:
        return cls(check_command_allowed(config.server_params), _load_tool(config.tool))

    @classmethod
    def _check_config(cls, config: StdioMcpToolAdapterConfig) -> None:
        check_command_allowed(config.server_params)


class SseMcpToolAdapterConfig(BaseModel):
    server_params: SseServerParams
    tool: dict[str, Any]


class SseMcpToolAdapter(McpToolAdapter[SseServerParams], Component[SseMcpToolAdapterConfig]):
    """An MCP tool of an HTTP+SSE server."""

    component_provider_override = "autogen_ext.tools.mcp.SseMcpToolAdapter"
    component_config_schema = SseMcpToolAdapterConfig

    def _to_config(self) -> SseMcpToolAdapterConfig:  # type: ignore[override]
        return SseMcpToolAdapterConfig(
            server_params=self._server_params, tool=self._tool.model_dump(mode="json", exclude_none=True)
        )

    @classmethod
    def _from_config(cls, config: SseMcpToolAdapterConfig) -> Self:
        return cls(config.server_params, _load_tool(config.tool))


class StreamableHttpMcpToolAdapterConfig(BaseModel):
    server_params: StreamableHttpServerParams
    tool: dict[str, Any]


class StreamableHttpMcpToolAdapter(
    McpToolAdapter[StreamableHttpServerParams], Component[StreamableHttpMcpToolAdapterConfig]
):
    """An MCP tool of a streamable HTTP server."""

    component_provider_override = "autogen_ext.tools.mcp.StreamableHttpMcpToolAdapter"
    component_config_schema = StreamableHttpMcpToolAdapterConfig

    def _to_config(self) -> StreamableHttpMcpToolAdapterConfig:  # type: ignore[override]
        return StreamableHttpMcpToolAdapterConfig(
            server_params=self._server_params, tool=self._tool.model_dump(mode="json", exclude_none=True)
        )

    @classmethod
    def _from_config(cls, config: StreamableHttpMcpToolAdapterConfig) -> Self:
        return cls(config.server_params, _load_tool(config.tool))


async def mcp_server_tools(
    server_params: ServerParams, session: Any = None
) -> list[StdioMcpToolAdapter | SseMcpToolAdapter | StreamableHttpMcpToolAdapter]:
    """All tools of an MCP server as accord tools.

    With ``session`` the adapters use it; without, they share one managed connection that stays open
    (close it with ``await tools[0].close()``).
    """
    connection: McpConnection | None = None
    if session is not None:
        tools = (await session.list_tools()).tools
    else:
        connection = McpConnection(server_params)
        tools = (await connection.request("list_tools", lambda s: s.list_tools(), idempotent=True)).tools
    adapters: list[StdioMcpToolAdapter | SseMcpToolAdapter | StreamableHttpMcpToolAdapter] = []
    for tool in tools:
        if isinstance(server_params, StdioServerParams):
            adapters.append(StdioMcpToolAdapter(server_params, tool, session, connection=connection))
        elif isinstance(server_params, SseServerParams):
            adapters.append(SseMcpToolAdapter(server_params, tool, session, connection=connection))
        else:
            adapters.append(StreamableHttpMcpToolAdapter(server_params, tool, session, connection=connection))
    return adapters
