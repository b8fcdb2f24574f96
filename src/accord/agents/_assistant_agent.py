"""AssistantAgent: a model-driven agent with tools, workbenches, handoffs, memory and structured output.

The turn follows AutoGen 0.7 exactly: new messages into the model context, memory, one model call, then up to
``max_tool_iterations`` rounds of (execute all tool calls concurrently, results into the context, handoff check,
model call), then reflection or a tool-call summary.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
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
from ..model_context import ChatCompletionContext, UnboundedChatCompletionContext
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
from ..tools import BaseStreamTool, BaseTool, FunctionTool, StaticStreamWorkbench, ToolSchema, Workbench
from ._base_chat_agent import BaseChatAgent, validate_state
from .._duck import CHAT_COMPLETION_CLIENT, CHAT_COMPLETION_CONTEXT, MEMORY, WORKBENCH, quacks_like
from ._errors import AgentArgumentTypeError
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
        tools: Sequence[BaseTool[Any, Any] | Callable[..., Any] | Callable[..., Awaitable[Any]]] | None = None,
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
        if not quacks_like(model_client, ChatCompletionClient, CHAT_COMPLETION_CLIENT):
            raise AgentArgumentTypeError(f"model_client must be a ChatCompletionClient, got {model_client!r}")
        self._model_client = model_client
        self._metadata = metadata or {}
        self._model_client_stream = model_client_stream
        self._output_content_type = output_content_type
        self._output_content_type_format = output_content_type_format
        self._structured_message_factory: StructuredMessageFactory | None = None
        if output_content_type is not None:
            if not (isinstance(output_content_type, type) and issubclass(output_content_type, BaseModel)):
                raise AgentArgumentTypeError(
                    f"output_content_type must be a pydantic BaseModel subclass, got {output_content_type!r}"
                )
            self._structured_message_factory = StructuredMessageFactory(
                input_model=output_content_type, format_string=output_content_type_format
            )
            self._structured_cls: type[StructuredMessage[BaseModel]] = StructuredMessage[output_content_type]  # type: ignore[valid-type]
        self._memory: list[Memory] | None = None
        if memory is not None:
            if not isinstance(memory, list):
                raise AgentArgumentTypeError(f"Expected Memory, List[Memory], or None, got {type(memory).__name__}")
            for m in memory:
                if not quacks_like(m, Memory, MEMORY):
                    raise AgentArgumentTypeError(f"memory must hold Memory objects, got {m!r}")
            self._memory = memory
        self._system_messages = [] if system_message is None else [SystemMessage(content=system_message)]

        function_calling = bool(model_client.model_info.get("function_calling", False))
        self._tools: list[BaseTool[Any, Any]] = []
        if tools:
            if not function_calling:
                raise UsageError(
                    "The model does not support function calling (model_info['function_calling'] is False), "
                    f"so agent {name!r} cannot use tools."
                )
            for tool in tools:
                if isinstance(tool, BaseTool):
                    self._tools.append(tool)
                elif callable(tool):
                    self._tools.append(FunctionTool(tool, description=getattr(tool, "__doc__", None) or ""))
                else:
                    raise UsageError(f"Unsupported tool type: {type(tool).__name__} ({tool!r})")
        tool_names = [t.name for t in self._tools]
        dupes = sorted({n for n in tool_names if tool_names.count(n) > 1})
        if dupes:
            raise UsageError(f"Tool names must be unique: {tool_names} (duplicated: {dupes})")

        self._handoffs: dict[str, Handoff] = {}
        self._handoff_tools: list[BaseTool[Any, Any]] = []
        if handoffs:
            if not function_calling:
                raise UsageError(
                    "The model does not support function calling, which is needed for handoffs "
                    f"(agent {name!r}, handoffs {list(handoffs)!r})."
                )
            tool_name_set = set(tool_names)
            for h in handoffs:
                handoff = Handoff(target=h) if isinstance(h, str) else h
                if not isinstance(handoff, Handoff):
                    raise UsageError(f"Unsupported handoff type: {type(h).__name__} ({h!r})")
                if handoff.name in self._handoffs:
                    raise UsageError(f"Handoff names must be unique: {handoff.name!r} appears twice")
                if handoff.name in tool_name_set or handoff.target in tool_name_set:
                    raise UsageError(f"Handoff names must be unique from tool names: {handoff.name!r}")
                self._handoffs[handoff.name] = handoff
                self._handoff_tools.append(handoff.handoff_tool)

        if workbench is not None:
            if self._tools:
                raise UsageError("Tools cannot be used with a workbench.")
            self._workbench: list[Workbench] = list(workbench) if isinstance(workbench, Sequence) else [workbench]
            for wb in self._workbench:
                if not quacks_like(wb, Workbench, WORKBENCH):
                    raise AgentArgumentTypeError(f"workbench must hold Workbench objects, got {wb!r}")
        else:
            self._workbench = [StaticStreamWorkbench(self._tools)]
        # tools of the agent's own workbench that cannot stream are called with call_tool directly (same result,
        # without the per-call stream-protocol check)
        self._own_tools: dict[str, BaseTool[Any, Any]] = {
            t.name: t for t in self._tools if workbench is None and not isinstance(t, BaseStreamTool)
        }
        if model_context is not None and not quacks_like(model_context, ChatCompletionContext, CHAT_COMPLETION_CONTEXT):
            raise AgentArgumentTypeError(f"model_context must be a ChatCompletionContext, got {model_context!r}")
        self._model_context = model_context if model_context is not None else UnboundedChatCompletionContext()
        if reflect_on_tool_use is None:
            self._reflect_on_tool_use = output_content_type is not None
        else:
            self._reflect_on_tool_use = reflect_on_tool_use
        if isinstance(max_tool_iterations, bool) or not isinstance(max_tool_iterations, int) or max_tool_iterations < 1:
            raise UsageError(
                f"Maximum number of tool iterations must be greater than or equal to 1, got {max_tool_iterations}"
            )
        self._max_tool_iterations = max_tool_iterations
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

    async def _prepare_llm(
        self, token: CancellationToken, tool_index: dict[str, Workbench]
    ) -> tuple[list[LLMMessage], list[ToolSchema | BaseTool[Any, Any]]]:
        if token.is_cancelled():
            raise asyncio.CancelledError()
        messages = self._get_compatible_context(
            self._model_client, [*self._system_messages, *await self._model_context.get_messages()]
        )
        tools: list[ToolSchema | BaseTool[Any, Any]] = []
        tool_index.clear()
        for wb in self._workbench:
            for schema in await wb.list_tools():
                tools.append(schema)
                tool_index.setdefault(schema["name"], wb)
        tools.extend(self._handoff_tools)
        return messages, tools

    async def _call_llm(
        self, token: CancellationToken, message_id: str, tool_index: dict[str, Workbench]
    ) -> AsyncGenerator[ModelClientStreamingChunkEvent | CreateResult, None]:
        """Streams chunk events then the CreateResult (streaming mode only)."""
        messages, tools = await self._prepare_llm(token, tool_index)
        result: CreateResult | None = None
        async for chunk in self._model_client.create_stream(
            messages, tools=tools, json_output=self._output_content_type, cancellation_token=token
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

    async def _create(self, token: CancellationToken, tool_index: dict[str, Workbench]) -> CreateResult:
        messages, tools = await self._prepare_llm(token, tool_index)
        return await self._model_client.create(
            messages, tools=tools, json_output=self._output_content_type, cancellation_token=token
        )

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
        result: CreateResult | None = None
        if self._model_client_stream:
            async for out in self._call_llm(token, message_id, tool_index):
                if isinstance(out, CreateResult):
                    result = out
                else:
                    yield out
        else:
            result = await self._create(token, tool_index)
        assert result is not None, "No model result was produced."
        if result.thought:
            thought = ThoughtEvent(content=result.thought, source=name, id=message_id)
            inner.append(thought)
            yield thought
            message_id = _new_id()
        await context.add_message(AssistantMessage(content=result.content, source=name, thought=result.thought))

        executed: list[tuple[FunctionCall, FunctionExecutionResult]] = []
        for iteration in range(self._max_tool_iterations):
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
            if iteration == self._max_tool_iterations - 1:
                break
            next_result: CreateResult | None = None
            if self._model_client_stream:
                async for out in self._call_llm(token, message_id, tool_index):
                    if isinstance(out, CreateResult):
                        next_result = out
                    else:
                        yield out
            else:
                next_result = await self._create(token, tool_index)
            assert next_result is not None, "No model result was produced in tool call loop."
            result = next_result
            if result.thought:
                thought = ThoughtEvent(content=result.thought, source=name, id=message_id)
                inner.append(thought)
                yield thought
                message_id = _new_id()
            await context.add_message(AssistantMessage(content=result.content, source=name, thought=result.thought))

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
        if token.is_cancelled():
            raise asyncio.CancelledError()
        messages = self._get_compatible_context(
            self._model_client, [*self._system_messages, *await self._model_context.get_messages()]
        )
        reflection_id = _new_id()
        result: CreateResult | None = None
        if self._model_client_stream:
            async for chunk in self._model_client.create_stream(
                messages, json_output=self._output_content_type, cancellation_token=token, tool_choice="none"
            ):
                if isinstance(chunk, CreateResult):
                    result = chunk
                elif isinstance(chunk, str):
                    yield ModelClientStreamingChunkEvent(
                        content=chunk, source=self._name, full_message_id=reflection_id
                    )
                else:
                    raise RuntimeError(f"Invalid chunk type: {type(chunk)}")
        else:
            result = await self._model_client.create(
                messages, json_output=self._output_content_type, cancellation_token=token, tool_choice="none"
            )
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
