"""OpenAIAssistantAgent: a chat agent on OpenAI's Assistants API (assistants, threads, runs), on the official SDK."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..._errors import RunError, UsageError
from ...agentchat import EVENT_LOGGER_NAME
from ...base import Response
from ...core import CancellationToken, FunctionCall, Image
from ...messages import (
    BaseAgentEvent,
    BaseChatMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from ...models import ChatCompletionClient, FunctionExecutionResult
from ...tools import FunctionTool, Tool
from .._base_chat_agent import BaseChatAgent, run_linked, validate_state

__all__ = ["AssistantRunError", "OpenAIAssistantAgent", "OpenAIAssistantAgentState"]

event_logger = logging.getLogger(EVENT_LOGGER_NAME)
_POLL_FIRST, _POLL_MAX = 0.05, 1.0  # seconds between run status polls: quick first, then backing off


class AssistantRunError(RunError, ValueError):
    """An Assistants API run failed or ended without an answer (a ValueError, as AutoGen raised)."""


class OpenAIAssistantAgentState(BaseModel):
    type: str = Field(default="OpenAIAssistantAgentState")
    version: str = Field(default="1.0.0")
    assistant_id: str | None = None
    thread_id: str | None = None
    initial_message_ids: list[str] = Field(default_factory=list)
    vector_store_id: str | None = None
    uploaded_file_ids: list[str] = Field(default_factory=list)


def _function_param(tool: Tool) -> dict[str, Any]:
    schema = tool.schema
    function: dict[str, Any] = {"name": schema["name"], "description": schema.get("description", "")}
    if "parameters" in schema:
        function["parameters"] = dict(schema["parameters"])
    if schema.get("strict"):
        function["strict"] = True
    return {"type": "function", "function": function}


_convert_tool_to_function_param = _function_param  # AutoGen's name


class OpenAIAssistantAgent(BaseChatAgent):
    """An agent backed by an OpenAI Assistant (AutoGen's ``OpenAIAssistantAgent``).

    Args:
        name, description: the agent's.
        client: an ``openai.AsyncOpenAI`` or ``AsyncAzureOpenAI`` (not an accord/AutoGen model client).
        model, instructions: the assistant's (used when the assistant is created).
        tools: ``"code_interpreter"`` and ``"file_search"`` (run by OpenAI), and your own tools or functions, which
            accord runs when a run asks for them.
        assistant_id / thread_id: reuse an existing assistant / thread instead of creating them on first use.
        metadata, response_format, temperature, tool_resources, top_p: the assistant's settings.
    """

    def __init__(
        self,
        name: str,
        description: str,
        client: Any,
        model: str,
        instructions: str,
        tools: Iterable[
            Literal["code_interpreter", "file_search"] | Tool | Callable[..., Any] | Callable[..., Awaitable[Any]]
        ]
        | None = None,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        metadata: dict[str, str] | None = None,
        response_format: Any = None,
        temperature: float | None = None,
        tool_resources: Any = None,
        top_p: float | None = None,
    ) -> None:
        if isinstance(client, ChatCompletionClient):
            raise UsageError(
                "Incorrect client passed to OpenAIAssistantAgent. Please use an OpenAI AsyncClient instance instead "
                "of an AutoGen ChatCompletionClient instance."
            )
        super().__init__(name, description)
        self._original_tools: list[Tool] = []
        self._api_tools: list[dict[str, Any]] = []
        for tool in tools or []:
            if tool in ("code_interpreter", "file_search"):
                self._api_tools.append({"type": tool})
            elif isinstance(tool, Tool):
                self._original_tools.append(tool)
                self._api_tools.append(_function_param(tool))
            elif callable(tool):
                function_tool = FunctionTool(tool, description=tool.__doc__ or "")
                self._original_tools.append(function_tool)
                self._api_tools.append(_function_param(function_tool))
            else:
                raise UsageError(
                    f"Unsupported tool type: {type(tool).__name__} (give 'code_interpreter', 'file_search', a Tool or "
                    "a function)"
                )
        self._client = client
        self._assistant: Any = None
        self._thread: Any = None
        self._init_thread_id = thread_id
        self._model = model
        self._instructions = instructions
        self._assistant_id = assistant_id
        self._metadata = metadata
        self._response_format = response_format
        self._temperature = temperature
        self._tool_resources = tool_resources
        self._top_p = top_p
        self._vector_store_id: str | None = None
        self._uploaded_file_ids: list[str] = []
        self._initial_message_ids: set[str] = set()
        self._initial_state_retrieved = False

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    @property
    def threads(self) -> Any:
        return self._client.beta.threads

    @property
    def runs(self) -> Any:
        return self._client.beta.threads.runs

    @property
    def messages(self) -> Any:
        return self._client.beta.threads.messages

    @property
    def _get_assistant_id(self) -> str:
        if self._assistant is None:
            raise AssistantRunError("Assistant not initialized")
        return str(self._assistant.id)

    @property
    def _thread_id(self) -> str:
        if self._thread is None:
            raise AssistantRunError("Thread not initialized")
        return str(self._thread.id)

    async def _ensure_initialized(self) -> None:
        beta = self._client.beta
        if self._assistant is None:
            if self._assistant_id:
                self._assistant = await beta.assistants.retrieve(assistant_id=self._assistant_id)
            else:
                options = {
                    k: v
                    for k, v in {
                        "response_format": self._response_format,
                        "tool_resources": self._tool_resources,
                        "metadata": self._metadata,
                        "temperature": self._temperature,
                        "top_p": self._top_p,
                    }.items()
                    if v is not None
                }
                self._assistant = await beta.assistants.create(
                    model=self._model,
                    description=self.description,
                    instructions=self._instructions,
                    tools=self._api_tools,
                    **options,
                )
        if self._thread is None:
            if self._init_thread_id:
                self._thread = await beta.threads.retrieve(thread_id=self._init_thread_id)
            else:
                self._thread = await beta.threads.create()
        if not self._initial_state_retrieved:
            self._initial_message_ids = set(await self._message_ids(None))
            self._initial_state_retrieved = True

    async def _message_ids(self, token: CancellationToken | None) -> list[str]:
        ids: list[str] = []
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {"order": "asc", "limit": 100}
            if after is not None:
                kwargs["after"] = after
            call = self.messages.list(self._thread_id, **kwargs)
            page = await (run_linked(call, token) if token is not None else call)
            ids.extend(m.id for m in page.data)
            if not page.data or not page.has_next_page():
                return ids
            after = page.data[-1].id

    async def _execute_tool_call(self, tool_call: FunctionCall, cancellation_token: CancellationToken) -> str:
        if not self._original_tools:
            raise UsageError("No tools are available.")
        tool = next((t for t in self._original_tools if t.name == tool_call.name), None)
        if tool is None:
            raise UsageError(f"The tool '{tool_call.name}' is not available.")
        result = await tool.run_json(json.loads(tool_call.arguments), cancellation_token, call_id=tool_call.id)
        return tool.return_value_as_string(result)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        async for message in self.on_messages_stream(messages, cancellation_token):
            if isinstance(message, Response):
                return message
        raise AssistantRunError("The stream should have returned the final result.")

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        await self._ensure_initialized()
        for message in messages:
            await self.handle_incoming_message(message, cancellation_token)
        inner: list[BaseAgentEvent | BaseChatMessage] = []
        run = await run_linked(
            self.runs.create(thread_id=self._thread_id, assistant_id=self._get_assistant_id), cancellation_token
        )
        delay = _POLL_FIRST
        while True:
            run = await run_linked(self.runs.retrieve(thread_id=self._thread_id, run_id=run.id), cancellation_token)
            if run.status == "failed":
                raise AssistantRunError(f"Run failed: {run.last_error}")
            if run.status in ("cancelled", "expired", "incomplete"):
                raise AssistantRunError(f"Run {run.id} ended with status {run.status!r}: {run.last_error}")
            if run.status == "requires_action" and run.required_action is not None:
                calls = [
                    FunctionCall(id=c.id, name=c.function.name, arguments=c.function.arguments)
                    for c in run.required_action.submit_tool_outputs.tool_calls
                    if c.type == "function"
                ]
                request = ToolCallRequestEvent(source=self.name, content=calls)
                inner.append(request)
                yield request
                results = [await self._run_call(call, cancellation_token) for call in calls]
                execution = ToolCallExecutionEvent(source=self.name, content=results)
                inner.append(execution)
                yield execution
                outputs = [{"tool_call_id": r.call_id, "output": r.content} for r in results]
                run = await run_linked(
                    self.runs.submit_tool_outputs(thread_id=self._thread_id, run_id=run.id, tool_outputs=outputs),
                    cancellation_token,
                )
                delay = _POLL_FIRST
                continue
            if run.status == "completed":
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, _POLL_MAX)
        page = await run_linked(
            self.messages.list(thread_id=self._thread_id, order="desc", limit=1), cancellation_token
        )
        if not page.data:
            raise AssistantRunError("No messages received from assistant")
        last = page.data[0]
        texts = [c for c in (last.content or []) if c.type == "text"]
        if not texts:
            raise AssistantRunError(f"Expected text content in the last message: {last.content}")
        yield Response(chat_message=TextMessage(source=self.name, content=texts[0].text.value), inner_messages=inner)

    async def _run_call(self, call: FunctionCall, token: CancellationToken) -> FunctionExecutionResult:
        try:
            content, is_error = await self._execute_tool_call(call, token), False
        except Exception as e:  # the error goes back to the model as the tool's output
            content, is_error = f"Error: {e}", True
        return FunctionExecutionResult(content=content, call_id=call.id, is_error=is_error, name=call.name)

    async def handle_incoming_message(self, message: BaseChatMessage, cancellation_token: CancellationToken) -> None:
        model_message = message.to_model_message()
        raw = model_message.content
        content: str | list[dict[str, Any]]
        if isinstance(raw, str):
            content = raw
        else:
            content = []
            for part in raw:
                if isinstance(part, str):
                    content.append({"type": "text", "text": part})
                elif isinstance(part, Image):
                    content.append({"type": "image_url", "image_url": {"url": part.data_uri}})
                else:
                    raise UsageError(f"Unsupported content type: {type(part).__name__} in {type(message).__name__}")
        await run_linked(
            self.messages.create(thread_id=self._thread_id, content=content, role="user"), cancellation_token
        )

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        await self._ensure_initialized()
        for message_id in await self._message_ids(cancellation_token):
            if message_id not in self._initial_message_ids:
                await run_linked(
                    self.messages.delete(message_id=message_id, thread_id=self._thread_id), cancellation_token
                )

    async def _upload_files(self, file_paths: str | Iterable[str], cancellation_token: CancellationToken) -> list[str]:
        await self._ensure_initialized()
        paths = [file_paths] if isinstance(file_paths, str) else list(file_paths)
        ids: list[str] = []
        for path in paths:
            data = await asyncio.to_thread(Path(path).read_bytes)
            uploaded = await run_linked(
                self._client.files.create(file=(os.path.basename(path), data), purpose="assistants"),
                cancellation_token,
            )
            ids.append(uploaded.id)
            self._uploaded_file_ids.append(uploaded.id)
        return ids

    async def on_upload_for_code_interpreter(
        self, file_paths: str | Iterable[str], cancellation_token: CancellationToken
    ) -> None:
        """Upload files and make them available to the thread's code interpreter."""
        file_ids = await self._upload_files(file_paths, cancellation_token)
        thread = await run_linked(self.threads.retrieve(thread_id=self._thread_id), cancellation_token)
        resources = thread.tool_resources.model_dump(exclude_none=True) if thread.tool_resources else {}
        interpreter = resources.setdefault("code_interpreter", {})
        interpreter["file_ids"] = [*interpreter.get("file_ids", []), *file_ids]
        await run_linked(self.threads.update(thread_id=self._thread_id, tool_resources=resources), cancellation_token)

    async def on_upload_for_file_search(
        self, file_paths: str | Iterable[str], cancellation_token: CancellationToken
    ) -> None:
        """Upload files into the assistant's vector store (created on first use)."""
        await self._ensure_initialized()
        if not any(tool.get("type") == "file_search" for tool in self._api_tools):
            raise UsageError(
                "File search is not enabled for this assistant. Add a file_search tool when creating the assistant."
            )
        if self._vector_store_id is None:
            store = await run_linked(self._client.vector_stores.create(), cancellation_token)
            self._vector_store_id = str(store.id)
            await run_linked(
                self._client.beta.assistants.update(
                    assistant_id=self._get_assistant_id,
                    tool_resources={"file_search": {"vector_store_ids": [self._vector_store_id]}},
                ),
                cancellation_token,
            )
        file_ids = await self._upload_files(file_paths, cancellation_token)
        await run_linked(
            self._client.vector_stores.file_batches.create_and_poll(
                vector_store_id=self._vector_store_id, file_ids=file_ids
            ),
            cancellation_token,
        )

    async def delete_uploaded_files(self, cancellation_token: CancellationToken) -> None:
        await self._ensure_initialized()
        for file_id in self._uploaded_file_ids:
            try:
                await run_linked(self._client.files.delete(file_id=file_id), cancellation_token)
            except Exception as e:  # cleanup goes on with the other files
                event_logger.error("Failed to delete file %s: %s", file_id, e)
        self._uploaded_file_ids = []

    async def delete_assistant(self, cancellation_token: CancellationToken) -> None:
        """Delete the assistant, if this agent created it."""
        await self._ensure_initialized()
        if self._assistant is not None and not self._assistant_id:
            try:
                await run_linked(
                    self._client.beta.assistants.delete(assistant_id=self._get_assistant_id), cancellation_token
                )
                self._assistant = None
            except Exception as e:
                event_logger.error("Failed to delete assistant: %s", e)

    async def delete_vector_store(self, cancellation_token: CancellationToken) -> None:
        await self._ensure_initialized()
        if self._vector_store_id is not None:
            try:
                await run_linked(
                    self._client.vector_stores.delete(vector_store_id=self._vector_store_id), cancellation_token
                )
                self._vector_store_id = None
            except Exception as e:
                event_logger.error("Failed to delete vector store: %s", e)

    async def save_state(self) -> Mapping[str, Any]:
        return OpenAIAssistantAgentState(
            assistant_id=self._assistant.id if self._assistant else self._assistant_id,
            thread_id=self._thread.id if self._thread else self._init_thread_id,
            initial_message_ids=sorted(self._initial_message_ids),
            vector_store_id=self._vector_store_id,
            uploaded_file_ids=self._uploaded_file_ids,
        ).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        loaded = validate_state(OpenAIAssistantAgentState, state, self.name)
        self._assistant_id = loaded.assistant_id
        self._init_thread_id = loaded.thread_id
        self._initial_message_ids = set(loaded.initial_message_ids)
        self._vector_store_id = loaded.vector_store_id
        self._uploaded_file_ids = loaded.uploaded_file_ids
