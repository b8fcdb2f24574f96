"""AzureTokenProvider on azure-identity.

No Microsoft Entra ID endpoint can be reached here, so token issuing uses a credential object implementing
azure-core's ``TokenCredential`` protocol; azure-identity's own ``get_bearer_token_provider`` calls it. Dumping and
loading use the real ``DefaultAzureCredential`` (constructing it makes no request).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.identity import DefaultAzureCredential

from accord.auth.azure import AzureTokenProvider
from accord.core import load_component
from accord.errors import ComponentError

SCOPE = "https://cognitiveservices.azure.com/.default"


class IssuedCredential:
    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("tok-1", int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo

        self.scopes.append(scopes)
        return AccessTokenInfo("tok-1", int(time.time()) + 3600)


def test_provider_returns_the_credentials_token_for_its_scopes() -> None:
    credential = IssuedCredential()
    provider = AzureTokenProvider(credential, SCOPE)
    assert provider() == "tok-1"
    assert credential.scopes[-1] == (SCOPE,)


def test_config_round_trip_and_refusals() -> None:
    provider = AzureTokenProvider(DefaultAzureCredential(), SCOPE)
    dumped = provider.dump_component()
    assert dumped.provider == "autogen_ext.auth.azure.AzureTokenProvider"
    assert dumped.config == {"provider_kind": "DefaultAzureCredential", "scopes": [SCOPE]}
    loaded = load_component(dumped)
    assert isinstance(loaded, AzureTokenProvider) and isinstance(loaded.credential, DefaultAzureCredential)
    with pytest.raises(ComponentError, match="Only DefaultAzureCredential is supported"):
        AzureTokenProvider(IssuedCredential(), SCOPE).dump_component()
    bad = dumped.model_copy(update={"config": {"provider_kind": "ClientSecretCredential", "scopes": [SCOPE]}})
    with pytest.raises(ComponentError, match="provider_kind 'ClientSecretCredential'"):
        load_component(bad)


def test_azure_openai_config_with_a_token_provider_loads() -> None:
    from accord.models.openai import AzureOpenAIChatCompletionClient

    client = AzureOpenAIChatCompletionClient(
        model="gpt-4o",
        azure_endpoint="https://example.openai.azure.com",
        api_version="2024-10-21",
        azure_ad_token_provider=AzureTokenProvider(DefaultAzureCredential(), SCOPE),
    )
    config = client.dump_component()
    assert config.config["azure_ad_token_provider"]["provider"] == "autogen_ext.auth.azure.AzureTokenProvider"
    assert isinstance(load_component(config), AzureOpenAIChatCompletionClient)


def test_served_under_autogens_path() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.auth.azure import AzureTokenProvider, TokenProviderConfig
        import accord.auth.azure
        assert AzureTokenProvider is accord.auth.azure.AzureTokenProvider
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
