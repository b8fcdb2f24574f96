"""The effect boundaries of a journaled run: model calls, tool calls, code execution, human input.

Every model client, tool, workbench, code executor and user proxy reachable from the team is patched for the run
(an instance attribute over the class's method, removed afterwards), so each call goes through
:meth:`Recorder.effect`: served from the journal when its result is there, else executed and journaled. Nothing in
the agents or teams knows about the journal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import operator
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..base import ChatAgent, Team
from ..code_executors import CodeExecutor, CodeResult, CommandLineCodeResult
from ..models import ChatCompletionClient, CreateResult
from ..models.wrappers._base import model_name
from ..tools import BaseTool, StaticWorkbench, ToolResult, Workbench
from ._records import blob_hash, dumps

if TYPE_CHECKING:
    from ._recorder import Recorder

__all__ = ["JournaledToolError", "Patches", "patch_effects"]


class JournaledToolError(Exception):
    """A tool error served from the journal (its text is the text the tool's error gave when it ran)."""


class _RequestEncoder:
    """Model requests as deltas: each LLM message is stored once (by hash), a request names its new messages."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.hashes: dict[int, tuple[Any, str]] = {}
        self.previous: dict[tuple[int, str], tuple[list[Any], list[str]]] = {}
        self.options_hashes: dict[str, str] = {}

    def message_hash(self, message: Any) -> str:
        cached = self.hashes.get(id(message))
        if cached is not None and cached[0] is message:
            return cached[1]
        text = dumps(message.model_dump(mode="json") if hasattr(message, "model_dump") else message)
        digest = blob_hash(text)
        self.recorder.blob(digest, text)
        self.hashes[id(message)] = (message, digest)
        return digest

    def encode(self, client: ChatCompletionClient, agent: str, messages: Sequence[Any], options: dict[str, Any]) -> Any:
        """``{model, keep, add, options}``: the first ``keep`` messages are the previous request's of this client."""
        slot = (id(client), agent)
        before, before_hashes = self.previous.get(slot, ([], []))
        current = list(messages)
        keep = 0
        if before and len(before) <= len(current):
            same = list(map(operator.is_, before, current))
            keep = len(before) if all(same) else same.index(False)
        hashes = before_hashes[:keep] + [self.message_hash(m) for m in current[keep:]]
        self.previous[slot] = (current, hashes)
        options_text = dumps(options)
        options_hash = self.options_hashes.get(options_text)
        if options_hash is None:
            options_hash = blob_hash(options_text)
            self.recorder.blob(options_hash, options_text)
            self.options_hashes[options_text] = options_hash
        return {"model": model_name(client), "keep": keep, "add": hashes[keep:], "options": options_hash}


def _tools_json(tools: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for tool in tools:
        schema = getattr(tool, "schema", tool)
        out.append(schema if isinstance(schema, dict) else str(schema))
    return out


def _options(tools: Sequence[Any], tool_choice: Any, json_output: Any, extra: Any) -> dict[str, Any]:
    return {
        "tools": _tools_json(tools),
        "tool_choice": tool_choice if isinstance(tool_choice, str) else getattr(tool_choice, "name", str(tool_choice)),
        "json_output": json_output if isinstance(json_output, bool | None) else getattr(json_output, "__name__", "?"),
        "extra": dict(extra),
    }


class Patches:
    """The instance attributes set for a run; :meth:`undo` puts every object back as it was."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []
        self._seen: set[int] = set()

    def set(self, obj: Any, name: str, value: Any) -> None:
        had = name in vars(obj)
        old = vars(obj).get(name)

        def undo() -> None:
            if had:
                setattr(obj, name, old)
            else:
                vars(obj).pop(name, None)

        setattr(obj, name, value)
        self._undo.append(undo)

    def undo(self) -> None:
        while self._undo:
            self._undo.pop()()


def patch_effects(root: Any, recorder: Recorder) -> Patches:
    """Route every effect reachable from ``root`` through ``recorder``."""
    patches = Patches()
    encoder = _RequestEncoder(recorder)
    _walk(root, recorder, encoder, patches, depth=0)
    return patches


def _walk(obj: Any, recorder: Recorder, encoder: _RequestEncoder, patches: Patches, depth: int) -> None:
    if depth > 12 or id(obj) in patches._seen:
        return
    if isinstance(obj, list | tuple | set | frozenset):
        for item in obj:
            _walk(item, recorder, encoder, patches, depth + 1)
        return
    if isinstance(obj, dict):
        for item in obj.values():
            _walk(item, recorder, encoder, patches, depth + 1)
        return
    if not hasattr(obj, "__dict__"):
        return
    patches._seen.add(id(obj))
    if isinstance(obj, ChatCompletionClient):
        _patch_model(obj, recorder, encoder, patches)
        return  # a wrapping client's inner clients are called through it: journaled once, at the outside
    if isinstance(obj, CodeExecutor):
        _patch_executor(obj, recorder, patches)
        return
    if isinstance(obj, BaseTool):
        _patch_tool(obj, recorder, patches)
    elif isinstance(obj, Workbench) and not isinstance(obj, StaticWorkbench):
        _patch_workbench(obj, recorder, patches)
        return
    if _is_user_proxy(obj):
        _patch_human(obj, recorder, patches)
    if isinstance(obj, ChatAgent | Team | BaseTool | Workbench) or _is_runtime_agent(obj):
        for value in list(vars(obj).values()):
            if _worth_visiting(value):
                _walk(value, recorder, encoder, patches, depth + 1)


def _worth_visiting(value: Any) -> bool:
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return False
    return isinstance(value, list | tuple | set | frozenset | dict) or hasattr(value, "__dict__")


def _is_runtime_agent(obj: Any) -> bool:
    from ..teams._container import ChatAgentContainer
    from ..teams._manager import BaseGroupChatManager

    return isinstance(obj, BaseGroupChatManager | ChatAgentContainer)


def _is_user_proxy(obj: Any) -> bool:
    from ..agents import UserProxyAgent

    return isinstance(obj, UserProxyAgent)


# ---------------------------------------------------------------- model calls


def _patch_model(client: ChatCompletionClient, recorder: Recorder, encoder: _RequestEncoder, patches: Patches) -> None:
    inner_create = client.create
    inner_stream = client.create_stream

    async def create(messages: Sequence[Any], **kwargs: Any) -> CreateResult:
        options = _options(
            kwargs.get("tools", []), kwargs.get("tool_choice", "auto"), kwargs.get("json_output"),
            kwargs.get("extra_create_args", {}),
        )  # fmt: skip

        async def live() -> CreateResult:
            return await inner_create(messages, **kwargs)

        return await recorder.effect(  # type: ignore[no-any-return]
            "model",
            lambda agent: encoder.encode(client, agent, messages, options),
            live,
            encode=lambda r: {"result": r.model_dump(mode="json"), "model": model_name(client)},
            decode=lambda d: CreateResult.model_validate(d["result"]),
            idempotent=True,
            describe=f"a call to model {model_name(client)}",
        )

    async def create_stream(messages: Sequence[Any], **kwargs: Any) -> AsyncGenerator[str | CreateResult, None]:
        options = _options(
            kwargs.get("tools", []), kwargs.get("tool_choice", "auto"), kwargs.get("json_output"),
            kwargs.get("extra_create_args", {}),
        )  # fmt: skip
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        async def live() -> dict[str, Any]:
            chunks: list[str] = []
            result: CreateResult | None = None
            async for item in inner_stream(messages, **kwargs):
                if isinstance(item, CreateResult):
                    result = item
                else:
                    chunks.append(item)
                    queue.put_nowait(item)
            if result is None:
                raise RuntimeError(f"The stream of model {model_name(client)} ended without a CreateResult")
            return {"chunks": chunks, "result": result.model_dump(mode="json"), "model": model_name(client)}

        task = asyncio.ensure_future(
            recorder.effect(
                "model",
                lambda agent: {**encoder.encode(client, agent, messages, options), "stream": True},
                live,
                encode=lambda r: r,
                decode=lambda d: d,
                idempotent=True,
                describe=f"a streamed call to model {model_name(client)}",
            )
        )
        task.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            streamed = 0
            while True:
                chunk = await queue.get()
                if chunk is None:
                    break
                streamed += 1
                yield chunk
            data = await task
            for chunk in data["chunks"][streamed:]:  # served from the journal: the chunks as they came
                yield chunk
            yield CreateResult.model_validate(data["result"])
        finally:
            if not task.done():
                task.cancel()

    patches.set(client, "create", create)
    patches.set(client, "create_stream", create_stream)


# ---------------------------------------------------------------- tools and workbenches


def _patch_tool(tool: BaseTool[Any, Any], recorder: Recorder, patches: Patches) -> None:
    inner = tool.run_json
    idempotent = bool(getattr(tool, "idempotent", False)) or _runs_agents(tool)

    async def run_json(args: Any, cancellation_token: Any, call_id: str | None = None) -> Any:
        async def live() -> Any:
            try:
                value = await inner(args, cancellation_token, call_id=call_id)
            except Exception as e:
                from ..tools._workbench import format_error

                return _ToolFailure(format_error(e))
            return value

        value = await recorder.effect(
            "tool",
            lambda agent: {"tool": tool.name, "args": dict(args)},
            live,
            encode=lambda v: {"error": v.text} if isinstance(v, _ToolFailure) else {"text": tool.return_value_as_string(v)},
            decode=lambda d: _ToolFailure(d["error"]) if "error" in d else d["text"],
            idempotent=idempotent,
            describe=f"a call to tool {tool.name}",
        )
        if isinstance(value, _ToolFailure):
            raise JournaledToolError(value.text)
        return value

    patches.set(tool, "run_json", run_json)


@dataclasses.dataclass
class _ToolFailure:
    text: str


def _runs_agents(tool: Any) -> bool:
    """AgentTool/TeamTool: their inner effects are journaled too, so re-running one serves what already happened."""
    return any(isinstance(v, ChatAgent | Team) for v in vars(tool).values())


def _patch_workbench(wb: Workbench, recorder: Recorder, patches: Patches) -> None:
    inner_call = wb.call_tool
    inner_list = wb.list_tools
    idempotent = bool(getattr(wb, "idempotent", False))
    name = type(wb).__name__

    async def list_tools() -> list[Any]:
        return await recorder.effect(  # type: ignore[no-any-return]
            "tools.list",
            lambda agent: {"workbench": name},
            inner_list,
            encode=lambda v: {"tools": [dict(t) for t in v]},
            decode=lambda d: d["tools"],
            idempotent=True,
            describe=f"the tool list of {name}",
        )

    async def call_tool(tool_name: str, arguments: Any = None, cancellation_token: Any = None, call_id: Any = None) -> Any:
        async def live() -> ToolResult:
            return await inner_call(tool_name, arguments, cancellation_token, call_id)

        return await recorder.effect(
            "tool",
            lambda agent: {"tool": tool_name, "args": dict(arguments or {})},
            live,
            encode=lambda r: {"tool_result": r.model_dump(mode="json")},
            decode=lambda d: ToolResult.model_validate(d["tool_result"]),
            idempotent=idempotent,
            describe=f"a call to tool {tool_name} of {name}",
        )

    async def call_tool_stream(
        tool_name: str, arguments: Any = None, cancellation_token: Any = None, call_id: Any = None
    ) -> AsyncGenerator[Any, None]:
        yield await call_tool(tool_name, arguments, cancellation_token, call_id)

    patches.set(wb, "list_tools", list_tools)
    patches.set(wb, "call_tool", call_tool)
    if hasattr(wb, "call_tool_stream"):
        patches.set(wb, "call_tool_stream", call_tool_stream)


# ---------------------------------------------------------------- code execution


def _patch_executor(executor: CodeExecutor, recorder: Recorder, patches: Patches) -> None:
    inner = executor.execute_code_blocks
    idempotent = bool(getattr(executor, "idempotent", False))

    async def execute_code_blocks(code_blocks: Sequence[Any], cancellation_token: Any = None) -> CodeResult:
        async def live() -> CodeResult:
            return await inner(code_blocks, cancellation_token=cancellation_token)

        return await recorder.effect(  # type: ignore[no-any-return]
            "code",
            lambda agent: {"blocks": [{"code": b.code, "language": b.language} for b in code_blocks]},
            live,
            encode=_encode_code_result,
            decode=_decode_code_result,
            idempotent=idempotent,
            describe=f"code execution in {type(executor).__name__}",
        )

    patches.set(executor, "execute_code_blocks", execute_code_blocks)


def _encode_code_result(result: CodeResult) -> dict[str, Any]:
    data = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else {}
    data.setdefault("exit_code", result.exit_code)
    data.setdefault("output", result.output)
    return {"code_result": data}


def _decode_code_result(data: dict[str, Any]) -> CodeResult:
    fields = dict(data["code_result"])
    if "code_file" in fields:
        return CommandLineCodeResult(
            exit_code=fields["exit_code"], output=fields["output"], code_file=fields["code_file"]
        )
    return CodeResult(exit_code=fields["exit_code"], output=fields["output"])


# ---------------------------------------------------------------- human input


def _patch_human(agent: Any, recorder: Recorder, patches: Patches) -> None:
    inner: Callable[..., Any] = agent.input_func
    is_async: bool = agent._is_async

    async def ask(prompt: str, cancellation_token: Any = None) -> str:
        async def live() -> str:
            if is_async:
                return str(await inner(prompt, cancellation_token))
            loop = asyncio.get_running_loop()
            future: Awaitable[Any] = loop.run_in_executor(None, inner, prompt)
            return str(await future)

        return await recorder.effect(  # type: ignore[no-any-return]
            "human",
            lambda _agent: {"prompt": prompt, "agent": agent.name},
            live,
            encode=lambda text: {"text": text},
            decode=lambda d: d["text"],
            idempotent=True,
            describe=f"input from the human ({agent.name})",
            human=agent.name,
        )

    patches.set(agent, "input_func", ask)
    patches.set(agent, "_is_async", True)


def result_from_text(kind: str, text: str) -> Any:
    """The journaled form of a result a person gave for an effect (``--skip-with TEXT``)."""
    if kind == "code":
        return {"code_result": {"exit_code": 0, "output": text}}
    if kind == "human":
        return {"text": text}
    return {"text": text}
