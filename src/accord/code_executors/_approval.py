"""Approval of code before it runs: one request/response pair and one gate usable by every executor.

An approver is a function (sync or async) from :class:`ApprovalRequest` to :class:`ApprovalResponse`.
Every accord executor takes ``approval_func=``; :class:`~accord.agents.CodeExecutorAgent` uses the same types.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeAlias

from pydantic import BaseModel

from ..models import LLMMessage
from ._base import CodeBlock, CommandLineCodeResult

__all__ = [
    "ApprovalFuncType",
    "ApprovalRequest",
    "ApprovalResponse",
    "AsyncApprovalFunc",
    "SyncApprovalFunc",
    "approve_all",
    "deny_all",
    "request_approval",
]

NOT_APPROVED_PREFIX = "Code execution was not approved. Reason: "


class ApprovalRequest(BaseModel):
    """What is about to run (``code``) and the conversation that led to it (``context``)."""

    code: str
    context: list[LLMMessage]


class ApprovalResponse(BaseModel):
    """The approver's decision and its reason."""

    approved: bool
    reason: str


SyncApprovalFunc: TypeAlias = Callable[[ApprovalRequest], ApprovalResponse]
AsyncApprovalFunc: TypeAlias = Callable[[ApprovalRequest], Awaitable[ApprovalResponse]]
ApprovalFuncType: TypeAlias = SyncApprovalFunc | AsyncApprovalFunc


def approve_all(request: ApprovalRequest) -> ApprovalResponse:
    """An approver that approves everything (use only with a sandboxed executor)."""
    return ApprovalResponse(approved=True, reason="approved by approve_all")


def deny_all(request: ApprovalRequest) -> ApprovalResponse:
    """An approver that refuses everything."""
    return ApprovalResponse(approved=False, reason="code execution is disabled")


async def request_approval(
    approval_func: ApprovalFuncType, code: str, context: Sequence[LLMMessage] | Sequence[Any] = ()
) -> ApprovalResponse:
    """Ask ``approval_func`` about ``code``; a result that is not an ApprovalResponse counts as a refusal."""
    result: Any = approval_func(ApprovalRequest(code=code, context=list(context)))
    if inspect.isawaitable(result):
        result = await result
    if not isinstance(result, ApprovalResponse):
        return ApprovalResponse(
            approved=False, reason=f"the approval function returned {type(result).__name__}, not an ApprovalResponse"
        )
    return result


def blocks_as_code(code_blocks: Sequence[CodeBlock]) -> str:
    """The blocks as one reviewable text (fenced, with their languages)."""
    return "\n".join(f"```{b.language}\n{b.code}\n```" for b in code_blocks)


async def gate(
    approval_func: ApprovalFuncType | None, code_blocks: Sequence[CodeBlock]
) -> CommandLineCodeResult | None:
    """None when the blocks may run; otherwise the refusal result (exit code 1, AutoGen's wording)."""
    if approval_func is None or not code_blocks:
        return None
    response = await request_approval(approval_func, blocks_as_code(code_blocks))
    if response.approved:
        return None
    return CommandLineCodeResult(exit_code=1, output=NOT_APPROVED_PREFIX + response.reason, code_file=None)
