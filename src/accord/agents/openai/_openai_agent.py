"""OpenAIAgent: a chat agent on OpenAI's Responses API, with OpenAI's built-in (server-side) tools."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from typing import Any, Literal, NotRequired, Self, TypedDict

from pydantic import BaseModel, Field

from ..._errors import UsageError
from ..._imports import require
from ...agentchat import EVENT_LOGGER_NAME
from ...base import Response
from ...core import CancellationToken, Component, Image
from ...messages import (
    BaseAgentEvent,
    BaseChatMessage,
    HandoffMessage,
    MultiModalMessage,
    StopMessage,
    TextMessage,
    ToolCallSummaryMessage,
)
from .._base_chat_agent import BaseChatAgent, run_linked, validate_state

__all__ = [
    "BuiltinToolConfig",
    "CodeInterpreterToolConfig",
    "ComputerUseToolConfig",
    "FileSearchToolConfig",
    "ImageGenerationToolConfig",
    "LocalShellToolConfig",
    "MCPToolConfig",
    "OpenAIAgent",
    "OpenAIAgentConfig",
    "OpenAIAgentState",
    "WebSearchToolConfig",
]

event_logger = logging.getLogger(EVENT_LOGGER_NAME)


class FileSearchToolConfig(TypedDict):
    type: Literal["file_search"]
    vector_store_ids: list[str]
    max_num_results: NotRequired[int]
    ranking_options: NotRequired[dict[str, Any]]
    filters: NotRequired[dict[str, Any]]


class WebSearchToolConfig(TypedDict):
    type: Literal["web_search_preview"]
    search_context_size: NotRequired[str]
    user_location: NotRequired[str | dict[str, Any]]


class ComputerUseToolConfig(TypedDict):
    type: Literal["computer_use_preview"]
    display_height: int
    display_width: int
    environment: str


class MCPToolConfig(TypedDict):
    type: Literal["mcp"]
    server_label: str
    server_url: str
    allowed_tools: NotRequired[list[str]]
    headers: NotRequired[dict[str, str]]
    require_approval: NotRequired[bool]


class CodeInterpreterToolConfig(TypedDict):
    type: Literal["code_interpreter"]
    container: str | dict[str, Any]


class ImageGenerationToolConfig(TypedDict):
    type: Literal["image_generation"]
    background: NotRequired[str]
    input_image_mask: NotRequired[str]


class LocalShellToolConfig(TypedDict):
    """Only the ``codex-mini-latest`` model accepts it; accord never runs the commands such a model asks for."""

    type: Literal["local_shell"]


BuiltinToolConfig = (
    FileSearchToolConfig
    | WebSearchToolConfig
    | ComputerUseToolConfig
    | MCPToolConfig
    | CodeInterpreterToolConfig
    | ImageGenerationToolConfig
    | LocalShellToolConfig
)

# Built-in tools that need parameters, and the parameters to give (the string form is refused for them).
_NEEDS_PARAMETERS = {
    "file_search": "vector_store_ids (List[str])",
    "code_interpreter": "container (str | dict)",
    "computer_use_preview": "display_height (int), display_width (int), environment (str)",
    "mcp": "server_label (str), server_url (str)",
}
_ROLES = {"user": "user", "system": "system", "assistant": "assistant"}


IMAGE_CONTENT_PREVIEW_LENGTH = 50


class OpenAIMessageContent(TypedDict):
    type: str
    text: str


class OpenAIImageUrlContent(TypedDict):
    url: str


class OpenAIImageContent(TypedDict):
    type: str
    image_url: OpenAIImageUrlContent


class OpenAIMessage(TypedDict):
    """AutoGen's shape of a converted message (accord sends Responses API parts: ``input_text``, ``input_image``)."""

    role: str
    content: str | list[OpenAIMessageContent | OpenAIImageContent]


class OpenAIAgentState(BaseModel):
    type: str = Field(default="OpenAIAgentState")
    response_id: str | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)


