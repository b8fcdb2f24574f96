"""create_default_code_executor: Docker when an engine answers, else the sandboxed local executor."""

from __future__ import annotations

import logging

from ._base import CodeExecutor

__all__ = ["create_default_code_executor"]

logger = logging.getLogger("accord.code_executors")


def _docker_available() -> bool:
    try:
        import docker
    except ImportError:
        return False
    client = None
    try:
        client = docker.from_env()
        client.ping()
    except Exception:
        return False
    finally:
        if client is not None:
            client.close()
    return True


def create_default_code_executor(work_dir: str | None = None) -> CodeExecutor:
    """A Docker executor if a Docker engine is reachable, otherwise the (sandboxed) local executor."""
    if _docker_available():
        from ._docker import DockerCommandLineCodeExecutor

        try:
            docker_executor: CodeExecutor = (
                DockerCommandLineCodeExecutor(work_dir=work_dir) if work_dir else DockerCommandLineCodeExecutor()
            )
            return docker_executor
        except Exception as e:  # fall back to the local sandbox, as AutoGen does
            logger.info("Docker executor could not be created (%s); using the local sandboxed executor", e)
    from ._local import LocalCommandLineCodeExecutor

    executor = LocalCommandLineCodeExecutor(work_dir=work_dir) if work_dir else LocalCommandLineCodeExecutor()
    logger.info("Using LocalCommandLineCodeExecutor; protections:\n%s", executor.protections.describe())
    return executor
