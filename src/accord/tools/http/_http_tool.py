"""HttpTool: one HTTP endpoint, called with the model's arguments.

The endpoint (scheme, host, port, path template) is fixed when the tool is built; the model's arguments only fill
the path's ``{parameters}`` and the query string or JSON body. A path parameter is percent-encoded as one path
segment, so no argument can change the host, the port, or climb out of the configured path; redirects are not
followed (a server cannot send the call elsewhere either). Header values that look like credentials are kept as
secrets: a dumped config shows them masked.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal, Self
from urllib.parse import quote

from pydantic import BaseModel, Field, SecretStr

from ..._errors import UsageError
from ..._imports import require
from ...core import CancellationToken, Component
from ...core.utils import schema_to_pydantic_model
from .._base import BaseTool

__all__ = ["DEFAULT_TIMEOUT_CONFIG", "HttpTool", "HttpToolConfig"]

DEFAULT_TIMEOUT_CONFIG = 5.0
_PARAM = re.compile(r"\{([^{}]*)\}")
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_IPV6 = re.compile(r"^\[?[0-9A-Fa-f:.]+\]?$")
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


class HttpToolConfig(BaseModel):
    """AutoGen's ``HttpToolConfig`` (the same fields)."""

    name: str
    description: str | None
    scheme: Literal["http", "https"] = "http"
    host: str
    port: int
    path: str = Field(default="/")
    method: Literal["GET", "POST", "PUT", "DELETE", "PATCH"] | None = "POST"
    headers: dict[str, SecretStr] | None
    json_schema: dict[str, Any]
    return_type: Literal["text", "json"] | None = "text"
    timeout: float = DEFAULT_TIMEOUT_CONFIG


def _check_host(host: str) -> str:
    if not (_HOST.match(host) or _IPV6.match(host)):
        raise UsageError(
            f"HttpTool host {host!r} is not a host name or IP address (give the scheme, port and path separately)"
        )
    return host.strip("[]")


def _path_params(path: str, schema: dict[str, Any]) -> frozenset[str]:
    if not path.startswith("/"):
        raise UsageError(f"HttpTool path {path!r} must start with '/'")
    if "?" in path or "#" in path:
        raise UsageError(f"HttpTool path {path!r} must not hold a query or fragment (arguments become the query)")
    names = frozenset(_PARAM.findall(path))
    properties = schema.get("properties") or {}
    for name in sorted(names):
        if not name.isidentifier():
            raise UsageError(f"HttpTool path parameter {{{name}}} in {path!r} is not a plain name")
        if name not in properties:
            raise UsageError(
                f"HttpTool path parameter {{{name}}} in {path!r} is not a property of json_schema "
                f"(properties: {sorted(properties)})"
            )
    return names


def _segment(tool: str, name: str, value: Any) -> str:
    text = str(value)
    if text in ("", ".", ".."):
        raise UsageError(f"HttpTool {tool!r}: path parameter {name!r} may not be {text!r}")
    return quote(text, safe="")


def _secret_headers(headers: dict[str, Any] | None) -> dict[str, SecretStr] | None:
    """Every header value is kept as a secret (masked wherever the config is written out): a header that carries a
    credential need not be named like one."""
    if headers is None:
        return None
    return {str(k): v if isinstance(v, SecretStr) else SecretStr(str(v)) for k, v in headers.items()}


def _plain_headers(headers: dict[str, Any] | None) -> dict[str, str]:
    return {str(k): v.get_secret_value() if isinstance(v, SecretStr) else str(v) for k, v in (headers or {}).items()}


