"""DockerCommandLineCodeExecutor: code in a long-lived container, locked down by default.

Differences from AutoGen's executor, all on the safe side: the network is off (``network_mode="none"``)
unless ``allow_network=True``; memory, CPU and process limits; all capabilities dropped and
``no-new-privileges``; ``extra_volumes`` may only mount paths inside the work dir, and never a Docker
socket; ``bind_dir`` must be the work dir or inside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import tempfile
import uuid
import warnings
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import BaseModel

from .._errors import RunError, UsageError
from .._imports import require
from ..core import CancellationToken, Component
from ._approval import ApprovalFuncType, gate
from ._base import CodeBlock, CodeExecutor, CommandLineCodeResult
from ._common import SUPPORTED_LANGUAGES, filename_from_content, lang_to_cmd, normalize_language, silence_pip
from ._functions import AnyFunction, build_python_functions_file, required_packages
from ._trust import admit_folder, refuse_loosening
from ._workspace import UnsafePathError, remove_file, write_new

__all__ = ["DockerCommandLineCodeExecutor", "DockerCommandLineCodeExecutorConfig", "container_create_kwargs"]

logger = logging.getLogger("accord.code_executors")

_SOCKET_NAMES = ("docker.sock", "containerd.sock", "podman.sock")


class DockerCommandLineCodeExecutorConfig(BaseModel):
    """Config of :class:`DockerCommandLineCodeExecutor` (AutoGen's fields, then accord's limits)."""

    image: str = "python:3-slim"
    container_name: str | None = None
    timeout: int = 60
    work_dir: str | None = None
    bind_dir: str | None = None
    auto_remove: bool = True
    stop_container: bool = True
    functions_module: str = "functions"
    extra_volumes: dict[str, dict[str, str]] = {}
    extra_hosts: dict[str, str] = {}
    init_command: str | None = None
    delete_tmp_files: bool = False
    allow_network: bool = False
    mem_limit: str = "2g"
    pids_limit: int = 256
    cpus: float = 1.0


def _bytes(size: str) -> int | str:
    """Docker's ``mem_limit`` ("512m", "2g", "1073741824") in bytes (the text itself if it is not a size)."""
    text = size.strip().lower().removesuffix("b")
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:], 1)
    digits = text[:-1] if scale != 1 else text
    try:
        return int(float(digits) * scale)
    except ValueError:
        return size


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def check_volumes(extra_volumes: dict[str, dict[str, str]], work_dir: Path) -> None:
    """Refuse host mounts outside ``work_dir`` and any container-engine socket (UsageError naming the path)."""
    for host_path in extra_volumes:
        p = Path(host_path)
        if any(part in _SOCKET_NAMES for part in p.parts) or p.name.endswith(".sock"):
            raise UsageError(
                f"extra_volumes may not mount {host_path!r}: mounting a container-engine socket gives the code "
                "control of the host"
            )
        if not _inside(p, work_dir):
            raise UsageError(
                f"extra_volumes may only mount paths inside the work dir {str(work_dir)!r}; {host_path!r} is outside"
            )


def container_create_kwargs(
    *,
    image: str,
    container_name: str,
    bind_dir: Path,
    extra_volumes: dict[str, dict[str, str]],
    extra_hosts: dict[str, str],
    init_command: str | None,
    auto_remove: bool,
    allow_network: bool,
    mem_limit: str,
    pids_limit: int,
    cpus: float,
    device_requests: list[Any] | None,
) -> dict[str, Any]:
    """The keyword arguments for ``docker.containers.create`` (a pure function, tested without an engine)."""
    shell = "/bin/sh"
    kwargs: dict[str, Any] = {
        "image": image,
        "name": container_name,
        "entrypoint": shell,
        "command": ["-c", f"{init_command};exec {shell}"] if init_command else None,
        "tty": True,
        "detach": True,
        "auto_remove": auto_remove,
        "volumes": {str(bind_dir.resolve()): {"bind": "/workspace", "mode": "rw"}, **extra_volumes},
        "working_dir": "/workspace",
        "extra_hosts": extra_hosts,
        "device_requests": device_requests,
        "mem_limit": mem_limit,
        "memswap_limit": mem_limit,
        "pids_limit": pids_limit,
        "nano_cpus": int(cpus * 1e9),
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "privileged": False,
    }
    if not allow_network:
        kwargs["network_mode"] = "none"
        if extra_hosts:
            raise UsageError("extra_hosts needs the network: set allow_network=True to use it")
    return kwargs


