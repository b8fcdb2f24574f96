"""Model clients: the ``ChatCompletionClient`` interface, LLM message types and model capabilities.

Serves ``autogen_core.models``. Providers live in submodules imported on demand:
``accord.models.openai``, ``.anthropic``, ``.ollama``, ``.llama_cpp``, ``.replay``, ``.cache``; production wrappers
(retry, fallback, router, usage ledger) in ``accord.models.wrappers``.
"""

from __future__ import annotations

from ..core import FunctionCall, Image
from ._client import ChatCompletionClient
from ._model_info import ModelCapabilities, ModelFamily, ModelInfo, validate_model_info
from ._types import (
    AssistantMessage,
    ChatCompletionTokenLogprob,
    CreateResult,
    FinishReasons,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    RequestUsage,
    SystemMessage,
    TopLogprob,
    UserMessage,
)

__all__ = [
    "AssistantMessage",
    "ChatCompletionClient",
    "ChatCompletionTokenLogprob",
    "CreateResult",
    "FinishReasons",
    "FunctionCall",
    "FunctionExecutionResult",
    "FunctionExecutionResultMessage",
    "Image",
    "LLMMessage",
    "ModelCapabilities",
    "ModelFamily",
    "ModelInfo",
    "RequestUsage",
    "SystemMessage",
    "TopLogprob",
    "UserMessage",
    "validate_model_info",
]
