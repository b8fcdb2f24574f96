"""A client for a Jupyter server or kernel gateway (REST + kernel WebSocket), and the Docker container serving one.

``JupyterClient`` speaks the Jupyter Server REST API (``/api/kernelspecs``, ``/api/kernels``) and opens a kernel's
``/channels`` WebSocket; ``JupyterKernelClient`` runs code over it with the Jupyter messaging protocol.
``DockerJupyterServer`` starts a kernel gateway in a container, published on 127.0.0.1 only, with a generated token.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable
from urllib.parse import quote

from .._errors import UsageError
from .._imports import require
from ._errors import SandboxUnavailableError

__all__ = [
    "DataItem",
    "DockerJupyterServer",
    "ExecutionResult",
    "JupyterClient",
    "JupyterConnectable",
    "JupyterConnectionInfo",
    "JupyterKernelClient",
]


@dataclass
class JupyterConnectionInfo:
    """Where a Jupyter server is: host, https or not, port (default port if None), token (none if None)."""

    host: str
    use_https: bool
    port: int | None = None
    token: str | None = None


@runtime_checkable
class JupyterConnectable(Protocol):
    @property
    def connection_info(self) -> JupyterConnectionInfo: ...


@dataclass
class DataItem:
    mime_type: str
    data: str


@dataclass
class ExecutionResult:
    is_ok: bool
    output: str
    data_items: list[DataItem]


def _aiohttp() -> Any:
    return require("aiohttp", extra="docker")


class JupyterClient:
    """The REST side of a Jupyter server: kernel specs, kernels (start, restart, delete), kernel WebSockets."""

    def __init__(self, connection_info: JupyterConnectionInfo) -> None:
        self._connection_info = connection_info
        self._session: Any = None

    async def _ensure_async_session(self) -> Any:
        if self._session is None:
            self._session = _aiohttp().ClientSession()
        return self._session

    def _get_headers(self) -> dict[str, str]:
        token = self._connection_info.token
        return {} if token is None else {"Authorization": f"token {token}"}

    def _origin(self, scheme: str) -> str:
        info = self._connection_info
        return f"{scheme}://{info.host}{f':{info.port}' if info.port else ''}"

    def _get_api_base_url(self) -> str:
        return self._origin("https" if self._connection_info.use_https else "http")

    def _get_ws_base_url(self) -> str:
        return self._origin("wss" if self._connection_info.use_https else "ws")

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        session = await self._ensure_async_session()
        url = f"{self._get_api_base_url()}{path}"
        async with session.request(method, url, headers=self._get_headers(), **kwargs) as response:
            if response.status >= 400:
                text = await response.text()
                raise ConnectionError(f"Jupyter server {method} {path}: HTTP {response.status}: {text[:200]}")
            return await response.json() if response.content_type == "application/json" else None

    async def list_kernel_specs(self) -> dict[str, Any]:
        return dict(await self._json("GET", "/api/kernelspecs"))

    async def list_kernels(self) -> list[dict[str, Any]]:
        return list(await self._json("GET", "/api/kernels"))

    async def start_kernel(self, kernel_spec_name: str) -> str:
        data = await self._json("POST", "/api/kernels", json={"name": kernel_spec_name})
        return str(data["id"])

    async def delete_kernel(self, kernel_id: str) -> None:
        await self._json("DELETE", f"/api/kernels/{quote(kernel_id, safe='')}")

    async def restart_kernel(self, kernel_id: str) -> None:
        await self._json("POST", f"/api/kernels/{quote(kernel_id, safe='')}/restart")

    async def get_kernel_client(self, kernel_id: str) -> JupyterKernelClient:
        session = await self._ensure_async_session()
        url = f"{self._get_ws_base_url()}/api/kernels/{quote(kernel_id, safe='')}/channels"
        websocket = await session.ws_connect(url, headers=self._get_headers(), max_msg_size=0)
        return JupyterKernelClient(websocket)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class JupyterKernelClient:
    """One kernel's channels over a WebSocket: readiness and execution (Jupyter messaging protocol 5)."""

    def __init__(self, websocket: Any) -> None:
        self._session_id = uuid.uuid4().hex
        self._websocket = websocket

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        await self._websocket.close()

    async def _send_message(self, *, content: dict[str, Any], channel: str, message_type: str) -> str:
        message_id = uuid.uuid4().hex
        header = {
            "username": "accord",
            "version": "5.0",
            "session": self._session_id,
            "msg_id": message_id,
            "msg_type": message_type,
            "date": datetime.datetime.now(datetime.UTC).isoformat(),
        }
        message = {
            "header": header,
            "parent_header": {},
            "channel": channel,
            "content": content,
            "metadata": {},
            "buffers": [],
        }
        await self._websocket.send_str(json.dumps(message))
        return message_id

    async def _receive_message(self, timeout_seconds: float | None) -> dict[str, Any] | None:
        aiohttp = _aiohttp()
        try:
            frame = await asyncio.wait_for(self._websocket.receive(), timeout=timeout_seconds)
        except TimeoutError:
            return None
        if frame.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.ERROR):
            raise ConnectionError("The kernel's WebSocket closed")
        data = frame.data.decode("utf-8") if isinstance(frame.data, bytes) else frame.data
        message: dict[str, Any] = json.loads(data)
        return message

    async def wait_for_ready(self, timeout_seconds: float | None = None) -> bool:
        message_id = await self._send_message(content={}, channel="shell", message_type="kernel_info_request")
        while True:
            message = await self._receive_message(timeout_seconds)
            if message is None:
                return False
            if (
                message.get("parent_header", {}).get("msg_id") == message_id
                and message["msg_type"] == "kernel_info_reply"
            ):
                return True

    async def execute(self, code: str, timeout_seconds: float | None = None) -> ExecutionResult:
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message_id = await self._send_message(content=content, channel="shell", message_type="execute_request")
        text: list[str] = []
        data_items: list[DataItem] = []
        while True:
            message = await self._receive_message(timeout_seconds)
            if message is None:
                return ExecutionResult(False, "ERROR: Timeout waiting for output from code block.", [])
            if message.get("parent_header", {}).get("msg_id") != message_id:
                continue
            msg_type, body = message["msg_type"], message["content"]
            if msg_type in ("execute_result", "display_data"):
                for mime, data in body["data"].items():
                    if mime == "text/plain":
                        text.append(data)
                    elif mime.startswith("image/") or mime == "text/html":
                        data_items.append(DataItem(mime_type=mime, data=data))
                    else:
                        text.append(json.dumps(data))
            elif msg_type == "stream":
                text.append(body["text"])
            elif msg_type == "error":
                return ExecutionResult(False, f"ERROR: {body['ename']}: {body['evalue']}\n{body['traceback']}", [])
            if msg_type == "status" and body["execution_state"] == "idle":
                return ExecutionResult(True, "\n".join(str(t) for t in text), data_items)


