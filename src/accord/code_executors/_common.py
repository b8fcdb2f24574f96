"""Helpers shared by the command-line executors: languages, file names, pip lines, markdown code blocks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

__all__ = [
    "CODE_BLOCK_PATTERN",
    "PYTHON_VARIANTS",
    "SUPPORTED_LANGUAGES",
    "file_extension",
    "filename_from_content",
    "lang_to_cmd",
    "normalize_language",
    "silence_pip",
]

SUPPORTED_LANGUAGES = ["bash", "shell", "sh", "pwsh", "powershell", "ps1", "python"]
PYTHON_VARIANTS = ["python", "Python", "py", "python3"]
_POWERSHELL = ("pwsh", "powershell", "ps1")
_SHELLS = ("bash", "shell", "sh")

# ```lang\n code \n``` with optional spaces; the language is optional.
CODE_BLOCK_PATTERN = r"```[ \t]*(\w+)?[ \t]*\r?\n(.*?)\r?\n[ \t]*```"


def normalize_language(language: str) -> str:
    lang = language.strip().lower()
    return "python" if lang in ("python", "py", "python3") else lang


def powershell_program() -> str | None:
    return shutil.which("pwsh") or shutil.which("powershell")


def lang_to_cmd(lang: str) -> str:
    """The program that runs ``lang`` (raises ValueError for an unknown or unavailable language)."""
    from .._errors import UsageError

    lang = normalize_language(lang)
    if lang == "python":
        return "python"
    if lang in ("bash", "sh"):
        return lang
    if lang == "shell":
        return "sh"
    if lang in _POWERSHELL:
        program = powershell_program()
        if program is None:
            raise UsageError("Powershell or pwsh is not installed. Please install one of them.")
        return Path(program).name
    raise UsageError(f"Unsupported language: {lang}")


def file_extension(lang: str) -> str:
    lang = normalize_language(lang)
    if lang == "python":
        return "py"
    if lang in _POWERSHELL:
        return "ps1"
    return lang


def filename_from_content(code: str, work_dir: Path) -> str | None:
    """The file named by a first-line ``# filename: x`` comment, relative to ``work_dir``.

    Raises ValueError when the name points outside the work dir.
    """
    first = code.split("\n", 1)[0]
    if not first.startswith("# filename:"):
        return None
    name = first.split(":", 1)[1].strip()
    path = Path(name)
    if not path.is_absolute():
        path = work_dir / path
    return str(path.resolve().relative_to(work_dir.resolve()))


def silence_pip(code: str, lang: str) -> str:
    """Add ``-qqq`` to ``pip install`` lines so their progress output does not flood the result."""
    lang = normalize_language(lang)
    if lang == "python":
        pattern = re.compile(r"^! ?pip install")
    elif lang in (*_SHELLS, *_POWERSHELL):
        pattern = re.compile(r"^pip install")
    else:
        return code
    lines = code.split("\n")
    for i, line in enumerate(lines):
        m = pattern.search(line)
        if m is not None and "-qqq" not in line:
            lines[i] = line.replace(m.group(0), m.group(0) + " -qqq", 1)
    return "\n".join(lines)
