"""The sandboxed local command-line executor (serves ``autogen_ext.code_executors.local``)."""

from __future__ import annotations

from ._base import CommandLineCodeResult
from ._local import UNSANDBOXED_CONFIG_ENV, LocalCommandLineCodeExecutor, LocalCommandLineCodeExecutorConfig
from ._sandbox import SandboxLimits, SandboxMode, SandboxProtections

__all__ = [
    "CommandLineCodeResult",
    "LocalCommandLineCodeExecutor",
    "LocalCommandLineCodeExecutorConfig",
    "SandboxLimits",
    "SandboxMode",
    "SandboxProtections",
    "UNSANDBOXED_CONFIG_ENV",
]
