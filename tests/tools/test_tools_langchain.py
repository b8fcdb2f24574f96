"""LangChainToolAdapter with real langchain-core tools (sync, async, with an explicit args schema)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from langchain_core.tools import StructuredTool, ToolException, tool
from pydantic import BaseModel, Field

from accord.core import CancellationToken
from accord.errors import UsageError
from accord.tools.langchain import LangChainToolAdapter


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


@tool
async def shout(text: str, times: int = 1) -> str:
    """Repeat text in capitals."""
    return " ".join([text.upper()] * times)


class SearchArgs(BaseModel):
    query: str = Field(description="what to look for")
    limit: int = 3


def _search(query: str, limit: int = 3) -> str:
    if query == "fail":
        raise ToolException("search backend is down")
    return f"{limit} results for {query}"


search = StructuredTool.from_function(
    _search, name="search", description="Search the notes.", args_schema=SearchArgs, handle_tool_error=True
)


async def test_sync_tool_schema_and_run() -> None:
    adapter = LangChainToolAdapter(multiply)
    assert adapter.name == "multiply" and adapter.description.startswith("Multiply two integers")
    assert set(adapter.schema["parameters"]["properties"]) == {"a", "b"}
    assert await adapter.run_json({"a": 6, "b": 7}, CancellationToken()) == 42


async def test_async_tool_with_defaults() -> None:
    adapter = LangChainToolAdapter(shout)
    assert await adapter.run_json({"text": "hi"}, CancellationToken()) == "HI"
    assert await adapter.run_json({"text": "hi", "times": 2}, CancellationToken()) == "HI HI"


async def test_args_schema_and_langchain_error_handling() -> None:
    adapter = LangChainToolAdapter(search)
    assert adapter.schema["parameters"]["properties"]["query"]["description"] == "what to look for"
    assert await adapter.run_json({"query": "cats"}, CancellationToken()) == "3 results for cats"
    # handle_tool_error=True: LangChain turns the ToolException into the tool's answer, as it would in LangChain
    assert await adapter.run_json({"query": "fail"}, CancellationToken()) == "search backend is down"


def test_not_a_langchain_tool() -> None:
    with pytest.raises(UsageError, match=r"needs a langchain_core\.tools\.BaseTool, got function"):
        LangChainToolAdapter(_search)


def test_served_under_autogens_path() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.tools.langchain import LangChainToolAdapter
        import accord.tools.langchain
        assert LangChainToolAdapter is accord.tools.langchain.LangChainToolAdapter
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
