"""Functions offered to executed code: requirements, imports, the functions module, and prompt stubs."""

from __future__ import annotations

import ast
import copy
import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from textwrap import dedent, indent
from typing import Any, Generic, ParamSpec, TypeVar

from .._errors import UsageError

__all__ = [
    "Alias",
    "FunctionWithRequirements",
    "FunctionWithRequirementsStr",
    "Import",
    "ImportFromModule",
    "build_python_functions_file",
    "import_to_str",
    "to_code",
    "to_stub",
    "with_requirements",
]

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class Alias:
    """``import name as alias``."""

    name: str
    alias: str


@dataclass(frozen=True, init=False)
class ImportFromModule:
    """``from module import a, b as c``."""

    module: str
    imports: tuple[str | Alias, ...]

    def __init__(self, module: str, imports: Sequence[str | Alias]) -> None:
        object.__setattr__(self, "module", module)
        object.__setattr__(self, "imports", tuple(imports))


Import = str | ImportFromModule | Alias


def import_to_str(im: Import) -> str:
    """The Python import statement for ``im``."""
    if isinstance(im, str):
        return f"import {im}"
    if isinstance(im, Alias):
        return f"import {im.name} as {im.alias}"
    names = ", ".join(n if isinstance(n, str) else f"{n.name} as {n.alias}" for n in im.imports)
    return f"from {im.module} import {names}"


class FunctionWithRequirementsStr:
    """A function given as source text (exactly one top-level ``def``), with its requirements.

    The text is parsed, never run in this process: the stub shown to models is built from the syntax tree.
    """

    def __init__(self, func: str, python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()) -> None:
        self.func = func
        self.python_packages: Sequence[str] = list(python_packages)
        self.global_imports: Sequence[Import] = list(global_imports)
        try:
            tree = ast.parse(dedent(func))
        except SyntaxError as e:
            raise UsageError(f"Could not compile function: {e}") from e
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        if len(defs) != 1:
            raise UsageError(f"The string must contain exactly one function; it contains {len(defs)}")
        self._node = defs[0]
        self._func_name = defs[0].name

    @property
    def name(self) -> str:
        return self._func_name

    def stub(self) -> str:
        node = self._node
        doc = ast.get_docstring(node)
        new_body: list[ast.stmt] = []
        if doc:
            new_body.append(ast.Expr(ast.Constant(doc)))
        new_body.append(ast.Expr(ast.Constant(...)))
        stub_node = copy.copy(node)
        stub_node.body = new_body
        stub_node.decorator_list = []
        return ast.unparse(stub_node)

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("A function given as a string is not callable here; it runs inside the executor")

    def __repr__(self) -> str:
        return f"FunctionWithRequirementsStr(name={self._func_name!r}, python_packages={self.python_packages!r})"


@dataclass
class FunctionWithRequirements(Generic[T, P]):
    """A Python function plus the packages and imports it needs inside the executor."""

    func: Callable[P, T]
    python_packages: Sequence[str] = field(default_factory=list)
    global_imports: Sequence[Import] = field(default_factory=list)

    @classmethod
    def from_callable(
        cls, func: Callable[P, T], python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()
    ) -> FunctionWithRequirements[T, P]:
        return cls(func=func, python_packages=list(python_packages), global_imports=list(global_imports))

    @staticmethod
    def from_str(
        func: str, python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()
    ) -> FunctionWithRequirementsStr:
        return FunctionWithRequirementsStr(func, python_packages, global_imports)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.func(*args, **kwargs)


def with_requirements(
    python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()
) -> Callable[[Callable[P, T]], FunctionWithRequirements[T, P]]:
    """Decorator: make a function importable by executed code, with the packages and imports it needs."""

    def wrap(func: Callable[P, T]) -> FunctionWithRequirements[T, P]:
        wrapped = FunctionWithRequirements(
            func=func, python_packages=list(python_packages), global_imports=list(global_imports)
        )
        functools.update_wrapper(wrapped, func)
        return wrapped

    return wrap


AnyFunction = FunctionWithRequirements[Any, Any] | Callable[..., Any] | FunctionWithRequirementsStr


def to_code(func: AnyFunction) -> str:
    """The source code of ``func`` (decorators stripped)."""
    if isinstance(func, FunctionWithRequirementsStr):
        return dedent(func.func)
    target = func.func if isinstance(func, FunctionWithRequirements) else func
    source = dedent(inspect.getsource(target))
    lines = source.splitlines(keepends=True)
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    return "".join(lines)


def _function_name(func: AnyFunction) -> str:
    if isinstance(func, FunctionWithRequirementsStr):
        return func.name
    target = func.func if isinstance(func, FunctionWithRequirements) else func
    return str(getattr(target, "__name__", "function"))


def build_python_functions_file(funcs: Sequence[AnyFunction]) -> str:
    """The text of the functions module: the union of the imports, then each function's source."""
    imports: list[Import] = []
    for func in funcs:
        if isinstance(func, FunctionWithRequirements | FunctionWithRequirementsStr):
            for im in func.global_imports:
                if im not in imports:
                    imports.append(im)
    content = "\n".join(import_to_str(im) for im in imports) + "\n\n"
    for func in funcs:
        content += to_code(func) + "\n\n"
    return content


def to_stub(func: AnyFunction) -> str:
    """A ``def`` line with the docstring and ``...`` as body: what a model needs to call ``func``."""
    if isinstance(func, FunctionWithRequirementsStr):
        return func.stub()
    target = func.func if isinstance(func, FunctionWithRequirements) else func
    content = f"def {_function_name(func)}{inspect.signature(target)}:\n"
    doc = target.__doc__
    if doc:
        content += indent('"""' + dedent(doc) + '"""', "    ") + "\n"
    return content + "    ..."


def required_packages(funcs: Sequence[AnyFunction]) -> list[str]:
    packages: list[str] = []
    for func in funcs:
        if isinstance(func, FunctionWithRequirements | FunctionWithRequirementsStr):
            packages.extend(p for p in func.python_packages if p not in packages)
    return packages
