"""The accord command: ``--tools FILE`` trusts that one file, and the terminal is not the model's
(issue 10, items 15 and 16)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from security_support import accord, clean_env, output

from accord._terminal import terminal_safe
from accord.agents import AssistantAgent
from accord.testing import ReplayChatCompletionClient
from accord.ui import Console

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes "rm -rf ~" into the clipboard
CLEAR = "\x1b[2J\x1b[H"
HOSTILE_TEXT = f"before{OSC52}{CLEAR}after\r\x9b31mforged\x00 list[int] [/] [bold]x[/bold]\ttab"


def _tools_bundle(root: Path) -> Path:
    bundle = root / "bundle"
    bundle.mkdir()
    marker = root / "pwned"
    # the bundle's own openai.py: it would shadow the SDK if the bundle folder were on sys.path
    (bundle / "openai.py").write_text(f"open({json.dumps(str(marker))}, 'w').write('shadowed')\n")
    (bundle / "tools.py").write_text(
        "import openai  # a tools file may use the real SDK\n\n\n"
        "def word_count(text: str) -> int:\n    '''Count the words of a text.'''\n    return len(text.split())\n"
    )
    (bundle / "script.json").write_text(
        json.dumps([{"tool_calls": [{"name": "word_count", "arguments": {"text": "one two three"}}]}, "done"])
    )
    (bundle / "spec.yaml").write_text(
        "task: count\nagents:\n  - name: a\n    model: scripted:script.json\n"
        "    tools: [word_count]\n    stream: false\n"
    )
    return bundle


def test_a_tools_file_does_not_bring_its_folder_onto_sys_path(tmp_path: Path) -> None:
    bundle = _tools_bundle(tmp_path)
    result = accord("run", bundle / "spec.yaml", "--tools", bundle / "tools.py", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, output(result)
    assert not (tmp_path / "pwned").exists(), "the bundle's openai.py shadowed the SDK"
    assert "word_count" in result.stdout and "3" in result.stdout  # the trusted tool ran


def test_a_relative_tools_path_is_read_from_the_current_directory_only(tmp_path: Path) -> None:
    bundle = _tools_bundle(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    refused = accord("run", bundle / "spec.yaml", "--tools", "tools.py", cwd=elsewhere, env=clean_env())
    assert refused.returncode == 2, output(refused)  # not taken from the spec's folder
    assert "--tools tools.py: file not found" in refused.stderr and "current directory" in refused.stderr
    ok = accord("run", "spec.yaml", "--tools", "tools.py", cwd=bundle, env=clean_env())
    assert ok.returncode == 0, output(ok)
    assert not (tmp_path / "pwned").exists()


def test_accord_run_strips_escape_sequences_from_model_output(tmp_path: Path) -> None:
    (tmp_path / "script.json").write_text(json.dumps([HOSTILE_TEXT]))
    for stream in ("true", "false"):
        (tmp_path / "spec.yaml").write_text(
            f"task: hi\nagents:\n  - name: a\n    model: scripted:script.json\n    stream: {stream}\n"
        )
        result = accord("run", "spec.yaml", cwd=tmp_path, env=clean_env())
        assert result.returncode == 0, output(result)
        for control in ("\x1b", "\x07", "\x9b", "\r", "\x00"):
            assert control not in result.stdout, (stream, repr(control))
        assert "before]52;c;cm0gLXJmIH4=[2J[Hafter" in result.stdout  # the text stays, inert
        assert "list[int] [/] [bold]x[/bold]" in result.stdout


def _agent() -> AssistantAgent:
    return AssistantAgent("a", model_client=ReplayChatCompletionClient([HOSTILE_TEXT]))


async def test_console_strips_control_characters() -> None:
    out = io.StringIO()
    await Console(_agent().run_stream(task="hi"), output=out)
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\r" not in text
    assert "before]52;c;cm0gLXJmIH4=[2J[Hafter" in text and "\ttab" in text  # tab and text stay


async def test_rich_console_prints_model_text_literally() -> None:
    rich_console = pytest.importorskip("rich.console", reason="the cli extra is part of make install")
    from accord.ui import RichConsole

    buffer = io.StringIO()
    console = rich_console.Console(file=buffer, width=200, force_terminal=True, color_system="standard")
    await RichConsole(_agent().run_stream(task="hi"), console=console)  # "[/]" used to raise a MarkupError
    text = buffer.getvalue()
    assert "list[int]" in text and "[/]" in text and "[bold]x[/bold]" in text  # not eaten as markup
    assert OSC52 not in text and "\x1b]52" not in text and "\x1b[2J" not in text and "\x9b" not in text


def test_terminal_safe_keeps_text_newlines_and_tabs() -> None:
    assert terminal_safe("a\tb\nc — ü ✓") == "a\tb\nc — ü ✓"
    assert terminal_safe("x\x1b]52;c;Zm9v\x07y\x7f\x85z") == "x]52;c;Zm9vyz"
