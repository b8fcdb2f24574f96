"""LocalCommandLineCodeExecutor: AutoGen's local executor, sandboxed by default."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from hashlib import sha256
from pathlib import Path
from string import Template
from types import SimpleNamespace
from typing import ClassVar, Literal, Self

from pydantic import BaseModel

from .._errors import ComponentError, UsageError
from ..core import CancellationToken, Component
from ._approval import ApprovalFuncType, gate
from ._base import CodeBlock, CodeExecutor, CommandLineCodeResult
from ._common import (
    SUPPORTED_LANGUAGES,
    file_extension,
    filename_from_content,
    lang_to_cmd,
    normalize_language,
    powershell_program,
    silence_pip,
)
from ._errors import WorkDirError
from ._functions import AnyFunction, build_python_functions_file, required_packages, to_stub
from ._process import run_program
from ._sandbox import Sandbox, SandboxLimits, SandboxMode, SandboxProtections, detect
from ._trust import admit_folder, allowed, refuse_loosening
from ._workspace import UnsafePathError, remove_file, write_new

__all__ = ["LocalCommandLineCodeExecutor", "LocalCommandLineCodeExecutorConfig", "UNSANDBOXED_CONFIG_ENV"]

logger = logging.getLogger("accord.code_executors")

UNSANDBOXED_CONFIG_ENV = "ACCORD_ALLOW_UNSANDBOXED_EXECUTOR"
"""Set to ``1`` to let a loaded config turn the sandbox off (``sandbox: none``); otherwise loading refuses."""


class LocalCommandLineCodeExecutorConfig(BaseModel):
    """Config of :class:`LocalCommandLineCodeExecutor` (AutoGen's fields, then accord's sandbox fields)."""

    timeout: int = 60
    work_dir: str | None = None
    functions_module: str = "functions"
    cleanup_temp_files: bool = True
    sandbox: Literal["auto", "bwrap", "unshare", "none"] = "auto"
    allow_network: bool = False
    max_memory_mb: int | None = 2048
    max_processes: int | None = 128
    max_file_size_mb: int | None = 256
    max_output_chars: int = 100_000
    max_disk_mb: int | None = 1024


def _check_work_dir(work_dir: Path) -> Path:
    if work_dir.exists() and not work_dir.is_dir():
        raise WorkDirError(f"work_dir {str(work_dir)!r} exists but is not a directory")
    if not work_dir.exists():
        parent = work_dir.resolve().parent
        if not parent.is_dir():
            raise WorkDirError(
                f"work_dir {str(work_dir)!r} does not exist and neither does its parent {str(parent)!r}; "
                "create it first or pass an existing directory"
            )
        try:
            work_dir.mkdir()
        except OSError as e:
            raise WorkDirError(f"work_dir {str(work_dir)!r} could not be created: {e}") from e
    if not os.access(work_dir, os.W_OK | os.X_OK):
        raise WorkDirError(f"work_dir {str(work_dir)!r} is not writable by this process")
    return work_dir


class LocalCommandLineCodeExecutor(CodeExecutor, Component[LocalCommandLineCodeExecutorConfig]):
    """Runs code blocks as local programs, each in a sandbox (see :attr:`protections`).

    Same signature and results as AutoGen's executor (exit code 124 and ``Timeout`` on timeout, 125 and
    ``Cancelled`` on cancellation, ``unknown language X`` for other languages). accord adds keyword-only
    sandbox settings: ``sandbox`` ("auto" by default; "none" is an explicit, warned opt-out), resource limits,
    ``allow_network`` (off by default), ``max_output_chars``, extra environment variables (``env``) and an
    ``approval_func`` asked before any block runs.

    A config loaded with ``load_component`` that says ``sandbox: none`` is refused unless the environment
    variable ``ACCORD_ALLOW_UNSANDBOXED_EXECUTOR=1`` is set: data must not be able to switch the sandbox off.
    """

    component_config_schema = LocalCommandLineCodeExecutorConfig
    component_provider_override = "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor"

    SUPPORTED_LANGUAGES: ClassVar[list[str]] = SUPPORTED_LANGUAGES
    FUNCTION_PROMPT_TEMPLATE: ClassVar[str] = """You have access to the following user defined functions. \
They can be accessed from the module called `$module_name` by their function names.

For example, if there was a function called `foo` you could import it by writing `from $module_name import foo`

