"""What accord knows about named models: capabilities, context window, and list prices.

Facts only (public model cards and price pages, USD per million tokens); users override prices in the usage ledger
and capabilities with ``model_info``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._errors import AccordError
from ._model_info import ModelFamily, ModelInfo

__all__ = ["ALIASES", "CATALOG", "ModelCard", "get_info", "get_token_limit", "lookup", "resolve_alias", "resolve_model"]


class UnknownCatalogModelError(AccordError, ValueError, KeyError):
    """The catalog does not know the model (a ValueError and a KeyError, as AutoGen's helpers raised)."""


@dataclass(frozen=True)
class ModelCard:
    family: str
    vision: bool
    function_calling: bool
    json_output: bool
    structured_output: bool
    context_window: int
    input_price: float  # USD per 1M prompt tokens
    output_price: float  # USD per 1M completion tokens
    cached_input_price: float | None = None
    multiple_system_messages: bool | None = None

    def model_info(self) -> ModelInfo:
        info = ModelInfo(
            vision=self.vision,
            function_calling=self.function_calling,
            json_output=self.json_output,
            family=self.family,
            structured_output=self.structured_output,
        )
        if self.multiple_system_messages is not None:
            info["multiple_system_messages"] = self.multiple_system_messages
        return info


F = ModelFamily


def _card(
    family: str,
    window: int,
    price_in: float,
    price_out: float,
    *,
    vision: bool = True,
    tools: bool = True,
    json: bool = True,
    structured: bool = True,
    multi_system: bool | None = True,
) -> ModelCard:
    return ModelCard(
        family=family,
        vision=vision,
        function_calling=tools,
        json_output=json,
        structured_output=structured,
        context_window=window,
        input_price=price_in,
        output_price=price_out,
        cached_input_price=price_in / 2 if price_in else None,
        multiple_system_messages=multi_system,
    )


# Short names a user types -> the dated model the provider serves.
ALIASES: dict[str, str] = {
    "o4-mini": "o4-mini-2025-04-16",
    "o3": "o3-2025-04-16",
    "o3-mini": "o3-mini-2025-01-31",
    "o1": "o1-2024-12-17",
    "o1-mini": "o1-mini-2024-09-12",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4-turbo": "gpt-4-turbo-2024-04-09",
    "gpt-4": "gpt-4-0613",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "claude-3-haiku": "claude-3-haiku-20240307",
    "claude-3-opus": "claude-3-opus-20240229",
    "claude-3-5-haiku": "claude-3-5-haiku-20241022",
    "claude-3-5-sonnet": "claude-3-5-sonnet-20241022",
    "claude-3-7-sonnet": "claude-3-7-sonnet-20250219",
    "claude-4-sonnet": "claude-sonnet-4-20250514",
    "claude-4-opus": "claude-opus-4-20250514",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-opus-4-0": "claude-opus-4-20250514",
    "llama-3.3-8b": "Llama-3.3-8B-Instruct",
    "llama-3.3-70b": "Llama-3.3-70B-Instruct",
}

CATALOG: dict[str, ModelCard] = {
    "o4-mini-2025-04-16": _card(F.O4, 200_000, 1.10, 4.40),
    "o3-2025-04-16": _card(F.O3, 200_000, 2.00, 8.00),
    "o3-mini-2025-01-31": _card(F.O3, 200_000, 1.10, 4.40, vision=False),
    "o1-2024-12-17": _card(F.O1, 200_000, 15.00, 60.00),
    "o1-mini-2024-09-12": _card(F.O1, 128_000, 1.10, 4.40, vision=False, tools=False, structured=False),
    "gpt-5-2025-08-07": _card(F.GPT_5, 400_000, 1.25, 10.00),
    "gpt-5-mini-2025-08-07": _card(F.GPT_5, 400_000, 0.25, 2.00),
    "gpt-5-nano-2025-08-07": _card(F.GPT_5, 400_000, 0.05, 0.40),
    "gpt-4.1-2025-04-14": _card(F.GPT_41, 1_047_576, 2.00, 8.00),
    "gpt-4.1-mini-2025-04-14": _card(F.GPT_41, 1_047_576, 0.40, 1.60),
    "gpt-4.1-nano-2025-04-14": _card(F.GPT_41, 1_047_576, 0.10, 0.40),
    "gpt-4o-2024-11-20": _card(F.GPT_4O, 128_000, 2.50, 10.00),
    "gpt-4o-2024-08-06": _card(F.GPT_4O, 128_000, 2.50, 10.00),
    "gpt-4o-2024-05-13": _card(F.GPT_4O, 128_000, 5.00, 15.00, structured=False),
    "gpt-4o-mini-2024-07-18": _card(F.GPT_4O, 128_000, 0.15, 0.60),
    "gpt-4-turbo-2024-04-09": _card(F.GPT_4, 128_000, 10.00, 30.00, structured=False),
    "gpt-4-0613": _card(F.GPT_4, 8_192, 30.00, 60.00, vision=False, structured=False),
    "gpt-3.5-turbo-0125": _card(F.GPT_35, 16_385, 0.50, 1.50, vision=False, structured=False),
    "gemini-1.5-flash": _card(F.GEMINI_1_5_FLASH, 1_048_576, 0.075, 0.30, multi_system=False),
    "gemini-1.5-flash-8b": _card(F.GEMINI_1_5_FLASH, 1_048_576, 0.0375, 0.15, multi_system=False),
    "gemini-1.5-pro": _card(F.GEMINI_1_5_PRO, 2_097_152, 1.25, 5.00, multi_system=False),
    "gemini-2.0-flash": _card(F.GEMINI_2_0_FLASH, 1_048_576, 0.10, 0.40, multi_system=False),
    "gemini-2.0-flash-lite": _card(F.GEMINI_2_0_FLASH, 1_048_576, 0.075, 0.30, multi_system=False),
    "gemini-2.0-flash-lite-preview-02-05": _card(F.GEMINI_2_0_FLASH, 1_048_576, 0.075, 0.30, multi_system=False),
    "gemini-2.5-flash-lite": _card(F.GEMINI_2_5_FLASH, 1_048_576, 0.10, 0.40, multi_system=False),
    "gemini-2.5-pro-preview-03-25": _card(F.GEMINI_2_5_PRO, 2_097_152, 1.25, 10.00, multi_system=False),
    "gemini-2.5-flash": _card(F.GEMINI_2_5_FLASH, 1_048_576, 0.30, 2.50, multi_system=False),
    "gemini-2.5-pro": _card(F.GEMINI_2_5_PRO, 1_048_576, 1.25, 10.00, multi_system=False),
    "claude-3-haiku-20240307": _card(F.CLAUDE_3_HAIKU, 200_000, 0.25, 1.25, structured=False, multi_system=False),
    "claude-3-opus-20240229": _card(F.CLAUDE_3_OPUS, 200_000, 15.00, 75.00, structured=False, multi_system=False),
    "claude-3-5-haiku-20241022": _card(F.CLAUDE_3_5_HAIKU, 200_000, 0.80, 4.00, structured=False, multi_system=False),
    "claude-3-5-sonnet-20241022": _card(
        F.CLAUDE_3_5_SONNET, 200_000, 3.00, 15.00, structured=False, multi_system=False
    ),
    "claude-3-7-sonnet-20250219": _card(
        F.CLAUDE_3_7_SONNET, 200_000, 3.00, 15.00, structured=False, multi_system=False
    ),
    "claude-sonnet-4-20250514": _card(F.CLAUDE_4_SONNET, 200_000, 3.00, 15.00, structured=False, multi_system=False),
    "claude-opus-4-20250514": _card(F.CLAUDE_4_OPUS, 200_000, 15.00, 75.00, structured=False, multi_system=False),
    "Llama-3.3-8B-Instruct": _card(F.LLAMA_3_3_8B, 128_000, 0.0, 0.0, vision=False, multi_system=False),
    "Llama-3.3-70B-Instruct": _card(F.LLAMA_3_3_70B, 128_000, 0.0, 0.0, vision=False, multi_system=False),
}


def resolve_alias(model: str) -> str:
    return ALIASES.get(model, model)


def lookup(model: str) -> ModelCard | None:
    """The card of ``model`` (alias or dated name; a dated name of a known alias falls back to its base)."""
    name = resolve_alias(model)
    card = CATALOG.get(name)
    if card is not None:
        return card
    # "gpt-4o-2024-12-01" style: the longest known alias that prefixes the name
    best = ""
    for alias in ALIASES:
        if name.startswith(alias + "-") and len(alias) > len(best):
            best = alias
    return CATALOG.get(ALIASES[best]) if best else None


# AutoGen's names (autogen_ext.models.openai._model_info), on accord's catalog.
resolve_model = resolve_alias


def get_info(model: str) -> ModelInfo:
    """The catalog's model_info for ``model``; a ValueError (as AutoGen) when the catalog does not know it."""
    card = lookup(model)
    if card is None:
        raise UnknownCatalogModelError("model_info is required when model name is not a valid OpenAI model")
    return card.model_info()


def get_token_limit(model: str) -> int:
    """The context window of ``model``; a KeyError (as AutoGen) when the catalog does not know it."""
    card = lookup(model)
    if card is None:
        raise UnknownCatalogModelError(model)
    return card.context_window
