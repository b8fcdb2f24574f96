"""Live output of ``accord run`` (rich): every message, tool call, streamed token and token counter, then a summary."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from .._terminal import rich_escape as escape
from ..models.wrappers import UsageRecord
from ._meter import RunMeter
from ._runner import RunOutcome

__all__ = ["RunRenderer", "render_summary"]

_STATUS_STYLE = {"completed": "green", "limit": "yellow", "cancelled": "yellow", "error": "red"}


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RunRenderer:
    """Prints the stream of a run as it happens."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._streaming_from: str | None = None
        self._streamed: set[str] = set()
        # usage records arrive when a model call ends, which can be before its streamed message is shown: they are
        # printed after the next message (or at the end)
        self._pending: dict[str | None, list[str]] = {}

    def _end_stream(self) -> None:
        if self._streaming_from is not None:
            self.console.print()
            self._streaming_from = None

    def header(self, source: str, kind: str) -> None:
        self.console.print(f"[bold cyan]── {escape(source)}[/] [dim]({kind})[/]")

    def on_item(self, item: Any) -> None:
        self._show(item)
        if type(item).__name__ != "ModelClientStreamingChunkEvent":
            self._flush_usage(str(getattr(item, "source", "")))

    def _flush_usage(self, source: str | None = None) -> None:
        """Print the usage of ``source``'s model calls (and of the team's own model), or all of it."""
        for label in list(self._pending):
            if source is None or label in (source, "team", None):
                for line in self._pending.pop(label):
                    self.console.print(line)

    def _show(self, item: Any) -> None:
        kind = type(item).__name__
        source = str(getattr(item, "source", "?"))
        if kind == "ModelClientStreamingChunkEvent":
            if self._streaming_from != source:
                self._end_stream()
                self.header(source, "streaming")
                self._streaming_from = source
            self.console.print(escape(str(item.content)), end="", soft_wrap=True)
            self._streamed.add(source)
            return
        self._end_stream()
        if kind == "ToolCallRequestEvent":
            for call in item.content:
                arguments = escape(_short(call.arguments))
                self.console.print(f"[magenta]⚙ {escape(source)} calls[/] [bold]{escape(call.name)}[/]({arguments})")
            return
        if kind == "ToolCallExecutionEvent":
            for result in item.content:
                style = "red" if getattr(result, "is_error", False) else "magenta"
                self.console.print(f"[{style}]  ↳ {escape(result.name)}:[/] {escape(_short(result.content))}")
            return
        if kind == "UserInputRequestedEvent":
            self.console.print(f"[bold yellow]?? {escape(source)} is waiting for your input[/]")
            return
        if kind in ("ThoughtEvent", "MemoryQueryEvent", "SelectSpeakerEvent", "SelectorEvent"):
            self.console.print(f"[dim]· {escape(source)} {kind}: {escape(_short(_text(item)))}[/]")
            return
        if source in self._streamed and kind in ("TextMessage", "StructuredMessage"):
            # already shown token by token
            self._streamed.discard(source)
            return
        self.header(source, kind)
        self.console.print(escape(_text(item)), soft_wrap=True)

    def on_usage(self, record: UsageRecord, meter: RunMeter) -> None:
        prompt, completion = meter.ledger.total_tokens()
        note = f" error: {record.error}" if record.error else ""
        self._pending.setdefault(record.label, []).append(
            f"[dim]  tokens {escape(record.model)}: +{record.prompt_tokens} in / +{record.completion_tokens} out · "
            f"total {prompt} in / {completion} out · ${meter.spent():.6f}{escape(note)}[/]"
        )

    def finish(self) -> None:
        self._end_stream()
        self._flush_usage()


def _text(item: Any) -> str:
    to_text = getattr(item, "to_text", None)
    if callable(to_text):
        return str(to_text())
    return str(getattr(item, "content", item))


def render_summary(console: Console, outcome: RunOutcome) -> None:
    chat = [m for m in outcome.messages if not type(m).__name__.endswith("Event")]
    table = Table(title="Run summary", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    style = _STATUS_STYLE[outcome.status]
    table.add_row("status", f"[{style}]{outcome.status}[/]")
    table.add_row("stop reason", escape(outcome.stop_reason or "-"))
    table.add_row("messages", f"{len(chat)} ({len(outcome.messages)} with events)")
    table.add_row("model calls", str(outcome.model_calls))
    table.add_row("tokens in/out", f"{outcome.prompt_tokens} / {outcome.completion_tokens}")
    cost = f"${outcome.cost_usd:.6f}"
    if outcome.unpriced:
        cost += f" (no price for: {', '.join(outcome.unpriced)})"
    table.add_row("cost", escape(cost))
    table.add_row("time", f"{outcome.elapsed_s:.2f} s")
    console.print()
    console.print(table)
