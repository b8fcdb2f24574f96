"""``accord runs``: list, show, resume, replay, fork and diff journaled runs; and the journal ``accord run`` writes.

A run that ``accord run`` journals keeps what rebuilds it: the spec's path, the model override, the limits and the
task (``meta``), and the spec's component (``config``, secrets redacted). ``resume`` and ``replay`` load the spec
again from that path, so a changed spec shows up: resume refuses it (naming the first difference), replay runs it and
stops at the first divergence, fork runs it on purpose.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["EXIT_WAITING", "journal_stream", "journaled_run", "runs_app"]

EXIT_WAITING = 4
"""``accord run`` / ``accord runs resume`` exit code: the run waits for a human (``accord runs resume --input``)."""

runs_app = typer.Typer(
    name="runs",
    help="Journaled runs: list, show, resume, replay, fork, diff (journal: .accord/runs.db, or --db / ACCORD_JOURNAL).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    str | None, typer.Option("--db", help="the journal: a SQLite file (default .accord/runs.db) or postgresql://...")
]


def _consoles() -> tuple[Console, Console]:
    width = None if sys.stdout.isatty() else 200
    return Console(highlight=False, width=width), Console(stderr=True, highlight=False, width=width)


def _store(db: str | None) -> Any:
    from .._imports import require

    require("sqlalchemy", extra="journal")
    from ..journal import open_store

    return open_store(db)


def _fail(err: Console, message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _journal_errors(err: Console, action: Any) -> Any:
    """Run ``action()`` (a coroutine factory); journal errors become a message and exit code 2."""
    from ..journal import JournalError

    try:
        return asyncio.run(action())
    except JournalError as e:
        raise _fail(err, str(e)) from e


# ---------------------------------------------------------------- what ``accord run`` uses


def journal_stream(
    store: Any,
    *,
    spec: Path,
    component: dict[str, Any],
    model: str | None,
    task: str,
    max_turns: int | None,
    budget_usd: float | None,
    pause_on_human: bool,
) -> tuple[str, Any]:
    """A run id and the ``stream`` for ``run_built_spec`` that journals the run into ``store``."""
    from ..journal import Journal
    from ..journal._journal import _new_run_id

    run_id = _new_run_id()
    meta = {
        "spec": str(spec.resolve()),
        "model": model,
        "task": task,
        "max_turns": max_turns,
        "budget_usd": budget_usd,
        "pause_on_human": pause_on_human,
    }
    journal = Journal(store, pause_on_human=pause_on_human, meta=meta, config=component, run_id=run_id)

    def stream(runnable: Any, token: Any) -> AsyncIterator[Any]:
        return journal.run_stream(runnable, task=task, cancellation_token=token)

    return run_id, stream


def journaled_run(
    out: Console,
    err: Console,
    built: Any,
    spec: Path,
    model: str | None,
    task: str,
    max_turns: int | None,
    budget: float | None,
    save: Path | None,
    journal_db: str | None,
    pause_for_human: bool,
) -> int:
    """``accord run`` with its journal: prints the run id first, and how to continue a run that waits."""
    from .._errors import MissingExtraError
    from ._app import _run_with_signals

    try:
        store = _store(journal_db)
    except MissingExtraError as e:
        err.print(f"[yellow]not journaled:[/] {escape(str(e))} (or pass --no-journal)")
        return _run_with_signals(out, err, built, task, max_turns, budget, save)
    run_id, stream = journal_stream(
        store, spec=spec, component=built.component, model=model, task=task, max_turns=max_turns,
        budget_usd=budget, pause_on_human=pause_for_human,
    )  # fmt: skip
    out.print(f"[bold]run id:[/] {run_id} [dim](journal {escape(store.url)})[/]")
    code = _run_with_signals(out, err, built, task, max_turns, budget, save, stream=stream)
    return _after(out, store, run_id, code)


def waiting_hint(store: Any, run_id: str) -> str | None:
    """How to continue ``run_id`` if it waits for a human or a decision (None otherwise)."""

    async def status() -> Any:
        return await store.get_run(run_id)

    info = asyncio.run(status())
    if info.status == "waiting":
        agent = (info.meta.get("waiting") or {}).get("agent", "a human")
        return f"Run {run_id} waits for input from {agent}: accord runs resume {run_id} --input TEXT"
    if info.status == "needs_decision":
        return str((info.meta.get("needs_decision") or {}).get("description", "a decision"))
    return None


# ---------------------------------------------------------------- list and show


@runs_app.command("list")
def list_runs(
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="how many runs")] = 20,
) -> None:
    """The latest runs, newest first."""
    out, err = _consoles()
    store = _store(db)
    runs = _journal_errors(err, lambda: store.list_runs(limit))
    table = Table(title=f"Runs in {store.url}", title_justify="left")
    for column in ("run id", "status", "name", "kind", "started", "spec"):
        table.add_column(column)
    import time

    for run in runs:
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created_at))
        table.add_row(run.run_id, run.status, escape(run.name), run.kind, started, escape(str(run.meta.get("spec", ""))))
    out.print(table)


@runs_app.command()
def show(
    run_id: Annotated[str, typer.Argument(help="the run id (accord runs list)")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the run and its messages as JSON")] = False,
) -> None:
    """A run: its status, what it waits for, its messages, model calls and tokens."""
    out, err = _consoles()
    store = _store(db)

    async def load() -> Any:
        from ..journal import transcript
        from ..journal._diff import run_totals

        info = await store.get_run(run_id)
        messages = transcript(await store.read_records(run_id, ["message"]))
        totals = run_totals(info, messages, await store.read_effects(run_id))
        return info, messages, totals

    info, messages, totals = _journal_errors(err, load)
    if as_json:
        typer.echo(json.dumps({"run_id": info.run_id, "status": info.status, "meta": info.meta, "messages": messages}))
        return
    out.print(f"[bold]run[/] {info.run_id} · {info.status} · {escape(info.name)} ({info.kind})")
    for key in ("spec", "task", "forked_from", "fork_at", "waiting", "needs_decision", "error"):
        if info.meta.get(key) is not None:
            out.print(f"[bold]{key}:[/] {escape(str(info.meta[key]))}")
    for i, message in enumerate(messages):
        out.print(f"[dim]{i:>3}[/] [bold cyan]{escape(str(message.get('source')))}[/] [dim]{message.get('type')}[/]")
        out.print(f"    {escape(_text(message))}")
    out.print(
        f"[bold]{len(messages)} messages · {totals.model_calls} model calls · tokens "
        f"{totals.prompt_tokens}/{totals.completion_tokens} · ${totals.cost_usd:.6f} · {totals.seconds:.2f} s[/]"
    )


def _text(message: dict[str, Any], width: int = 300) -> str:
    content = message.get("content")
    text = content if isinstance(content, str) else json.dumps(content)
    return text if len(text) <= width else text[:width] + "…"


# ---------------------------------------------------------------- resume, replay, fork


def _rebuild(err: Console, info: Any, *, model: str | None = None, spec: Path | None = None) -> Any:
    """The spec of a journaled ``accord run``, loaded again (with ``model`` / ``spec`` when forking)."""
    from ..spec import SpecError, load_spec

    path = spec or (Path(info.meta["spec"]) if info.meta.get("spec") else None)
    if path is None:
        raise _fail(err, f"Run {info.run_id} was not started by accord run (no spec): resume it from Python.")
    try:
        return load_spec(path, model=model if model is not None else info.meta.get("model"))
    except SpecError as e:
        raise _fail(err, str(e)) from e


def _drive(out: Console, err: Console, built: Any, info: Any, stream: Any, task: str) -> int:
    from ._app import _run_with_signals

    max_turns = info.meta.get("max_turns")
    budget = info.meta.get("budget_usd")
    return _run_with_signals(out, err, built, task, max_turns, budget, None, stream=stream)


@runs_app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="the run to continue")],
    input: Annotated[str | None, typer.Option("--input", help="the human's answer the run waits for")] = None,
    retry: Annotated[bool, typer.Option("--retry", help="run the call that was in flight again")] = False,
    skip_with: Annotated[
        str | None, typer.Option("--skip-with", help="do not run the call in flight; use this as its result")
    ] = None,
    abort: Annotated[bool, typer.Option("--abort", help="abort the run")] = False,
    db: DbOption = None,
) -> None:
    """Continue a run after a crash or a human pause: journaled calls are served, never made again."""
    from ..journal import Decision, Journal

    out, err = _consoles()
    if sum([retry, skip_with is not None, abort]) > 1:
        raise _fail(err, "choose one of --retry, --skip-with, --abort")
    decision = (
        Decision("retry") if retry else Decision("skip", skip_with) if skip_with is not None else Decision("abort")
    ) if (retry or abort or skip_with is not None) else None  # fmt: skip
    store = _store(db)
    info = _journal_errors(err, lambda: store.get_run(run_id))
    if info.status == "waiting" and input is None:
        agent = (info.meta.get("waiting") or {}).get("agent", "a human")
        raise _fail(err, f"Run {run_id} waits for input from {agent}: accord runs resume {run_id} --input TEXT")
    if info.status in ("completed", "aborted"):
        raise _fail(err, f"Run {run_id} is {info.status}: nothing to resume (accord runs fork {run_id} --at STEP)")
    built = _rebuild(err, info)
    journal = Journal(store, config=built.component, pause_on_human=bool(info.meta.get("pause_on_human")))

    def stream(runnable: Any, token: Any) -> AsyncIterator[Any]:
        return journal.resume_stream(runnable, run_id, input=input, decision=decision, cancellation_token=token)

    out.print(f"[bold]accord runs resume[/] {run_id} [dim]· {escape(str(info.meta.get('spec')))}[/]")
    code = _drive(out, err, built, info, stream, str(info.meta.get("task") or ""))
    raise typer.Exit(_after(out, store, run_id, code))


def _after(out: Console, store: Any, run_id: str, code: int) -> int:
    from ..journal import JournalError

    try:
        hint = waiting_hint(store, run_id)
    except JournalError:  # the run never started (the spec did not load): nothing was journaled
        return code
    if hint is not None:
        out.print(f"[bold yellow]{escape(hint)}[/]")
        return EXIT_WAITING
    out.print(f"[dim]run id {run_id}[/]")
    return code


@runs_app.command()
def replay(
    run_id: Annotated[str, typer.Argument(help="the run to replay")],
    spec: Annotated[Path | None, typer.Option("--spec", help="replay with this spec instead of the run's")] = None,
    db: DbOption = None,
) -> None:
    """Re-run a journaled run offline (no model, tool or network call): the same messages, or the first divergence."""
    from ..core import load_component
    from ..journal import Journal
    from ._meter import RunMeter
    from ._runner import prepare_component

    out, err = _consoles()
    store = _store(db)
    info = _journal_errors(err, lambda: store.get_run(run_id))
    built = _rebuild(err, info, spec=spec)

    async def run() -> Any:
        meter = RunMeter()
        try:
            runnable = load_component(prepare_component(built, meter, max_turns=info.meta.get("max_turns")))
            return await Journal(store, config=built.component).replay(runnable, run_id)
        finally:
            meter.close()

    report = _journal_errors(err, run)
    for i, message in enumerate(report.messages[: report.matched]):
        out.print(f"[dim]{i:>3}[/] [green]=[/] [bold]{escape(message.source)}[/]: {escape(_text(message.dump(), 120))}")
    if report.ok:
        out.print(f"[green]✓ replay of {run_id} matches: {report.matched} of {report.total} messages, bit for bit[/]")
        return
    out.print(f"[bold red]✗ replay diverges at message {report.diverged_at}:[/] {escape(report.divergence or '')}")
    raise typer.Exit(1)


@runs_app.command()
def fork(
    run_id: Annotated[str, typer.Argument(help="the run to fork")],
    at: Annotated[int, typer.Option("--at", min=1, help="the step to run for real from (steps before are served)")],
    model: Annotated[str | None, typer.Option("--model", "-m", help="use this model for every agent")] = None,
    system_message: Annotated[
        list[str] | None, typer.Option("--system-message", help="AGENT=TEXT: change an agent's system message")
    ] = None,
    set_field: Annotated[
        list[str] | None, typer.Option("--set", help="PATH=VALUE: change a field of the spec's component (JSON value)")
    ] = None,
    spec: Annotated[Path | None, typer.Option("--spec", help="run this spec (a different script) instead")] = None,
    db: DbOption = None,
) -> None:
    """A new run from RUN_ID's journal up to step --at, then for real with one change."""
    from ..journal import Journal

    out, err = _consoles()
    store = _store(db)
    info = _journal_errors(err, lambda: store.get_run(run_id))
    built = _rebuild(err, info, model=model, spec=spec)
    for item in system_message or []:
        agent, sep, text = item.partition("=")
        if not sep or not _set_system_message(built.component, agent, text):
            raise _fail(err, f"--system-message {item!r}: no agent named {agent!r} in the spec")
    for item in set_field or []:
        path, sep, value = item.partition("=")
        if not sep:
            raise _fail(err, f"--set {item!r}: expected PATH=VALUE, e.g. config.max_turns=4")
        try:
            _set_path(built.component, path, value)
        except (KeyError, IndexError, TypeError) as e:
            raise _fail(err, f"--set {item!r}: no field {path!r} in the spec's component ({e})") from e
    from ..journal._journal import _new_run_id

    new_id = _new_run_id()
    meta = {**info.meta, "model": model or info.meta.get("model"), "spec": str((spec or Path(info.meta["spec"])).resolve())}
    journal = Journal(store, config=built.component, meta=meta, run_id=new_id)

    def stream(runnable: Any, token: Any) -> AsyncIterator[Any]:
        return journal.fork_stream(runnable, run_id, at_step=at, cancellation_token=token)

    out.print(f"[bold]accord runs fork[/] {run_id} --at {at} → new run [bold]{new_id}[/]")
    code = _drive(out, err, built, info, stream, str(info.meta.get("task") or ""))
    out.print(f"compare: accord runs diff {run_id} {new_id}")
    raise typer.Exit(_after(out, store, new_id, code))


