"""GuardedWorkbench: per-tool approval (auto / ask an async approver / deny) and a tool-call budget.

Approval is added by wrapping any workbench, so it works the same for function tools and MCP servers::

    guarded = GuardedWorkbench(
        mcp_workbench,
        approval={"read_file": "auto", "write_file": "ask", "*": "deny"},
        approver=ask_a_human,
        max_tool_calls=20,
    )
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from pydantic import BaseModel

from .._errors import ComponentError, UsageError
from ..core import CancellationToken, Component, ComponentModel
from ._result import TextResultContent, ToolResult
from ._schema import ToolSchema
from ._workbench import StreamWorkbench, Workbench

__all__ = [
    "ApprovalMode",
    "Approver",
    "GuardedWorkbench",
    "GuardedWorkbenchConfig",
    "ToolApprovalDecision",
    "ToolApprovalRequest",
]

ApprovalMode = Literal["auto", "ask", "deny"]
_MODES = ("auto", "ask", "deny")


@dataclass(frozen=True)
class ToolApprovalRequest:
    """What an approver is asked about: one tool call."""

    tool_name: str
    arguments: Mapping[str, Any]
    call_id: str | None = None


@dataclass(frozen=True)
class ToolApprovalDecision:
    """An approver's answer; ``reason`` is shown to the model when the call is refused."""

    approved: bool
    reason: str | None = field(default=None)


Approver = Callable[[ToolApprovalRequest], Awaitable[bool | ToolApprovalDecision] | bool | ToolApprovalDecision]


class GuardedWorkbenchConfig(BaseModel):
    workbench: ComponentModel
    approval: dict[str, ApprovalMode] | ApprovalMode = "auto"
    max_tool_calls: int | None = None


class GuardedWorkbench(StreamWorkbench, Component[GuardedWorkbenchConfig]):
    """Wrap ``workbench`` so that each tool call is approved first and the number of calls is limited.

    Args:
        workbench: the workbench whose tools are guarded.
        approval: one mode for all tools, or tool name → mode with ``"*"`` as the default (``"auto"`` if absent).
            ``"auto"`` runs the call, ``"ask"`` awaits ``approver``, ``"deny"`` hides the tool and refuses calls.
        approver: called for ``"ask"`` tools with a :class:`ToolApprovalRequest`; returns a bool or a
            :class:`ToolApprovalDecision` (sync or async).
        max_tool_calls: how many calls this workbench runs before refusing more (``reset()`` starts over).
            Give each agent its own GuardedWorkbench to make this a per-agent limit.
    """

    component_provider_override = "accord.tools.GuardedWorkbench"
    component_config_schema = GuardedWorkbenchConfig

    def __init__(
        self,
        workbench: Workbench,
        *,
        approval: Mapping[str, ApprovalMode] | ApprovalMode = "auto",
        approver: Approver | None = None,
        max_tool_calls: int | None = None,
    ) -> None:
        modes = {"*": approval} if isinstance(approval, str) else dict(approval)
        for tool, mode in modes.items():
            if mode not in _MODES:
                raise UsageError(f"Approval mode {mode!r} for tool {tool!r} is not one of {list(_MODES)}")
        if approver is None and "ask" in modes.values():
            raise UsageError("Approval mode 'ask' needs an approver: pass approver=<async function>")
        if max_tool_calls is not None and max_tool_calls < 0:
            raise UsageError(f"max_tool_calls must be >= 0, got {max_tool_calls}")
        self._inner = workbench
        self._approval = approval
        self._modes = modes
        self._approver = approver
        self._max_tool_calls = max_tool_calls
        self._calls = 0

    @property
    def workbench(self) -> Workbench:
        return self._inner

    @property
    def tool_calls_made(self) -> int:
        return self._calls

    def mode_for(self, tool_name: str) -> ApprovalMode:
        return self._modes.get(tool_name, self._modes.get("*", "auto"))

    async def list_tools(self) -> list[ToolSchema]:
        return [t for t in await self._inner.list_tools() if self.mode_for(t["name"]) != "deny"]

    async def _check(self, name: str, arguments: Mapping[str, Any], call_id: str | None) -> ToolResult | None:
        mode = self.mode_for(name)
        if mode == "deny":
            return _refused(name, f"Tool '{name}' is not allowed for this agent.")
        if self._max_tool_calls is not None and self._calls >= self._max_tool_calls:
            return _refused(
                name, f"Tool call limit reached: this agent may make at most {self._max_tool_calls} tool calls."
            )
        if mode == "ask":
            assert self._approver is not None
            answer = self._approver(ToolApprovalRequest(name, dict(arguments), call_id))
            if inspect.isawaitable(answer):
                answer = await answer
            decision = answer if isinstance(answer, ToolApprovalDecision) else ToolApprovalDecision(bool(answer))
            if not decision.approved:
                reason = f": {decision.reason}" if decision.reason else "."
                return _refused(name, f"Tool call to '{name}' was denied by the approver{reason}")
        self._calls += 1
        return None

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> ToolResult:
        refused = await self._check(name, arguments or {}, call_id)
        if refused is not None:
            return refused
        return await self._inner.call_tool(name, arguments, cancellation_token, call_id)

    async def call_tool_stream(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> AsyncGenerator[Any | ToolResult, None]:
        refused = await self._check(name, arguments or {}, call_id)
        if refused is not None:
            yield refused
            return
        if isinstance(self._inner, StreamWorkbench):
            async for item in self._inner.call_tool_stream(name, arguments, cancellation_token, call_id):
                yield item
        else:
            yield await self._inner.call_tool(name, arguments, cancellation_token, call_id)

    async def start(self) -> None:
        await self._inner.start()

    async def stop(self) -> None:
        await self._inner.stop()

    async def reset(self) -> None:
        self._calls = 0
        await self._inner.reset()

    async def save_state(self) -> Mapping[str, Any]:
        return {
            "type": "GuardedWorkbenchState",
            "tool_calls_made": self._calls,
            "inner": await self._inner.save_state(),
        }

    async def load_state(self, state: Mapping[str, Any]) -> None:
        self._calls = int(state.get("tool_calls_made", 0))
        await self._inner.load_state(state.get("inner", {}))

    def _to_config(self) -> GuardedWorkbenchConfig:
        if self._approver is not None:
            raise ComponentError("A GuardedWorkbench with an approver function cannot be dumped (functions are code)")
        approval: dict[str, ApprovalMode] | ApprovalMode = (
            self._approval if isinstance(self._approval, str) else dict(self._approval)
        )
        return GuardedWorkbenchConfig(
            workbench=self._inner.dump_component(), approval=approval, max_tool_calls=self._max_tool_calls
        )

    @classmethod
    def _from_config(cls, config: GuardedWorkbenchConfig) -> Self:
        return cls(
            Workbench.load_component(config.workbench), approval=config.approval, max_tool_calls=config.max_tool_calls
        )


def _refused(name: str, text: str) -> ToolResult:
    return ToolResult(name=name, result=[TextResultContent(content=text)], is_error=True)
