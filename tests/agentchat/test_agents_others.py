"""UserProxyAgent, CodeExecutorAgent, SocietyOfMindAgent, MessageFilterAgent, AgentTool/TeamTool and BaseChatAgent."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncGenerator, Iterator, Sequence
from pathlib import Path

import pytest

from accord.agents import (
    ApprovalRequest,
    ApprovalResponse,
    AssistantAgent,
    BaseChatAgent,
    CodeExecutorAgent,
    MessageFilterAgent,
    MessageFilterConfig,
    PerSourceFilter,
    SocietyOfMindAgent,
    UserProxyAgent,
)
from accord.agents.tools import AgentTool, TeamTool
from accord.base import Response, TaskResult
from accord.code_executors.local import LocalCommandLineCodeExecutor
from accord.conditions import MaxMessageTermination
from accord.core import CancellationToken
from accord.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    CodeExecutionEvent,
    CodeGenerationEvent,
    HandoffMessage,
    TextMessage,
    UserInputRequestedEvent,
)
from accord.models import ModelInfo, SystemMessage, UserMessage
from accord.models.replay import ReplayChatCompletionClient
from accord.teams import RoundRobinGroupChat
from accord.testing import ScriptedChatCompletionClient, tool_call


class Echo(BaseChatAgent):
    """Answers with the text of the messages it received, joined by '|'."""

    def __init__(self, name: str) -> None:
        super().__init__(name, "echoes")
        self.seen: list[list[str]] = []

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        texts = [m.to_text() for m in messages]
        self.seen.append(texts)
        return Response(chat_message=TextMessage(content="|".join(texts) or "nothing", source=self.name))

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        self.seen.clear()


# ---- BaseChatAgent -------------------------------------------------------------------------------------------


async def test_base_chat_agent_run_and_stream() -> None:
    agent = Echo("echo")
    result = await agent.run(task="hi")
    assert [m.to_text() for m in result.messages] == ["hi", "hi"]
    items = [i async for i in agent.run_stream(task=[TextMessage(content="a", source="x")])]
    assert isinstance(items[-1], TaskResult) and [m.to_text() for m in items[-1].messages] == ["a", "a"]
    assert await agent.save_state() == {"type": "BaseState", "version": "1.0.0"}
    await agent.load_state({"type": "BaseState", "version": "1.0.0"})
    with pytest.raises(ValueError, match="valid Python identifier, got '1x'"):
        Echo("1x")


async def test_run_with_token_cancels_work_that_ignores_it() -> None:
    class Stuck(Echo):
        async def on_messages(
            self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
        ) -> Response:
            await asyncio.Event().wait()  # never looks at the token
            raise AssertionError

    token = CancellationToken()
    run = asyncio.ensure_future(Stuck("stuck").run(task="x", cancellation_token=token))
    await asyncio.sleep(0)
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert token._callbacks == []  # type: ignore[attr-defined]  # the link was removed


# ---- UserProxyAgent ------------------------------------------------------------------------------------------


async def test_user_proxy_sync_and_async_input() -> None:
    prompts: list[str] = []

    def sync_input(prompt: str) -> str:
        prompts.append(prompt)
        return "yes"

    agent = UserProxyAgent("user", input_func=sync_input)
    result = await agent.run(task="continue?")
    assert isinstance(result.messages[-1], TextMessage) and result.messages[-1].content == "yes"
    assert prompts == ["Enter your response: "]

    ids: list[str] = []

    async def async_input(prompt: str, token: CancellationToken | None) -> str:
        ids.append(UserProxyAgent.InputRequestContext.request_id())
        return "async yes"

    agent2 = UserProxyAgent("user", input_func=async_input)
    items = [i async for i in agent2.run_stream(task="q")]
    event = next(i for i in items if isinstance(i, UserInputRequestedEvent))
    assert ids == [event.request_id]
    assert isinstance(items[-1], TaskResult) and items[-1].messages[-1].to_text() == "async yes"
    with pytest.raises(RuntimeError, match="must be called within the input callback"):
        UserProxyAgent.InputRequestContext.request_id()


async def test_user_proxy_handoff_reply() -> None:
    agent = UserProxyAgent("user", input_func=lambda prompt: f"answer to [{prompt}]")
    handoff = HandoffMessage(content="your turn", target="user", source="planner")
    response = await agent.on_messages([handoff], CancellationToken())
    msg = response.chat_message
    assert isinstance(msg, HandoffMessage) and msg.target == "planner"
    assert msg.content == "answer to [Handoff received from planner. Enter your response: ]"
    with pytest.raises(RuntimeError, match="does not match agent name"):
        await agent.on_messages([HandoffMessage(content="x", target="other", source="p")], CancellationToken())


async def test_user_proxy_input_errors_and_cancellation() -> None:
    def broken(prompt: str) -> str:
        raise OSError("no terminal")

    with pytest.raises(RuntimeError, match="Failed to get user input: no terminal"):
        await UserProxyAgent("user", input_func=broken).run(task="x")

    waiting = asyncio.Event()

    async def forever(prompt: str, token: CancellationToken | None) -> str:
        waiting.set()
        await asyncio.Event().wait()
        return ""

    token = CancellationToken()
    run = asyncio.ensure_future(UserProxyAgent("user", input_func=forever).run(task="x", cancellation_token=token))
    await waiting.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    model = UserProxyAgent("user", input_func=broken).dump_component()
    assert model.provider == "autogen_agentchat.agents.UserProxyAgent" and "input_func" not in model.config


# ---- CodeExecutorAgent ----------------------------------------------------------------------------------------


@pytest.fixture
def work_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def approve(request: ApprovalRequest) -> ApprovalResponse:
    return ApprovalResponse(approved=True, reason="ok")


async def test_code_executor_without_model(work_dir: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=work_dir)
    agent = CodeExecutorAgent("runner", executor, approval_func=approve)
    result = await agent.run(task="```python\nprint(6 * 7)\n```")
    assert result.messages[-1].to_text() == "42\n"
    nothing = await agent.run(task="no code here")
    assert nothing.messages[-1].to_text() == CodeExecutorAgent.NO_CODE_BLOCKS_FOUND_MESSAGE
    failing = await agent.run(task="```python\nimport sys\nprint('bad')\nsys.exit(2)\n```")
    assert failing.messages[-1].to_text() == (
        "The script ran, then exited with an error (POSIX exit code: 2)\nIts output was:\nbad\n"
    )
    silent = await agent.run(task="```python\nx = 1\n```")
    assert silent.messages[-1].to_text().startswith("The script ran but produced no output to console.")
    only = CodeExecutorAgent("runner2", executor, approval_func=approve, sources=["coder"])
    ignored = await only.run(task=TextMessage(content="```python\nprint(1)\n```", source="someone"))
    assert ignored.messages[-1].to_text() == CodeExecutorAgent.NO_CODE_BLOCKS_FOUND_MESSAGE


async def test_code_executor_approval_denied_and_warning(work_dir: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=work_dir)
    seen: list[str] = []

    async def deny(request: ApprovalRequest) -> ApprovalResponse:
        seen.append(request.code)
        return ApprovalResponse(approved=False, reason="looks dangerous")

    agent = CodeExecutorAgent("runner", executor, approval_func=deny)
    result = await agent.run(task="```sh\necho hi\n```")
    assert result.messages[-1].to_text() == "Code execution was not approved. Reason: looks dangerous"
    assert seen == ["```sh\necho hi\n\n```"]
    with pytest.raises(ValueError, match="approval_func set"):
        agent.dump_component()
    with pytest.warns(UserWarning, match="No approval function set"):
        unguarded = CodeExecutorAgent("runner", executor)
    model = unguarded.dump_component()
    assert model.provider == "autogen_agentchat.agents.CodeExecutorAgent"


async def test_code_executor_with_model_retries_then_reflects(work_dir: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=work_dir)
    client = ScriptedChatCompletionClient(
        [
            "Let me try:\n```python\nraise SystemExit(1)\n```",
            '{"reason": "exit code 1, print instead", "retry": true}',
            "Fixed:\n```python\nprint('ok')\n```",
            "It printed ok.",
        ]
    )
    agent = CodeExecutorAgent("coder", executor, model_client=client, max_retries_on_error=2, approval_func=approve)
    items = [i async for i in agent.run_stream(task="print ok")]
    kinds = [type(i).__name__ for i in items]
    assert kinds == [
        "TextMessage",
        "CodeGenerationEvent",
        "CodeExecutionEvent",
        "CodeGenerationEvent",
        "CodeGenerationEvent",
        "CodeExecutionEvent",
        "TextMessage",
        "TaskResult",
    ]
    retry_note = items[3]
    assert isinstance(retry_note, CodeGenerationEvent)
    assert retry_note.content == "Attempt number: 1\nProposed correction: exit code 1, print instead"
    final_exec = items[5]
    assert isinstance(final_exec, CodeExecutionEvent) and final_exec.result.output == "ok\n"
    assert items[-2].to_text() == "It printed ok."
    assert client.calls[1].json_output is not None
    client.assert_complete()


async def test_code_executor_model_without_code_and_bad_retry_config(work_dir: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=work_dir)
    agent = CodeExecutorAgent(
        "coder", executor, model_client=ScriptedChatCompletionClient(["Nothing to run."]), approval_func=approve
    )
    assert (await agent.run(task="hi")).messages[-1].to_text() == "Nothing to run."
    no_structured = ModelInfo(
        vision=False, function_calling=False, json_output=False, family="unknown", structured_output=False
    )
    with pytest.raises(ValueError, match="doesn't support structured output"):
        CodeExecutorAgent(
            "coder",
            executor,
            model_client=ReplayChatCompletionClient([], model_info=no_structured),
            max_retries_on_error=1,
            approval_func=approve,
        )


# ---- MessageFilterAgent ----------------------------------------------------------------------------------------


async def test_message_filter_agent() -> None:
    inner = Echo("inner")
    agent = MessageFilterAgent(
        "filtered",
        inner,
        MessageFilterConfig(
            per_source=[PerSourceFilter(source="user", position="first", count=1), PerSourceFilter(source="b")]
        ),
    )
    msgs = [
        TextMessage(content="u1", source="user"),
        TextMessage(content="a1", source="a"),
        TextMessage(content="b1", source="b"),
        TextMessage(content="u2", source="user"),
        TextMessage(content="b2", source="b"),
    ]
    response = await agent.on_messages(msgs, CancellationToken())
    assert response.chat_message.to_text() == "u1|b1|b2"
    last = MessageFilterAgent(
        "last", Echo("e2"), MessageFilterConfig(per_source=[PerSourceFilter(source="b", position="last", count=1)])
    )
    items = [i async for i in last.on_messages_stream(msgs, CancellationToken())]
    assert isinstance(items[-1], Response) and items[-1].chat_message.to_text() == "b2"
    assert agent.produced_message_types == (TextMessage,)
    await agent.on_reset(CancellationToken())
    assert inner.seen == []


# ---- SocietyOfMindAgent ----------------------------------------------------------------------------------------


async def test_society_of_mind_agent() -> None:
    writer = AssistantAgent("writer", ReplayChatCompletionClient(["draft 1", "draft 2"]))
    critic = AssistantAgent("critic", ReplayChatCompletionClient(["looks good", "fine"]))
    # the task message counts, as in AutoGen: task + writer + critic
    team = RoundRobinGroupChat([writer, critic], termination_condition=MaxMessageTermination(3))
    one_system = ModelInfo(
        vision=False, function_calling=False, json_output=False, family="unknown", structured_output=False
    )
    summary_client = ScriptedChatCompletionClient(["Final answer.", "Second answer."], model_info=one_system)
    agent = SocietyOfMindAgent("society", team, summary_client)
    items = [i async for i in agent.run_stream(task="write a poem")]
    assert [type(i).__name__ for i in items] == [
        "TextMessage",
        "TextMessage",
        "TextMessage",
        "TextMessage",
        "TaskResult",
    ]
    result = items[-1]
    assert isinstance(result, TaskResult) and result.messages[-1].to_text() == "Final answer."
    prompt = summary_client.calls[0].messages
    assert prompt[0] == UserMessage(content=SocietyOfMindAgent.DEFAULT_INSTRUCTION, source="user")
    assert [m.content for m in prompt[1:3]] == ["draft 1", "looks good"]
    assert prompt[-1] == UserMessage(content=SocietyOfMindAgent.DEFAULT_RESPONSE_PROMPT, source="user")
    # second run: the earlier exchange reaches the team as a handoff context; the team was reset
    second = await agent.run(task="again")
    assert second.messages[-1].to_text() == "Second answer."
    state = await agent.save_state()
    assert state["type"] == "SocietyOfMindAgentState"
    await agent.load_state(state)


async def test_society_of_mind_uses_system_messages_when_allowed() -> None:
    info = ModelInfo(
        vision=False,
        function_calling=False,
        json_output=False,
        family="unknown",
        structured_output=False,
        multiple_system_messages=True,
    )
    team = RoundRobinGroupChat([AssistantAgent("a", ReplayChatCompletionClient(["x"]))], max_turns=1)
    client = ScriptedChatCompletionClient(["done"], model_info=info)
    await SocietyOfMindAgent("s", team, client).run(task="t")
    assert isinstance(client.calls[0].messages[0], SystemMessage)


# ---- AgentTool / TeamTool ---------------------------------------------------------------------------------------


async def test_agent_tool_streams_inner_events_into_the_caller() -> None:
    helper = AssistantAgent("helper", ReplayChatCompletionClient(["helper says 42"]), description="Knows answers.")
    tool = AgentTool(helper)
    assert tool.name == "helper" and tool.description == "Knows answers."
    assert tool.schema.get("strict") is True
    caller_model = ScriptedChatCompletionClient([tool_call("helper", {"task": "what is it?"})])
    caller = AssistantAgent("caller", caller_model, tools=[tool])
    result = await caller.run(task="ask the helper")
    kinds = [type(m).__name__ for m in result.messages]
    # the helper's reply is streamed into the caller's run; the task message is not repeated
    assert kinds == [
        "TextMessage",
        "ToolCallRequestEvent",
        "TextMessage",
        "ToolCallExecutionEvent",
        "ToolCallSummaryMessage",
    ]
    assert result.messages[2].source == "helper"
    assert result.messages[-1].to_text() == "helper: helper says 42"
    model = tool.dump_component()
    assert model.provider == "autogen_agentchat.tools.AgentTool"
    again = AgentTool.load_component(model)
    assert again.name == "helper"


async def test_team_tool_last_message_and_state() -> None:
    a = AssistantAgent("a", ReplayChatCompletionClient(["first", "x"]))
    b = AssistantAgent("b", ReplayChatCompletionClient(["second", "y"]))
    team = RoundRobinGroupChat(
        [a, b], termination_condition=MaxMessageTermination(3)
    )  # the task message counts, as in AutoGen
    tool = TeamTool(team, name="pair", description="two agents", return_value_as_last_message=True)
    result = await tool.run_json({"task": "go"}, CancellationToken())
    assert isinstance(result, TaskResult)
    assert tool.return_value_as_string(result) == "second"
    state = await tool.save_state_json()
    await tool.load_state_json(state)
    with pytest.raises(TypeError, match="TeamTool wraps a team"):
        TeamTool(a, name="x", description="y")  # type: ignore[arg-type]


async def test_custom_stream_events_from_tools_reach_the_stream() -> None:
    class Streamer(BaseChatAgent):
        @property
        def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
            return (TextMessage,)

        async def on_messages(
            self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
        ) -> Response:
            raise AssertionError("streaming is used")

        async def on_messages_stream(
            self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
        ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
            yield TextMessage(content="step", source=self.name)
            yield Response(chat_message=TextMessage(content="done", source=self.name))

        async def on_reset(self, cancellation_token: CancellationToken) -> None:
            return None

    tool = AgentTool(Streamer("streamer", "streams"), return_value_as_last_message=True)
    caller = AssistantAgent(
        "caller", ScriptedChatCompletionClient([tool_call("streamer", {"task": "t"})]), tools=[tool]
    )
    items = [i async for i in caller.run_stream(task="x")]
    texts = [i.to_text() for i in items if isinstance(i, TextMessage)]
    assert texts == ["x", "step", "done"]
    result = items[-1]
    assert isinstance(result, TaskResult) and result.messages[-1].to_text() == "done"  # the summary


async def test_cancellation_reaches_an_agent_running_as_a_tool() -> None:
    inner_started = asyncio.Event()
    inner_cancelled = asyncio.Event()

    async def hang(_: object) -> str:
        inner_started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            inner_cancelled.set()
            raise
        return "never"

    inner = AssistantAgent("inner", ScriptedChatCompletionClient([hang]))
    outer = AssistantAgent(
        "outer", ScriptedChatCompletionClient([tool_call("inner", {"task": "work"})]), tools=[AgentTool(inner)]
    )
    token = CancellationToken()
    run = asyncio.ensure_future(outer.run(task="delegate", cancellation_token=token))
    await inner_started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert inner_cancelled.is_set()
