"""CodeExecutorAgent: runs the code blocks it receives, or (with a model) writes code, runs it, retries and reports."""

from __future__ import annotations

import re
import warnings
from collections.abc import AsyncGenerator, Sequence
from typing import ClassVar, Self

from pydantic import BaseModel

from .._duck import CHAT_COMPLETION_CLIENT, quacks_like
from .._errors import ComponentError, UsageError
from ..base import Response
from ..code_executors import ApprovalFuncType, ApprovalRequest, ApprovalResponse, CodeBlock, CodeExecutor, CodeResult
from ..code_executors import request_approval as _request_approval
from ..core import CancellationToken, Component, ComponentModel
from ..messages import (
    BaseAgentEvent,
    BaseChatMessage,
    CodeExecutionEvent,
    CodeGenerationEvent,
    HandoffMessage,
    ModelClientStreamingChunkEvent,
    TextMessage,
    ThoughtEvent,
)
from ..messages.utils import remove_images
from ..model_context import ChatCompletionContext, UnboundedChatCompletionContext
from ..models import AssistantMessage, ChatCompletionClient, CreateResult, LLMMessage, SystemMessage, UserMessage
from ._base_chat_agent import BaseChatAgent
from ._errors import AgentArgumentTypeError

__all__ = [
    "ApprovalFuncType",
    "ApprovalRequest",
    "ApprovalResponse",
    "CodeExecutorAgent",
    "CodeExecutorAgentConfig",
    "RetryDecision",
]


class CodeExecutorAgentConfig(BaseModel):
    name: str
    code_executor: ComponentModel
    model_client: ComponentModel | None = None
    description: str | None = None
    sources: list[str] | None = None
    system_message: str | None = None
    model_client_stream: bool = False
    model_context: ComponentModel | None = None
    supported_languages: list[str] | None = None


class RetryDecision(BaseModel):
    """The model's answer to "should we retry after this error?"."""

    reason: str
    retry: bool


