"""Serve ``autogen_core``, ``autogen_agentchat`` and ``autogen_ext`` from accord.

Importing this module (or calling :func:`install`) puts a finder first on ``sys.meta_path`` so that every module
path of AutoGen 0.7.5 (public and private) that :mod:`accord._autogen_paths` maps resolves to accord; an AutoGen
program then runs unchanged on accord. Two kinds of mapping:

* an AutoGen path mapped to one accord module *is* that module (``autogen_core is accord.core``);
* an AutoGen path mapped to several accord modules is a thin compat module whose names come from those modules,
  in order (AutoGen's private modules group names differently from accord's). Setting a name on it (as
  ``unittest.mock.patch`` does) also sets it on the accord module that holds the name, and deleting it restores
  the accord module, so patching an AutoGen path reaches the code that runs.

A path AutoGen 0.7.5 never had raises ``ModuleNotFoundError`` naming it; an AutoGen module or name accord does not
serve raises ``ImportError`` saying why and what to use instead (the reasons are data, in the ``excluded`` section
of ``_autogen_manifest.json``, which also lists every module and name of AutoGen's wheels). The manifest is read
only when an import misses, so ``import autogen_core`` costs nothing extra.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any, cast

from .._autogen_paths import AUTOGEN_MODULES, accord_modules_for
from .._errors import AccordError

__all__ = [
    "UnservedAutogenModuleError",
    "UnservedAutogenNameError",
    "autogen_manifest",
    "install",
    "is_installed",
    "served_modules",
    "uninstall",
    "unserved_reason",
]

_ROOTS = ("autogen_core", "autogen_agentchat", "autogen_ext")


class UnservedAutogenNameError(AccordError, ImportError):
    """An AutoGen module or name that accord deliberately does not serve (the message says why and what to use).

    An ``ImportError``, so ``from autogen_x import name`` fails with this message rather than a bare
    "cannot import name".
    """


class UnservedAutogenModuleError(UnservedAutogenNameError, ModuleNotFoundError):
    """An AutoGen module that accord deliberately does not serve (the message says why and what to use)."""


_manifest: dict[str, Any] | None = None


def autogen_manifest() -> dict[str, Any]:
    """AutoGen 0.7.5's module tree (``modules``: module -> names) and what accord does not serve (``excluded``)."""
    global _manifest
    if _manifest is None:
        import json
        from pathlib import Path

        _manifest = cast(
            dict[str, Any], json.loads(Path(__file__).with_name("_autogen_manifest.json").read_text("utf-8"))
        )
    return _manifest


def unserved_reason(module: str, name: str | None = None) -> str | None:
    """Why accord does not serve AutoGen's ``module`` (or ``module.name``), or None if it is not excluded."""
    excluded: dict[str, str] = autogen_manifest()["excluded"]
    if name is not None and f"{module}:{name}" in excluded:
        return excluded[f"{module}:{name}"]
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        reason = excluded.get(".".join(parts[:i]))
        if reason is not None:
            return reason
    return None


def _intermediate_packages() -> set[str]:
    names: set[str] = set()
    for name in AUTOGEN_MODULES:
        parts = name.split(".")
        for i in range(1, len(parts)):
            names.add(".".join(parts[:i]))
    return names - set(AUTOGEN_MODULES)


_INTERMEDIATE = _intermediate_packages()


class _CompatModule(types.ModuleType):
    """An AutoGen module whose names live in several accord modules (looked up on each access, never copied)."""

    __accord_sources__: tuple[str, ...]
    __accord_shadowed__: dict[str, list[tuple[types.ModuleType, Any]]]

    def __init__(self, name: str, sources: tuple[str, ...]) -> None:
        super().__init__(name, f"accord compatibility module for AutoGen's {name} (names from {', '.join(sources)})")
        object.__setattr__(self, "__accord_sources__", sources)
        object.__setattr__(self, "__accord_shadowed__", {})

    def _holders(self, attr: str) -> list[types.ModuleType]:
        holders = []
        for source in self.__accord_sources__:
            module = importlib.import_module(source)
            if attr in vars(module):
                holders.append(module)
        return holders

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__") and attr != "__version__":
            if attr == "__all__":
                names = autogen_manifest()["modules"].get(self.__name__, [])
                return [n for n in names if not n.startswith("_") and self._holders(n)]
            raise AttributeError(attr)
        for source in self.__accord_sources__:
            module = importlib.import_module(source)
            try:
                return getattr(module, attr)
            except (AttributeError, UnservedAutogenNameError):
                continue
        if f"{self.__name__}.{attr}" in AUTOGEN_MODULES:
            return importlib.import_module(f"{self.__name__}.{attr}")
        reason = unserved_reason(self.__name__, attr)
        if reason is not None:
            raise UnservedAutogenNameError(f"accord does not serve {self.__name__}.{attr}: {reason}", name=attr)
        if attr in autogen_manifest()["modules"].get(self.__name__, ()):
            raise UnservedAutogenNameError(
                f"accord does not serve {self.__name__}.{attr} yet (AutoGen 0.7.5 defines it; no accord "
                f"module in {self.__accord_sources__} holds it)",
                name=attr,
            )
        raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}", name=attr, obj=self)

    def __setattr__(self, attr: str, value: Any) -> None:
        if not (attr.startswith("__") and attr.endswith("__")):
            shadowed = self.__accord_shadowed__
            holders = self._holders(attr)
            if attr not in shadowed:
                shadowed[attr] = [(module, vars(module)[attr]) for module in holders]
            for module in holders:
                setattr(module, attr, value)
        object.__setattr__(self, attr, value)

    def __delattr__(self, attr: str) -> None:
        object.__delattr__(self, attr)
        for module, original in self.__accord_shadowed__.pop(attr, ()):
            setattr(module, attr, original)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        for source in self.__accord_sources__:
            names.update(n for n in vars(importlib.import_module(source)) if not n.startswith("__"))
        return sorted(names)


