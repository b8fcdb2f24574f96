"""JupyterCodeExecutor on a real local IPython kernel (sandboxed where bubblewrap works)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from accord.code_executors import (
    ApprovalRequest,
    ApprovalResponse,
    CodeBlock,
    CodeExecutionTimeoutError,
    allow_work_roots,
)
from accord.core import CancellationToken, load_component

pytest.importorskip("jupyter_client", reason="the jupyter extra (jupyter_client, ipykernel) is not installed")
pytest.importorskip("ipykernel", reason="the jupyter extra (jupyter_client, ipykernel) is not installed")

from accord.code_executors.jupyter import JupyterCodeExecutor, JupyterCodeResult

pytestmark = pytest.mark.real_server


@pytest.fixture
async def kernel(tmp_path: Path) -> AsyncIterator[JupyterCodeExecutor]:
    async with JupyterCodeExecutor(timeout=3, output_dir=tmp_path) as ex:
        yield ex


def require_sandbox(kernel: JupyterCodeExecutor) -> None:
    """With bubblewrap installed the kernel must run sandboxed; without it, skip and say why."""
    if shutil.which("bwrap") is not None:
        assert kernel.sandboxed, kernel.sandbox_fallback_reason
        assert (kernel.kernel_uid is not None) == (os.geteuid() == 0)
    elif not kernel.sandboxed:
        pytest.skip(f"bubblewrap is not installed; the kernel runs unsandboxed: {kernel.sandbox_fallback_reason}")


async def run(ex: JupyterCodeExecutor, code: str) -> JupyterCodeResult:
    return await ex.execute_code_blocks([CodeBlock(code=code, language="python")], CancellationToken())


async def test_state_is_kept_between_blocks(kernel: JupyterCodeExecutor) -> None:
    assert (await run(kernel, "x = 40")).exit_code == 0
    result = await run(kernel, "print(x + 2)")
    assert (result.exit_code, result.output) == (0, "42\n")
    result = await run(kernel, "x + 1")
    assert result.output == "41"


async def test_exception_is_reported(kernel: JupyterCodeExecutor) -> None:
    result = await kernel.execute_code_blocks(
        [CodeBlock("1 / 0", "python"), CodeBlock("print('not reached')", "python")], CancellationToken()
    )
    assert result.exit_code == 1
    assert "ZeroDivisionError" in result.output
    assert "not reached" not in result.output
    assert "\x1b[" not in result.output


async def test_hanging_cell_is_interrupted_and_state_survives(kernel: JupyterCodeExecutor) -> None:
    await run(kernel, "kept = 'yes'")
    with pytest.raises(CodeExecutionTimeoutError):
        await run(kernel, "import time\nwhile True:\n    time.sleep(0.05)")
    with pytest.raises(asyncio.TimeoutError):  # AutoGen code catches asyncio.TimeoutError
        await run(kernel, "import time\ntime.sleep(60)")
    result = await run(kernel, "print(kept)")
    assert (result.exit_code, result.output) == (0, "yes\n")


async def test_cancellation_interrupts(kernel: JupyterCodeExecutor) -> None:
    token = CancellationToken()
    task = asyncio.create_task(kernel.execute_code_blocks([CodeBlock("import time\ntime.sleep(60)", "python")], token))
    await asyncio.sleep(0.3)
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await run(kernel, "print('alive')")).output == "alive\n"


async def test_images_are_saved_to_files(kernel: JupyterCodeExecutor, tmp_path: Path) -> None:
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    code = (
        "from IPython.display import display, Image, HTML\nimport base64\n"
        f"display(Image(data=base64.b64decode('{png}')))\ndisplay(HTML('<b>hi</b>'))"
    )
    result = await run(kernel, code)
    assert result.exit_code == 0
    suffixes = sorted(p.suffix for p in result.output_files)
    assert suffixes == [".html", ".png"]
    assert all(p.parent == tmp_path and p.exists() for p in result.output_files)


async def test_restart_clears_state(kernel: JupyterCodeExecutor) -> None:
    await run(kernel, "y = 1")
    await kernel.restart()
    result = await run(kernel, "print(y)")
    assert result.exit_code == 1 and "NameError" in result.output


async def test_sandboxed_kernel_has_no_secrets_or_network(
    kernel: JupyterCodeExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_sandbox(kernel)
    result = await run(kernel, "import os\nprint([k for k in os.environ if 'KEY' in k or 'TOKEN' in k])")
    assert result.output == "[]\n"
    result = await run(kernel, "open('/etc/accord-test', 'w')")
    assert result.exit_code == 1 and "Read-only" in result.output
    result = await run(kernel, "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=2)")
    assert result.exit_code == 1


async def test_memory_hog_in_kernel_is_stopped_and_kernel_survives(kernel: JupyterCodeExecutor) -> None:
    require_sandbox(kernel)
    await run(kernel, "kept = 1")
    result = await run(kernel, "hog = bytearray(16 * 1024**3)")
    assert result.exit_code == 1 and "MemoryError" in result.output
    assert (await run(kernel, "print(kept)")).output == "1\n"


async def test_approval_refusal(tmp_path: Path) -> None:
    def deny(request: ApprovalRequest) -> ApprovalResponse:
        return ApprovalResponse(approved=False, reason="not now")

    ex = JupyterCodeExecutor(output_dir=tmp_path, approval_func=deny)
    result = await run(ex, "print(1)")
    assert (result.exit_code, result.output) == (1, "Code execution was not approved. Reason: not now")
    await ex.stop()


def test_config_round_trip(tmp_path: Path) -> None:
    ex = JupyterCodeExecutor(timeout=9, output_dir=tmp_path)
    model = ex.dump_component()
    assert model.provider == "autogen_ext.code_executors.jupyter.JupyterCodeExecutor"
    with allow_work_roots(tmp_path):  # a loaded config may name a folder only inside a work root
        loaded = load_component(model, expected=JupyterCodeExecutor)
    assert loaded.timeout == 9 and loaded.output_dir == tmp_path


def test_bad_timeout() -> None:
    with pytest.raises(ValueError, match="Timeout"):
        JupyterCodeExecutor(timeout=0)