class CodeExecutorAgent(BaseChatAgent, Component[CodeExecutorAgentConfig]):
    """Executes code from markdown code blocks with a :class:`~accord.code_executors.CodeExecutor`.

    Without a model client it runs the blocks found in incoming TextMessages (from ``sources``, if given) and replies
    with the output. With a model client it asks the model for code, runs it, optionally asks whether to retry after
    an error (``max_retries_on_error``, needs structured output) and ends with the model's reflection on the result.
    ``approval_func`` (sync or async) sees every piece of code before it runs; without one a UserWarning is emitted.
    """

    DEFAULT_TERMINAL_DESCRIPTION = (
        "A computer terminal that performs no other action than running Python scripts (provided to it quoted in "
        "```python code blocks), or sh shell scripts (provided to it quoted in ```sh code blocks)."
    )
    DEFAULT_AGENT_DESCRIPTION = (
        "A Code Execution Agent that generates and executes Python and shell scripts based on user instructions. "
        "It ensures correctness, efficiency, and minimal errors while gracefully handling edge cases."
    )
    DEFAULT_SYSTEM_MESSAGE = (
        "You are a Code Execution Agent. Your role is to generate and execute Python code and shell scripts based on "
        "user instructions, ensuring correctness, efficiency, and minimal errors. Handle edge cases gracefully. Python "
        "code should be provided in ```python code blocks, and sh shell scripts should be provided in ```sh code "
        "blocks for execution."
    )
    NO_CODE_BLOCKS_FOUND_MESSAGE = (
        "No code blocks found in the thread. Please provide at least one markdown-encoded code block to execute "
        "(i.e., quoting code in ```python or ```sh code blocks)."
    )
    DEFAULT_SUPPORTED_LANGUAGES: ClassVar[list[str]] = ["python", "sh"]

    component_config_schema = CodeExecutorAgentConfig
    component_provider_override = "autogen_agentchat.agents.CodeExecutorAgent"

    def __init__(
        self,
        name: str,
        code_executor: CodeExecutor,
        *,
        model_client: ChatCompletionClient | None = None,
        model_context: ChatCompletionContext | None = None,
        model_client_stream: bool = False,
        max_retries_on_error: int = 0,
        description: str | None = None,
        system_message: str | None = DEFAULT_SYSTEM_MESSAGE,
        sources: Sequence[str] | None = None,
        supported_languages: list[str] | None = None,
        approval_func: ApprovalFuncType | None = None,
    ) -> None:
        if description is None:
            description = self.DEFAULT_TERMINAL_DESCRIPTION if model_client is None else self.DEFAULT_AGENT_DESCRIPTION
        super().__init__(name=name, description=description)
        if not isinstance(code_executor, CodeExecutor):
            raise AgentArgumentTypeError(f"code_executor must be a CodeExecutor, got {code_executor!r}")
        if model_client is not None and not quacks_like(model_client, ChatCompletionClient, CHAT_COMPLETION_CLIENT):
            raise AgentArgumentTypeError(f"model_client must be a ChatCompletionClient, got {model_client!r}")
        if isinstance(sources, str):
            raise AgentArgumentTypeError(f"sources must be a list of agent names, got the string {sources!r}")
        if approval_func is not None and not callable(approval_func):
            raise AgentArgumentTypeError(f"approval_func must be callable, got {approval_func!r}")
        self._code_executor = code_executor
        self._sources = list(sources) if sources is not None else None
        self._model_client = model_client
        self._model_client_stream = model_client_stream
        self._max_retries_on_error = max_retries_on_error
        self._approval_func = approval_func
        if approval_func is None:
            warnings.warn(
                "No approval function set for CodeExecutorAgent. This means code will be executed automatically "
                "without human oversight. For security, consider setting an approval_func to review and approve code "
                "before execution.",
                UserWarning,
                stacklevel=2,
            )
        self._supported_languages = list(supported_languages or self.DEFAULT_SUPPORTED_LANGUAGES)
        languages = "|".join(re.escape(lang) for lang in self._supported_languages)
        self._pattern = re.compile(rf"```(?:\s*({languages}))\n([\s\S]*?)```", re.IGNORECASE)
        self._model_context = model_context if model_context is not None else UnboundedChatCompletionContext()
        self._system_messages = [] if system_message is None else [SystemMessage(content=system_message)]
        if max_retries_on_error < 0:
            raise UsageError(f"max_retries_on_error must be >= 0, got {max_retries_on_error}")
        if max_retries_on_error > 0:
            if model_client is None:
                raise UsageError("model_client.model_info must be provided when max_retries_on_error > 0")
            if not model_client.model_info.get("structured_output", False):
                raise UsageError("Specified model_client doesn't support structured output mode.")

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    @property
    def model_context(self) -> ChatCompletionContext:
        return self._model_context

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        response: Response | None = None
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                response = item
        if response is None:
            raise AssertionError("The stream should have returned the final result.")
        return response

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        name = self._name
        client = self._model_client
        if client is None:
            blocks = await self.extract_code_blocks_from_messages(messages)
            if not blocks:
                yield Response(chat_message=TextMessage(content=self.NO_CODE_BLOCKS_FOUND_MESSAGE, source=name))
                return
            result = await self.execute_code_block(blocks, cancellation_token)
            yield Response(chat_message=TextMessage(content=result.output, source=name))
            return

        context = self._model_context
        for msg in messages:
            if isinstance(msg, HandoffMessage):
                for llm_msg in msg.context:
                    await context.add_message(llm_msg)
            await context.add_message(msg.to_model_message())
        inner: list[BaseAgentEvent | BaseChatMessage] = []
        for attempt in range(self._max_retries_on_error + 1):
            model_result: CreateResult | None = None
            async for out in self._call_llm(client, cancellation_token):
                if isinstance(out, CreateResult):
                    model_result = out
                else:
                    yield out
            assert model_result is not None, "No model result was produced."
            if model_result.thought:
                thought = ThoughtEvent(content=model_result.thought, source=name)
                inner.append(thought)
                yield thought
            await context.add_message(
                AssistantMessage(content=model_result.content, source=name, thought=model_result.thought)
            )
            if not isinstance(model_result.content, str):
                raise UsageError("CodeExecutorAgent expected a text answer from the model, got tool calls.")
            blocks = self._extract_markdown_code_blocks(model_result.content)
            if not blocks:
                yield Response(chat_message=TextMessage(content=model_result.content, source=name))
                return
            yield CodeGenerationEvent(
                retry_attempt=attempt, content=model_result.content, code_blocks=blocks, source=name
            )
            result = await self.execute_code_block(blocks, cancellation_token)
            await context.add_message(UserMessage(content=result.output, source=name))
            yield CodeExecutionEvent(retry_attempt=attempt, result=result, source=name)
            if result.exit_code == 0 or attempt == self._max_retries_on_error:
                break
            retry_prompt = (
                f"The most recent code execution resulted in an error:\n{result.output}\n\n"
                "Should we attempt to resolve it? Please respond with:\n"
                "- A boolean value for 'retry' indicating whether it should be retried.\n"
                "- A detailed explanation in 'reason' that identifies the issue, justifies your decision to retry or "
                "not, and outlines how you would resolve the error if a retry is attempted."
            )
            decision_messages = [*await context.get_messages(), UserMessage(content=retry_prompt, source=name)]
            decision = await client.create(
                messages=decision_messages, json_output=RetryDecision, cancellation_token=cancellation_token
            )
            assert isinstance(decision.content, str), "Expected a structured retry decision."
            should = RetryDecision.model_validate_json(decision.content)
            if not should.retry:
                break
            yield CodeGenerationEvent(
                retry_attempt=attempt,
                content=f"Attempt number: {attempt + 1}\nProposed correction: {should.reason}",
                code_blocks=[],
                source=name,
            )

        reflection: CreateResult | None = None
        async for out in self._call_llm(client, cancellation_token):
            if isinstance(out, CreateResult):
                reflection = out
            else:
                yield out
        if reflection is None or not isinstance(reflection.content, str):
            raise RuntimeError("Reflect on tool use produced no valid text response.")
        if reflection.thought:
            thought = ThoughtEvent(content=reflection.thought, source=name)
            inner.append(thought)
            yield thought
        await context.add_message(AssistantMessage(content=reflection.content, source=name, thought=reflection.thought))
        yield Response(
            chat_message=TextMessage(content=reflection.content, source=name, models_usage=reflection.usage),
            inner_messages=inner,
        )

    async def _call_llm(
        self, client: ChatCompletionClient, token: CancellationToken
    ) -> AsyncGenerator[ModelClientStreamingChunkEvent | CreateResult, None]:
        messages: list[LLMMessage] = [*self._system_messages, *await self._model_context.get_messages()]
        if not client.model_info.get("vision", False):
            messages = remove_images(messages)
        if self._model_client_stream:
            result: CreateResult | None = None
            async for chunk in client.create_stream(messages, tools=[], cancellation_token=token):
                if isinstance(chunk, CreateResult):
                    result = chunk
                elif isinstance(chunk, str):
                    yield ModelClientStreamingChunkEvent(content=chunk, source=self._name)
                else:
                    raise RuntimeError(f"Invalid chunk type: {type(chunk)}")
            if result is None:
                raise RuntimeError("No final model result in streaming mode.")
            yield result
        else:
            yield await client.create(messages, tools=[], cancellation_token=token)

    async def extract_code_blocks_from_messages(self, messages: Sequence[BaseChatMessage]) -> list[CodeBlock]:
        """The code blocks of the supported languages in the TextMessages from the allowed sources."""
        blocks: list[CodeBlock] = []
        for msg in messages:
            if (self._sources is None or msg.source in self._sources) and isinstance(msg, TextMessage):
                blocks.extend(self._extract_markdown_code_blocks(msg.content))
        return blocks

    async def execute_code_block(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        """Run the blocks (after approval, if an approval function is set) and make the output readable."""
        if self._approval_func is not None:
            combined = "\n\n".join(f"```{b.language}\n{b.code}\n```" for b in code_blocks)
            decision = await _request_approval(self._approval_func, combined, await self._model_context.get_messages())
            if not decision.approved:
                return CodeResult(exit_code=1, output=f"Code execution was not approved. Reason: {decision.reason}")
        result = await self._code_executor.execute_code_blocks(code_blocks, cancellation_token=cancellation_token)
        if result.output.strip() == "":
            result.output = (
                f"The script ran but produced no output to console. The POSIX exit code was: {result.exit_code}. "
                "If you were expecting output, consider revising the script to ensure content is printed to stdout."
            )
        elif result.exit_code != 0:
            result.output = (
                f"The script ran, then exited with an error (POSIX exit code: {result.exit_code})\n"
                f"Its output was:\n{result.output}"
            )
        return result

    def _extract_markdown_code_blocks(self, markdown_text: str) -> list[CodeBlock]:
        return [
            CodeBlock(code=code, language=(lang or "").strip()) for lang, code in self._pattern.findall(markdown_text)
        ]

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        await self._model_context.clear()

    def _to_config(self) -> CodeExecutorAgentConfig:
        if self._approval_func is not None:
            raise ComponentError(
                "Cannot serialize CodeExecutorAgent with approval_func set. The approval function is not serializable."
            )
        return CodeExecutorAgentConfig(
            name=self._name,
            model_client=self._model_client.dump_component() if self._model_client is not None else None,
            code_executor=self._code_executor.dump_component(),
            description=self._description,
            sources=self._sources,
            system_message=self._system_messages[0].content if self._system_messages else None,
            model_client_stream=self._model_client_stream,
            model_context=self._model_context.dump_component(),
            supported_languages=self._supported_languages,
        )

    @classmethod
    def _from_config(cls, config: CodeExecutorAgentConfig) -> Self:
        return cls(
            name=config.name,
            code_executor=CodeExecutor.load_component(config.code_executor),
            model_client=ChatCompletionClient.load_component(config.model_client) if config.model_client else None,
            description=config.description,
            sources=config.sources,
            system_message=config.system_message,
            model_client_stream=config.model_client_stream,
            model_context=ChatCompletionContext.load_component(config.model_context) if config.model_context else None,
            supported_languages=config.supported_languages,
        )
