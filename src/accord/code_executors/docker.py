"""The Docker command-line executor (serves ``autogen_ext.code_executors.docker``); needs ``accord[docker]``."""

from __future__ import annotations

from ._docker import DockerCommandLineCodeExecutor, DockerCommandLineCodeExecutorConfig, container_create_kwargs

__all__ = ["DockerCommandLineCodeExecutor", "DockerCommandLineCodeExecutorConfig", "container_create_kwargs"]
