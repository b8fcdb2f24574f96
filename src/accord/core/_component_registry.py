"""Which component providers may be loaded, and how they resolve to classes.

Loading a config never imports an arbitrary module. A provider string resolves through, in order:

1. AutoGen's well-known aliases (``OpenAIChatCompletionClient`` ...);
2. classes registered in-process with :func:`register_component` (accord's own classes register
   themselves when defined);
3. AutoGen provider paths (``autogen_agentchat.agents.AssistantAgent``), mapped to the accord module
   that serves them (:mod:`accord._autogen_paths`);
4. paths inside the ``accord`` package: the public accord package that owns the path (from the fixed table
   :data:`ACCORD_COMPONENT_PACKAGES`) is imported, never the module the provider names, and the provider must
   then be a registered component class or a public name of that package (``accord.cli.__main__.X`` imports
   ``accord.cli`` and is refused);
5. module prefixes the user allowed explicitly with :func:`allow_providers` or the
   ``ACCORD_ALLOWED_PROVIDERS`` / ``AUTOGEN_ALLOWED_PROVIDER_NAMESPACES`` environment variables
   (comma-separated prefixes).

Anything else raises :class:`~accord.errors.UntrustedProviderError` naming the provider and how to
allow it; nothing is imported.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterable
from typing import Any

from .._autogen_paths import AUTOGEN_MODULES, accord_modules_for
from .._errors import UntrustedProviderError

__all__ = [
    "ACCORD_COMPONENT_PACKAGES",
    "WELL_KNOWN_PROVIDERS",
    "allow_providers",
    "allowed_provider_prefixes",
    "register_component",
    "resolve_provider",
]

WELL_KNOWN_PROVIDERS: dict[str, str] = {
    "openai_chat_completion_client": "autogen_ext.models.openai.OpenAIChatCompletionClient",
    "OpenAIChatCompletionClient": "autogen_ext.models.openai.OpenAIChatCompletionClient",
    "azure_openai_chat_completion_client": "autogen_ext.models.openai.AzureOpenAIChatCompletionClient",
    "AzureOpenAIChatCompletionClient": "autogen_ext.models.openai.AzureOpenAIChatCompletionClient",
    "OllamaChatCompletionClient": "autogen_ext.models.ollama.OllamaChatCompletionClient",
    "AnthropicChatCompletionClient": "autogen_ext.models.anthropic.AnthropicChatCompletionClient",
}

# The accord packages that define components. A provider under ``accord.`` makes accord import the longest of these
# that prefixes it (a name from this table, never one taken from the config); importing a package registers the
# component classes of its private modules. tests/security pins that every accord component class is reachable.
ACCORD_COMPONENT_PACKAGES: frozenset[str] = frozenset(
    {
        *(m for value in AUTOGEN_MODULES.values() for m in ((value,) if isinstance(value, str) else value)),
        "accord.agents",
        "accord.cache_stores.diskcache",
        "accord.cache_stores.redis",
        "accord.cli",
        "accord.models.wrappers",
        "accord.testing",
        "accord.tools",
    }
)

_lock = threading.Lock()
_registered: dict[str, type[Any]] = {}
_user_prefixes: list[str] = []


def register_component(cls: type[Any], *providers: str) -> type[Any]:
    """Make ``cls`` loadable under its own path and under each of ``providers``.

    Usable as a plain call or (without extra providers) as a class decorator.
    """
    names = {f"{cls.__module__}.{cls.__qualname__}", *providers}
    # Only the class's own override: a subclass inherits its parent's, and must not take over the parent's provider.
    override = cls.__dict__.get("component_provider_override")
    if isinstance(override, str):
        names.add(override)
    with _lock:
        for name in names:
            _registered[name] = cls
    return cls


def allow_providers(prefixes: Iterable[str]) -> None:
    """Allow loading components whose provider path starts with one of ``prefixes`` (imports them)."""
    with _lock:
        for prefix in prefixes:
            prefix = prefix.strip()
            if prefix and prefix not in _user_prefixes:
                _user_prefixes.append(prefix)


def allowed_provider_prefixes() -> list[str]:
    env = [
        p.strip()
        for var in ("ACCORD_ALLOWED_PROVIDERS", "AUTOGEN_ALLOWED_PROVIDER_NAMESPACES")
        for p in os.environ.get(var, "").split(",")
        if p.strip()
    ]
    with _lock:
        return [*_user_prefixes, *env]


def _prefix_matches(provider: str, prefix: str) -> bool:
    prefix = prefix.rstrip(".")
    return provider == prefix or provider.startswith(prefix + ".")


def _import_attr(module_path: str, attr_path: str, provider: str) -> Any:
    try:
        obj: Any = importlib.import_module(module_path)
    except ImportError as e:
        raise UntrustedProviderError(
            f"Component provider {provider!r} maps to module {module_path!r}, which cannot be imported: {e}"
        ) from e
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as e:
            raise UntrustedProviderError(
                f"Component provider {provider!r}: module {module_path!r} has no attribute {attr_path!r}"
            ) from e
    return obj


def _split(provider: str) -> tuple[str, str]:
    module, _, attr = provider.rpartition(".")
    if not module or not attr:
        raise UntrustedProviderError(
            f"Invalid component provider {provider!r}: expected a dotted path 'pkg.module.Class'"
        )
    return module, attr


def _owning_package(module: str) -> str | None:
    """The longest package of :data:`ACCORD_COMPONENT_PACKAGES` that is ``module`` or contains it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in ACCORD_COMPONENT_PACKAGES:
            return candidate
    return None


def _resolve_accord(provider: str, module: str, attr: str) -> Any:
    package = _owning_package(module)
    if package is not None:
        imported = importlib.import_module(package)  # a name from the table above
        with _lock:
            cls = _registered.get(provider)
        if cls is None and module == package:
            cls = getattr(imported, attr, None)  # a public name of the package (``accord.testing.X``)
        if isinstance(cls, type):
            return cls
    raise UntrustedProviderError(
        f"Component provider {provider!r} is not a component accord knows: nothing named by it was imported "
        f"(accord imports only its own component packages, never a module path taken from a config). Use the "
        f"class's public path (e.g. 'accord.models.wrappers.RetryingChatCompletionClient') or its AutoGen path, "
        f"or register the class with accord.core.register_component(<class>)."
    )


def resolve_provider(provider: str) -> Any:
    """Resolve ``provider`` to a class through the registry, the AutoGen path table, accord's component packages,
    or user-allowed prefixes; nothing else is imported."""
    provider = WELL_KNOWN_PROVIDERS.get(provider, provider)
    with _lock:
        cls = _registered.get(provider)
    if cls is not None:
        return cls
    module, attr = _split(provider)
    accord_modules = accord_modules_for(module)
    for accord_module in accord_modules[:-1]:
        try:
            return _import_attr(accord_module, attr, provider)
        except UntrustedProviderError:
            continue
    if accord_modules:
        return _import_attr(accord_modules[-1], attr, provider)
    if module == "accord" or module.startswith("accord."):
        return _resolve_accord(provider, module, attr)
    for prefix in allowed_provider_prefixes():
        if _prefix_matches(provider, prefix):
            return _import_attr(module, attr, provider)
    top = module.split(".")[0]
    raise UntrustedProviderError(
        f"Component provider {provider!r} is not a known accord component and is not allowed; nothing was "
        f"imported. To trust it, register the class with accord.core.register_component(<class>), or allow its "
        f"module with accord.core.allow_providers([{top!r}]) or the environment variable "
        f"ACCORD_ALLOWED_PROVIDERS={top}."
    )
