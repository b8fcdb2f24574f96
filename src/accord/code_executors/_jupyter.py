"""JupyterCodeExecutor: a stateful IPython kernel driven directly with ``jupyter_client``.

The kernel talks to accord over Unix sockets in a private directory, so it can run inside bubblewrap with
no network, a read-only host and a scrubbed environment (``sandbox="auto"``, the default, where bubblewrap
works). A cell that runs past ``timeout`` is interrupted (the kernel and its state survive) and
:class:`~accord.code_executors.CodeExecutionTimeoutError` (an ``asyncio.TimeoutError``) is raised, as in AutoGen.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel

from .._errors import RunError, UsageError
from .._imports import require
from ..core import CancellationToken, Component
from ._approval import ApprovalFuncType, gate
from ._base import CodeBlock, CodeExecutor, CodeResult
from ._bwrap import SAFE_PATH, bwrap_args
from ._common import silence_pip
from ._errors import CodeExecutionTimeoutError, SandboxUnavailableError
from ._sandbox import (
    _ENV_ALLOWLIST,
    PROTECTION_NAMES,
    Sandbox,
    SandboxLimits,
    SandboxProtections,
    _is_root,
    detect,
)
from ._trust import admit_folder, allowed, refuse_loosening
from ._workspace import write_new

__all__ = ["JupyterCodeExecutor", "JupyterCodeExecutorConfig", "JupyterCodeResult"]

logger = logging.getLogger("accord.code_executors")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _prlimit_args(memory_mb: int | None, processes: int | None) -> list[str]:
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        logger.warning("prlimit (util-linux) is not installed: the Jupyter kernel runs without resource limits")
        return []
    args = [prlimit, "--core=0"]
    if memory_mb is not None:
        args.append(f"--as={memory_mb * 1024 * 1024}")
    if processes is not None:
        args.append(f"--nproc={processes}")
    return [*args, "--"]


@dataclass
class JupyterCodeResult(CodeResult):
    """Result of the Jupyter executor; ``output_files`` are the images and HTML the code displayed."""

    output_files: list[Path]


class JupyterCodeExecutorConfig(BaseModel):
    """Config of :class:`JupyterCodeExecutor`."""

    kernel_name: str = "python3"
    timeout: int = 60
    output_dir: str | None = None
    sandbox: Literal["auto", "none"] = "auto"


class JupyterCodeExecutor(CodeExecutor, Component[JupyterCodeExecutorConfig]):
    """Runs Python code blocks in a local Jupyter kernel; variables persist between calls until restart."""

    component_config_schema = JupyterCodeExecutorConfig
    component_provider_override = "autogen_ext.code_executors.jupyter.JupyterCodeExecutor"

    def __init__(
        self,
        kernel_name: str = "python3",
        timeout: int = 60,
        output_dir: Path | str | None = None,
        *,
        sandbox: Literal["auto", "none"] = "auto",
        max_memory_mb: int | None = 4096,
        max_processes: int | None = 256,
        max_disk_mb: int | None = 1024,
        approval_func: ApprovalFuncType | None = None,
    ) -> None:
        if timeout < 1:
            raise UsageError(f"Timeout must be greater than or equal to 1 (got {timeout}).")
        if sandbox not in ("auto", "none"):
            raise UsageError(f"sandbox={sandbox!r} is not one of 'auto', 'none'")
        require("jupyter_client", extra="jupyter")
        self._own_output_dir = output_dir is None
        self._output_dir = Path(tempfile.mkdtemp(prefix="accord-jupyter-")) if output_dir is None else Path(output_dir)
        self._output_dir.mkdir(exist_ok=True, parents=True)
        self._kernel_name = kernel_name
        self._timeout = timeout
        self._sandbox_mode: Literal["auto", "none"] = sandbox
        self._approval_func = approval_func
        self._max_memory_mb = max_memory_mb
        self._max_processes = max_processes
        self._max_disk_mb = max_disk_mb
        self._sandbox: Sandbox | None = None
        self._kernel_uid: int | None = None
        self._fallback_reason: str | None = None
        self._km: Any = None
        self._kc: Any = None
        self._runtime_dir: tempfile.TemporaryDirectory[str] | None = None
        self._sandboxed = False
        self._lock = asyncio.Lock()

    @property
    def output_dir(self) -> Path:
        return self._output_dir

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def sandbox_fallback_reason(self) -> str | None:
        """Always None: the kernel never falls back to running unsandboxed (kept for compatibility)."""
        return self._fallback_reason

    @property
    def kernel_uid(self) -> int | None:
        """The unprivileged uid the sandboxed kernel runs as (when accord runs as root), else None."""
        return self._kernel_uid

    @property
    def sandboxed(self) -> bool:
        """True while the kernel runs inside bubblewrap (no network, read-only host, scrubbed environment)."""
        return self._sandboxed

    # -- lifecycle ---------------------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._kc is not None:
            return
        manager_mod = require("jupyter_client.manager", extra="jupyter")
        sandbox = self._sandbox_for_kernel()  # raises (nothing created yet) when the sandbox cannot work
        # The kernel's own files (connection file, sockets, IPython's history): inside the quota store when
        # there is one, so the disk quota bounds everything the kernel can write.
        self._runtime_dir = tempfile.TemporaryDirectory(
            prefix="accord-kernel-", dir=sandbox.scratch_root if sandbox is not None else None
        )
        runtime = Path(self._runtime_dir.name)
        env = {k: v for k, v in os.environ.items() if k in _ENV_ALLOWLIST}
        env.update({"PATH": SAFE_PATH, "HOME": str(runtime), "IPYTHONDIR": str(runtime / "ipython")})
        env.setdefault("LANG", "C.UTF-8")
        prefix: list[str] = []
        uid: int | None = None
        if sandbox is not None:
            uid = sandbox.uid
            if uid is not None:
                os.chown(runtime, uid, uid)  # accord's own fresh folder, never one named by data
                sandbox.prepare_work_dir()
            sandbox.before_run()
            # The kernel's cwd is the output dir (as in AutoGen): the quota store bound there, or the folder itself.
            prefix = bwrap_args(
                shutil.which("bwrap") or "bwrap",
                str(sandbox.host_dir),
                inside=str(sandbox.work_dir),
                allow_network=False,
                env=env,
                interpreter=sys.executable,
                privileged=_is_root(),
                uid=uid,
                writable=[str(runtime)],
            )
            prefix = [a for a in prefix if a != "--new-session"]
            prefix += _prlimit_args(self._max_memory_mb, self._max_processes)
        km = manager_mod.AsyncKernelManager(
            kernel_name=self._kernel_name,
            transport="ipc",
            ip=str(runtime / "kernel"),
            connection_file=str(runtime / "kernel.json"),
        )
        if prefix:
            # bwrap does not forward signals: interrupt through the control channel instead.
            km.kernel_spec.interrupt_mode = "message"
            original = km.format_kernel_cmd

            def sandboxed_cmd(extra_arguments: list[str] | None = None) -> list[str]:
                if uid is not None:  # the connection file is written (0600) just before the command is built
                    os.chown(km.connection_file, uid, uid)
                return [*prefix, *original(extra_arguments)]

            km.format_kernel_cmd = sandboxed_cmd
        try:
            await km.start_kernel(
                env=env, cwd=str(self._output_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
        except Exception as e:
            # Fail closed: never retried without the sandbox. Nothing is left behind.
            with contextlib.suppress(Exception):
                await km.shutdown_kernel(now=True)
            with contextlib.suppress(OSError):
                self._runtime_dir.cleanup()
            self._runtime_dir = None
            if sandbox is not None:
                sandbox.close()
            where = "inside bubblewrap" if prefix else "(sandbox='none')"
            hint = (
                " The kernel is never started without the sandbox on its own: fix the cause (bubblewrap and "
                "util-linux installed: apt-get install bubblewrap util-linux), or pass sandbox='none' in code."
                if prefix
                else ""
            )
            raise RunError(f"Jupyter kernel {self._kernel_name!r} failed to start {where}: {e}.{hint}") from e
        self._km, self._kc = km, kc
        self._sandbox = sandbox
        self._sandboxed = bool(prefix)
        self._kernel_uid = uid

    def _sandbox_for_kernel(self) -> Sandbox | None:
        """The kernel's sandbox (None only for an explicit ``sandbox="none"``); raises when it cannot work."""
        if self._sandbox_mode == "none":
            return None
        try:
            caps = detect("bwrap", sys.executable, False)
        except SandboxUnavailableError as e:
            raise SandboxUnavailableError(
                f"JupyterCodeExecutor: the kernel must run in bubblewrap and cannot here: {e} "
                "The kernel is not started without it; to run it unconfined on purpose, pass sandbox='none' in code."
            ) from e
        if _is_root() and not caps.drop_uid:
            reasons = "; ".join(r for n, r in caps.notes if n == "separate_user") or "no separate uid works here"
            raise SandboxUnavailableError(
                f"JupyterCodeExecutor: accord runs as root and the kernel cannot run under its own unprivileged uid "
                f"({reasons}). Install util-linux (setpriv), run accord as a non-root user, or pass sandbox='none' "
                "in code to run it unconfined on purpose."
            )
        limits = SandboxLimits(
            cpu_seconds=None,
            memory_mb=self._max_memory_mb,
            max_processes=self._max_processes,
            max_file_size_mb=None,
            max_disk_mb=self._max_disk_mb,
        )
        return Sandbox("bwrap", self._output_dir.resolve(), limits=limits)

    @property
    def protections(self) -> SandboxProtections:
        """Which protections the kernel has (``sandbox="none"``: none), and why any is inactive."""
        sandbox = self._sandbox if self._sandbox is not None else self._sandbox_for_kernel()
        if sandbox is None:
            reason = "sandbox='none' (explicit opt-out)"
            names = (n for n in PROTECTION_NAMES if n not in ("work_dir", "wall_timeout", "output_limit"))
            return SandboxProtections("none", frozenset({"wall_timeout"}), dict.fromkeys(names, reason))
        try:
            p = sandbox.protections()
        finally:
            if sandbox is not self._sandbox:
                sandbox.close()
        inactive = dict(p.inactive)
        inactive["cpu_limit"] = "a kernel lives across cells: each cell is bounded by the wall-clock timeout"
        inactive["file_size_limit"] = "not applied to the kernel (the disk quota bounds the output dir)"
        inactive.pop("output_limit", None)
        return SandboxProtections(p.mechanism, p.active - {"output_limit"}, inactive, p.uid, p.exposed_paths)

    async def stop(self) -> None:
        kc, km = self._kc, self._km
        self._kc = self._km = None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            with contextlib.suppress(Exception):
                await km.shutdown_kernel(now=True)
        if self._runtime_dir is not None:
            with contextlib.suppress(OSError):
                self._runtime_dir.cleanup()
            self._runtime_dir = None
        sandbox, self._sandbox = self._sandbox, None
        if sandbox is not None:
            await asyncio.to_thread(sandbox.close)
        self._sandboxed = False

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # -- execution ---------------------------------------------------------------------------------------------
    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> JupyterCodeResult:
        refused = await gate(self._approval_func, code_blocks)
        if refused is not None:
            return JupyterCodeResult(exit_code=1, output=refused.output, output_files=[])
        async with self._lock:
            if self._kc is None:
                await self.start()
            outputs: list[str] = []
            files: list[Path] = []
            exit_code = 0
            try:
                for block in code_blocks:
                    result = await self._execute_one(block, cancellation_token)
                    exit_code = result.exit_code
                    outputs.append(result.output)
                    files.extend(result.output_files)
                    if exit_code != 0:
                        break
            finally:
                if self._sandbox is not None:
                    await asyncio.to_thread(self._sandbox.after_run)
            return JupyterCodeResult(exit_code=exit_code, output="\n".join(outputs), output_files=files)

    async def _execute_one(self, block: CodeBlock, cancellation_token: CancellationToken) -> JupyterCodeResult:
        kc = self._kc
        msg_id = kc.execute(silence_pip(block.code, block.language), store_history=True, allow_stdin=False)
        loop = asyncio.get_running_loop()
        cancelled = asyncio.Event()

        def on_cancel() -> None:
            loop.call_soon_threadsafe(cancelled.set)

        cancellation_token.add_callback(on_cancel)
        deadline = time.monotonic() + self._timeout
        outputs: list[str] = []
        files: list[Path] = []
        exit_code = 0
        while True:
            if cancelled.is_set():
                await self._interrupt(msg_id)
                raise asyncio.CancelledError("code execution was cancelled")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                await self._interrupt(msg_id)
                raise CodeExecutionTimeoutError(
                    f"Code ran longer than the timeout of {self._timeout} s; the kernel was interrupted"
                )
            try:
                msg = await kc.get_iopub_msg(timeout=min(remaining, 0.25))
            except queue.Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            content = msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                break
            if kind == "stream":
                outputs.append(content.get("text", ""))
            elif kind == "error":
                outputs.append(_ANSI.sub("", "\n".join(content.get("traceback", []))))
                exit_code = 1
            elif kind in ("execute_result", "display_data"):
                for mime, data in content.get("data", {}).items():
                    if mime == "text/plain":
                        outputs.append(data)
                    elif mime == "image/png":
                        files.append(self._save(base64.b64decode(data), "png"))
                    elif mime == "image/jpeg":
                        continue  # the PNG rendering of the same image is saved
                    elif mime == "text/html":
                        files.append(self._save(data.encode(), "html"))
                    else:
                        outputs.append(json.dumps(data))
        return JupyterCodeResult(exit_code=exit_code, output="\n".join(outputs), output_files=files)

    async def _interrupt(self, msg_id: str) -> None:
        """Interrupt the running cell and wait for the kernel to be idle again (restart it if it will not)."""
        await self._km.interrupt_kernel()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                msg = await self._kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            if (
                msg.get("parent_header", {}).get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            ):
                return
        logger.warning("Jupyter kernel did not respond to an interrupt; restarting it (its state is lost)")
        await self.restart()

    def _save(self, data: bytes, ext: str) -> Path:
        return write_new(self._output_dir, f"{uuid.uuid4().hex}.{ext}", data).absolute()

    # -- components --------------------------------------------------------------------------------------------
    def _to_config(self) -> JupyterCodeExecutorConfig:
        return JupyterCodeExecutorConfig(
            kernel_name=self._kernel_name,
            timeout=self._timeout,
            output_dir=None if self._own_output_dir else str(self._output_dir),
            sandbox=self._sandbox_mode,
        )

    @classmethod
    def _from_config(cls, config: JupyterCodeExecutorConfig) -> Self:
        if config.sandbox == "none" and not allowed("sandbox"):
            from ._local import UNSANDBOXED_CONFIG_ENV

            if os.environ.get(UNSANDBOXED_CONFIG_ENV) != "1":
                from .._errors import ComponentError

                raise ComponentError(
                    "This JupyterCodeExecutor config sets sandbox='none'. A loaded config cannot turn the sandbox "
                    f"off on its own: set {UNSANDBOXED_CONFIG_ENV}=1 to allow it."
                )
        name = "JupyterCodeExecutor"
        refuse_loosening(name, "kernel_name", config.kernel_name, "python3")  # which program runs the code
        output_dir = admit_folder(name, "output_dir", config.output_dir)
        return cls(
            kernel_name=config.kernel_name,
            timeout=config.timeout,
            output_dir=output_dir,
            sandbox=config.sandbox,
        )