class _AliasLoader:
    # Duck-typed loader and finder: importing importlib.abc would cost ~15 ms at startup.

    def __init__(self, sources: str | tuple[str, ...]) -> None:
        self._sources = sources

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        if isinstance(self._sources, str):
            module = importlib.import_module(self._sources)
            _explain_missing_names(module, spec.name)
            return module
        compat = _CompatModule(spec.name, self._sources)
        compat.__path__ = []
        return compat

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def _explain_missing_names(module: types.ModuleType, autogen_name: str) -> None:
    # An aliased AutoGen path *is* the accord module: teach it to say why a name AutoGen had there is not served
    # (PEP 562 module __getattr__, chained to the module's own one if it has it).
    own = vars(module).get("__getattr__")
    if getattr(own, "__accord_autogen__", None) is not None:
        own.__accord_autogen__.add(autogen_name)
        return
    paths = {autogen_name}

    def __getattr__(attr: str) -> Any:
        if own is not None:
            try:
                return own(attr)
            except AttributeError:
                pass
        if not (attr.startswith("__") and attr.endswith("__")) or attr == "__version__":
            for path in sorted(paths):
                if f"{path}.{attr}" in AUTOGEN_MODULES:
                    return importlib.import_module(f"{path}.{attr}")
                reason = unserved_reason(path, attr) if attr in autogen_manifest()["modules"].get(path, ()) else None
                if reason is not None:
                    raise UnservedAutogenNameError(f"accord does not serve {path}.{attr}: {reason}", name=attr)
        raise AttributeError(f"module {module.__name__!r} has no attribute {attr!r}", name=attr, obj=module)

    cast(Any, __getattr__).__accord_autogen__ = paths
    module.__getattr__ = __getattr__  # type: ignore[method-assign]


class _AutogenFinder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        root = fullname.split(".", 1)[0]
        if root not in _ROOTS:
            return None
        target = AUTOGEN_MODULES.get(fullname)
        if target is not None:
            loader = _AliasLoader(target if isinstance(target, str) else accord_modules_for(fullname))
            return importlib.machinery.ModuleSpec(fullname, cast(Any, loader), is_package=True)
        if fullname in _INTERMEDIATE or _is_autogen_namespace(fullname):
            return importlib.machinery.ModuleSpec(fullname, cast(Any, _AliasLoader(())), is_package=True)
        raise _missing_module(fullname)


def _is_autogen_namespace(fullname: str) -> bool:
    # A namespace package of AutoGen's wheels (no __init__.py: not in the manifest, but its modules are).
    modules = autogen_manifest()["modules"]
    return fullname not in modules and any(m.startswith(fullname + ".") for m in modules)


def _missing_module(fullname: str) -> ImportError:
    modules = autogen_manifest()["modules"]
    if fullname not in modules:
        return ModuleNotFoundError(f"No module named {fullname!r} (AutoGen 0.7.5 has no such module)", name=fullname)
    reason = unserved_reason(fullname) or "no accord module is mapped to it in accord._autogen_paths"
    return UnservedAutogenModuleError(f"accord does not serve the AutoGen module {fullname!r}: {reason}", name=fullname)


_finder = _AutogenFinder()


def install() -> None:
    """Make AutoGen's modules resolve to accord (idempotent)."""
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
    return name.startswith("accord") or name in _INTERMEDIATE or isinstance(module, _CompatModule)


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
