"""Run the real `accord` console script in a subprocess, with a clean model environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ACCORD = Path(sys.executable).parent / "accord"

PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "AZURE_OPENAI_DEPLOYMENT",
    "ANTHROPIC_API_KEY",
    "OLLAMA_HOST",
    "ACCORD_MODEL",
    "ACCORD_LOCAL_MODEL_PATH",
    "ACCORD_MCP_ALLOWED_COMMANDS",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"
    env.update(extra)
    return env


def accord(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``accord ARGS`` through the installed entry point; stdin is empty unless ``input`` is given."""
    assert ACCORD.exists(), f"the accord console script is not installed at {ACCORD} (pip install -e '.[cli]')"
    return subprocess.run(
        [str(ACCORD), *map(str, args)],
        cwd=cwd or REPO,
        env=env or clean_env(),
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def copy_example(name: str, tmp_path: Path) -> Path:
    """A private copy of an example (runs write work dirs and tickets next to their spec)."""
    target = tmp_path / name
    shutil.copytree(EXAMPLES / name, target)
    return target


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"--- rc {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
