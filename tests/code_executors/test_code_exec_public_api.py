"""Pins the public names of accord.code_executors and its AutoGen-facing modules."""

from __future__ import annotations

import accord.code_executors as ce
from accord.code_executors import (
    Alias,
    FunctionWithRequirements,
    FunctionWithRequirementsStr,
    ImportFromModule,
    build_python_functions_file,
    docker,
    import_to_str,
    jupyter,
    local,
    to_stub,
    tool,
    with_requirements,
)


def test_public_names() -> None:
    for name in (
        "CodeBlock",
        "CodeResult",
        "CodeExecutor",
        "CommandLineCodeResult",
        "FunctionWithRequirements",
        "FunctionWithRequirementsStr",
        "with_requirements",
        "Import",
        "ImportFromModule",
        "Alias",
        "ApprovalRequest",
        "ApprovalResponse",
        "create_default_code_executor",
    ):
        assert name in ce.__all__, name
        assert getattr(ce, name) is not None
    assert {"LocalCommandLineCodeExecutor", "CommandLineCodeResult"} <= set(local.__all__)
    assert {"JupyterCodeExecutor", "JupyterCodeResult"} <= set(jupyter.__all__)
    assert "DockerCommandLineCodeExecutor" in docker.__all__
    assert {"PythonCodeExecutionTool", "CodeExecutionInput", "CodeExecutionResult"} <= set(tool.__all__)


def test_imports_render() -> None:
    assert import_to_str("os") == "import os"
    assert import_to_str(Alias("numpy", "np")) == "import numpy as np"
    assert import_to_str(ImportFromModule("os", ["path", Alias("sep", "s")])) == "from os import path, sep as s"


def _double(x: int) -> int:
    """Twice x."""
    return 2 * x


def test_functions_file_and_stub() -> None:
    wrapped = with_requirements(global_imports=["os"])(_double)
    assert isinstance(wrapped, FunctionWithRequirements)
    assert wrapped(2) == 4
    text = build_python_functions_file(
        [wrapped, FunctionWithRequirements.from_str("def one() -> int:\n    return 1\n")]
    )
    assert text.startswith("import os\n")
    assert "def _double(x: int) -> int:" in text and "def one() -> int:" in text
    assert to_stub(_double).startswith("def _double(x: 'int') -> 'int':") or "def _double" in to_stub(_double)
    assert "Twice x." in to_stub(_double)


def test_function_from_str_is_parsed_not_run() -> None:
    f = FunctionWithRequirementsStr(
        "import sys\nsys.exit(1)\ndef add(a: int, b: int) -> int:\n    '''Add.'''\n    return a + b\n"
    )
    assert f.name == "add"
    assert to_stub(f) == 'def add(a: int, b: int) -> int:\n    """Add."""\n    ...'
    try:
        FunctionWithRequirementsStr("x = 1")
    except ValueError as e:
        assert "exactly one function" in str(e)
    else:
        raise AssertionError("expected ValueError")
