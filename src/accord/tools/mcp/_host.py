"""Answers to requests an MCP server sends to the client: sampling (by a model client), roots, elicitation."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import ComponentError
from ..._imports import require
from ...core import Component, ComponentBase, ComponentModel

__all__ = [
    "CallbackElicitor",
    "StdioElicitor",
    "StreamElicitor",
    "ChatCompletionClientSampler",
    "Elicitor",
    "McpSessionHost",
    "RootsProvider",
    "Sampler",
    "StaticRootsProvider",
]


class Sampler(ComponentBase[BaseModel]):
    """Answers a server's ``sampling/createMessage`` request."""

    component_type = "mcp_sampler"

    async def sample(self, params: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class Elicitor(ComponentBase[BaseModel]):
    """Answers a server's ``elicitation/create`` request (asks the user for input)."""

    component_type = "mcp_elicitor"

    async def elicit(self, params: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class RootsProvider(ComponentBase[BaseModel]):
    """Answers a server's ``roots/list`` request."""

    component_type = "mcp_roots_provider"

    async def list_roots(self) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class ChatCompletionClientSamplerConfig(BaseModel):
    model_client: ComponentModel


class ChatCompletionClientSampler(Sampler, Component[ChatCompletionClientSamplerConfig]):
    """Answers sampling requests with a ChatCompletionClient (the server's messages become LLM messages)."""

    component_provider_override = "autogen_ext.tools.mcp.ChatCompletionClientSampler"
    component_config_schema = ChatCompletionClientSamplerConfig

    def __init__(self, model_client: Any) -> None:
        self._model_client = model_client

    async def sample(self, params: Any) -> Any:
        from ...core import Image
        from ...models import AssistantMessage, SystemMessage, UserMessage

        types = require("mcp.types", extra="mcp")
        messages: list[Any] = []
        if params.systemPrompt:
            messages.append(SystemMessage(content=params.systemPrompt))
        for message in params.messages:
            blocks = message.content if isinstance(message.content, list) else [message.content]
            parts: list[Any] = []
            for block in blocks:
                if getattr(block, "type", None) == "text":
                    parts.append(block.text)
                elif getattr(block, "type", None) == "image":
                    parts.append(Image.from_base64(block.data))
            if message.role == "assistant":
                text = "\n".join(p for p in parts if isinstance(p, str))
                messages.append(AssistantMessage(content=text, source="assistant"))
            elif len(parts) == 1 and isinstance(parts[0], str):
                messages.append(UserMessage(content=parts[0], source="user"))
            else:
                messages.append(UserMessage(content=parts, source="user"))
        extra: dict[str, Any] = {}
        if params.maxTokens:
            extra["max_tokens"] = params.maxTokens
        if params.temperature is not None:
            extra["temperature"] = params.temperature
        try:
            result = await self._model_client.create(messages, extra_create_args=extra)
        except Exception as e:
            return types.ErrorData(code=types.INTERNAL_ERROR, message=f"Sampling failed: {e}")
        content = result.content if isinstance(result.content, str) else str(result.content)
        model = str(getattr(self._model_client, "model_info", {}).get("family", "unknown"))
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=content),
            model=model,
            stopReason="endTurn" if result.finish_reason == "stop" else result.finish_reason,
        )

    def _to_config(self) -> ChatCompletionClientSamplerConfig:
        return ChatCompletionClientSamplerConfig(model_client=self._model_client.dump_component())

    @classmethod
    def _from_config(cls, config: ChatCompletionClientSamplerConfig) -> Self:
        from ...models import ChatCompletionClient

        return cls(ChatCompletionClient.load_component(config.model_client))


class RootConfig(BaseModel):
    uri: str
    name: str | None = None


class StaticRootsProviderConfig(BaseModel):
    roots: list[RootConfig]


class StaticRootsProvider(RootsProvider, Component[StaticRootsProviderConfig]):
    """Tells servers a fixed list of roots (``file://`` URIs the server may work in)."""

    component_provider_override = "autogen_ext.tools.mcp.StaticRootsProvider"
    component_config_schema = StaticRootsProviderConfig

    def __init__(self, roots: Sequence[Any]) -> None:
        self._roots = [r if isinstance(r, RootConfig) else RootConfig.model_validate(_as_dict(r)) for r in roots]

    async def list_roots(self) -> Any:
        types = require("mcp.types", extra="mcp")
        return types.ListRootsResult(roots=[types.Root(uri=r.uri, name=r.name) for r in self._roots])  # type: ignore[arg-type]

    def _to_config(self) -> StaticRootsProviderConfig:
        return StaticRootsProviderConfig(roots=self._roots)

    @classmethod
    def _from_config(cls, config: StaticRootsProviderConfig) -> Self:
        return cls(config.roots)


def _as_dict(root: Any) -> dict[str, Any]:
    if isinstance(root, dict):
        return root
    if isinstance(root, BaseModel):
        return root.model_dump(mode="json")
    return {"uri": str(root)}


ElicitFn = Callable[[Any], Awaitable[Any] | Any]


