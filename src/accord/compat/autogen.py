"""Serve ``autogen_core``, ``autogen_agentchat`` and ``autogen_ext`` from accord.

Importing this module (or calling :func:`install`) puts a finder first on ``sys.meta_path`` so that
``import autogen_core`` and AutoGen's public submodules resolve to the accord modules listed in
:mod:`accord._autogen_paths`; an AutoGen program then runs unchanged on accord. AutoGen modules that
accord does not serve (private ones such as ``autogen_core._agent_id``) raise ``ModuleNotFoundError``
saying so, rather than silently mixing in a real AutoGen installation.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any, cast

from .._autogen_paths import AUTOGEN_MODULES

__all__ = ["install", "is_installed", "served_modules", "uninstall"]

_ROOTS = ("autogen_core", "autogen_agentchat", "autogen_ext")


def _intermediate_packages() -> set[str]:
    names: set[str] = set()
    for name in AUTOGEN_MODULES:
        parts = name.split(".")
        for i in range(1, len(parts)):
            names.add(".".join(parts[:i]))
    return names - set(AUTOGEN_MODULES)


_INTERMEDIATE = _intermediate_packages()


class _AliasLoader:
    # Duck-typed loader and finder: importing importlib.abc would cost ~15 ms at startup.

    def __init__(self, target: str | None) -> None:
        self._target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        if self._target is None:
            module = types.ModuleType(spec.name, f"accord compatibility namespace for {spec.name}")
            module.__path__ = []
            return module
        return importlib.import_module(self._target)

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _AutogenFinder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        root = fullname.split(".", 1)[0]
        if root not in _ROOTS:
            return None
        if fullname in AUTOGEN_MODULES:
            return importlib.machinery.ModuleSpec(
                fullname, cast(Any, _AliasLoader(AUTOGEN_MODULES[fullname])), is_package=True
            )
        if fullname in _INTERMEDIATE:
            return importlib.machinery.ModuleSpec(fullname, cast(Any, _AliasLoader(None)), is_package=True)
        raise ModuleNotFoundError(
            f"accord does not serve the AutoGen module {fullname!r} (it serves AutoGen's public modules; "
            f"see accord.compat.autogen.served_modules())",
            name=fullname,
        )


_finder = _AutogenFinder()


def install() -> None:
    """Make AutoGen's public modules resolve to accord (idempotent)."""
    if _finder in sys.meta_path:
        return
    for name in list(sys.modules):
        if name.split(".", 1)[0] in _ROOTS and not _is_ours(sys.modules[name]):
            raise ImportError(
                f"The real AutoGen module {name!r} is already imported; import accord.compat.autogen before AutoGen"
            )
    sys.meta_path.insert(0, _finder)


def _is_ours(module: types.ModuleType) -> bool:
    name = getattr(module, "__name__", "")
    return name.startswith("accord") or name in _INTERMEDIATE


def uninstall() -> None:
    """Remove the finder and forget the aliased AutoGen module names."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in list(sys.modules):
        if name.split(".", 1)[0] in _ROOTS:
            del sys.modules[name]


def is_installed() -> bool:
    return _finder in sys.meta_path


def served_modules() -> list[str]:
    """The AutoGen module names accord serves."""
    return sorted(AUTOGEN_MODULES)


install()
