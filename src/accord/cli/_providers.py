"""``accord models``: which providers this environment configures, each checked with one cheap live call."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..models.openai._client import GEMINI_OPENAI_BASE_URL
from ..spec import no_model_instructions, provider_statuses
from ..spec._models import DEFAULT_AZURE_API_VERSION, _local_model_path

__all__ = ["live_check", "show_models"]

TIMEOUT_S = 5.0


def _get_json(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return json.loads(response.read().decode("utf-8"))


def _count(data: Any, key: str = "data") -> str:
    items = data.get(key) if isinstance(data, dict) else None
    return f"ok, {len(items)} models" if isinstance(items, list) else "ok"


def live_check(name: str) -> tuple[bool, str]:
    """One read-only request to the provider (list models), or one token from the embedded model."""
    env = os.environ
    try:
        if name == "openai":
            base = env.get("OPENAI_BASE_URL", "https://api.openai.com/v1").rstrip("/")
            headers = {"Authorization": f"Bearer {env['OPENAI_API_KEY']}"} if env.get("OPENAI_API_KEY") else {}
            return True, _count(_get_json(f"{base}/models", headers))
        if name == "azure":
            base = env["AZURE_OPENAI_ENDPOINT"].rstrip("/")
            version = env.get("OPENAI_API_VERSION") or env.get("AZURE_OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION
            data = _get_json(
                f"{base}/openai/models?api-version={version}", {"api-key": env.get("AZURE_OPENAI_API_KEY", "")}
            )
            return True, _count(data)
        if name == "anthropic":
            headers = {"x-api-key": env["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01"}
            return True, _count(_get_json("https://api.anthropic.com/v1/models", headers))
        if name == "gemini":
            headers = {"Authorization": f"Bearer {env['GEMINI_API_KEY']}"}
            return True, _count(_get_json(f"{GEMINI_OPENAI_BASE_URL}models", headers))
        if name == "ollama":
            host = env["OLLAMA_HOST"]
            host = host if "://" in host else f"http://{host}"
            data = _get_json(f"{host.rstrip('/')}/api/tags", {})
            names = [m.get("name") for m in data.get("models", [])] if isinstance(data, dict) else []
            return True, f"ok, models: {', '.join(str(n) for n in names) or 'none pulled yet'}"
        if name == "local":
            return _check_local()
    except urllib.error.HTTPError as e:
        return False, f"HTTP {e.code} {e.reason}"
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        return False, f"unreachable: {getattr(e, 'reason', e)}"
    return False, "no check"


def _check_local() -> tuple[bool, str]:
    path = _local_model_path()
    if path is None:
        return False, "not installed"
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=128, n_threads=2, verbose=False)
    try:
        out: Any = llm.create_completion("Hello", max_tokens=1)
        return True, f"ok, generated {out['usage']['completion_tokens']} token"
    finally:
        close = getattr(llm, "close", None)
        if callable(close):
            close()


def show_models(console: Console, *, check: bool) -> int:
    statuses = provider_statuses()
    table = Table(title="Model providers", title_justify="left")
    table.add_column("provider", style="bold")
    table.add_column("configured")
    table.add_column("how / where")
    table.add_column("use with")
    if check:
        table.add_column("live check")
    for status in statuses:
        use = ""
        if status.configured:
            use = (
                "--model local" if status.name == "local" else f"--model {status.name}:{status.default_model or 'NAME'}"
            )
        row = [status.name, "[green]yes[/]" if status.configured else "[dim]no[/]", escape(status.detail), escape(use)]
        if check:
            if status.configured:
                ok, detail = live_check(status.name)
                row.append(f"[green]{escape(detail)}[/]" if ok else f"[red]{escape(detail)}[/]")
            else:
                row.append("[dim]-[/]")
        table.add_row(*row)
    console.print(table)
    if not any(s.configured for s in statuses):
        console.print(escape(no_model_instructions()))
        return 1
    default = next((s for s in statuses if s.configured), None)
    if default is not None:
        console.print(f"Specs without a model use: {escape(_default_label())}")
    return 0


def _default_label() -> str:
    from ..spec import default_model_reference

    try:
        return default_model_reference()
    except Exception as e:  # pragma: no cover - covered by the branch above
        return str(e)
