"""Code execution: the executor protocol, functions for executed code, approval, and the executors.

Serves ``autogen_core.code_executor`` and ``autogen_ext.code_executors``. The executors themselves live in
``accord.code_executors.local`` (sandboxed by default), ``.jupyter``, ``.docker``; the tool in ``.tool``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._approval import (
    ApprovalFuncType,
    ApprovalRequest,
    ApprovalResponse,
    AsyncApprovalFunc,
    SyncApprovalFunc,
    approve_all,
    deny_all,
    request_approval,
)
from ._base import CodeBlock, CodeExecutor, CodeResult, CommandLineCodeResult
from ._common import CODE_BLOCK_PATTERN
from ._errors import CodeExecutionTimeoutError, SandboxUnavailableError, WorkDirError
from ._functions import (
    Alias,
    FunctionWithRequirements,
    FunctionWithRequirementsStr,
    Import,
    ImportFromModule,
    build_python_functions_file,
    import_to_str,
    to_code,
    to_stub,
    with_requirements,
)
from ._trust import ALLOW_CONFIG_ENV, WORK_ROOTS_ENV, allow_work_roots

if TYPE_CHECKING:
    from ._default import create_default_code_executor

__all__ = [
    "ALLOW_CONFIG_ENV",
    "Alias",
    "ApprovalFuncType",
    "ApprovalRequest",
    "ApprovalResponse",
    "AsyncApprovalFunc",
    "CODE_BLOCK_PATTERN",
    "CodeBlock",
    "CodeExecutionTimeoutError",
    "CodeExecutor",
    "CodeResult",
    "CommandLineCodeResult",
    "FunctionWithRequirements",
    "FunctionWithRequirementsStr",
    "Import",
    "ImportFromModule",
    "SandboxUnavailableError",
    "SyncApprovalFunc",
    "WORK_ROOTS_ENV",
    "WorkDirError",
    "allow_work_roots",
    "approve_all",
    "build_python_functions_file",
    "create_default_code_executor",
    "deny_all",
    "import_to_str",
    "request_approval",
    "to_code",
    "to_stub",
    "with_requirements",
]


def __getattr__(name: str) -> object:
    if name == "create_default_code_executor":
        from ._default import create_default_code_executor

        return create_default_code_executor
    raise AttributeError(f"module 'accord.code_executors' has no attribute {name!r}")