class DockerCommandLineCodeExecutor(CodeExecutor, Component[DockerCommandLineCodeExecutorConfig]):
    """Runs code blocks in a Docker container (work dir mounted at ``/workspace``); network off by default."""

    component_config_schema = DockerCommandLineCodeExecutorConfig
    component_provider_override = "autogen_ext.code_executors.docker.DockerCommandLineCodeExecutor"
    SUPPORTED_LANGUAGES: ClassVar[list[str]] = SUPPORTED_LANGUAGES

    def __init__(
        self,
        image: str = "python:3-slim",
        container_name: str | None = None,
        *,
        timeout: int = 60,
        work_dir: Path | str | None = None,
        bind_dir: Path | str | None = None,
        auto_remove: bool = True,
        stop_container: bool = True,
        device_requests: list[Any] | None = None,
        functions: Sequence[AnyFunction] = (),
        functions_module: str = "functions",
        extra_volumes: dict[str, dict[str, str]] | None = None,
        extra_hosts: dict[str, str] | None = None,
        init_command: str | None = None,
        delete_tmp_files: bool = False,
        allow_network: bool = False,
        mem_limit: str = "2g",
        pids_limit: int = 256,
        cpus: float = 1.0,
        approval_func: ApprovalFuncType | None = None,
    ) -> None:
        if timeout < 1:
            raise UsageError(f"Timeout must be greater than or equal to 1 (got {timeout}).")
        if not functions_module.isidentifier():
            raise UsageError(f"Module name must be a valid Python identifier (got {functions_module!r})")
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        self._work_dir: Path | None = None
        if work_dir is not None:
            self._work_dir = Path(work_dir)
            if self._work_dir.resolve() == Path.cwd().resolve():
                warnings.warn(
                    "Using the current directory as work_dir is deprecated.", DeprecationWarning, stacklevel=2
                )
            self._work_dir.mkdir(exist_ok=True, parents=True)
        self._bind_dir = Path(bind_dir) if bind_dir is not None else None
        if self._bind_dir is not None and self._work_dir is not None and not _inside(self._bind_dir, self._work_dir):
            raise UsageError(f"bind_dir {str(self._bind_dir)!r} must be the work dir or inside it")
        self._extra_volumes = dict(extra_volumes or {})
        if self._extra_volumes:
            if self._work_dir is None:
                raise UsageError("extra_volumes needs an explicit work_dir: mounts are only allowed inside it")
            check_volumes(self._extra_volumes, self._work_dir)
        self._extra_hosts = dict(extra_hosts or {})
        if self._extra_hosts and not allow_network:
            raise UsageError("extra_hosts needs the network: set allow_network=True to use it")
        self._own_container_name = container_name is None  # a generated name is not dumped (not the user's)
        self.container_name = container_name or f"accord-code-exec-{uuid.uuid4()}"
        self._timeout = timeout
        self._image = image
        self._auto_remove = auto_remove
        self._stop_container = stop_container
        self._device_requests = device_requests
        self._functions = list(functions)
        self._functions_module = functions_module
        self._setup_functions_complete = not self._functions
        self._init_command = init_command
        self._delete_tmp_files = delete_tmp_files
        self._allow_network = allow_network
        self._mem_limit = mem_limit
        self._pids_limit = pids_limit
        self._cpus = cpus
        self._approval_func = approval_func
        self._container: Any = None
        self._running = False

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def work_dir(self) -> Path:
        if self._work_dir is not None:
            return self._work_dir
        if self._temp_dir is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="accord-docker-")
        return Path(self._temp_dir.name)

    @property
    def bind_dir(self) -> Path:
        return self._bind_dir if self._bind_dir is not None else self.work_dir

    def create_kwargs(self) -> dict[str, Any]:
        """The arguments this executor gives ``docker.containers.create``."""
        return container_create_kwargs(
            image=self._image,
            container_name=self.container_name,
            bind_dir=self.bind_dir,
            extra_volumes=self._extra_volumes,
            extra_hosts=self._extra_hosts,
            init_command=self._init_command,
            auto_remove=self._auto_remove,
            allow_network=self._allow_network,
            mem_limit=self._mem_limit,
            pids_limit=self._pids_limit,
            cpus=self._cpus,
            device_requests=self._device_requests,
        )

    async def start(self) -> None:
        if self._running:
            return
        docker = require("docker", extra="docker")
        client: Any = None
        try:
            client = await asyncio.to_thread(docker.from_env)
            await asyncio.to_thread(client.ping)
        except Exception as e:
            if client is not None:
                client.close()
            raise RunError(f"Failed to connect to Docker ({e}). Please ensure Docker is installed and running.") from e
        errors = require("docker.errors", extra="docker")
        try:
            await asyncio.to_thread(client.images.get, self._image)
        except errors.ImageNotFound:
            logger.info("Pulling image %s", self._image)
            await asyncio.to_thread(client.images.pull, self._image)
        with contextlib.suppress(errors.NotFound):
            existing = await asyncio.to_thread(client.containers.get, self.container_name)
            await asyncio.to_thread(existing.remove, force=True)
        kwargs = self.create_kwargs()
        image = kwargs.pop("image")
        self._container = await asyncio.to_thread(client.containers.create, image, **kwargs)
        await asyncio.to_thread(self._container.start)
        await asyncio.to_thread(self._container.reload)
        if self._container.status != "running":
            logs = self._container.logs().decode("utf-8", errors="replace")
            raise RunError(f"Failed to start container from image {self._image}. Logs: {logs}")
        self._running = True

    async def stop(self) -> None:
        if self._running and self._container is not None and self._stop_container:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._container.stop)
        self._running = False
        self._container = None
        if self._temp_dir is not None:
            with contextlib.suppress(OSError):
                self._temp_dir.cleanup()
            self._temp_dir = None

    async def restart(self) -> None:
        if self._container is None or not self._running:
            raise RunError("Container is not running. Must first be started with either start or a context manager.")
        await asyncio.to_thread(self._container.restart)
        await asyncio.to_thread(self._container.reload)
        if self._container.status != "running":
            self._running = False
            raise RunError("Failed to restart container.")

    async def _exec(self, command: list[str], cancellation_token: CancellationToken) -> tuple[str, int]:
        if self._container is None or not self._running:
            raise RunError("Container is not running. Must first be started with either start or a context manager.")
        task = asyncio.ensure_future(asyncio.to_thread(self._container.exec_run, command))
        cancellation_token.link_future(task)
        try:
            result = await task
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._container.exec_run, ["pkill", "-f", " ".join(command)])
            return "\nCancelled", 125
        output = result.output.decode("utf-8", errors="replace")
        if result.exit_code == 124:
            output += "\nTimeout"
        return output, int(result.exit_code)

    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CommandLineCodeResult:
        refused = await gate(self._approval_func, code_blocks)
        if refused is not None:
            return refused
        if self._container is None or not self._running:
            raise RunError("Container is not running. Must first be started with either start or a context manager.")
        if not self._setup_functions_complete:
            await self._setup_functions(cancellation_token)
        return await self._run_blocks(code_blocks, cancellation_token)

    async def _setup_functions(self, cancellation_token: CancellationToken) -> None:
        content = build_python_functions_file(self._functions)
        write_new(self.work_dir, f"{self._functions_module}.py", content.encode("utf-8"))
        packages = required_packages(self._functions)
        if packages:
            result = await self._run_blocks(
                [CodeBlock(code=f"python -m pip install {shlex.join(packages)}", language="sh")], cancellation_token
            )
            if result.exit_code != 0:
                raise UsageError(f"Pip install failed. {result.output}")
        result = await self._run_blocks([CodeBlock(code=content, language="python")], cancellation_token)
        if result.exit_code != 0:
            raise UsageError(f"Functions failed to load: {result.output}")
        self._setup_functions_complete = True

    async def _run_blocks(
        self, code_blocks: Sequence[CodeBlock], cancellation_token: CancellationToken
    ) -> CommandLineCodeResult:
        if not code_blocks:
            raise UsageError("No code blocks to execute.")
        for block in code_blocks:
            lang = normalize_language(block.language)
            if lang not in self.SUPPORTED_LANGUAGES:
                return CommandLineCodeResult(exit_code=1, output=f"\nunknown language {lang}", code_file=None)
        outputs: list[str] = []
        files: list[Path] = []
        exit_code = 0
        try:
            for block in code_blocks:
                lang = normalize_language(block.language)
                code = silence_pip(block.code, lang)
                try:
                    filename = filename_from_content(code, self.work_dir)
                except ValueError:
                    outputs.append("Filename is not in the workspace")
                    exit_code = 1
                    break
                if not filename:
                    filename = f"tmp_code_{sha256(code.encode()).hexdigest()}.{lang}"
                try:
                    # The container can plant links in the work dir: never written through one.
                    path = write_new(self.work_dir, filename, code.encode("utf-8"))
                except UnsafePathError as e:
                    outputs.append(f"The code file was not written: {e.strerror}")
                    exit_code = 1
                    break
                files.append(path)
                program = "python" if lang == "python" else lang_to_cmd(lang)
                output, exit_code = await self._exec(
                    ["timeout", str(self._timeout), program, filename], cancellation_token
                )
                outputs.append(output)
                if exit_code != 0:
                    break
        finally:
            if self._delete_tmp_files:
                for f in files:
                    remove_file(self.work_dir, f.relative_to(self.work_dir))
        return CommandLineCodeResult(
            exit_code=exit_code, output="".join(outputs), code_file=str(files[0]) if files else None
        )

    def _to_config(self) -> DockerCommandLineCodeExecutorConfig:
        return DockerCommandLineCodeExecutorConfig(
            image=self._image,
            container_name=None if self._own_container_name else self.container_name,
            timeout=self._timeout,
            work_dir=str(self._work_dir) if self._work_dir else None,
            bind_dir=str(self._bind_dir) if self._bind_dir else None,
            auto_remove=self._auto_remove,
            stop_container=self._stop_container,
            functions_module=self._functions_module,
            extra_volumes=self._extra_volumes,
            extra_hosts=self._extra_hosts,
            init_command=self._init_command,
            delete_tmp_files=self._delete_tmp_files,
            allow_network=self._allow_network,
            mem_limit=self._mem_limit,
            pids_limit=self._pids_limit,
            cpus=self._cpus,
        )

    @classmethod
    def _from_config(cls, config: DockerCommandLineCodeExecutorConfig) -> Self:
        name = "DockerCommandLineCodeExecutor"
        defaults = DockerCommandLineCodeExecutorConfig()
        # What runs (image, init command), what it reaches (network, hosts, volumes) and what it may remove
        # (an existing container of that name is replaced) are the user's choice, never a config's.
        for field in ("image", "container_name", "init_command", "extra_volumes", "extra_hosts", "allow_network"):
            refuse_loosening(name, field, getattr(config, field), getattr(defaults, field))
        refuse_loosening(name, "mem_limit", _bytes(config.mem_limit), _bytes(defaults.mem_limit))
        refuse_loosening(name, "pids_limit", config.pids_limit, defaults.pids_limit)
        refuse_loosening(name, "cpus", config.cpus, defaults.cpus)
        work_dir = admit_folder(name, "work_dir", config.work_dir)
        bind_dir = admit_folder(name, "bind_dir", config.bind_dir)
        return cls(
            image=config.image,
            container_name=config.container_name,
            timeout=config.timeout,
            work_dir=work_dir,
            bind_dir=bind_dir,
            auto_remove=config.auto_remove,
            stop_container=config.stop_container,
            functions_module=config.functions_module,
            extra_volumes=config.extra_volumes,
            extra_hosts=config.extra_hosts,
            init_command=config.init_command,
            delete_tmp_files=config.delete_tmp_files,
            allow_network=config.allow_network,
            mem_limit=config.mem_limit,
            pids_limit=config.pids_limit,
            cpus=config.cpus,
        )
