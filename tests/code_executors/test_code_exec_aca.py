"""ACADynamicSessionsCodeExecutor against a local HTTP server.

No Azure Container Apps session pool can be reached from these machines, so the test starts an aiohttp server on
127.0.0.1 that speaks the dynamic sessions API (``code/execute``, ``files``, ``files/upload``,
``files/content/NAME``; api-version and identifier in the query; a bearer token). It answers each code block from
a table instead of running it: the code runs in Azure's sandbox, never on this machine.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from azure.core.credentials import AccessToken

from accord.code_executors import CodeBlock, with_requirements
from accord.code_executors.azure import ACADynamicSessionsCodeExecutor
from accord.core import CancellationToken
from accord.errors import UsageError

pytestmark = pytest.mark.real_server


class Credential:
    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assert scopes == ("https://dynamicsessions.io/.default",)
        self.calls += 1
        return AccessToken(f"tok-{self.calls}", int(time.time()) + 3600)


class Pool:
    def __init__(self) -> None:
        self.executed: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {"result.csv": b"a,b\n1,2\n"}

    def _record(self, request: web.Request) -> None:
        self.requests.append(
            {"path": request.path, "query": dict(request.query), "auth": request.headers.get("Authorization")}
        )

    async def execute(self, request: web.Request) -> web.Response:
        self._record(request)
        code = (await request.json())["properties"]["code"]
        self.executed.append(code)
        if "importlib.metadata" in code:
            props = {"status": "Success", "stdout": "numpy\npandas\n", "stderr": "", "result": None}
        elif "raise" in code:
            props = {"status": "Failure", "stdout": "", "stderr": "Traceback: boom\n", "result": None}
        else:
            props = {"status": "Success", "stdout": "hello\n", "stderr": "", "result": 42}
        return web.json_response({"properties": props})

    async def list_files(self, request: web.Request) -> web.Response:
        self._record(request)
        return web.json_response({"value": [{"properties": {"filename": name}} for name in self.files]})

    async def upload(self, request: web.Request) -> web.Response:
        self._record(request)
        form = await request.post()
        field: Any = form["file"]
        self.files[field.filename] = field.file.read()
        return web.json_response({"value": []})

    async def content(self, request: web.Request) -> web.Response:
        self._record(request)
        return web.Response(body=self.files[request.match_info["name"]])


@pytest.fixture
async def pool() -> AsyncIterator[tuple[str, Pool]]:
    state = Pool()
    app = web.Application()
    app.router.add_post("/pool/code/execute", state.execute)
    app.router.add_get("/pool/files", state.list_files)
    app.router.add_post("/pool/files/upload", state.upload)
    app.router.add_get("/pool/files/content/{name}", state.content)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/pool", state
    finally:
        await runner.cleanup()


async def test_executes_blocks_in_the_session(pool: tuple[str, Pool], tmp_path: Path) -> None:
    endpoint, server = pool
    credential = Credential()
    executor = ACADynamicSessionsCodeExecutor(endpoint, credential, work_dir=tmp_path, session_id="s-1")
    result = await executor.execute_code_blocks(
        [CodeBlock(code="print('hello')", language="python")], CancellationToken()
    )
    assert result.exit_code == 0 and result.output == "hello\n42"
    # packages listed, working directory set, then the block
    assert "importlib.metadata" in server.executed[0] and "/mnt/data" in server.executed[1]
    assert server.executed[2] == "print('hello')"
    assert all(r["query"] == {"api-version": "2024-02-02-preview", "identifier": "s-1"} for r in server.requests)
    assert {r["auth"] for r in server.requests} == {"Bearer tok-1"} and credential.calls == 1
    failed = await executor.execute_code_blocks(
        [CodeBlock(code="raise ValueError", language="py")], CancellationToken()
    )
    assert failed.exit_code == 1 and "boom" in failed.output
    unknown = await executor.execute_code_blocks([CodeBlock(code="ls", language="bash")], CancellationToken())
    assert unknown.exit_code == 1 and "unknown language bash" in unknown.output
    missing = await executor.execute_code_blocks(
        [CodeBlock(code="!pip install torch\nimport torch", language="python")], CancellationToken()
    )
    assert missing.exit_code == 1 and "unavailable in environment: {'torch'}" in missing.output
    await executor.restart()
    assert executor._session_id != "s-1"


async def test_functions_need_their_packages(pool: tuple[str, Pool], tmp_path: Path) -> None:
    endpoint, _ = pool

    @with_requirements(python_packages=["scipy"])
    def integrate() -> float:
        return 0.0

    executor = ACADynamicSessionsCodeExecutor(endpoint, Credential(), work_dir=tmp_path, functions=[integrate])
    with pytest.raises(UsageError, match=r"Packages unavailable in environment: \['scipy'\]"):
        await executor.execute_code_blocks([CodeBlock(code="x = 1", language="python")], CancellationToken())


async def test_files_go_up_and_come_down_inside_the_work_dir(pool: tuple[str, Pool], tmp_path: Path) -> None:
    endpoint, server = pool
    (tmp_path / "data.txt").write_text("payload")
    executor = ACADynamicSessionsCodeExecutor(endpoint, Credential(), work_dir=tmp_path)
    await executor.upload_files(["data.txt"], CancellationToken())
    assert server.files["data.txt"] == b"payload"
    assert set(await executor.get_file_list(CancellationToken())) == {"result.csv", "data.txt"}
    (path,) = await executor.download_files(["result.csv"], CancellationToken())
    assert Path(path) == (tmp_path / "result.csv").resolve() and Path(path).read_bytes() == b"a,b\n1,2\n"
    with pytest.raises(FileNotFoundError, match=r"missing\.csv does not exist"):
        await executor.download_files(["missing.csv"], CancellationToken())
    server.files["../escape.txt"] = b"x"
    with pytest.raises(ValueError, match="outside the executor's work_dir"):
        await executor.download_files(["../escape.txt"], CancellationToken())
    assert not (tmp_path.parent / "escape.txt").exists()
    with pytest.raises(ValueError, match="outside the executor's work_dir"):
        await executor.upload_files(["../../etc/passwd"], CancellationToken())


def test_bad_arguments() -> None:
    with pytest.raises(UsageError, match="Timeout must be greater than or equal to 1"):
        ACADynamicSessionsCodeExecutor("https://pool.example", Credential(), timeout=0)
    with pytest.raises(UsageError, match="must be an http"):
        ACADynamicSessionsCodeExecutor("file:///etc", Credential())


def test_served_under_autogens_path() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.code_executors.azure import ACADynamicSessionsCodeExecutor, TokenProvider
        import accord.code_executors.azure
        assert ACADynamicSessionsCodeExecutor is accord.code_executors.azure.ACADynamicSessionsCodeExecutor
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
