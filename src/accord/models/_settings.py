"""Provider settings in one place: which environment variables configure each provider, and where its ambient
credentials may be sent.

Everything that asks "is OpenAI / Azure / Anthropic / Ollama configured here?" or "which key does this client get
from the environment?" reads this table: ``accord models``, the spec's model references and the clients
themselves, so they cannot disagree (an Azure setup with only ``AZURE_OPENAI_AD_TOKEN`` is configured, and the
client uses that token).

Ambient credentials (keys in the environment) belong to the endpoint the environment configures. A config loaded
as data (``load_component``, a spec) that names another endpoint (``base_url``, ``azure_endpoint``) gets no
ambient key: :func:`ambient_credentials` returns nothing for it, and the client refuses with
:class:`EndpointCredentialError` unless the config carries its own key (or the endpoint is on loopback, where
servers need none).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlparse

from pydantic import SecretStr

from .._errors import ComponentError

__all__ = [
    "DEFAULT_AZURE_API_VERSION",
    "NO_KEY",
    "PROVIDER_SETTINGS",
    "EndpointCredentialError",
    "ProviderSettings",
    "ambient_credentials",
    "azure_api_version",
    "config_credentials",
    "endpoint_is_ambient",
    "env_value",
    "is_loopback",
    "refuse_foreign_endpoint",
]


@dataclass(frozen=True)
class ProviderSettings:
    """How one provider is configured through the environment."""

    name: str
    label: str
    credentials: tuple[tuple[str, str], ...] = ()  # (environment variable, config field), first found wins
    endpoint_env: str | None = None
    default_endpoint: str | None = None
    endpoint_field: str | None = None
    default_model: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)  # role -> variable (deployment, api version)

    def endpoint(self) -> str | None:
        """The endpoint the environment configures (or the provider's default)."""
        return env_value(self.endpoint_env) if self.endpoint_env else None

    def credential(self) -> tuple[str, str] | None:
        """(environment variable, config field) of the first credential set in the environment."""
        for variable, config_field in self.credentials:
            if env_value(variable) is not None:
                return variable, config_field
        return None


PROVIDER_SETTINGS: dict[str, ProviderSettings] = {
    "openai": ProviderSettings(
        "openai",
        "OpenAI",
        credentials=(("OPENAI_API_KEY", "api_key"),),
        endpoint_env="OPENAI_BASE_URL",
        default_endpoint="https://api.openai.com/v1",
        endpoint_field="base_url",
        default_model="gpt-4.1-mini",
    ),
    "azure": ProviderSettings(
        "azure",
        "Azure OpenAI",
        credentials=(("AZURE_OPENAI_API_KEY", "api_key"), ("AZURE_OPENAI_AD_TOKEN", "azure_ad_token")),
        endpoint_env="AZURE_OPENAI_ENDPOINT",
        endpoint_field="azure_endpoint",
        extra_env={"deployment": "AZURE_OPENAI_DEPLOYMENT", "api_version": "OPENAI_API_VERSION"},
    ),
    "anthropic": ProviderSettings(
        "anthropic",
        "Anthropic",
        credentials=(("ANTHROPIC_API_KEY", "api_key"),),
        endpoint_env="ANTHROPIC_BASE_URL",
        default_endpoint="https://api.anthropic.com",
        endpoint_field="base_url",
        default_model="claude-3-5-haiku",
    ),
    "ollama": ProviderSettings(
        "ollama",
        "Ollama",
        endpoint_env="OLLAMA_HOST",
        default_endpoint="http://localhost:11434",
        endpoint_field="host",
        default_model="llama3.2",
    ),
}
DEFAULT_AZURE_API_VERSION = "2024-10-21"


class EndpointCredentialError(ComponentError):
    """A config loaded as data names an endpoint that is not the one the environment configures, and carries no
    key of its own: accord does not send the environment's key there."""


def env_value(name: str) -> str | None:
    """The environment variable ``name``, stripped; None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def azure_api_version() -> str:
    return env_value("OPENAI_API_VERSION") or env_value("AZURE_OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION


def is_loopback(url: str) -> bool:
    host = urlparse(url if "://" in url else f"http://{url}").hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _normal(url: str) -> str:
    return url.strip().rstrip("/").lower()


def endpoint_is_ambient(settings: ProviderSettings, endpoint: str | None) -> bool:
    """Whether ``endpoint`` (None: the client's default) is the one this environment configures for the provider."""
    if endpoint is None or not endpoint.strip():
        return True
    known = [e for e in (settings.endpoint(), settings.default_endpoint) if e]
    return any(_normal(endpoint) == _normal(e) for e in known)


def ambient_credentials(settings: ProviderSettings, endpoint: str | None) -> dict[str, SecretStr]:
    """The environment's credential for ``settings`` as ``{config field: secret}``, only for an ambient endpoint."""
    if not endpoint_is_ambient(settings, endpoint):
        return {}
    found = settings.credential()
    if found is None:
        return {}
    variable, config_field = found
    value = env_value(variable)
    return {config_field: SecretStr(value)} if value is not None else {}


def refuse_foreign_endpoint(settings: ProviderSettings, endpoint: str) -> EndpointCredentialError:
    """The error for a config from data that names ``endpoint`` without a key of its own."""
    variables = ", ".join(v for v, _ in settings.credentials)
    return EndpointCredentialError(
        f"the {settings.label} config names the endpoint {endpoint!r} ({settings.endpoint_field}) and carries no "
        f"key of its own; accord does not send {variables} from the environment to an endpoint named by a config. "
        f"Put the key in the config, or in a spec give api_key_env: NAME and allow it with accord run --allow-env "
        f"NAME (or accord.spec.allow_env(['NAME']))."
    )


NO_KEY = "sk-no-key-required"


def config_credentials(settings: ProviderSettings, config: dict[str, object]) -> dict[str, object]:
    """What a client loaded from data (``_from_config``) adds to its config before it reads the environment.

    Nothing when the config carries its own credential or names no endpoint / the ambient one (the client then
    reads the environment as in code); a placeholder key for a loopback server; otherwise the config names a
    foreign endpoint without a key and is refused (:class:`EndpointCredentialError`).
    """
    if any(config.get(config_field) for _, config_field in settings.credentials):
        return {}
    endpoint = config.get(settings.endpoint_field) if settings.endpoint_field else None
    if not isinstance(endpoint, str) or endpoint_is_ambient(settings, endpoint):
        return {}
    if is_loopback(endpoint):
        return {settings.credentials[0][1]: NO_KEY} if settings.credentials else {}
    raise refuse_foreign_endpoint(settings, endpoint)
