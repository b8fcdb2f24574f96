"""AssistantAgent: a model-driven agent with tools, workbenches, handoffs, memory and structured output.

The turn follows AutoGen 0.7 exactly: new messages into the model context, memory, one model call, then up to
``max_tool_iterations`` rounds of (execute all tool calls concurrently, results into the context, handoff check,
model call), then reflection or a tool-call summary.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel, Field

from .._errors import UsageError
from ..agentchat import EVENT_LOGGER_NAME
from ..base import Handoff, Response
from ..core import CancellationToken, Component, ComponentModel, FunctionCall
from ..memory import Memory
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    HandoffMessage,
    MemoryQueryEvent,
    ModelClientStreamingChunkEvent,
    StructuredMessage,
    StructuredMessageFactory,
    TextMessage,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)
from ..messages._base import _new_id
from ..messages.utils import remove_images
from ..model_context import ChatCompletionContext
from ..models import (
    AssistantMessage,
    ChatCompletionClient,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
)
from ..state import AssistantAgentState
from ..tools import BaseTool, ToolSchema, Workbench
from ._assistant_setup import (
    ToolArg,
    check_max_tool_iterations,
    check_memory,
    check_model_client,
    check_model_context,
    collect_handoffs,
    collect_tools,
    own_direct_tools,
    structured_output,
    workbenches,
)
from ._base_chat_agent import BaseChatAgent, validate_state
from ._tool_calls import check_summary_format, execute_tool_calls, needs_stream, run_tool_call, summarize_tool_calls

__all__ = ["AssistantAgent", "AssistantAgentConfig"]

DEFAULT_DESCRIPTION = "An agent that provides assistance with ability to use tools."
DEFAULT_SYSTEM_MESSAGE = "".join(
    (
        "You are a helpful AI assistant. Solve tasks using your tools. ",
        "Reply with TERMINATE when the task has been completed.",
    )
)

Event = BaseAgentEvent | BaseChatMessage
event_logger = logging.getLogger(EVENT_LOGGER_NAME)


class AssistantAgentConfig(BaseModel):
    """The declarative configuration of AssistantAgent."""

    name: str
    model_client: ComponentModel
    tools: list[ComponentModel] | None = None
    workbench: list[ComponentModel] | None = None
    handoffs: list[Handoff | str] | None = None
    model_context: ComponentModel | None = None
    memory: list[ComponentModel] | None = None
    description: str
    system_message: str | None = None
    model_client_stream: bool = False
    reflect_on_tool_use: bool
    tool_call_summary_format: str
    max_tool_iterations: int = Field(default=1, ge=1)
    metadata: dict[str, str] | None = None
    structured_message_factory: ComponentModel | None = None


class AssistantAgent(BaseChatAgent, Component[AssistantAgentConfig]):
    """An agent that answers with a model and can call tools, hand off to other agents and use memory.

    Not safe to run concurrently with itself; pass only the *new* messages on each call (the agent keeps the
    conversation in its model context).
    """

    component_config_schema = AssistantAgentConfig
    component_provider_override = "autogen_agentchat.agents.AssistantAgent"
    component_version = 2

    def __init__(
        self,
        name: str,
        model_client: ChatCompletionClient,
        *,
        tools: Sequence[ToolArg] | None = None,
        workbench: Workbench | Sequence[Workbench] | None = None,
        handoffs: Sequence[Handoff | str] | None = None,
        model_context: ChatCompletionContext | None = None,
        description: str = DEFAULT_DESCRIPTION,
        system_message: str | None = DEFAULT_SYSTEM_MESSAGE,
        model_client_stream: bool = False,
        reflect_on_tool_use: bool | None = None,
        max_tool_iterations: int = 1,
        tool_call_summary_format: str = "{result}",
        tool_call_summary_formatter: Callable[[FunctionCall, FunctionExecutionResult], str] | None = None,
        output_content_type: type[BaseModel] | None = None,
        output_content_type_format: str | None = None,
        memory: Sequence[Memory] | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(name=name, description=description)
        self._model_client = check_model_client(model_client)
        self._metadata = metadata or {}
        self._model_client_stream = model_client_stream
        self._output_content_type = output_content_type
        self._output_content_type_format = output_content_type_format
        structured = structured_output(output_content_type, output_content_type_format)
        self._structured_message_factory = structured.factory if structured is not None else None
        if structured is not None:
            self._structured_cls = structured.message_cls
        self._memory = check_memory(memory)
        self._system_messages = [] if system_message is None else [SystemMessage(content=system_message)]
        self._tools = collect_tools(tools, self._model_client, name)
        self._handoffs = collect_handoffs(handoffs, self._tools, self._model_client, name)
        self._handoff_tools: list[BaseTool[Any, Any]] = [h.handoff_tool for h in self._handoffs.values()]
        self._workbench = workbenches(workbench, self._tools)
        self._own_tools = own_direct_tools(self._tools, workbench)
        self._model_context = check_model_context(model_context)
        # structured output is reflected by default: the summary of a tool call is no structured answer
        self._reflect_on_tool_use = (
            output_content_type is not None if reflect_on_tool_use is None else reflect_on_tool_use
        )
        self._max_tool_iterations = check_max_tool_iterations(max_tool_iterations)
        check_summary_format(tool_call_summary_format)
        self._tool_call_summary_format = tool_call_summary_format
        self._tool_call_summary_formatter = tool_call_summary_formatter
        self._active_turn: tuple[object, asyncio.Task[Any] | None] | None = None

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        types: list[type[BaseChatMessage]] = [TextMessage, ToolCallSummaryMessage, HandoffMessage]
        if self._structured_message_factory is not None:
            types.append(StructuredMessage)
        return types

    @property
    def model_context(self) -> ChatCompletionContext:
        """The model context the agent keeps its conversation in."""
        return self._model_context

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        response: Response | None = None
        # drive the stream to its end (it ends right after the Response) so no generator is left for the GC to close
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                response = item
        if response is None:
            raise AssertionError("The stream should have returned the final result.")
        return response

    # ---- the turn -------------------------------------------------------------------------------------------

    @staticmethod
    async def _add_messages_to_context(
        model_context: ChatCompletionContext, messages: Sequence[BaseChatMessage]
    ) -> None:
        """Add a turn's messages to the model context (a handoff brings its context first)."""
        for msg in messages:
            if isinstance(msg, HandoffMessage):
                for llm_msg in msg.context:
                    await model_context.add_message(llm_msg)
            await model_context.add_message(msg.to_model_message())

    @staticmethod
    def _get_compatible_context(model_client: ChatCompletionClient, messages: Sequence[LLMMessage]) -> list[LLMMessage]:
        """``messages`` as the model can take them (images removed for a model without vision)."""
        if model_client.model_info.get("vision", False):
            return list(messages)
        return remove_images(messages)

    async def _model_messages(self, token: CancellationToken) -> list[LLMMessage]:
        """What the model sees: the system message and the model context (without images on a text-only model)."""
        if token.is_cancelled():
            raise asyncio.CancelledError()
        history = await self._model_context.get_messages()
        return self._get_compatible_context(self._model_client, [*self._system_messages, *history])

    async def _list_tools(self, tool_index: dict[str, Workbench]) -> list[ToolSchema | BaseTool[Any, Any]]:
        """The tools offered to the model (workbench tools, then handoffs); ``tool_index`` maps each to its bench."""
        tools: list[ToolSchema | BaseTool[Any, Any]] = []
        tool_index.clear()
        for wb in self._workbench:
            for schema in await wb.list_tools():
                tools.append(schema)
                tool_index.setdefault(schema["name"], wb)
        tools.extend(self._handoff_tools)
        return tools

    async def _call_model(
        self, messages: list[LLMMessage], token: CancellationToken, message_id: str, options: dict[str, Any]
    ) -> AsyncGenerator[ModelClientStreamingChunkEvent | CreateResult, None]:
        """One model call: in streaming mode the chunk events, then always the CreateResult (last)."""
        client = self._model_client
        if not self._model_client_stream:
            yield await client.create(
                messages, json_output=self._output_content_type, cancellation_token=token, **options
            )
            return
        result: CreateResult | None = None
        async for chunk in client.create_stream(
            messages, json_output=self._output_content_type, cancellation_token=token, **options
        ):
            if isinstance(chunk, CreateResult):
                result = chunk
            elif isinstance(chunk, str):
                yield ModelClientStreamingChunkEvent(content=chunk, source=self._name, full_message_id=message_id)
            else:
                raise RuntimeError(f"Invalid chunk type: {type(chunk)}")
        if result is None:
            raise RuntimeError("No final model result in streaming mode.")
        yield result

    def _final(self, result: CreateResult, message_id: str, inner: list[Event], *, fmt: bool = True) -> Response:
        assert isinstance(result.content, str)
        if self._output_content_type is not None:
            message: BaseChatMessage = self._structured_cls(
                content=self._output_content_type.model_validate_json(result.content),
                source=self._name,
                models_usage=result.usage,
                format_string=self._output_content_type_format if fmt else None,
                id=message_id,
            )
        else:
            message = TextMessage(content=result.content, source=self._name, models_usage=result.usage, id=message_id)
        return Response(chat_message=message, inner_messages=inner)

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        task = asyncio.current_task()
        active = self._active_turn
        if active is not None and active[1] is not task and active[1] is not None and not active[1].done():
            # another task is in the middle of a turn: the model context would interleave two conversations
            raise UsageError(
                f"Agent {self._name!r} is already handling messages in another task; an agent runs one turn at a time."
            )
        turn = (object(), task)
        self._active_turn = turn
        try:
            async for item in self._turn(messages, cancellation_token):
                if isinstance(item, Response) and self._active_turn is turn:
                    self._active_turn = None  # the turn is over even if the caller never resumes this generator
                yield item
        finally:
            if self._active_turn is turn:
                self._active_turn = None

    async def _turn(
        self, messages: Sequence[BaseChatMessage], token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        name = self._name
        context = self._model_context
        await self._add_messages_to_context(context, messages)

        inner: list[Event] = []
        for mem in self._memory or ():
            update = await mem.update_context(context)
            if update and update.memories.results:
                event = MemoryQueryEvent(content=update.memories.results, source=name)
                inner.append(event)
                yield event

        message_id = _new_id()
        tool_index: dict[str, Workbench] = {}
        executed: list[tuple[FunctionCall, FunctionExecutionResult]] = []
        iteration = 0
        while True:
            prompt = await self._model_messages(token)
            options = {"tools": await self._list_tools(tool_index)}
            result: CreateResult | None = None
            async for out in self._call_model(prompt, token, message_id, options):
                if isinstance(out, CreateResult):
                    result = out
                else:
                    yield out
            assert result is not None, "No model result was produced."
            if result.thought:
                thought = ThoughtEvent(content=result.thought, source=name, id=message_id)
                inner.append(thought)
                yield thought
                message_id = _new_id()
            await context.add_message(AssistantMessage(content=result.content, source=name, thought=result.thought))
            if isinstance(result.content, str):
                yield self._final(result, message_id, inner)
                return

            calls = result.content
            request = ToolCallRequestEvent(content=calls, source=name, models_usage=result.usage)
            if event_logger.isEnabledFor(logging.DEBUG):
                event_logger.debug(request)
            inner.append(request)
            yield request
            results: list[FunctionExecutionResult] = []
            if len(calls) == 1 and not needs_stream(calls[0], tool_index, self._own_tools):
                results = [await run_tool_call(calls[0], tool_index, self._handoffs, token, self._own_tools)]
            else:
                async for item in execute_tool_calls(calls, tool_index, self._handoffs, token, self._own_tools):
                    if isinstance(item, list):
                        results = item
                    else:
                        inner.append(item)
                        yield item
            if token.is_cancelled():
                raise asyncio.CancelledError()
            executed = list(zip(calls, results, strict=True))
            execution = ToolCallExecutionEvent(content=results, source=name)
            if event_logger.isEnabledFor(logging.DEBUG):
                event_logger.debug(execution)
            await context.add_message(FunctionExecutionResultMessage(content=results))
            inner.append(execution)
            yield execution

            handoff_response = self._handoff_response(result, executed, inner)
            if handoff_response is not None:
                yield handoff_response
                return
            iteration += 1
            if iteration == self._max_tool_iterations:
                break

        if self._reflect_on_tool_use:
            async for reflected in self._reflect(token, inner):
                yield reflected
            return
        normal = [(c, r) for c, r in executed if c.name not in self._handoffs]
        yield Response(
            chat_message=ToolCallSummaryMessage(
                content=summarize_tool_calls(normal, self._tool_call_summary_format, self._tool_call_summary_formatter),
                source=name,
                tool_calls=[c for c, _ in normal],
                results=[r for _, r in normal],
            ),
            inner_messages=inner,
        )

    def _handoff_response(
        self,
        result: CreateResult,
        executed: list[tuple[FunctionCall, FunctionExecutionResult]],
        inner: list[Event],
    ) -> Response | None:
        assert isinstance(result.content, list)
        requested = [c for c in result.content if c.name in self._handoffs]
        if not requested:
            return None
        selected = self._handoffs[requested[0].name]
        if len(requested) > 1:
            warnings.warn(
                f"Multiple handoffs detected. Only the first is executed: "
                f"{[self._handoffs[c.name].name for c in requested]}. "
                "Disable parallel tool calls in the model client to avoid this warning.",
                stacklevel=3,
            )
        calls: list[FunctionCall] = []
        call_results: list[FunctionExecutionResult] = []
        message = selected.message
        for call, res in executed:
            if call.name not in self._handoffs:
                calls.append(call)
                call_results.append(res)
            elif call.name == selected.name:
                message = res.content
        context: list[LLMMessage] = []
        if calls:
            context.append(AssistantMessage(content=calls, source=self._name, thought=result.thought))
            context.append(FunctionExecutionResultMessage(content=call_results))
        elif result.thought:
            context.append(AssistantMessage(content=result.thought, source=self._name))
        return Response(
            chat_message=HandoffMessage(content=message, target=selected.target, source=self._name, context=context),
            inner_messages=inner,
        )

    async def _reflect(
        self, token: CancellationToken, inner: list[Event]
    ) -> AsyncGenerator[ModelClientStreamingChunkEvent | ThoughtEvent | Response, None]:
        messages = await self._model_messages(token)
        reflection_id = _new_id()
        result: CreateResult | None = None
        async for out in self._call_model(messages, token, reflection_id, {"tool_choice": "none"}):
            if isinstance(out, CreateResult):
                result = out
            else:
                yield out
        if result is None or not isinstance(result.content, str):
            raise RuntimeError("Reflect on tool use produced no valid text response.")
        if result.thought:
            thought = ThoughtEvent(content=result.thought, source=self._name)
            inner.append(thought)
            yield thought
        await self._model_context.add_message(
            AssistantMessage(content=result.content, source=self._name, thought=result.thought)
        )
        yield self._final(result, reflection_id, inner, fmt=False)

    # ---- lifecycle and state ------------------------------------------------------------------------------------

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        await self._model_context.clear()

    async def save_state(self) -> Mapping[str, Any]:
        return AssistantAgentState(llm_context=await self._model_context.save_state()).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        parsed = validate_state(AssistantAgentState, state, self._name)
        await self._model_context.load_state(parsed.llm_context)

    # ---- declarative config --------------------------------------------------------------------------------------

    def _to_config(self) -> AssistantAgentConfig:
        return AssistantAgentConfig(
            name=self._name,
            model_client=self._model_client.dump_component(),
            tools=None,
            workbench=[wb.dump_component() for wb in self._workbench] if self._workbench else None,
            handoffs=list(self._handoffs.values()) if self._handoffs else None,
            model_context=self._model_context.dump_component(),
            memory=[m.dump_component() for m in self._memory] if self._memory else None,
            description=self._description,
            system_message=self._system_messages[0].content if self._system_messages else None,
            model_client_stream=self._model_client_stream,
            reflect_on_tool_use=self._reflect_on_tool_use,
            max_tool_iterations=self._max_tool_iterations,
            tool_call_summary_format=self._tool_call_summary_format,
            structured_message_factory=self._structured_message_factory.dump_component()
            if self._structured_message_factory
            else None,
            metadata=self._metadata,
        )

    @classmethod
    def _from_config(cls, config: AssistantAgentConfig) -> Self:
        output_content_type: type[BaseModel] | None = None
        format_string: str | None = None
        if config.structured_message_factory:
            factory = StructuredMessageFactory.load_component(config.structured_message_factory)
            output_content_type, format_string = factory.ContentModel, factory.format_string
        return cls(
            name=config.name,
            model_client=ChatCompletionClient.load_component(config.model_client),
            workbench=[Workbench.load_component(wb) for wb in config.workbench] if config.workbench else None,
            handoffs=config.handoffs,
            model_context=ChatCompletionContext.load_component(config.model_context) if config.model_context else None,
            tools=[BaseTool.load_component(t) for t in config.tools] if config.tools else None,
            memory=[Memory.load_component(m) for m in config.memory] if config.memory else None,
            description=config.description,
            system_message=config.system_message,
            model_client_stream=config.model_client_stream,
            reflect_on_tool_use=config.reflect_on_tool_use,
            max_tool_iterations=config.max_tool_iterations,
            tool_call_summary_format=config.tool_call_summary_format,
            output_content_type=output_content_type,
            output_content_type_format=format_string,
            metadata=config.metadata,
        )

    @classmethod
    def _from_config_past_version(cls, config: dict[str, Any], version: int) -> Self:
        # version 1 configs carry tools directly (and no workbench); the schema reads both
        return cls._from_config(AssistantAgentConfig.model_validate(config))
