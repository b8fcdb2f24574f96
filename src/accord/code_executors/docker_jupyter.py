"""Code cells on a Jupyter kernel gateway, usually in Docker (serves ``autogen_ext.code_executors.docker_jupyter``).

Needs ``accord[docker]`` (docker and aiohttp).
"""

from __future__ import annotations

from ._docker_jupyter import DockerJupyterCodeExecutor, DockerJupyterCodeExecutorConfig, DockerJupyterCodeResult
from ._jupyter_gateway import (
    DockerJupyterServer,
    JupyterClient,
    JupyterConnectable,
    JupyterConnectionInfo,
    JupyterKernelClient,
)

__all__ = [
    "DockerJupyterCodeExecutor",
    "DockerJupyterCodeExecutorConfig",
    "DockerJupyterCodeResult",
    "DockerJupyterServer",
    "JupyterClient",
    "JupyterConnectable",
    "JupyterConnectionInfo",
    "JupyterKernelClient",
]
