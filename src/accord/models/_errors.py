"""Model errors, typed as transient (worth retrying) or fatal, with the provider's status and retry hint."""

from __future__ import annotations

from datetime import UTC

from .._errors import ModelError, UsageError

__all__ = [
    "ContextLengthError",
    "FatalModelError",
    "MissingApiKeyError",
    "ModelAPIError",
    "ModelAuthenticationError",
    "ModelConnectionError",
    "ModelRateLimitError",
    "ModelRequestError",
    "ModelServerError",
    "ModelTimeoutError",
    "ToolSchemaError",
    "TransientModelError",
    "UnknownModelError",
]


class ModelAPIError(ModelError):
    """A provider call failed. ``transient`` says whether retrying may help; ``retry_after`` is the server's hint."""

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status_code = status_code
        self.retry_after = retry_after


class TransientModelError(ModelAPIError):
    """Rate limits, server errors, timeouts, dropped connections: a retry may succeed."""

    transient = True


class FatalModelError(ModelAPIError):
    """Bad requests, authentication, unknown models: retrying the same request fails again."""


class ModelRateLimitError(TransientModelError):
    """HTTP 429."""


class ModelServerError(TransientModelError):
    """HTTP 5xx (and 408/409, which providers also ask to retry)."""


class ModelTimeoutError(TransientModelError, TimeoutError):
    """The provider did not answer in time."""


class ModelConnectionError(TransientModelError, ConnectionError):
    """The provider could not be reached (server down, DNS, refused connection)."""


class ModelRequestError(FatalModelError, ValueError):
    """The provider rejected the request (HTTP 4xx other than 401/403/408/409/429)."""


class ModelAuthenticationError(FatalModelError, PermissionError):
    """HTTP 401/403: a missing, wrong or unauthorised API key."""


class ContextLengthError(ModelRequestError):
    """The prompt is longer than the model's context window."""


class ToolSchemaError(ModelRequestError):
    """The provider rejected a tool's schema (the message names the tool)."""

    def __init__(self, message: str, *, tool_name: str, provider: str = "", status_code: int | None = None) -> None:
        super().__init__(message, provider=provider, status_code=status_code)
        self.tool_name = tool_name


class MissingApiKeyError(UsageError):
    """No API key was passed and the provider's environment variable is not set."""

    def __init__(self, provider: str, env_var: str) -> None:
        super().__init__(
            f"No API key for {provider}: pass api_key=... to the client or set the {env_var} environment variable"
        )
        self.env_var = env_var


class UnknownModelError(UsageError):
    """The model name is not in accord's catalog and no ``model_info`` was given."""

    def __init__(self, model: str, provider: str) -> None:
        super().__init__(
            f"model_info is required when model name is not a valid {provider} model: {model!r} is unknown. Pass "
            "model_info={'vision': False, 'function_calling': True, 'json_output': True, 'family': 'unknown', "
            "'structured_output': False} (with the values that are true for your model) to the client"
        )
        self.model = model


def status_error(provider: str, status: int, detail: str, *, retry_after: float | None = None) -> ModelAPIError:
    """The typed error for an HTTP status from ``provider``."""
    message = f"{provider} returned HTTP {status}: {detail}"
    if status == 429:
        return ModelRateLimitError(message, provider=provider, status_code=status, retry_after=retry_after)
    if status >= 500 or status in (408, 409):
        return ModelServerError(message, provider=provider, status_code=status, retry_after=retry_after)
    if status in (401, 403):
        return ModelAuthenticationError(message, provider=provider, status_code=status)
    lowered = detail.lower()
    if "context_length_exceeded" in lowered or "context length" in lowered or "context window" in lowered:
        return ContextLengthError(
            f"{message}. The conversation is too long for the model: use a TokenLimitedChatCompletionContext "
            "(or BufferedChatCompletionContext) so old messages are trimmed",
            provider=provider,
            status_code=status,
        )
    return ModelRequestError(message, provider=provider, status_code=status)


def parse_retry_after(headers: object) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` headers (a number or an HTTP date)."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    value = get("retry-after-ms")
    if value is not None:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from datetime import datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
