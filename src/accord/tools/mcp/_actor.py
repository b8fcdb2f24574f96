"""McpSessionActor: AutoGen's command interface over a session, kept for programs that use it directly.

accord's workbench does not need an actor (requests go straight through one managed session); this class
maps AutoGen's ``call(type, args) -> Future`` commands onto :class:`McpConnection`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ...core import Component, ComponentBase
from ._config import McpServerParams, vet_server_params
from ._connection import McpConnection, ServerParams

__all__ = ["McpSessionActor", "McpSessionActorConfig"]


class McpSessionActorConfig(BaseModel):
    server_params: McpServerParams


_COMMANDS = (
    "list_tools",
    "call_tool",
    "read_resource",
    "list_resources",
    "list_resource_templates",
    "list_prompts",
    "get_prompt",
    "shutdown",
)


class McpSessionActor(ComponentBase[BaseModel], Component[McpSessionActorConfig]):
    """Runs MCP commands on one managed session: ``await (await actor.call("list_tools"))``."""

    component_type = "mcp_session_actor"
    component_provider_override = "autogen_ext.tools.mcp.McpSessionActor"
    component_config_schema = McpSessionActorConfig

    def __init__(self, server_params: ServerParams, model_client: Any = None) -> None:
        self.server_params = server_params
        self._connection = McpConnection(server_params)
        self.name = "mcp_session_actor"
        self.description = "MCP session actor"

    @property
    def initialize_result(self) -> Any:
        return self._connection.initialize_result

    async def initialize(self) -> None:
        await self._connection.connect()

    async def call(self, type: str, args: dict[str, Any] | None = None) -> asyncio.Future[Any]:
        """Start command ``type`` (one of AutoGen's command names); returns a future of its result."""
        if type not in _COMMANDS:
            raise UsageError(f"Unknown MCP session command {type!r}; expected one of {list(_COMMANDS)}")
        args = args or {}
        loop = asyncio.get_running_loop()
        if type == "shutdown":
            await self.close()
            done: asyncio.Future[Any] = loop.create_future()
            done.set_result(None)
            return done

        async def run() -> Any:
            def command(session: Any) -> Any:
                if type == "call_tool":
                    return session.call_tool(args["name"], args.get("kargs") or {})
                if type == "read_resource":
                    from pydantic import AnyUrl

                    return session.read_resource(AnyUrl(str(args["uri"])))
                if type == "get_prompt":
                    return session.get_prompt(args["name"], args.get("kargs"))
                return getattr(session, type)()

            return await self._connection.request(type, command, idempotent=type != "call_tool")

        return asyncio.ensure_future(run())

    async def close(self) -> None:
        await self._connection.close()

    def _to_config(self) -> McpSessionActorConfig:
        return McpSessionActorConfig(server_params=self.server_params)

    @classmethod
    def _from_config(cls, config: McpSessionActorConfig) -> Self:
        return cls(vet_server_params(config.server_params))

    @classmethod
    def _check_config(cls, config: McpSessionActorConfig) -> None:
        vet_server_params(config.server_params)
