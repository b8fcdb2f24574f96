"""PythonCodeExecutionTool: a tool that runs Python code in any executor (for AssistantAgent)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, model_serializer

from ..core import CancellationToken, Component, ComponentModel
from ..tools import BaseTool
from ._base import CodeBlock, CodeExecutor

__all__ = ["CodeExecutionInput", "CodeExecutionResult", "PythonCodeExecutionTool", "PythonCodeExecutionToolConfig"]


class CodeExecutionInput(BaseModel):
    code: str = Field(description="The contents of the Python code block that should be executed")


class CodeExecutionResult(BaseModel):
    success: bool
    output: str

    @model_serializer
    def ser_model(self) -> str:
        return self.output


class PythonCodeExecutionToolConfig(BaseModel):
    """Config of :class:`PythonCodeExecutionTool`."""

    executor: ComponentModel
    description: str = "Execute Python code blocks."


class PythonCodeExecutionTool(
    BaseTool[CodeExecutionInput, CodeExecutionResult], Component[PythonCodeExecutionToolConfig]
):
    """The tool ``CodeExecutor``: runs the model's ``code`` argument as one Python block in ``executor``."""

    component_config_schema = PythonCodeExecutionToolConfig
    component_provider_override = "autogen_ext.tools.code_execution.PythonCodeExecutionTool"

    def __init__(self, executor: CodeExecutor) -> None:
        super().__init__(CodeExecutionInput, CodeExecutionResult, "CodeExecutor", "Execute Python code blocks.")
        self._executor = executor

    async def run(self, args: CodeExecutionInput, cancellation_token: CancellationToken) -> CodeExecutionResult:
        result = await self._executor.execute_code_blocks(
            code_blocks=[CodeBlock(code=args.code, language="python")], cancellation_token=cancellation_token
        )
        return CodeExecutionResult(success=result.exit_code == 0, output=result.output)

    def _to_config(self) -> PythonCodeExecutionToolConfig:
        return PythonCodeExecutionToolConfig(executor=self._executor.dump_component())

    @classmethod
    def _from_config(cls, config: PythonCodeExecutionToolConfig) -> Self:
        return cls(executor=CodeExecutor.load_component(config.executor))
