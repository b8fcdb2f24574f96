"""AzureTokenProvider: Microsoft Entra ID bearer tokens for Azure clients (serves ``autogen_ext.auth.azure``).

Needs the ``azure`` extra (``azure-identity``). A config names only the kind of credential and the scopes; the
credential itself (and any secret it uses) comes from the environment, as ``DefaultAzureCredential`` reads it.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel

from .._errors import ComponentError
from .._imports import require
from ..core import Component, ComponentBase

__all__ = ["AzureTokenProvider", "TokenProviderConfig"]

_KINDS = ("DefaultAzureCredential",)


class TokenProviderConfig(BaseModel):
    provider_kind: str
    scopes: list[str]


class AzureTokenProvider(ComponentBase[TokenProviderConfig], Component[TokenProviderConfig]):
    """A callable returning a bearer token for ``scopes`` from an Azure credential (AutoGen's class).

    ``AzureOpenAIChatCompletionClient(azure_ad_token_provider=AzureTokenProvider(DefaultAzureCredential(),
    "https://cognitiveservices.azure.com/.default"))``; only a ``DefaultAzureCredential`` can be dumped.
    """

    component_type = "token_provider"
    component_config_schema = TokenProviderConfig
    component_provider_override = "autogen_ext.auth.azure.AzureTokenProvider"

    def __init__(self, credential: Any, *scopes: str) -> None:
        identity = require("azure.identity", extra="azure", package="azure-identity")
        self.credential = credential
        self.scopes = list(scopes)
        self.provider = identity.get_bearer_token_provider(credential, *self.scopes)

    def __call__(self) -> str:
        return str(self.provider())

    def _to_config(self) -> TokenProviderConfig:
        identity = require("azure.identity", extra="azure", package="azure-identity")
        if isinstance(self.credential, identity.DefaultAzureCredential):
            return TokenProviderConfig(provider_kind="DefaultAzureCredential", scopes=self.scopes)
        raise ComponentError(
            f"Only DefaultAzureCredential is supported: an AzureTokenProvider over a {type(self.credential).__name__} "
            "cannot be dumped"
        )

    @classmethod
    def _from_config(cls, config: TokenProviderConfig) -> Self:
        if config.provider_kind not in _KINDS:
            raise ComponentError(
                f"Only DefaultAzureCredential is supported: provider_kind {config.provider_kind!r} in the config"
            )
        identity = require("azure.identity", extra="azure", package="azure-identity")
        return cls(identity.DefaultAzureCredential(), *config.scopes)
