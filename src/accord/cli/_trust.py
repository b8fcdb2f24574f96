"""``--tools FILE_OR_MODULE``: the user trusts a Python module's functions as tools for a spec.

A spec only names tools; the functions come from code the user points at on the command line (never from the
spec). Every public function defined in the module is registered with :func:`accord.tools.register_function`
under ``<module>.<name>`` (and so matches its bare name too); functions the module registers itself stay as they are.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import inspect
import os
import sys
from pathlib import Path
from types import ModuleType

from .._errors import UsageError

ALLOW_ENV_HELP = "let the spec read this environment variable (api_key_env) (repeatable)"

__all__ = ["allow_for_spec", "trust_tools"]


def _import_file(target: str) -> ModuleType:
    """Import one ``.py`` file, resolved against the current directory, without putting its folder on sys.path
    (a bundle's ``openai.py`` beside it must not shadow the SDK when the file or accord imports ``openai``)."""
    path = Path(target)
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.is_file():
        raise UsageError(f"--tools {target}: file not found (relative paths are read from the current directory)")
    name = f"accord_user_tools_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"--tools {target}: cannot import this file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise UsageError(f"--tools {target}: importing it failed: {type(e).__name__}: {e}") from e
    return module


def _import_module(target: str) -> ModuleType:
    """Import an installed module, or one from the current directory (loaded alone, not added to sys.path)."""
    top = target.split(".", 1)[0]
    try:
        if top not in sys.modules and importlib.util.find_spec(top) is None:
            spec = importlib.machinery.PathFinder.find_spec(top, [str(Path.cwd())])
            if spec is None or spec.loader is None:
                raise UsageError(f"--tools {target}: no such module (installed, or in the current directory)")
            module = importlib.util.module_from_spec(spec)
            sys.modules[top] = module
            spec.loader.exec_module(module)
        return importlib.import_module(target)
    except ImportError as e:
        raise UsageError(f"--tools {target}: no such module ({e})") from e


def trust_tools(targets: list[str]) -> list[str]:
    """Import each module or ``.py`` file and register its public functions; returns the registered names.

    Relative paths are read from the current directory only (never from the spec's folder), and the file's folder
    is not put on ``sys.path``: the user trusts that one file, not what lies beside it.
    """
    from ..tools import register_function, registered_functions

    names: list[str] = []
    for target in targets:
        module = _import_file(target) if target.endswith(".py") else _import_module(target)
        already = set(registered_functions().values())
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            if value not in already:
                register_function(value, name=f"{Path(target).stem if target.endswith('.py') else target}.{attr}")
            names.append(attr)
    return names


def allow_for_spec(spec: Path, *, mcp: list[str] | None = None, env: list[str] | None = None) -> None:
    """What the user allowed on the command line for this spec: environment variables it may read (``--allow-env``)
    and MCP commands it may start (``--allow-mcp`` and ``ACCORD_MCP_ALLOWED_COMMANDS``), the latter in the spec's
    folder, where its servers work (their working directory is part of the allowlist match)."""
    if env:
        from ..spec import allow_env

        allow_env(env)
    from_env = [e.strip() for e in os.environ.get("ACCORD_MCP_ALLOWED_COMMANDS", "").split(",") if e.strip()]
    if mcp or from_env:
        from ..tools.mcp import allow_mcp_commands

        allow_mcp_commands([*(mcp or []), *from_env], cwd=spec.resolve().parent)
