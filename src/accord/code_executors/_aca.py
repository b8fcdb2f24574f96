"""ACADynamicSessionsCodeExecutor: Python run in an Azure Container Apps dynamic session (Azure's sandbox).

The code runs remotely, in a Hyper-V isolated session of the pool; nothing runs on this machine. File names that
come back from the session or from callers are checked so a download never writes outside the work directory.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import tempfile
import time
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from string import Template
from typing import Any, ClassVar, Protocol
from urllib.parse import quote

from .._errors import UsageError
from .._imports import require
from ..core import CancellationToken
from ._base import CodeBlock, CodeExecutor, CodeResult
from ._common import normalize_language
from ._errors import WorkDirError
from ._functions import AnyFunction, build_python_functions_file, required_packages, to_stub

__all__ = ["ACADynamicSessionsCodeExecutor", "TokenProvider"]

_SCOPE = "https://dynamicsessions.io/.default"
_PIP_LINE = re.compile(r"^! ?pip install(.*)$")


class TokenProvider(Protocol):
    """An azure-core credential: ``get_token(*scopes)`` returning an ``AccessToken`` (``.token``, ``.expires_on``)."""

    def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, **kwargs: Any
    ) -> Any: ...


def get_required_packages(code: str, lang: str) -> set[str]:
    """Packages a code block installs with ``!pip install a, b`` lines (what the session must already have)."""
    if lang != "python":
        return set()
    found: set[str] = set()
    for line in code.split("\n"):
        match = _PIP_LINE.search(line)
        if match is not None:
            found = {req.strip(" ") for req in match.group(1).split(",")}
    return found


def _inside(work_dir: Path, name: str | Path) -> Path:
    path = (work_dir / name).resolve()
    if not path.is_relative_to(work_dir.resolve()):
        raise WorkDirError(f"file {str(name)!r} is outside the executor's work_dir {str(work_dir)!r}")
    return path


class ACADynamicSessionsCodeExecutor(CodeExecutor):
    """Run Python in an Azure Container Apps dynamic sessions pool (AutoGen's ``ACADynamicSessionsCodeExecutor``).

    Args:
        pool_management_endpoint: the pool's management endpoint.
        credential: an azure-core credential (``azure.identity.DefaultAzureCredential()``); a token for
            ``https://dynamicsessions.io/.default`` is requested, and renewed when it expires.
        timeout: seconds for each request (at least 1).
        work_dir: where uploads are read from and downloads written to (a temporary directory by default).
        functions, functions_module: functions made available to the code (their packages must exist in the pool).
        suppress_result_output: leave the session's ``result`` out of the output.
        session_id: the session identifier (a new one by default, and after ``restart``).
    """

    SUPPORTED_LANGUAGES: ClassVar[list[str]] = ["python"]
    FUNCTION_PROMPT_TEMPLATE: ClassVar[str] = "You have access to the following user defined functions.\n\n$functions"
    _AZURE_API_VER = "2024-02-02-preview"

    def __init__(
        self,
        pool_management_endpoint: str,
        credential: TokenProvider,
        timeout: int = 60,
        work_dir: Path | str | None = None,
        functions: Sequence[AnyFunction] = (),
        functions_module: str = "functions",
        suppress_result_output: bool = False,
        session_id: str | None = None,
    ) -> None:
        if timeout < 1:
            raise UsageError("Timeout must be greater than or equal to 1.")
        if not functions_module.isidentifier():
            raise UsageError(f"functions_module must be a Python identifier, got {functions_module!r}")
        if not pool_management_endpoint.startswith(("https://", "http://")):
            raise UsageError(f"pool_management_endpoint must be an http(s) URL, got {pool_management_endpoint!r}")
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        if work_dir is None:
            self._temp_dir = tempfile.TemporaryDirectory()
            self._work_dir = Path(self._temp_dir.name)
        else:
            self._work_dir = Path(work_dir)
            self._work_dir.mkdir(parents=True, exist_ok=True)
        self._pool_management_endpoint = pool_management_endpoint
        self._credential = credential
        self._timeout = timeout
        self._functions = list(functions)
        self._functions_module = functions_module
        self._suppress_result_output = suppress_result_output
        self._session_id = session_id or str(uuid.uuid4())
        self._access_token: str | None = None
        self._token_expires = 0.0
        self._available_packages: set[str] | None = None
        self._setup_functions_complete = not self._functions
        self._setup_cwd_complete = False
        self._started = False

    # -- properties -------------------------------------------------------------------------------------------

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def functions_module(self) -> str:
        return self._functions_module

    @property
    def work_dir(self) -> Path:
        if self._work_dir == Path("."):
            warnings.warn("Using the current directory as work_dir is deprecated", DeprecationWarning, stacklevel=2)
        return self._work_dir

    def format_functions_for_prompt(self, prompt_template: str = FUNCTION_PROMPT_TEMPLATE) -> str:
        return Template(prompt_template).substitute(functions="\n\n".join(to_stub(f) for f in self._functions))

    # -- HTTP -------------------------------------------------------------------------------------------------

    def _construct_url(self, path: str) -> str:
        endpoint = self._pool_management_endpoint.rstrip("/") + "/"
        return f"{endpoint}{path}?api-version={self._AZURE_API_VER}&identifier={quote(self._session_id, safe='')}"

    async def _headers(self) -> dict[str, str]:
        if self._access_token is None or time.time() > self._token_expires - 60:
            token = self._credential.get_token(_SCOPE)
            if inspect.isawaitable(token):
                token = await token
            self._access_token = str(token.token)
            self._token_expires = float(getattr(token, "expires_on", time.time() + 300))
        return {"Authorization": f"Bearer {self._access_token}"}

    async def _request(self, method: str, path: str, token: CancellationToken, what: str, **kwargs: Any) -> Any:
        httpx = require("httpx", extra="azure")
        headers = await self._headers()
        async with httpx.AsyncClient(timeout=float(self._timeout), follow_redirects=False) as client:
            future = asyncio.ensure_future(client.request(method, self._construct_url(path), headers=headers, **kwargs))
            token.link_future(future)
            try:
                response = await future
                response.raise_for_status()
            except httpx.TimeoutException as e:
                raise TimeoutError(f"Timeout {what}") from e
            except httpx.HTTPError as e:
                raise ConnectionError(f"Error while {what}: {e}") from e
            return response

    # -- files ------------------------------------------------------------------------------------------------

    async def get_file_list(self, cancellation_token: CancellationToken) -> list[str]:
        response = await self._request("GET", "files", cancellation_token, "getting file list")
        return [str(item["properties"]["filename"]) for item in response.json().get("value", [])]

    async def upload_files(self, files: list[Path | str], cancellation_token: CancellationToken) -> None:
        for file in files:
            path = _inside(self._work_dir, file)
            if not path.is_file():
                raise FileNotFoundError(f"{file} does not exist")
            data = await asyncio.to_thread(path.read_bytes)
            upload = {"file": (path.name, data, "application/octet-stream")}
            await self._request("POST", "files/upload", cancellation_token, "uploading files", files=upload)

    async def download_files(self, files: list[Path | str], cancellation_token: CancellationToken) -> list[str]:
        available = await self.get_file_list(cancellation_token)
        local_paths: list[str] = []
        for file in files:
            if str(file) not in available:
                raise FileNotFoundError(f"{file} does not exist")
            local = _inside(self._work_dir, file)
            path = f"files/content/{quote(str(file), safe='')}"
            response = await self._request("GET", path, cancellation_token, "downloading files")
            local.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(local.write_bytes, response.content)
            local_paths.append(str(local))
        return local_paths

    # -- execution --------------------------------------------------------------------------------------------

    async def get_available_packages(self, cancellation_token: CancellationToken) -> set[str]:
        """The distributions installed in the session."""
        if self._available_packages is not None:
            return self._available_packages
        listing = (
            "import importlib.metadata as m\nprint('\\n'.join(sorted({d.metadata['Name'] for d in m.distributions()})))"
        )
        result = await self._execute(
            [CodeBlock(code=listing, language="python")], cancellation_token, include_result=False
        )
        if result.exit_code != 0:
            raise ConnectionError(f"Failed to get list of available packages: {result.output.strip()}")
        return {line.strip() for line in result.output.splitlines() if line.strip()}

    async def _setup(self, cancellation_token: CancellationToken) -> None:
        if self._available_packages is None:
            self._available_packages = await self.get_available_packages(cancellation_token)
        if not self._setup_functions_complete:
            missing = set(required_packages(self._functions)) - self._available_packages
            if missing:
                raise UsageError(f"Packages unavailable in environment: {sorted(missing)}")
            code = build_python_functions_file(self._functions)
            (self._work_dir / f"{self._functions_module}.py").write_text(code, encoding="utf-8")
            result = await self._execute([CodeBlock(code=code, language="python")], cancellation_token)
            if result.exit_code != 0:
                raise UsageError(f"Functions failed to load: {result.output.strip()}")
            self._setup_functions_complete = True
        if not self._setup_cwd_complete:
            cwd = CodeBlock(code="import os; os.chdir('/mnt/data')", language="python")
            if (await self._execute([cwd], cancellation_token)).exit_code != 0:
                raise ConnectionError("Failed to set up Azure container working directory")
            self._setup_cwd_complete = True

    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        await self._setup(cancellation_token)
        return await self._execute(code_blocks, cancellation_token)

    async def _execute(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken, include_result: bool = True
    ) -> CodeResult:
        output = ""
        for block in code_blocks:
            lang = normalize_language(block.language)
            if lang not in self.SUPPORTED_LANGUAGES:
                return CodeResult(exit_code=1, output=output + f"\nunknown language {lang}")
            if self._available_packages is not None:
                missing = get_required_packages(block.code, lang) - self._available_packages
                if missing:
                    return CodeResult(
                        exit_code=1, output=output + f"\nPython packages unavailable in environment: {missing}"
                    )
            body = {"properties": {"codeInputType": "inline", "executionType": "synchronous", "code": block.code}}
            response = await self._request("POST", "code/execute", cancellation_token, "executing code", json=body)
            data = response.json()["properties"]
            output += str(data.get("stderr", "")) + str(data.get("stdout", ""))
            status = str(data.get("status", ""))
            if "Success" in status:
                if include_result and not self._suppress_result_output and data.get("result") is not None:
                    output += str(data["result"])
            elif "Failure" in status:
                return CodeResult(exit_code=1, output=output)
        return CodeResult(exit_code=0, output=output)

    # -- lifecycle --------------------------------------------------------------------------------------------

    async def restart(self) -> None:
        """A new session: functions and the working directory are set up again on the next execution."""
        self._session_id = str(uuid.uuid4())
        self._setup_functions_complete = not self._functions
        self._access_token = None
        self._available_packages = None
        self._setup_cwd_complete = False

    async def start(self) -> None:
        self._started = True

    async def stop(self) -> None:
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None
        self._started = False
