"""DockerJupyterCodeExecutor: stateful code cells on a Jupyter server, usually a kernel gateway in Docker."""

from __future__ import annotations

import base64
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict

from .._errors import UsageError
from ..core import CancellationToken, Component
from ._base import CodeBlock, CodeExecutor, CodeResult
from ._common import silence_pip
from ._jupyter_gateway import JupyterClient, JupyterConnectable, JupyterConnectionInfo, JupyterKernelClient

__all__ = ["DockerJupyterCodeExecutor", "DockerJupyterCodeExecutorConfig", "DockerJupyterCodeResult"]


@dataclass
class DockerJupyterCodeResult(CodeResult):
    output_files: list[Path]


class DockerJupyterCodeExecutorConfig(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    jupyter_server: Any
    kernel_name: str = "python3"
    timeout: int = 60
    output_dir: Path | str | None = None


class DockerJupyterCodeExecutor(CodeExecutor, Component[DockerJupyterCodeExecutorConfig]):
    """Run code blocks as cells of one kernel on a Jupyter server (AutoGen's ``DockerJupyterCodeExecutor``).

    The code runs where the server runs: in the container of a :class:`DockerJupyterServer`, or on whatever server
    a ``JupyterConnectionInfo`` names (your choice; accord adds no sandbox of its own there). Images and HTML a cell
    displays are saved in ``output_dir`` and listed in the result.
    """

    component_config_schema = DockerJupyterCodeExecutorConfig
    component_provider_override = "autogen_ext.code_executors.docker_jupyter.DockerJupyterCodeExecutor"

    def __init__(
        self,
        jupyter_server: JupyterConnectable | JupyterConnectionInfo,
        kernel_name: str = "python3",
        timeout: int = 60,
        output_dir: Path | str | None = None,
    ) -> None:
        if timeout < 1:
            raise UsageError("Timeout must be greater than or equal to 1.")
        if isinstance(jupyter_server, JupyterConnectionInfo):
            self._connection_info = jupyter_server
        elif isinstance(jupyter_server, JupyterConnectable):
            self._connection_info = jupyter_server.connection_info
        else:
            raise UsageError("jupyter_server must be a JupyterConnectable or JupyterConnectionInfo.")
        self._jupyter_server = jupyter_server
        chosen = output_dir or getattr(jupyter_server, "_bind_dir", None)
        self._temp_dir: str | None = None
        if chosen is None:
            self._temp_dir = tempfile.mkdtemp(prefix="accord-jupyter-")
            chosen = self._temp_dir
        self._output_dir = Path(chosen)
        self._output_dir.mkdir(parents=True, exist_ok=True)
        self._jupyter_client = JupyterClient(self._connection_info)
        self._kernel_name = kernel_name
        self._timeout = timeout
        self._kernel_client: JupyterKernelClient | None = None
        self._kernel_id: str | None = None

    @property
    def output_dir(self) -> Path:
        return self._output_dir

    @property
    def timeout(self) -> int:
        return self._timeout

    async def _ensure_async_kernel_client(self) -> JupyterKernelClient:
        if self._kernel_id is None:
            await self.start()
        assert self._kernel_id is not None
        if self._kernel_client is None:
            self._kernel_client = await self._jupyter_client.get_kernel_client(self._kernel_id)
        return self._kernel_client

    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> DockerJupyterCodeResult:
        import asyncio

        client = await self._ensure_async_kernel_client()
        if not await client.wait_for_ready(timeout_seconds=self._timeout):
            return DockerJupyterCodeResult(exit_code=1, output="ERROR: Kernel not ready", output_files=[])
        outputs: list[str] = []
        files: list[Path] = []
        for block in code_blocks:
            future = asyncio.ensure_future(
                client.execute(silence_pip(block.code, block.language), timeout_seconds=self._timeout)
            )
            cancellation_token.link_future(future)
            result = await future
            if not result.is_ok:
                text = "\n".join(outputs)
                return DockerJupyterCodeResult(
                    exit_code=1, output=f"{text}\nERROR: {result.output}", output_files=files
                )
            outputs.append(result.output)
            for item in result.data_items:
                if item.mime_type == "image/png":
                    path = self._save(base64.b64decode(item.data), "png")
                elif item.mime_type == "text/html":
                    path = self._save(item.data.encode("utf-8"), "html")
                else:
                    outputs.append(item.data)
                    continue
                outputs.append(str(path))
                files.append(path)
        return DockerJupyterCodeResult(exit_code=0, output="\n".join(outputs), output_files=files)

    def _save(self, data: bytes, ext: str) -> Path:
        path = (self._output_dir / f"{uuid.uuid4().hex}.{ext}").resolve()
        path.write_bytes(data)
        return path

    async def start(self) -> None:
        specs = await self._jupyter_client.list_kernel_specs()
        if self._kernel_name not in specs.get("kernelspecs", {}):
            raise UsageError(
                f"Kernel {self._kernel_name} is not installed (the server has: {sorted(specs.get('kernelspecs', {}))})"
            )
        self._kernel_id = await self._jupyter_client.start_kernel(self._kernel_name)

    async def restart(self) -> None:
        if self._kernel_id is not None:
            await self._jupyter_client.restart_kernel(self._kernel_id)
        if self._kernel_client is not None:
            await self._kernel_client.stop()
            self._kernel_client = None

    async def stop(self) -> None:
        if self._kernel_client is not None:
            await self._kernel_client.stop()
            self._kernel_client = None
        if self._kernel_id is not None:
            await self._jupyter_client.delete_kernel(self._kernel_id)
            self._kernel_id = None
        await self._jupyter_client.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def _to_config(self) -> DockerJupyterCodeExecutorConfig:
        return DockerJupyterCodeExecutorConfig(
            jupyter_server=self._jupyter_server,
            kernel_name=self._kernel_name,
            timeout=self._timeout,
            output_dir=self._output_dir,
        )

    @classmethod
    def _from_config(cls, config: DockerJupyterCodeExecutorConfig) -> Self:
        return cls(
            jupyter_server=config.jupyter_server,
            kernel_name=config.kernel_name,
            timeout=config.timeout,
            output_dir=config.output_dir,
        )