class OpenAIAgentConfig(BaseModel):
    """AutoGen's config: built-in tools only (as names or dicts); the client is rebuilt from the environment."""

    name: str
    description: str
    model: str
    instructions: str
    tools: list[dict[str, Any] | str] | None = None
    temperature: float | None = 1
    max_output_tokens: int | None = None
    json_mode: bool = False
    store: bool = True
    truncation: str = "disabled"


def _convert_message_to_openai_message(message: BaseChatMessage) -> dict[str, Any]:
    """One chat message as a Responses API input message (the source names the role: user, system, assistant)."""
    if isinstance(message, MultiModalMessage):
        parts: list[dict[str, Any]] = []
        for part in message.content:
            if isinstance(part, Image):
                parts.append({"type": "input_image", "image_url": part.data_uri})
            else:
                parts.append({"type": "input_text", "text": str(part)})
        return {"role": "user", "content": parts}
    role = _ROLES.get(message.source, "user") if isinstance(message, TextMessage) else "user"
    content = getattr(message, "content", None)
    return {"role": role, "content": str(content) if content is not None else message.to_model_text()}


class OpenAIAgent(BaseChatAgent, Component[OpenAIAgentConfig]):
    """An agent answering through OpenAI's Responses API (AutoGen's ``OpenAIAgent``), on the official SDK.

    Args:
        name, description: the agent's.
        client: an ``openai.AsyncOpenAI`` or ``AsyncAzureOpenAI`` (or anything with ``responses.create``).
        model: the model; instructions: sent as the system message unless the input has one.
        tools: OpenAI's built-in tools, by name (``"web_search_preview"``, ``"image_generation"``,
            ``"local_shell"`` for ``codex-mini-latest`` only) or as a dict with ``type`` and the tool's parameters.
            They run on OpenAI's side; accord runs nothing locally for them.
        temperature, max_output_tokens, json_mode, store, truncation: request parameters.

    Each answer's id is kept and sent as ``previous_response_id`` with the next request. An API error becomes the
    reply ``"Error generating response: ..."`` (as in AutoGen), and is logged.
    """

    component_config_schema = OpenAIAgentConfig
    component_provider_override = "autogen_ext.agents.openai.OpenAIAgent"

    def __init__(
        self,
        name: str,
        description: str,
        client: Any,
        model: str,
        instructions: str,
        tools: Iterable[str | BuiltinToolConfig | Mapping[str, Any]] | None = None,
        temperature: float | None = 1,
        max_output_tokens: int | None = None,
        json_mode: bool = False,
        store: bool = True,
        truncation: str = "disabled",
    ) -> None:
        super().__init__(name, description)
        self._client = client
        self._model = model
        self._instructions = instructions
        self._temperature = temperature
        self._max_output_tokens = max_output_tokens
        self._json_mode = json_mode
        self._store = store
        self._truncation = truncation
        self._last_response_id: str | None = None
        self._message_history: list[dict[str, Any]] = []
        self._tools: list[dict[str, Any]] = []
        for tool in tools or []:
            if isinstance(tool, str):
                self._add_builtin_tool(tool)
            elif isinstance(tool, Mapping) and "type" in tool:
                self._tools.append(dict(tool))
            else:
                raise UsageError(
                    f"Unsupported tool type: {type(tool).__name__} (OpenAIAgent takes OpenAI's built-in tools, "
                    "by name or as a dict with 'type'; use AssistantAgent for your own tools)"
                )

    def _add_builtin_tool(self, tool_name: str) -> None:
        if any(t.get("type") == tool_name for t in self._tools):
            return
        if tool_name in ("web_search_preview", "image_generation"):
            self._tools.append({"type": tool_name})
        elif tool_name == "local_shell":
            if self._model != "codex-mini-latest":
                raise UsageError(
                    f"Tool 'local_shell' is only supported with model 'codex-mini-latest', but current model is "
                    f"'{self._model}'. For code execution use accord's sandboxed PythonCodeExecutionTool "
                    "(autogen_ext.tools.code_execution) instead."
                )
            self._tools.append({"type": "local_shell"})
        elif tool_name in _NEEDS_PARAMETERS:
            raise UsageError(
                f"Tool '{tool_name}' requires specific parameters and cannot be added using string format. Use dict "
                f"configuration instead. Required parameters for {tool_name}: {_NEEDS_PARAMETERS[tool_name]}"
            )
        else:
            raise UsageError(
                f"Unsupported built-in tool type: {tool_name} (known: web_search_preview, image_generation, "
                f"local_shell, {', '.join(_NEEDS_PARAMETERS)})"
            )

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return [TextMessage, MultiModalMessage, StopMessage, ToolCallSummaryMessage, HandoffMessage]

    @property
    def tools(self) -> list[Any]:
        return self._tools

    @property
    def model(self) -> str:
        return self._model

    def _build_api_parameters(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        if self._instructions and not any(m.get("role") == "system" for m in messages):
            messages = [{"role": "system", "content": self._instructions}, *messages]
        params: dict[str, Any] = {"model": self._model, "input": messages}
        if self._temperature is not None:
            params["temperature"] = self._temperature
        if self._max_output_tokens is not None:
            params["max_output_tokens"] = self._max_output_tokens
        if self._tools:
            params["tools"] = self._tools
        if self._json_mode:
            params["text"] = {"type": "json_object"}
        params["store"] = self._store
        params["truncation"] = self._truncation
        if self._last_response_id:
            params["previous_response_id"] = self._last_response_id
        return params

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        response: Response | None = None
        inner: list[BaseAgentEvent | BaseChatMessage] = []
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                response = item
            else:
                inner.append(item)
        if response is None:
            raise UsageError("No response was generated")
        known = list(response.inner_messages or [])
        response.inner_messages = known + [m for m in inner if m not in known]
        return response

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        for message in messages:
            self._message_history.append(_convert_message_to_openai_message(message))
        params = self._build_api_parameters(list(self._message_history))
        try:
            result = await run_linked(self._client.responses.create(**params), cancellation_token)
        except Exception as e:  # AutoGen answers with the error instead of raising
            text = f"Error generating response: {e}"
            event_logger.error("API error: %s", text, exc_info=True)
            yield Response(chat_message=TextMessage(source=self.name, content=text), inner_messages=[])
            return
        self._last_response_id = getattr(result, "id", None)
        content = getattr(result, "output_text", None)
        text = str(content) if content is not None else "[no content returned]"
        self._message_history.append({"role": "assistant", "content": text})
        yield Response(chat_message=TextMessage(source=self.name, content=text), inner_messages=[])

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        self._last_response_id = None
        self._message_history = []

    async def save_state(self) -> Mapping[str, Any]:
        return OpenAIAgentState(response_id=self._last_response_id, history=self._message_history).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        loaded = validate_state(OpenAIAgentState, state, self.name)
        self._last_response_id = loaded.response_id
        self._message_history = loaded.history

    def _to_config(self) -> OpenAIAgentConfig:
        return OpenAIAgentConfig(
            name=self.name,
            description=self.description,
            model=self._model,
            instructions=self._instructions,
            tools=list(self._tools),
            temperature=self._temperature,
            max_output_tokens=self._max_output_tokens,
            json_mode=self._json_mode,
            store=self._store,
            truncation=self._truncation,
        )

    @classmethod
    def _from_config(cls, config: OpenAIAgentConfig) -> Self:
        openai = require("openai", extra="openai")
        return cls(
            name=config.name,
            description=config.description,
            client=openai.AsyncOpenAI(),  # credentials from the environment, never from the config
            model=config.model,
            instructions=config.instructions,
            tools=config.tools,
            temperature=config.temperature,
            max_output_tokens=config.max_output_tokens,
            json_mode=config.json_mode,
            store=config.store,
            truncation=config.truncation,
        )

    def to_config(self) -> OpenAIAgentConfig:
        return self._to_config()

    @classmethod
    def from_config(cls, config: OpenAIAgentConfig) -> Self:
        return cls._from_config(config)
