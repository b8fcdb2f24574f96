"""OpenAI SDK errors -> accord's typed model errors (transient or fatal, with retry-after and the tool named)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import (
    ModelAPIError,
    ModelConnectionError,
    ModelTimeoutError,
    ToolSchemaError,
    parse_retry_after,
    status_error,
)

__all__ = ["find_rejected_tool", "translate_openai_error"]


def find_rejected_tool(detail: str, schemas: Sequence[Mapping[str, Any]]) -> str | None:
    """The tool a provider's 400 message is about: by ``tools[i]`` index or by name."""
    match = re.search(r"tools(?:\[(\d+)\]|\.(\d+))", detail)
    if match is not None:
        index = int(match.group(1) or match.group(2))
        if index < len(schemas):
            return str(schemas[index]["name"])
    lowered = detail.lower()
    if "tool" not in lowered and "function" not in lowered:
        return None
    for schema in schemas:
        name = str(schema["name"])
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", detail):
            return name
    return None


def translate_openai_error(
    error: Exception,
    *,
    provider: str,
    base_url: str | None,
    schemas: Sequence[Mapping[str, Any]],
    sdk: Any = None,
) -> ModelAPIError:
    """Works for the ``openai`` SDK and for SDKs built the same way (``anthropic``: pass it as ``sdk``)."""
    if sdk is None:
        import openai as sdk
    openai = sdk
    where = base_url or "the default endpoint"
    if isinstance(error, openai.APITimeoutError):
        return ModelTimeoutError(f"{provider} did not answer in time ({where}): {error}", provider=provider)
    if isinstance(error, openai.APIConnectionError):
        return ModelConnectionError(
            f"Cannot reach the {provider} server at {where}: {error} (is the server running and the URL right?)",
            provider=provider,
        )
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        detail = str(error.message)
        if status in (400, 422) and schemas:
            tool = find_rejected_tool(detail, schemas)
            if tool is not None:
                return ToolSchemaError(
                    f"{provider} rejected the schema of tool {tool!r} (HTTP {status}): {detail}",
                    tool_name=tool,
                    provider=provider,
                    status_code=status,
                )
        return status_error(provider, status, detail, retry_after=parse_retry_after(error.response.headers))
    return ModelAPIError(f"{provider} call failed: {error}", provider=provider)