$functions"""

    def __init__(
        self,
        timeout: int = 60,
        work_dir: Path | str | None = None,
        functions: Sequence[AnyFunction] = (),
        functions_module: str = "functions",
        cleanup_temp_files: bool = True,
        virtual_env_context: SimpleNamespace | None = None,
        *,
        sandbox: SandboxMode = "auto",
        allow_network: bool = False,
        max_memory_mb: int | None = 2048,
        max_processes: int | None = 128,
        max_file_size_mb: int | None = 256,
        max_output_chars: int = 100_000,
        max_disk_mb: int | None = 1024,
        env: Mapping[str, str] | None = None,
        approval_func: ApprovalFuncType | None = None,
    ) -> None:
        if timeout < 1:
            raise UsageError(f"Timeout must be greater than or equal to 1 (got {timeout}).")
        if sandbox not in ("auto", "bwrap", "unshare", "none"):
            raise UsageError(f"sandbox={sandbox!r} is not one of 'auto', 'bwrap', 'unshare', 'none'")
        if not functions_module.isidentifier():
            raise UsageError(f"Module name must be a valid Python identifier (got {functions_module!r})")
        if max_output_chars < 1:
            raise UsageError(f"max_output_chars must be at least 1 (got {max_output_chars})")
        if sandbox == "none":
            warnings.warn(
                "LocalCommandLineCodeExecutor(sandbox='none') runs code on this machine without any isolation: "
                "it sees your environment variables, files and network.",
                UserWarning,
                stacklevel=2,
            )
        self._timeout = timeout
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        self._work_dir: Path | None = None
        if work_dir is not None:
            work_dir = Path(work_dir)
            if work_dir.resolve() == Path.cwd().resolve():
                warnings.warn(
                    "Using the current directory as work_dir is deprecated.", DeprecationWarning, stacklevel=2
                )
            self._work_dir = _check_work_dir(work_dir)
        self._functions = list(functions)
        self._setup_functions_complete = not self._functions
        self._functions_module = functions_module
        self._cleanup_temp_files = cleanup_temp_files
        self._virtual_env_context = virtual_env_context
        self._sandbox_mode: SandboxMode = sandbox
        self._allow_network = allow_network
        self._limits = SandboxLimits(
            cpu_seconds=timeout + 5,
            memory_mb=max_memory_mb,
            max_processes=max_processes,
            max_file_size_mb=max_file_size_mb,
            max_disk_mb=max_disk_mb,
        )
        self._max_output_chars = max_output_chars
        self._env = dict(env or {})
        self._approval_func = approval_func
        self._sandbox_obj: Sandbox | None = None
        self._lock = asyncio.Lock()
        self._started = False
        # Probe the sandbox now (once per process) so that a sandbox that cannot work fails at construction.
        detect(sandbox, self._python(), allow_network)

    # -- properties --------------------------------------------------------------------------------------------
    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def work_dir(self) -> Path:
        if self._work_dir is not None:
            return self._work_dir
        if self._temp_dir is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="accord-exec-")
            self._started = True
        return Path(self._temp_dir.name)

    @property
    def functions(self) -> list[str]:
        raise NotImplementedError

    @property
    def functions_module(self) -> str:
        return self._functions_module

    @property
    def cleanup_temp_files(self) -> bool:
        return self._cleanup_temp_files

    @property
    def sandbox(self) -> SandboxMode:
        return self._sandbox_mode

    @property
    def protections(self) -> SandboxProtections:
        """Which protections are active for this executor, and the reason for each that is not."""
        return self._sandbox().protections()

    def format_functions_for_prompt(self, prompt_template: str = FUNCTION_PROMPT_TEMPLATE) -> str:
        return Template(prompt_template).substitute(
            module_name=self._functions_module,
            functions="\n\n".join(to_stub(func) for func in self._functions),
        )

    # -- lifecycle ---------------------------------------------------------------------------------------------
    async def start(self) -> None:
        _ = self.work_dir
        self._started = True

    async def stop(self) -> None:
        if self._sandbox_obj is not None:
            await asyncio.to_thread(self._sandbox_obj.close)
            self._sandbox_obj = None
        if self._temp_dir is not None:
            with contextlib.suppress(OSError):
                self._temp_dir.cleanup()
            self._temp_dir = None
            self._sandbox_obj = None
        self._started = False

    async def restart(self) -> None:
        warnings.warn("Restarting local command line code executor is not supported. No action is taken.", stacklevel=2)

    # -- execution ---------------------------------------------------------------------------------------------
    def _sandbox(self) -> Sandbox:
        work_dir = self.work_dir.resolve()
        if self._sandbox_obj is None or self._sandbox_obj.work_dir != work_dir:
            interpreter = self._python()
            self._sandbox_obj = Sandbox(
                self._sandbox_mode,
                work_dir,
                limits=self._limits,
                allow_network=self._allow_network,
                interpreter=interpreter,
                extra_env=self._env,
                readable=self._venv_paths,
            )
            self._sandbox_obj.prepare_work_dir()
        return self._sandbox_obj

    def _python(self) -> str:
        if self._virtual_env_context is not None:
            return str(os.path.abspath(self._virtual_env_context.env_exe))
        return sys.executable

    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CommandLineCodeResult:
        refused = await gate(self._approval_func, code_blocks)
        if refused is not None:
            return refused
        async with self._lock:
            if not self._setup_functions_complete:
                await self._setup_functions(cancellation_token)
            return await self._run_blocks(code_blocks, cancellation_token)

    async def _setup_functions(self, cancellation_token: CancellationToken) -> None:
        content = build_python_functions_file(self._functions)
        write_new(self.work_dir, f"{self._functions_module}.py", content.encode("utf-8"))
        missing = [p for p in required_packages(self._functions) if not _installed(p)]
        if missing:
            # Packages the developer declared for their functions are installed outside the sandbox
            # (the sandbox has no network); code written by a model never reaches this path.
            logger.info("Installing packages for executor functions: %s", missing)
            proc = await asyncio.create_subprocess_exec(
                self._python(), "-m", "pip", "install", "-q", *missing,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            try:
                stdout, stderr = await asyncio.wait_for(proc.communicate(), self._timeout)
            except TimeoutError as e:
                proc.kill()
                raise UsageError("Pip install timed out") from e
            if proc.returncode != 0:
                raise UsageError(f"Pip install failed. {stdout.decode()}, {stderr.decode()}")
        result = await self._run_blocks([CodeBlock(code=content, language="python")], cancellation_token)
        if result.exit_code != 0:
            raise UsageError(f"Functions failed to load: {result.output}")
        self._setup_functions_complete = True

    @property
    def _venv_path(self) -> list[str]:
        venv = self._virtual_env_context
        return [str(os.path.abspath(venv.bin_path))] if venv is not None else []

    @property
    def _venv_paths(self) -> list[str]:
        """The virtualenv's own directories, bound into the sandbox wherever they live."""
        venv = self._virtual_env_context
        if venv is None:
            return []
        names = ("env_dir", "bin_path", "env_exec_cmd")
        return [os.path.abspath(str(getattr(venv, n))) for n in names if getattr(venv, n, None)]

    @property
    def _venv_env(self) -> dict[str, str]:
        venv = self._virtual_env_context
        return {"VIRTUAL_ENV": str(Path(os.path.abspath(venv.bin_path)).parent)} if venv is not None else {}

    def _program(self, lang: str, path: str) -> list[str]:
        if lang == "python":
            return [self._python(), path]
        program = lang_to_cmd(lang)
        if program in ("pwsh", "powershell"):
            return [program, "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", path]
        return [program, path]

    async def _run_blocks(
        self, code_blocks: Sequence[CodeBlock], cancellation_token: CancellationToken
    ) -> CommandLineCodeResult:
        # Check every language first: an unsupported block means nothing runs.
        for block in code_blocks:
            lang = normalize_language(block.language)
            if lang not in self.SUPPORTED_LANGUAGES:
                return CommandLineCodeResult(exit_code=1, output=f"\nunknown language {lang}", code_file=None)
            if lang in ("pwsh", "powershell", "ps1") and powershell_program() is None:
                return CommandLineCodeResult(
                    exit_code=1, output=f"\nunknown language {lang} (PowerShell is not installed)", code_file=None
                )
        sandbox = self._sandbox()
        work_dir = sandbox.work_dir
        output = ""
        exit_code = 0
        files: list[Path] = []
        names: list[str] = []
        ran = False
        cap = self._max_output_chars
        try:
            for block in code_blocks:
                lang = normalize_language(block.language)
                code = silence_pip(block.code, lang)
                try:
                    filename = filename_from_content(code, work_dir)
                except ValueError:
                    return CommandLineCodeResult(exit_code=1, output="Filename is not in the workspace", code_file=None)
                if filename is None:
                    filename = f"tmp_code_{sha256(code.encode()).hexdigest()}.{file_extension(lang)}"
                await asyncio.to_thread(sandbox.before_run)
                try:
                    # Never through a link the code planted: created exclusively, renamed over the name.
                    write_new(sandbox.host_dir, filename, code.encode("utf-8"), uid=sandbox.uid)
                except UnsafePathError as e:
                    output += f"\nThe code file was not written: {e.strerror}"
                    exit_code = 1
                    break
                path = work_dir / filename
                names.append(filename)
                files.append(path)
                env = sandbox.environment(path_prefix=self._venv_path, extra=self._venv_env)
                outcome = await run_program(
                    sandbox.command(self._program(lang, sandbox.inside_path(path)), env),
                    cwd=str(work_dir),
                    env=env,
                    preexec=sandbox.preexec(),
                    wall_timeout_s=self._timeout,
                    cancellation_token=cancellation_token,
                    max_output_bytes=cap * 4,
                    kill=sandbox.kill_all,
                )
                await asyncio.to_thread(sandbox.reap)
                ran = True
                output += outcome.stderr + outcome.stdout
                if outcome.timed_out:
                    output += "\nTimeout"
                    exit_code = 124
                    break
                if outcome.cancelled:
                    output += "\nCancelled"
                    exit_code = 125
                    break
                exit_code = outcome.exit_code
                if exit_code < 0:
                    output += f"\n(killed by signal {_signal_name(-exit_code)})"
                if exit_code != 0:
                    break
        finally:
            if self._cleanup_temp_files:
                for name in names:
                    remove_file(sandbox.host_dir, name)  # the link the code left there, never its target
            if ran:
                await asyncio.to_thread(sandbox.after_run)
        return CommandLineCodeResult(
            exit_code=exit_code, output=_truncate(output, cap), code_file=str(files[0]) if files else None
        )

    # -- components --------------------------------------------------------------------------------------------
    def _to_config(self) -> LocalCommandLineCodeExecutorConfig:
        if self._functions:
            logger.info("Functions will not be included in serialized configuration")
        if self._virtual_env_context is not None:
            logger.info("Virtual environment context will not be included in serialized configuration")
        if self._approval_func is not None:
            logger.info("approval_func will not be included in serialized configuration")
        return LocalCommandLineCodeExecutorConfig(
            timeout=self._timeout,
            # A temp work dir is the executor's own: the loaded copy makes its own (it is removed at stop).
            work_dir=str(self._work_dir) if self._work_dir is not None else None,
            functions_module=self._functions_module,
            cleanup_temp_files=self._cleanup_temp_files,
            sandbox=self._sandbox_mode,
            allow_network=self._allow_network,
            max_memory_mb=self._limits.memory_mb,
            max_processes=self._limits.max_processes,
            max_file_size_mb=self._limits.max_file_size_mb,
            max_output_chars=self._max_output_chars,
            max_disk_mb=self._limits.max_disk_mb,
        )

    @classmethod
    def _from_config(cls, config: LocalCommandLineCodeExecutorConfig) -> Self:
        if config.sandbox == "none" and os.environ.get(UNSANDBOXED_CONFIG_ENV) != "1" and not allowed("sandbox"):
            raise ComponentError(
                "This LocalCommandLineCodeExecutor config sets sandbox='none', which would run code without any "
                "isolation. A loaded config cannot turn the sandbox off on its own: construct the executor with "
                f"sandbox='none' in code, or set {UNSANDBOXED_CONFIG_ENV}=1 to allow such configs."
            )
        name = "LocalCommandLineCodeExecutor"
        if config.sandbox == "unshare":
            refuse_loosening(name, "sandbox", config.sandbox, "auto")
        defaults = LocalCommandLineCodeExecutorConfig()
        for field in ("allow_network", "max_memory_mb", "max_processes", "max_file_size_mb", "max_disk_mb"):
            refuse_loosening(name, field, getattr(config, field), getattr(defaults, field))
        work_dir = admit_folder(name, "work_dir", config.work_dir)
        return cls(
            timeout=config.timeout,
            work_dir=work_dir,
            functions_module=config.functions_module,
            cleanup_temp_files=config.cleanup_temp_files,
            sandbox=config.sandbox,
            allow_network=config.allow_network,
            max_memory_mb=config.max_memory_mb,
            max_processes=config.max_processes,
            max_file_size_mb=config.max_file_size_mb,
            max_output_chars=config.max_output_chars,
            max_disk_mb=config.max_disk_mb,
        )


def _installed(requirement: str) -> bool:
    name = re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0]
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _signal_name(num: int) -> str:
    import signal

    with contextlib.suppress(ValueError):
        return signal.Signals(num).name
    return str(num)


def _truncate(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    return text[:cap] + f"\n[output truncated: {len(text) - cap} more characters not shown]"