def _set_system_message(component: dict[str, Any], agent: str, text: str) -> bool:
    found = False
    if isinstance(component, dict):
        config = component.get("config")
        if component.get("component_type") == "agent" and isinstance(config, dict) and config.get("name") == agent:
            config["system_message"] = text
            found = True
        for value in component.values():
            if isinstance(value, dict | list):
                found = _set_system_message(value, agent, text) or found  # type: ignore[arg-type]
    elif isinstance(component, list):
        for value in component:
            found = _set_system_message(value, agent, text) or found
    return found


def _set_path(component: dict[str, Any], path: str, value: str) -> None:
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    target: Any = component
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = parsed
    else:
        if last not in target:
            raise KeyError(last)
        target[last] = copy.deepcopy(parsed)


@runs_app.command()
def diff(
    a: Annotated[str, typer.Argument(help="a run id")],
    b: Annotated[str, typer.Argument(help="another run id")],
    db: DbOption = None,
) -> None:
    """Two runs side by side: the first divergence, the messages, tokens, cost and time."""
    from ..journal import diff_runs

    out, err = _consoles()
    store = _store(db)
    result = _journal_errors(err, lambda: diff_runs(store, a, b))
    if result.first_divergence is None:
        out.print(f"[green]{a} and {b} have the same {len(result.messages_a)} messages[/]")
    else:
        i = result.first_divergence
        out.print(f"[bold]first divergence at message {i}[/]")
    table = Table(title_justify="left")
    table.add_column("#")
    table.add_column(a)
    table.add_column(b)
    for i in range(max(len(result.messages_a), len(result.messages_b))):
        left = result.messages_a[i] if i < len(result.messages_a) else None
        right = result.messages_b[i] if i < len(result.messages_b) else None
        mark = "≠" if result.first_divergence is not None and i >= result.first_divergence else " "
        table.add_row(f"{mark}{i}", _cell(left), _cell(right))
    out.print(table)
    totals = Table(show_header=True, title_justify="left")
    totals.add_column("")
    totals.add_column(a)
    totals.add_column(b)
    ta, tb = result.totals_a, result.totals_b
    totals.add_row("messages", str(ta.messages), str(tb.messages))
    totals.add_row("model calls", str(ta.model_calls), str(tb.model_calls))
    totals.add_row("tokens in/out", f"{ta.prompt_tokens}/{ta.completion_tokens}", f"{tb.prompt_tokens}/{tb.completion_tokens}")
    totals.add_row("cost", f"${ta.cost_usd:.6f}", f"${tb.cost_usd:.6f}")
    totals.add_row("time", f"{ta.seconds:.2f} s", f"{tb.seconds:.2f} s")
    out.print(totals)


def _cell(message: dict[str, Any] | None) -> str:
    if message is None:
        return "—"
    return escape(f"{message.get('source')}: {_text(message, 100)}")
