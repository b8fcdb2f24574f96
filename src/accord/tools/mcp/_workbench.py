"""McpWorkbench: the tools, resources and prompts of one MCP server over one managed session."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from ..._errors import RunError, UsageError
from ...core import CancellationToken, Component, ComponentModel
from .._result import DEFAULT_MAX_OUTPUT_CHARS, TextResultContent, ToolResult
from .._schema import ToolArgumentsError, ToolOverride, ToolSchema
from .._workbench import Workbench, format_error
from ._config import McpServerParams, StdioServerParams, vet_server_params
from ._connection import McpConnection, ServerParams
from ._convert import ArgumentChecker, content_to_results, tool_to_schema
from ._errors import McpConnectionError
from ._host import McpSessionHost
from ._stdio import DEFAULT_MAX_MESSAGE_BYTES

__all__ = ["McpWorkbench", "McpWorkbenchConfig", "McpWorkbenchState"]


class McpWorkbenchConfig(BaseModel):
    server_params: McpServerParams
    tool_overrides: dict[str, ToolOverride] = Field(default_factory=dict)
    host: ComponentModel | None = None


class McpWorkbenchState(BaseModel):
    type: Literal["McpWorkBenchState"] = "McpWorkBenchState"


class McpWorkbench(Workbench, Component[McpWorkbenchConfig]):
    """A workbench over an MCP server: one long-lived session, reconnected after the server dies.

    Args:
        server_params: how to start or reach the server (stdio, SSE, streamable HTTP).
        tool_overrides: original tool name → new name and/or description shown to models.
        host: client capabilities offered to the server (sampling, roots, elicitation).
        max_output_chars: tool results longer than this are cut with a note.
        initialize_timeout: seconds the server has to answer ``initialize``.
        validate_arguments: check arguments against the tool's input schema before sending them, so the model
            gets an error naming the field.
        max_message_bytes: a single message from a stdio server larger than this is dropped (the call fails with
            a clear error) instead of filling memory.

    Failures (bad arguments, a tool error, a dead server) come back as results with ``is_error=True`` whose
    text names the root cause; the next call reconnects when the server died.
    """

    component_provider_override = "autogen_ext.tools.mcp.McpWorkbench"
    component_config_schema = McpWorkbenchConfig

    def __init__(
        self,
        server_params: ServerParams,
        tool_overrides: Mapping[str, ToolOverride] | None = None,
        host: McpSessionHost | None = None,
        *,
        max_output_chars: int | None = DEFAULT_MAX_OUTPUT_CHARS,
        initialize_timeout: float | None = 30.0,
        validate_arguments: bool = True,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self._server_params = server_params
        self._tool_overrides = dict(tool_overrides or {})
        self._override_name_to_original: dict[str, str] = {}
        for original, override in self._tool_overrides.items():
            if override.name and override.name != original:
                if override.name in self._override_name_to_original:
                    first = self._override_name_to_original[override.name]
                    raise UsageError(
                        f"Tool override name '{override.name}' is used by multiple tools: "
                        f"'{first}' and '{original}'. Override names must be unique."
                    )
                self._override_name_to_original[override.name] = original
        self._host = host
        self._max_output_chars = max_output_chars
        self._validate_arguments = validate_arguments
        request_timeout = server_params.read_timeout_seconds if isinstance(server_params, StdioServerParams) else None
        self._connection = McpConnection(
            server_params,
            on_tools_changed=self._forget_tools,
            initialize_timeout=initialize_timeout,
            request_timeout=request_timeout,
            max_message_bytes=max_message_bytes,
            **(host.callbacks() if host is not None else {}),
        )
        self._started = False
        self._tools: list[Any] | None = None
        self._tools_connection = 0
        self._checkers: dict[str, ArgumentChecker] = {}

    @property
    def server_params(self) -> ServerParams:
        return self._server_params

    @property
    def connection(self) -> McpConnection:
        """The managed session (connection state, reconnect count, stdio process info)."""
        return self._connection

    @property
    def server_process_id(self) -> int | None:
        """The process id of a stdio server while it runs."""
        info = self._connection.process_info
        return None if info is None else info.pid

    async def initialize_result(self) -> Any:
        """The server's answer to ``initialize`` (name, version, capabilities)."""
        await self._ensure_started()
        await self._connection.connect()
        return self._connection.initialize_result

    def _forget_tools(self) -> None:
        self._tools = None

    async def _ensure_started(self) -> None:
        if not self._started:
            await self.start()

    async def start(self) -> None:
        if self._started:
            warnings.warn("McpWorkbench is already started; start() did nothing", RuntimeWarning, stacklevel=2)
            return
        self._started = True
        try:
            await self._connection.connect()
        except BaseException:
            self._started = False
            raise

    async def stop(self) -> None:
        if not self._started:
            raise RunError("McpWorkbench is not started; stop() needs a started workbench")
        self._started = False
        self._tools = None
        await self._connection.close()

    async def reset(self) -> None:
        return None

    async def save_state(self) -> Mapping[str, Any]:
        return McpWorkbenchState().model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        return None

    async def _list_mcp_tools(self) -> list[Any]:
        await self._ensure_started()
        tools = self._tools
        if tools is None or self._tools_connection != self._connection.connect_count:
            # Listed once per session (a restarted server may offer other tools) and again after the server
            # announces that its tool list changed.
            result = await self._connection.request("list_tools", lambda s: s.list_tools(), idempotent=True)
            tools = list(result.tools)
            self._tools = tools
            self._tools_connection = self._connection.connect_count
            self._checkers = {}
        return tools

    async def list_tools(self) -> list[ToolSchema]:
        schemas: list[ToolSchema] = []
        for tool in await self._list_mcp_tools():
            override = self._tool_overrides.get(tool.name)
            if override is None:
                schemas.append(tool_to_schema(tool))
            else:
                schemas.append(tool_to_schema(tool, name=override.name, description=override.description))
        return schemas

    async def _check_arguments(self, original: str, arguments: dict[str, Any]) -> None:
        if not self._validate_arguments:
            return
        checker = self._checkers.get(original)
        if checker is None:
            tool = next((t for t in await self._list_mcp_tools() if t.name == original), None)
            if tool is None or not tool.inputSchema:
                return
            checker = ArgumentChecker(original, dict(tool.inputSchema))
            self._checkers[original] = checker
        checker.check(arguments)

    def _error(self, name: str, text: str) -> ToolResult:
        return ToolResult(name=name, result=[TextResultContent(content=text)], is_error=True)

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> ToolResult:
        original = self._override_name_to_original.get(name, name)
        args = dict(arguments or {})
        try:
            await self._ensure_started()
            await self._check_arguments(original, args)
            result = await self._connection.request(
                f"call_tool '{original}'",
                lambda s: s.call_tool(original, args),
                idempotent=False,
                cancellation_token=cancellation_token,
            )
        except ToolArgumentsError as e:
            return self._error(name, str(e))
        except asyncio.CancelledError:
            if cancellation_token is not None and cancellation_token.is_cancelled():
                return self._error(name, f"Tool call to '{name}' was cancelled.")
            raise
        except McpConnectionError as e:
            return self._error(name, f"{e} (the next call will reconnect)")
        except Exception as e:
            return self._error(name, format_error(e))
        contents = content_to_results(list(result.content), max_chars=self._max_output_chars)
        if not contents and result.structuredContent is not None:
            import json

            contents = [TextResultContent(content=json.dumps(result.structuredContent))]
        # The contents are already validated models: skip re-validation on this hot path.
        return ToolResult.model_construct(name=name, result=contents, is_error=bool(result.isError))

    async def list_prompts(self) -> Any:
        await self._ensure_started()
        return await self._connection.request("list_prompts", lambda s: s.list_prompts(), idempotent=True)

    async def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> Any:
        await self._ensure_started()
        return await self._connection.request(
            f"get_prompt '{name}'", lambda s: s.get_prompt(name, arguments), idempotent=True
        )

    async def list_resources(self) -> Any:
        await self._ensure_started()
        return await self._connection.request("list_resources", lambda s: s.list_resources(), idempotent=True)

    async def list_resource_templates(self) -> Any:
        await self._ensure_started()
        return await self._connection.request(
            "list_resource_templates", lambda s: s.list_resource_templates(), idempotent=True
        )

    async def read_resource(self, uri: str) -> Any:
        from pydantic import AnyUrl

        await self._ensure_started()
        return await self._connection.request(
            f"read_resource '{uri}'", lambda s: s.read_resource(AnyUrl(uri)), idempotent=True
        )

    def _to_config(self) -> McpWorkbenchConfig:
        return McpWorkbenchConfig(
            server_params=self._server_params,
            tool_overrides=self._tool_overrides,
            host=self._host.dump_component() if self._host is not None else None,
        )

    @classmethod
    def _from_config(cls, config: McpWorkbenchConfig) -> Self:
        params = vet_server_params(config.server_params)
        host = McpSessionHost.load_component(config.host) if config.host is not None else None
        return cls(params, tool_overrides=config.tool_overrides, host=host)

    @classmethod
    def _check_config(cls, config: McpWorkbenchConfig) -> None:
        vet_server_params(config.server_params)