class CallbackElicitor(Elicitor):
    """Answers elicitation requests with a function: it gets the request params (``message``,
    ``requestedSchema``) and returns an ``mcp.types.ElicitResult`` or a dict of field values (accepted)
    or None (declined)."""

    def __init__(self, callback: ElicitFn) -> None:
        self._callback = callback

    async def elicit(self, params: Any) -> Any:
        types = require("mcp.types", extra="mcp")
        answer = self._callback(params)
        if inspect.isawaitable(answer):
            answer = await answer
        if answer is None:
            return types.ElicitResult(action="decline")
        if isinstance(answer, dict):
            return types.ElicitResult(action="accept", content=answer)
        return answer


class StreamElicitor(Elicitor):
    """Asks a person through text streams: writes the server's question and the expected fields, reads one
    line of JSON (accepted), or an empty line (declined). ``timeout`` (seconds) declines when no answer comes."""

    def __init__(self, read: Any, write: Any, timeout: float | None = None) -> None:
        self._read = read
        self._write = write
        self._timeout = timeout

    async def elicit(self, params: Any) -> Any:
        import asyncio
        import json

        types = require("mcp.types", extra="mcp")
        schema = getattr(params, "requestedSchema", None) or {}
        fields = ", ".join(sorted((schema.get("properties") or {}).keys()))
        self._write.write(f"{getattr(params, 'message', '')}\nAnswer as JSON with fields: {fields} (empty: decline)\n")
        self._write.flush()
        try:
            line = await asyncio.wait_for(asyncio.to_thread(self._read.readline), self._timeout)
        except TimeoutError:
            return types.ElicitResult(action="cancel")
        line = line.strip()
        if not line:
            return types.ElicitResult(action="decline")
        try:
            content = json.loads(line)
        except json.JSONDecodeError:
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content=content if isinstance(content, dict) else {})


class StdioElicitorConfig(BaseModel):
    timeout: float | None = None


class StdioElicitor(StreamElicitor, Component[StdioElicitorConfig]):
    """A :class:`StreamElicitor` on this process's stdin/stdout."""

    component_provider_override = "autogen_ext.tools.mcp.StdioElicitor"
    component_config_schema = StdioElicitorConfig

    def __init__(self, timeout: float | None = None) -> None:
        import sys

        super().__init__(sys.stdin, sys.stdout, timeout)

    def _to_config(self) -> StdioElicitorConfig:
        return StdioElicitorConfig(timeout=self._timeout)

    @classmethod
    def _from_config(cls, config: StdioElicitorConfig) -> Self:
        return cls(timeout=config.timeout)


class McpSessionHostConfig(BaseModel):
    sampler: ComponentModel | None = None
    roots: ComponentModel | None = None
    elicitor: ComponentModel | None = None


class McpSessionHost(Component[McpSessionHostConfig], ComponentBase[McpSessionHostConfig]):
    """The client-side capabilities offered to a server: sampling, roots, elicitation.

    A capability left out is refused with an MCP ``INVALID_REQUEST`` error if the server asks for it.
    """

    component_type = "mcp_session_host"
    component_provider_override = "autogen_ext.tools.mcp.McpSessionHost"
    component_config_schema = McpSessionHostConfig

    def __init__(
        self, sampler: Sampler | None = None, roots: RootsProvider | None = None, elicitor: Elicitor | None = None
    ) -> None:
        self._sampler = sampler
        self._roots = roots
        self._elicitor = elicitor

    def callbacks(self) -> dict[str, Any]:
        """The ClientSession callbacks for the capabilities this host offers."""
        result: dict[str, Any] = {}
        if self._sampler is not None:
            sampler = self._sampler

            async def sampling_callback(context: Any, params: Any) -> Any:
                return await sampler.sample(params)

            result["sampling_callback"] = sampling_callback
        if self._elicitor is not None:
            elicitor = self._elicitor

            async def elicitation_callback(context: Any, params: Any) -> Any:
                return await elicitor.elicit(params)

            result["elicitation_callback"] = elicitation_callback
        if self._roots is not None:
            roots = self._roots

            async def list_roots_callback(context: Any) -> Any:
                return await roots.list_roots()

            result["list_roots_callback"] = list_roots_callback
        return result

    def _to_config(self) -> McpSessionHostConfig:
        def dump(obj: Any) -> ComponentModel | None:
            if obj is None:
                return None
            try:
                return obj.dump_component()  # type: ignore[no-any-return]
            except NotImplementedError as e:
                raise ComponentError(f"{type(obj).__name__} cannot be dumped: {e}") from e

        return McpSessionHostConfig(sampler=dump(self._sampler), roots=dump(self._roots), elicitor=dump(self._elicitor))

    @classmethod
    def _from_config(cls, config: McpSessionHostConfig) -> Self:
        from ...core import load_component

        return cls(
            sampler=load_component(config.sampler) if config.sampler else None,
            roots=load_component(config.roots) if config.roots else None,
            elicitor=load_component(config.elicitor) if config.elicitor else None,
        )
