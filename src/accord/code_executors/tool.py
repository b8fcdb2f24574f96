"""PythonCodeExecutionTool (serves ``autogen_ext.tools.code_execution``)."""

from __future__ import annotations

from ._tool import CodeExecutionInput, CodeExecutionResult, PythonCodeExecutionTool, PythonCodeExecutionToolConfig

__all__ = ["CodeExecutionInput", "CodeExecutionResult", "PythonCodeExecutionTool", "PythonCodeExecutionToolConfig"]
