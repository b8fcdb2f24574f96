"""Capabilities of common Ollama models, by base name (the part before ``:tag``)."""

from __future__ import annotations

from .._model_info import ModelFamily, ModelInfo

__all__ = ["ollama_model_info", "ollama_context_window"]

# name: (vision, function_calling, family, context window)
_MODELS: dict[str, tuple[bool, bool, str, int]] = {
    "llama3": (False, False, ModelFamily.UNKNOWN, 8_192),
    "llama3.1": (False, True, ModelFamily.UNKNOWN, 131_072),
    "llama3.2": (False, True, ModelFamily.UNKNOWN, 131_072),
    "llama3.2-vision": (True, False, ModelFamily.UNKNOWN, 131_072),
    "llama3.3": (False, True, ModelFamily.LLAMA_3_3_70B, 131_072),
    "llama4": (True, True, ModelFamily.LLAMA_4_SCOUT, 10_485_760),
    "qwen2.5": (False, True, ModelFamily.UNKNOWN, 32_768),
    "qwen2.5-coder": (False, True, ModelFamily.UNKNOWN, 32_768),
    "qwen3": (False, True, ModelFamily.UNKNOWN, 40_960),
    "mistral": (False, True, ModelFamily.MISTRAL, 32_768),
    "mistral-nemo": (False, True, ModelFamily.MISTRAL, 131_072),
    "mistral-small": (False, True, ModelFamily.MISTRAL, 32_768),
    "phi3": (False, False, ModelFamily.UNKNOWN, 131_072),
    "phi4": (False, False, ModelFamily.UNKNOWN, 16_384),
    "gemma2": (False, False, ModelFamily.UNKNOWN, 8_192),
    "gemma3": (True, False, ModelFamily.UNKNOWN, 131_072),
    "deepseek-r1": (False, False, ModelFamily.R1, 131_072),
    "llava": (True, False, ModelFamily.UNKNOWN, 4_096),
    "granite3.3": (False, True, ModelFamily.UNKNOWN, 131_072),
    "smollm2": (False, True, ModelFamily.UNKNOWN, 8_192),
    "command-r": (False, True, ModelFamily.UNKNOWN, 131_072),
}


def _base(model: str) -> str:
    return model.split("/")[-1].split(":")[0].lower()


def ollama_model_info(model: str) -> ModelInfo | None:
    entry = _MODELS.get(_base(model))
    if entry is None:
        return None
    vision, tools, family, _ = entry
    return ModelInfo(vision=vision, function_calling=tools, json_output=True, family=family, structured_output=True)


def ollama_context_window(model: str) -> int:
    entry = _MODELS.get(_base(model))
    return entry[3] if entry is not None else 8_192
