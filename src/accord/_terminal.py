"""What reaches the terminal: text from models, tools and servers is data, never terminal control.

Model output can carry escape sequences: OSC 52 writes the user's clipboard, ``ESC [2J`` clears the screen,
``ESC ]8`` forges links, a carriage return overwrites what was printed. :func:`terminal_safe` removes every C0
control character except newline and tab, DEL, and every C1 control character; Console, RichConsole and
``accord run`` pass everything they print from a run through it.
"""

from __future__ import annotations

__all__ = ["rich_escape", "terminal_safe"]

_CONTROL = {c: None for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if c not in (0x09, 0x0A)}


def terminal_safe(text: str) -> str:
    """``text`` without control characters (newline and tab stay)."""
    return text.translate(_CONTROL)


def rich_escape(text: str) -> str:
    """``text`` for a rich markup string: terminal-safe, with its own markup escaped (needs the ``cli`` extra)."""
    from rich.markup import escape

    return escape(terminal_safe(text))