_GATEWAY_DOCKERFILE = """FROM quay.io/jupyter/docker-stacks-foundation
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
USER ${NB_UID}
RUN mamba install --yes jupyter_kernel_gateway ipykernel && mamba clean --all -f -y && \\
    fix-permissions "${CONDA_DIR}" && fix-permissions "/home/${NB_USER}"
ENV TOKEN="UNSET"
CMD python -m jupyter kernelgateway --KernelGatewayApp.ip=0.0.0.0 --KernelGatewayApp.port=8888 \\
    --KernelGatewayApp.auth_token="${TOKEN}" --JupyterApp.answer_yes=true \\
    --JupyterWebsocketPersonality.list_kernels=true
EXPOSE 8888
WORKDIR "${HOME}"
"""


class DockerJupyterServer(JupyterConnectable):
    """A Jupyter kernel gateway in a Docker container (AutoGen's ``DockerJupyterServer``).

    The gateway's port is published on 127.0.0.1 only, and a random token is required unless you pass ``token``
    (``""`` for none). Without ``custom_image_name`` the bundled image is built on first use.
    """

    DEFAULT_DOCKERFILE = _GATEWAY_DOCKERFILE

    class GenerateToken:
        pass

    def __init__(
        self,
        *,
        custom_image_name: str | None = None,
        container_name: str | None = None,
        auto_remove: bool = True,
        stop_container: bool = True,
        docker_env: dict[str, str] | None = None,
        expose_port: int = 8888,
        token: str | GenerateToken | None = None,
        work_dir: Path | str = "/workspace",
        bind_dir: Path | str | None = None,
    ) -> None:
        docker = require("docker", extra="docker")
        try:
            client = docker.from_env()
            client.ping()
        except docker.errors.DockerException as e:
            raise SandboxUnavailableError(f"DockerJupyterServer needs a Docker engine: {e}") from e
        self._bind_dir = Path(bind_dir) if bind_dir else None
        if self._bind_dir is not None:
            self._bind_dir.mkdir(parents=True, exist_ok=True)
        image = custom_image_name or "accord-jupyterkernelgateway"
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound as e:
            if custom_image_name:
                raise UsageError(f"Custom image {image} does not exist") from e
            client.images.build(fileobj=io.BytesIO(self.DEFAULT_DOCKERFILE.encode("utf-8")), tag=image)
        self._token = secrets.token_hex(32) if token is None or isinstance(token, self.GenerateToken) else token
        env = {"TOKEN": self._token, **(docker_env or {})}
        volumes = {str(self._bind_dir): {"bind": str(work_dir), "mode": "rw"}} if self._bind_dir else None
        self._container = client.containers.run(
            image,
            detach=True,
            auto_remove=auto_remove,
            environment=env,
            ports={f"{expose_port}/tcp": ("127.0.0.1", None)},
            name=container_name or f"accord-jupyterkernelgateway-{uuid.uuid4()}",
            volumes=volumes,
            working_dir=str(work_dir),
        )
        self._container.reload()
        self._port = int(self._container.ports[f"{expose_port}/tcp"][0]["HostPort"])
        self._stop_container = stop_container

    @property
    def connection_info(self) -> JupyterConnectionInfo:
        return JupyterConnectionInfo(host="127.0.0.1", use_https=False, port=self._port, token=self._token)

    async def stop(self) -> None:
        if self._stop_container:
            await asyncio.to_thread(self._container.stop)

    async def get_client(self) -> JupyterClient:
        return JupyterClient(self.connection_info)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.stop()
