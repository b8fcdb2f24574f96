"""FunctionTool: schema from hints and docstrings (built once), sync/async, cancellation, strict, configs."""

from __future__ import annotations

import asyncio
import functools
import threading
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

import accord.tools as tools_pkg
from accord.core import CancellationToken, load_component
from accord.errors import ComponentError, UsageError
from accord.tools import (
    BaseTool,
    FunctionTool,
    ToolArgumentsError,
    register_function,
    unregister_function,
)
from accord.tools._schema import describe_validation_error


def weather(city: Annotated[str, "The city"], unit: str = "C") -> str:
    """Get the weather.

    Args:
        city: ignored, Annotated wins
        unit: temperature unit,
            C or F.
    """
    return f"{city}: 20{unit}"


async def async_add(a: int, b: int) -> int:
    """Add two numbers.

    :param a: first
    :param b: second
    """
    return a + b


class Point(BaseModel):
    x: int
    y: int = Field(0, description="the y")


def norm(p: Point) -> float:
    return float(p.x + p.y)


def test_public_names() -> None:
    assert "FunctionTool" in tools_pkg.__all__ and "StaticWorkbench" in tools_pkg.__all__
    for name in tools_pkg.__all__:
        assert hasattr(tools_pkg, name)


def test_schema_from_hints_and_docstring() -> None:
    tool = FunctionTool(weather, description="Weather lookup")
    schema = tool.schema
    assert schema["name"] == "weather"
    assert schema["description"] == "Weather lookup"
    params = schema["parameters"]
    assert params["required"] == ["city"]
    assert params["properties"]["city"]["description"] == "The city"
    assert params["properties"]["unit"]["description"] == "temperature unit, C or F."
    assert params["additionalProperties"] is False
    assert schema["strict"] is False


def test_description_defaults_to_docstring_and_sphinx_params() -> None:
    tool = FunctionTool(async_add)
    assert tool.description == "Add two numbers."
    assert tool.schema["parameters"]["properties"]["a"]["description"] == "first"


def test_schema_is_built_once() -> None:
    tool = FunctionTool(weather, "w")
    assert tool.schema is tool.schema


def test_nested_model_refs_are_inlined() -> None:
    schema = FunctionTool(norm, "n").schema
    assert "$defs" not in schema["parameters"]
    point = schema["parameters"]["properties"]["p"]
    assert point["properties"]["y"]["description"] == "the y"


def test_missing_annotation_is_a_usage_error() -> None:
    def bad(x) -> str:  # type: ignore[no-untyped-def]
        return str(x)

    with pytest.raises(UsageError, match=r"'x'.*no type annotation"):
        FunctionTool(bad, "bad")


def test_strict_mode_rejects_defaults() -> None:
    with pytest.raises(ValueError, match="strict mode"):
        FunctionTool(weather, "w", strict=True)
    strict = FunctionTool(async_add, "add", strict=True)
    assert strict.schema["strict"] is True


async def test_run_sync_and_async() -> None:
    token = CancellationToken()
    assert await FunctionTool(weather, "w").run_json({"city": "Oslo"}, token) == "Oslo: 20C"
    tool = FunctionTool(async_add, "add")
    value = await tool.run_json({"a": 2, "b": 3}, token)
    assert value == 5 and tool.return_value_as_string(value) == "5"


async def test_partial_and_pydantic_return() -> None:
    def scaled(a: int, factor: int) -> Point:
        return Point(x=a * factor)

    tool = FunctionTool(functools.partial(scaled, factor=3), "scaled", name="scaled")
    assert tool.schema["parameters"]["required"] == ["a"]  # bound keyword becomes a default, as in AutoGen
    value = await tool.run_json({"a": 2}, CancellationToken())
    assert tool.return_value_as_string(value) == '{"x": 6, "y": 0}'


async def test_invalid_arguments_raise_validation_error_and_describe_names_the_field() -> None:
    tool = FunctionTool(async_add, "add")
    with pytest.raises(ValidationError) as info:  # as in AutoGen
        await tool.run_json({"a": 1, "b": "many"}, CancellationToken())
    described = describe_validation_error("add", info.value)
    assert isinstance(described, ToolArgumentsError) and described.fields == ["b"]
    assert str(described).startswith("Invalid arguments for tool 'add': field 'b'")
    with pytest.raises(ValidationError, match="Field required"):
        await tool.run_json({"b": 1}, CancellationToken())


async def test_cancellation_token_is_passed_and_cancels() -> None:
    started = asyncio.Event()

    async def slow(cancellation_token: CancellationToken) -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    tool = FunctionTool(slow, "slow")
    assert "cancellation_token" not in tool.schema["parameters"]["properties"]
    token = CancellationToken()
    task = asyncio.ensure_future(tool.run_json({}, token))
    token.link_future(task)
    await started.wait()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_sync_function_runs_off_the_loop() -> None:
    loop_thread = threading.get_ident()

    def where() -> int:
        return threading.get_ident()

    assert await FunctionTool(where, "where").run_json({}, CancellationToken()) != loop_thread


def test_config_never_executes_code() -> None:
    config = {
        "provider": "autogen_core.tools.FunctionTool",
        "component_type": "tool",
        "config": {
            "source_code": "def evil() -> str:\n    import os\n    return os.system('touch /tmp/pwned')\n",
            "name": "evil",
            "description": "d",
            "global_imports": [],
            "has_cancellation_support": False,
        },
    }
    with pytest.raises(ComponentError, match=r"never executes code.*register_function\(evil\)"):
        load_component(config)


async def test_config_roundtrip_through_trusted_registry() -> None:
    tool = FunctionTool(weather, "Weather lookup", name="get_weather")
    model = tool.dump_component()
    assert model.provider == "autogen_core.tools.FunctionTool"
    assert "def weather" in model.config["source_code"]
    with pytest.raises(ComponentError):
        BaseTool.load_component(model)
    register_function(weather)
    try:
        loaded = BaseTool.load_component(model)
        assert loaded.name == "get_weather"
        assert await loaded.run_json({"city": "Rome"}, CancellationToken()) == "Rome: 20C"
    finally:
        unregister_function(weather)


def test_autogen_written_config_resolves_by_function_name() -> None:
    register_function(async_add, name="math.add")
    try:
        autogen_config = {
            "provider": "autogen_core.tools.FunctionTool",
            "config": {
                "source_code": "async def async_add(a: int, b: int) -> int:\n    return a + b\n",
                "name": "adder",
                "description": "add",
                "global_imports": [],
                "has_cancellation_support": False,
            },
        }
        tool = load_component(autogen_config)
        assert isinstance(tool, FunctionTool) and tool.name == "adder"
    finally:
        unregister_function("math.add")