class HttpTool(BaseTool[BaseModel, Any], Component[HttpToolConfig]):
    """Call one HTTP endpoint with the model's arguments (AutoGen's ``HttpTool``).

    Args:
        name: the tool's name.
        host: the server's host name or IP address; port: its port; scheme: ``"http"`` or ``"https"``.
        json_schema: the arguments' JSON schema; every ``{parameter}`` of ``path`` must be one of its properties.
        headers: sent with every request (credential-like values are masked in dumped configs).
        description: shown to the model.
        path: the path, with ``{parameter}`` placeholders filled from the arguments (one encoded segment each).
        method: GET and DELETE send the other arguments as the query string; POST, PUT and PATCH as a JSON body.
        return_type: ``"text"`` (the body) or ``"json"`` (the parsed body).
        timeout: seconds per request.
    """

    component_type = "tool"
    component_provider_override = "autogen_ext.tools.http.HttpTool"
    component_config_schema = HttpToolConfig

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        json_schema: dict[str, Any],
        headers: dict[str, Any] | None = None,
        description: str = "HTTP tool",
        path: str = "/",
        scheme: Literal["http", "https"] = "http",
        method: Literal["GET", "POST", "PUT", "DELETE", "PATCH"] = "POST",
        return_type: Literal["text", "json"] = "text",
        timeout: float = DEFAULT_TIMEOUT_CONFIG,
    ) -> None:
        if scheme not in ("http", "https"):
            raise UsageError(f"HttpTool scheme must be 'http' or 'https', not {scheme!r}")
        if method not in _METHODS:
            raise UsageError(f"HttpTool method must be one of {', '.join(_METHODS)}, not {method!r}")
        if return_type not in ("text", "json"):
            raise UsageError(f"HttpTool return_type must be 'text' or 'json', not {return_type!r}")
        if not isinstance(port, int) or not 0 < port < 65536:
            raise UsageError(f"HttpTool port must be an integer from 1 to 65535, not {port!r}")
        self._host = _check_host(host)
        self._path_params = _path_params(path, json_schema)
        self.server_params = HttpToolConfig(
            name=name,
            description=description,
            host=host,
            port=port,
            path=path,
            scheme=scheme,
            method=method,
            headers=_secret_headers(headers),
            json_schema=json_schema,
            return_type=return_type,
            timeout=timeout,
        )
        super().__init__(schema_to_pydantic_model(json_schema), object, name, description)

    def _url(self, arguments: dict[str, Any]) -> Any:
        httpx = require("httpx", extra="http")
        params = self.server_params
        path = _PARAM.sub(lambda m: _segment(self.name, m.group(1), arguments.get(m.group(1), "")), params.path)
        url = httpx.URL(scheme=params.scheme, host=self._host, port=params.port, raw_path=path.encode("ascii"))
        # Belt and braces: whatever the arguments were, the request goes to the configured origin.
        if (url.scheme, url.host, url.port or params.port) != (params.scheme, self._host, params.port):
            raise UsageError(f"HttpTool {self.name!r}: the arguments changed the request's origin to {url}")
        return url

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> Any:
        httpx = require("httpx", extra="http")
        params = self.server_params
        values = args.model_dump()
        url = self._url(values)
        rest = {k: v for k, v in values.items() if k not in self._path_params}
        method = params.method or "POST"
        if method in ("GET", "DELETE"):  # an argument the model left out is not sent as an empty "name="
            body: dict[str, Any] = {"params": {k: v for k, v in rest.items() if v is not None}}
        else:
            body = {"json": rest}
        async with httpx.AsyncClient(timeout=httpx.Timeout(params.timeout), follow_redirects=False) as client:
            request = client.request(method, url, headers=_plain_headers(params.headers), **body)
            response = await _linked(request, cancellation_token)
        if params.return_type == "json":
            return response.json()
        return response.text

    def _to_config(self) -> HttpToolConfig:
        return self.server_params.model_copy()

    @classmethod
    def _from_config(cls, config: HttpToolConfig) -> Self:
        values = config.model_dump()
        values["headers"] = _plain_headers(config.headers) if config.headers is not None else None
        return cls(**values)


async def _linked(awaitable: Any, token: CancellationToken) -> Any:
    future = asyncio.ensure_future(awaitable)
    token.link_future(future)
    return await future
