"""``accord models``: which providers this environment configures, each checked with one cheap live call."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..models._settings import PROVIDER_SETTINGS, ProviderSettings, azure_api_version, env_value
from ..spec import no_model_instructions, provider_statuses
from ..spec._models import _local_model_path

__all__ = ["live_check", "show_models"]

TIMEOUT_S = 5.0


def _get_json(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return json.loads(response.read().decode("utf-8"))


def _count(data: Any, key: str = "data") -> str:
    items = data.get(key) if isinstance(data, dict) else None
    return f"ok, {len(items)} models" if isinstance(items, list) else "ok"


def _openai_check(settings: ProviderSettings) -> tuple[bool, str]:
    base = (settings.endpoint() or settings.default_endpoint or "").rstrip("/")
    key = env_value("OPENAI_API_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return True, _count(_get_json(f"{base}/models", headers))


def _azure_check(settings: ProviderSettings) -> tuple[bool, str]:
    base = (settings.endpoint() or "").rstrip("/")
    found = settings.credential()
    value = env_value(found[0]) if found is not None else ""
    headers = (
        {"Authorization": f"Bearer {value}"} if found and found[1] == "azure_ad_token" else {"api-key": value or ""}
    )
    return True, _count(_get_json(f"{base}/openai/models?api-version={azure_api_version()}", headers))


def _anthropic_check(settings: ProviderSettings) -> tuple[bool, str]:
    headers = {"x-api-key": env_value("ANTHROPIC_API_KEY") or "", "anthropic-version": "2023-06-01"}
    return True, _count(_get_json(f"{settings.default_endpoint}/v1/models", headers))


def _ollama_check(settings: ProviderSettings) -> tuple[bool, str]:
    host = settings.endpoint() or settings.default_endpoint or ""
    host = host if "://" in host else f"http://{host}"
    data = _get_json(f"{host.rstrip('/')}/api/tags", {})
    names = [m.get("name") for m in data.get("models", [])] if isinstance(data, dict) else []
    return True, f"ok, models: {', '.join(str(n) for n in names) or 'none pulled yet'}"


_CHECKS = {"openai": _openai_check, "azure": _azure_check, "anthropic": _anthropic_check, "ollama": _ollama_check}


def live_check(name: str) -> tuple[bool, str]:
    """One read-only request to the provider (list models), or one token from the embedded model."""
    try:
        if name in _CHECKS:
            return _CHECKS[name](PROVIDER_SETTINGS[name])
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
