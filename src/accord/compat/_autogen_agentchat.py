"""AutoGen 0.7.5's small private names in autogen-agentchat's private modules (type aliases, prompt models,
console helpers) that accord's modules do not define, served at AutoGen's paths by :mod:`accord.compat.autogen`."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel

from ..base import Handoff
from ..core._constants import EVENT_LOGGER_NAME
from ..core._image import Image
from ..core._types import FunctionCall
from ..messages import BaseAgentEvent, BaseChatMessage
from ..models._types import FunctionExecutionResult
from ..teams._graph_flow import DIGRAPH_STOP_MESSAGE
from ..state._states import BaseGroupChatManagerState

__all__: list[str] = []

R = TypeVar("R")
HandoffBase = Handoff
event_logger = logging.getLogger(EVENT_LOGGER_NAME)
_DIGRAPH_STOP_MESSAGE = DIGRAPH_STOP_MESSAGE
ORCHESTRATOR_SYSTEM_MESSAGE = ""

_Thread = Sequence[BaseAgentEvent | BaseChatMessage]
SyncSelectorFunc = Callable[[_Thread], str | None]
AsyncSelectorFunc = Callable[[_Thread], Awaitable[str | None]]
SyncCandidateFunc = Callable[[_Thread], list[str]]
AsyncCandidateFunc = Callable[[_Thread], Awaitable[list[str]]]

_StructuredContent = BaseModel
_UserContent = str | list[str | Image]
_AssistantContent = str | list[FunctionCall]
_FunctionExecutionContent = list[FunctionExecutionResult]
_SystemContent = str


class GraphFlowManagerState(BaseGroupChatManagerState):
    """The saved state of a GraphFlow's manager (AutoGen's model; accord saves the same fields)."""

    active_nodes: list[str] = []
    type: str = "GraphFlowManagerState"


class LedgerEntryBooleanAnswer(BaseModel):
    reason: str
    answer: bool


class LedgerEntryStringAnswer(BaseModel):
    reason: str
    answer: str


class LedgerEntry(BaseModel):
    """The shape of Magentic-One's progress ledger."""

    is_request_satisfied: LedgerEntryBooleanAnswer
    is_in_loop: LedgerEntryBooleanAnswer
    is_progress_being_made: LedgerEntryBooleanAnswer
    next_speaker: LedgerEntryStringAnswer
    instruction_or_question: LedgerEntryStringAnswer


def _is_running_in_iterm() -> bool:
    return os.getenv("TERM_PROGRAM") == "iTerm.app"


def _is_output_a_tty() -> bool:
    return sys.stdout.isatty()


async def aprint(output: str, end: str = "\n", flush: bool = False) -> None:
    import asyncio

    await asyncio.to_thread(print, output, end=end, flush=flush)


