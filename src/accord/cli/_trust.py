"""``--tools FILE_OR_MODULE``: the user trusts a Python module's functions as tools for a spec.

A spec only names tools; the functions come from code the user points at on the command line (never from the
spec). Every public function defined in the module is registered with :func:`accord.tools.register_function`
under ``<module>.<name>`` (and so matches its bare name too); functions the module registers itself stay as they are.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

from .._errors import UsageError

__all__ = ["trust_tools"]


def _import(target: str, base: Path) -> ModuleType:
    path = Path(target)
    if target.endswith(".py"):
        if not path.is_absolute() and not path.exists():
            path = base / path
        if not path.is_file():
            raise UsageError(f"--tools {target}: file not found")
        name = f"accord_user_tools_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise UsageError(f"--tools {target}: cannot import this file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        sys.path.insert(0, str(path.parent))
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            raise UsageError(f"--tools {target}: importing it failed: {type(e).__name__}: {e}") from e
        return module
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        return importlib.import_module(target)
    except ImportError as e:
        raise UsageError(f"--tools {target}: no such module ({e})") from e


def trust_tools(targets: list[str], *, base: Path) -> list[str]:
    """Import each module or ``.py`` file and register its public functions; returns the registered names."""
    from ..tools import register_function, registered_functions

    names: list[str] = []
    for target in targets:
        module = _import(target, base)
        already = set(registered_functions().values())
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            if value not in already:
                register_function(value, name=f"{Path(target).stem if target.endswith('.py') else target}.{attr}")
            names.append(attr)
    return names
