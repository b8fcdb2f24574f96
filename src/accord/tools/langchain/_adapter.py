"""LangChainToolAdapter: any ``langchain_core`` tool, usable wherever accord (or AutoGen) takes a tool."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..._errors import UsageError
from ..._imports import require
from ...core import CancellationToken
from ...core.utils import schema_to_pydantic_model
from .._base import BaseTool

__all__ = ["LangChainToolAdapter"]


def _args_type(tool: Any) -> type[BaseModel]:
    schema = getattr(tool, "args_schema", None)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema
    if isinstance(schema, dict):
        return schema_to_pydantic_model(schema, f"{tool.name}Args")
    inferred = tool.get_input_schema()  # LangChain infers it from the function's signature
    if isinstance(inferred, type) and issubclass(inferred, BaseModel):
        return inferred
    raise UsageError(
        f"LangChain tool {tool.name!r} has no usable argument schema (args_schema is {type(schema).__name__}; "
        "give it a pydantic v2 model or a JSON schema)"
    )


class LangChainToolAdapter(BaseTool[BaseModel, Any]):
    """Wrap a LangChain tool (AutoGen's ``LangChainToolAdapter``).

    The tool runs through LangChain's own ``ainvoke``, so synchronous tools run in a worker thread, async tools on
    the loop, and LangChain's callbacks and ``ToolException`` handling apply as they would in LangChain.
    """

    def __init__(self, langchain_tool: Any) -> None:
        tools = require("langchain_core.tools", extra="langchain", package="langchain-core")
        if not isinstance(langchain_tool, tools.BaseTool):
            raise UsageError(
                f"LangChainToolAdapter needs a langchain_core.tools.BaseTool, got {type(langchain_tool).__name__}"
            )
        self._langchain_tool = langchain_tool
        super().__init__(_args_type(langchain_tool), object, langchain_tool.name, langchain_tool.description or "")

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> Any:
        import asyncio

        future = asyncio.ensure_future(self._langchain_tool.ainvoke(args.model_dump(exclude_unset=True)))
        cancellation_token.link_future(future)
        return await future
