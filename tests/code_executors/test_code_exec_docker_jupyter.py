"""DockerJupyterCodeExecutor against a real Jupyter kernel gateway (``jupyter-kernel-gateway``, the server
DockerJupyterServer runs in its container), started on 127.0.0.1 with a token by the test. The container itself
needs a Docker engine, which these machines do not have; that one test skips saying so.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.code_executors import CodeBlock
from accord.code_executors.docker_jupyter import (
    DockerJupyterCodeExecutor,
    DockerJupyterServer,
    JupyterClient,
    JupyterConnectionInfo,
)
from accord.core import CancellationToken
from accord.errors import UsageError

pytestmark = pytest.mark.real_server

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterConnectionInfo]:
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("gateway")
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kernel_gateway",
            "--KernelGatewayApp.ip=127.0.0.1",
            f"--KernelGatewayApp.port={port}",
            f"--KernelGatewayApp.auth_token={token}",
            "--JupyterWebsocketPersonality.list_kernels=true",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None:
                pytest.fail(f"the kernel gateway exited: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.2)
        else:
            pytest.fail("the kernel gateway did not listen within 60 s")
        yield JupyterConnectionInfo(host="127.0.0.1", use_https=False, port=port, token=token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


async def test_cells_share_state_and_report_errors(gateway: JupyterConnectionInfo, tmp_path: Path) -> None:
    async with DockerJupyterCodeExecutor(gateway, output_dir=tmp_path, timeout=30) as executor:
        token = CancellationToken()
        first = await executor.execute_code_blocks([CodeBlock(code="x = 20\nprint('set')", language="python")], token)
        assert first.exit_code == 0 and first.output.strip() == "set"
        second = await executor.execute_code_blocks([CodeBlock(code="x * 2 + 2", language="python")], token)
        assert second.exit_code == 0 and second.output.strip() == "42"
        failed = await executor.execute_code_blocks(
            [CodeBlock(code="print('before')", language="python"), CodeBlock(code="1/0", language="python")], token
        )
        assert failed.exit_code == 1 and "before" in failed.output and "ZeroDivisionError" in failed.output
        await executor.restart()
        after = await executor.execute_code_blocks([CodeBlock(code="print('x' in dir())", language="python")], token)
        assert after.output.strip() == "False"


async def test_displayed_images_and_html_are_saved(gateway: JupyterConnectionInfo, tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import base64
        from IPython.display import HTML, Image, display
        display(Image(data=base64.b64decode("{PNG}"), format="png"))
        display(HTML("<b>hi</b>"))
        """
    )
    async with DockerJupyterCodeExecutor(gateway, output_dir=tmp_path) as executor:
        result = await executor.execute_code_blocks([CodeBlock(code=code, language="python")], CancellationToken())
    assert result.exit_code == 0, result.output
    suffixes = sorted(p.suffix for p in result.output_files)
    assert suffixes == [".html", ".png"]
    for path in result.output_files:
        assert path.parent == tmp_path.resolve() and path.exists() and str(path) in result.output
    html = next(p for p in result.output_files if p.suffix == ".html")
    assert html.read_text() == "<b>hi</b>"


async def test_wrong_token_and_unknown_kernel(gateway: JupyterConnectionInfo, tmp_path: Path) -> None:
    bad = JupyterConnectionInfo(host=gateway.host, use_https=False, port=gateway.port, token="wrong")
    client = JupyterClient(bad)
    with pytest.raises(ConnectionError, match=r"HTTP 40[13]"):
        await client.list_kernel_specs()
    await client.close()
    executor = DockerJupyterCodeExecutor(gateway, kernel_name="julia-9", output_dir=tmp_path)
    with pytest.raises(UsageError, match="Kernel julia-9 is not installed"):
        await executor.start()
    await executor.stop()
    with pytest.raises(UsageError, match="Timeout must be greater than or equal to 1"):
        DockerJupyterCodeExecutor(gateway, timeout=0)


def test_docker_jupyter_server_needs_an_engine() -> None:
    docker = pytest.importorskip("docker")
    try:
        docker.from_env().ping()
    except docker.errors.DockerException:
        pytest.skip("no Docker engine runs on these machines")
    server = DockerJupyterServer()
    try:
        assert server.connection_info.host == "127.0.0.1" and server.connection_info.token
    finally:
        server._container.stop()


def test_served_under_autogens_path() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.code_executors.docker_jupyter import (
            DockerJupyterCodeExecutor, DockerJupyterCodeResult, DockerJupyterServer, JupyterClient, JupyterKernelClient,
        )
        import accord.code_executors.docker_jupyter as ours
        assert DockerJupyterCodeExecutor is ours.DockerJupyterCodeExecutor
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
