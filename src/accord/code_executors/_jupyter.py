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
from ._bwrap import SAFE_PATH, bwrap_args, traversable
from ._common import silence_pip
from ._errors import CodeExecutionTimeoutError
from ._sandbox import _ENV_ALLOWLIST, _is_root, detect, uid_for

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
        approval_func: ApprovalFuncType | None = None,
    ) -> None:
        if timeout < 1:
            raise UsageError(f"Timeout must be greater than or equal to 1 (got {timeout}).")
        if sandbox not in ("auto", "none"):
            raise UsageError(f"sandbox={sandbox!r} is not one of 'auto', 'none'")
        require("jupyter_client", extra="jupyter")
        self._output_dir = Path(tempfile.mkdtemp(prefix="accord-jupyter-")) if output_dir is None else Path(output_dir)
        self._output_dir.mkdir(exist_ok=True, parents=True)
        self._kernel_name = kernel_name
        self._timeout = timeout
        self._sandbox_mode: Literal["auto", "none"] = sandbox
        self._approval_func = approval_func
        self._max_memory_mb = max_memory_mb
        self._max_processes = max_processes
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
        """Why the kernel runs unsandboxed although ``sandbox="auto"`` asked for the sandbox (None otherwise)."""
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
        self._runtime_dir = tempfile.TemporaryDirectory(prefix="accord-kernel-")
        runtime = Path(self._runtime_dir.name)
        prefix: list[str] = []
        bwrap = shutil.which("bwrap")
        env = {k: v for k, v in os.environ.items() if k in _ENV_ALLOWLIST}
        env.update({"PATH": SAFE_PATH, "HOME": str(runtime), "IPYTHONDIR": str(runtime / "ipython")})
        env.setdefault("LANG", "C.UTF-8")
        caps = detect("auto", sys.executable, False) if bwrap is not None else None
        uid: int | None = None
        if self._sandbox_mode == "auto" and bwrap is not None and caps is not None and caps.mechanism == "bwrap":
            out_dir = self._output_dir.resolve()
            if caps.drop_uid and traversable(out_dir, tmpfs_tmp=True):
                uid = uid_for(runtime)
                for d in (runtime, out_dir):
                    os.chown(d, uid, uid)
            # The output dir is writable too (images are saved there by this process, code may write there).
            prefix = bwrap_args(
                bwrap,
                str(runtime),
                allow_network=False,
                env=env,
                interpreter=sys.executable,
                privileged=_is_root(),
                uid=uid,
                writable=[str(out_dir)],
            )
            prefix = [a for a in prefix if a != "--new-session"]
            prefix += _prlimit_args(self._max_memory_mb, self._max_processes)
        elif self._sandbox_mode == "auto":
            self._fallback_reason = (
                "bubblewrap (bwrap) is not installed"
                if bwrap is None
                else "bubblewrap does not work here: " + "; ".join(r for _, r in (caps.notes if caps else ()))
            )
            logger.warning("Jupyter kernel runs unsandboxed: %s", self._fallback_reason)
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
            with contextlib.suppress(Exception):
                await km.shutdown_kernel(now=True)
            if prefix:
                logger.warning("Jupyter kernel could not start in the sandbox (%s); starting it unsandboxed", e)
                self._fallback_reason = f"the kernel could not start inside bubblewrap: {e}"
                with contextlib.suppress(OSError):
                    self._runtime_dir.cleanup()
                saved, self._sandbox_mode = self._sandbox_mode, "none"
                try:
                    await self.start()
                finally:
                    self._sandbox_mode = saved
                return
            raise RunError(f"Jupyter kernel {self._kernel_name!r} failed to start: {e}") from e
        self._km, self._kc = km, kc
        self._sandboxed = bool(prefix)
        self._kernel_uid = uid

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
            for block in code_blocks:
                result = await self._execute_one(block, cancellation_token)
                exit_code = result.exit_code
                outputs.append(result.output)
                files.extend(result.output_files)
                if exit_code != 0:
                    break
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
        path = self._output_dir / f"{uuid.uuid4().hex}.{ext}"
        path.write_bytes(data)
        return path.absolute()

    # -- components --------------------------------------------------------------------------------------------
    def _to_config(self) -> JupyterCodeExecutorConfig:
        return JupyterCodeExecutorConfig(
            kernel_name=self._kernel_name,
            timeout=self._timeout,
            output_dir=str(self._output_dir),
            sandbox=self._sandbox_mode,
        )

    @classmethod
    def _from_config(cls, config: JupyterCodeExecutorConfig) -> Self:
        if config.sandbox == "none":
            from ._local import UNSANDBOXED_CONFIG_ENV

            if os.environ.get(UNSANDBOXED_CONFIG_ENV) != "1":
                from .._errors import ComponentError

                raise ComponentError(
                    "This JupyterCodeExecutor config sets sandbox='none'. A loaded config cannot turn the sandbox "
                    f"off on its own: set {UNSANDBOXED_CONFIG_ENV}=1 to allow it."
                )
        return cls(
            kernel_name=config.kernel_name,
            timeout=config.timeout,
            output_dir=Path(config.output_dir) if config.output_dir else None,
            sandbox=config.sandbox,
        )
