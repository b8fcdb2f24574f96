"""The caller side of a tool agent: model → tool calls → tool agent → model, until the model answers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core import AgentId, CancellationToken, FunctionCall
from ._tool_agent import ToolException

if TYPE_CHECKING:
    from ...core import AgentRuntime, BaseAgent
    from ...models import ChatCompletionClient, LLMMessage

__all__ = ["tool_agent_caller_loop"]


async def tool_agent_caller_loop(
    caller: BaseAgent | AgentRuntime,
    tool_agent_id: AgentId,
    model_client: ChatCompletionClient,
    input_messages: list[LLMMessage],
    tool_schema: Sequence[Any],
    cancellation_token: CancellationToken | None = None,
    caller_source: str = "assistant",
    *,
    max_iterations: int | None = None,
) -> list[LLMMessage]:
    """Alternate between the model and the tool agent until the model stops requesting tools.

    Tool failures (:class:`ToolException`) go back to the model as error results. ``max_iterations`` (accord)
    bounds the number of tool rounds; when reached the loop returns what it has, ending with the last model
    response. Returns the messages created by the loop.
    """
    from ...models import AssistantMessage, FunctionExecutionResult, FunctionExecutionResultMessage

    tools = list(tool_schema)
    generated: list[LLMMessage] = []
    response = await model_client.create(input_messages, tools=tools, cancellation_token=cancellation_token)
    generated.append(AssistantMessage(content=response.content, source=caller_source))
    rounds = 0
    while isinstance(response.content, list) and all(isinstance(c, FunctionCall) for c in response.content):
        if max_iterations is not None and rounds >= max_iterations:
            break
        rounds += 1
        outcomes = await asyncio.gather(
            *[
                caller.send_message(call, tool_agent_id, cancellation_token=cancellation_token)
                for call in response.content
            ],
            return_exceptions=True,
        )
        results: list[FunctionExecutionResult] = []
        for outcome in outcomes:
            if isinstance(outcome, FunctionExecutionResult):
                results.append(outcome)
            elif isinstance(outcome, ToolException):
                results.append(
                    FunctionExecutionResult(
                        content=outcome.content, call_id=outcome.call_id, is_error=True, name=outcome.name
                    )
                )
            elif isinstance(outcome, BaseException):
                raise outcome
        generated.append(FunctionExecutionResultMessage(content=results))
        response = await model_client.create(
            [*input_messages, *generated], tools=tools, cancellation_token=cancellation_token
        )
        generated.append(AssistantMessage(content=response.content, source=caller_source))
    return generated
