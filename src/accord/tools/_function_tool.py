"""FunctionTool: a Python function (sync or async) as a tool, and the registry of trusted functions.

Unlike AutoGen, a FunctionTool config never carries executable code into the program: loading a
config resolves the function through :func:`register_function`, a registry the program fills with
functions it trusts. Source code in a config (written by AutoGen) is parsed for the function's name
only; it is never executed.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import inspect
import textwrap
import threading
from collections.abc import Callable, Sequence
from typing import Any, Self, TypeVar, overload

from pydantic import BaseModel

from .._errors import ComponentError, UsageError
from ..core import CancellationToken, Component
from ._base import BaseTool
from ._signature import args_model_from_function, docstring_summary, typed_signature

__all__ = [
    "FunctionTool",
    "FunctionToolConfig",
    "register_function",
    "registered_functions",
    "unregister_function",
]

F = TypeVar("F", bound=Callable[..., Any])

_registry_lock = threading.Lock()
_registry: dict[str, Callable[..., Any]] = {}


def _default_key(fn: Callable[..., Any]) -> str:
    target = fn.func if isinstance(fn, functools.partial) else fn
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', getattr(target, '__name__', '?'))}"


@overload
def register_function(fn: F, *, name: str | None = None) -> F: ...


@overload
def register_function(fn: None = None, *, name: str | None = None) -> Callable[[F], F]: ...


def register_function(fn: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
    """Trust ``fn`` as a tool function that FunctionTool configs may refer to (by ``name``, by default
    ``module.qualname``; its bare ``__name__`` also matches when unambiguous). Usable as a decorator."""

    def add(f: F) -> F:
        if not callable(f):
            raise UsageError(f"register_function expects a callable, got {type(f).__name__}")
        with _registry_lock:
            _registry[name or _default_key(f)] = f
        return f

    return add(fn) if fn is not None else add


def unregister_function(name_or_fn: str | Callable[..., Any]) -> None:
    """Remove a function from the trusted registry (by key or by the function itself)."""
    with _registry_lock:
        if isinstance(name_or_fn, str):
            _registry.pop(name_or_fn, None)
        else:
            for key in [k for k, v in _registry.items() if v is name_or_fn]:
                del _registry[key]


def registered_functions() -> dict[str, Callable[..., Any]]:
    """A copy of the trusted function registry (key → function)."""
    with _registry_lock:
        return dict(_registry)


def _key_of(fn: Callable[..., Any]) -> str | None:
    with _registry_lock:
        for key, value in _registry.items():
            if value is fn:
                return key
    return None


def _lookup(candidates: Sequence[str]) -> Callable[..., Any] | None:
    with _registry_lock:
        for candidate in candidates:
            if candidate in _registry:
                return _registry[candidate]
        for candidate in candidates:
            matches = [
                v
                for k, v in _registry.items()
                if k.rsplit(".", 1)[-1] == candidate or getattr(v, "__name__", None) == candidate
            ]
            if len(matches) == 1:
                return matches[0]
    return None


def _function_name_in_source(source: str) -> str | None:
    """The name of the first function defined in ``source`` (parsed, never executed)."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
    return None


class FunctionToolConfig(BaseModel):
    """Config of a FunctionTool. ``function`` (accord) names a trusted registered function;
    ``source_code`` is kept for AutoGen compatibility and is never executed."""

    source_code: str = ""
    name: str
    description: str
    global_imports: Sequence[Any] = []
    has_cancellation_support: bool = False
    function: str | None = None


class FunctionTool(BaseTool[BaseModel, Any], Component[FunctionToolConfig]):
    """A tool that calls a typed Python function.

    The argument schema comes from the type hints (``Annotated[T, "description"]`` or the docstring's
    ``Args:`` section describe each parameter) and is built once. Sync functions run in a thread;
    a ``cancellation_token`` parameter, if present, receives the call's token.

    Args:
        func: the function (sync, async, or a ``functools.partial``).
        description: what the tool does, for the model (defaults to the docstring's first paragraph).
        name: the tool's name (defaults to the function's name).
        global_imports: kept for AutoGen compatibility (recorded in configs, never executed).
        strict: require every argument (no defaults, no extra arguments), for structured-output models.
    """

    component_provider_override = "autogen_core.tools.FunctionTool"
    component_config_schema = FunctionToolConfig

    def __init__(
        self,
        func: Callable[..., Any],
        description: str | None = None,
        name: str | None = None,
        global_imports: Sequence[Any] = (),
        strict: bool = False,
    ) -> None:
        if not callable(func):
            raise UsageError(f"FunctionTool expects a callable, got {type(func).__name__}")
        target = func.func if isinstance(func, functools.partial) else func
        tool_name = name or getattr(target, "__name__", None)
        if not tool_name or tool_name == "<lambda>":
            raise UsageError("FunctionTool needs a name for this callable: pass name=...")
        self._func = func
        self._global_imports = list(global_imports)
        self._signature = typed_signature(func)
        args_model, self._has_cancellation_support = args_model_from_function(tool_name + "args", func, self._signature)
        self._param_names = tuple(p for p in self._signature.parameters if p != "cancellation_token")
        self._is_async = inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(func)
        return_type = self._signature.return_annotation
        if return_type is inspect.Signature.empty:
            return_type = Any
        if description is None:
            description = docstring_summary(func)
        super().__init__(args_model, return_type, tool_name, description, strict)
        # Build (and check) the schema now: it is then reused for every model call.
        _ = self.schema

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> Any:
        kwargs = {name: getattr(args, name) for name in self._param_names}
        if self._has_cancellation_support:
            kwargs["cancellation_token"] = cancellation_token
        if self._is_async:
            return await self._func(**kwargs)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, functools.partial(self._func, **kwargs))
        cancellation_token.link_future(future)
        return await future

    def _to_config(self) -> FunctionToolConfig:
        try:
            source = textwrap.dedent(
                inspect.getsource(self._func.func if isinstance(self._func, functools.partial) else self._func)
            )
        except (OSError, TypeError):
            source = ""
        return FunctionToolConfig(
            source_code=source,
            name=self.name,
            description=self.description,
            global_imports=self._global_imports,
            has_cancellation_support=self._has_cancellation_support,
            function=_key_of(self._func) or _default_key(self._func),
        )

    @classmethod
    def _from_config(cls, config: FunctionToolConfig) -> Self:
        candidates: list[str] = []
        if config.function:
            candidates.append(config.function)
        parsed = _function_name_in_source(config.source_code) if config.source_code else None
        if parsed:
            candidates.append(parsed)
        candidates.append(config.name)
        func = _lookup(candidates)
        if func is None:
            wanted = config.function or parsed or config.name
            raise ComponentError(
                f"Cannot load FunctionTool {config.name!r}: accord never executes code from a config, and no trusted "
                f"function {wanted!r} is registered. Register it before loading, e.g. "
                f"accord.tools.register_function({wanted.rsplit('.', 1)[-1]})."
            )
        return cls(func, config.description, name=config.name, global_imports=config.global_imports)
