"""The ``accord`` command (typer): run, validate, models, new, schema."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .._terminal import rich_escape as escape
from ..spec import BuiltSpec, SpecError, load_spec
from ._trust import ALLOW_ENV_HELP, allow_for_spec

__all__ = ["app"]

EXIT_OK = 0
EXIT_RUN_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_LIMIT = 3
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="accord",
    help="Run agents and teams from spec files (YAML, or AutoGen component JSON).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _consoles() -> tuple[Console, Console]:
    width = None if sys.stdout.isatty() else 200
    return Console(highlight=False, width=width), Console(stderr=True, highlight=False, width=width)


def _fail(err: Console, message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _trust(err: Console, tools: list[str] | None, spec: Path) -> None:
    if not tools:
        return
    from .._errors import UsageError
    from ._trust import trust_tools

    try:
        trust_tools(tools)
    except UsageError as e:
        raise _fail(err, str(e)) from e


def _load(err: Console, spec: Path, model: str | None, *, check_credentials: bool = True) -> BuiltSpec:
    try:
        return load_spec(spec, model=model, check_credentials=check_credentials)
    except SpecError as e:
        raise _fail(err, str(e)) from e


@app.command()
def run(
    spec: Annotated[Path, typer.Argument(help="spec file: accord YAML, or AutoGen component JSON")],
    task: Annotated[str | None, typer.Option("--task", "-t", help="the task (default: the spec's task)")] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="use this model for every agent: openai:NAME, anthropic:NAME, ollama:NAME, "
            "azure:DEPLOYMENT, local, scripted:FILE.json",
        ),
    ] = None,
    max_turns: Annotated[int | None, typer.Option("--max-turns", min=1, help="stop after N turns")] = None,
    budget_usd: Annotated[
        float | None, typer.Option("--budget-usd", min=0.0, help="stop before a model call would pass this cost")
    ] = None,
    allow_mcp: Annotated[
        list[str] | None,
        typer.Option("--allow-mcp", help="allow MCP servers of the spec to start this command (repeatable)"),
    ] = None,
    tools: Annotated[
        list[str] | None,
        typer.Option("--tools", help="trust the functions of this Python file or module as tools (repeatable)"),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="write the run (summary, messages, usage per model call) to this JSON file"),
    ] = None,
    allow_env: Annotated[list[str] | None, typer.Option("--allow-env", help=ALLOW_ENV_HELP)] = None,
) -> None:
    """Run the agent or team of SPEC on a task, streaming everything it does, then print a summary.

    Exit codes: 0 finished, 1 the run failed, 2 invalid input, 3 stopped by --max-turns/--budget-usd,
    130 cancelled (Ctrl-C).
    """
    out, err = _consoles()
    _trust(err, tools, spec)
    allow_for_spec(spec, mcp=allow_mcp, env=allow_env)
    built = _load(err, spec, model)
    the_task = task if task is not None else built.task
    if not the_task:
        raise _fail(err, f"{spec}: no task. Pass --task TEXT, or set 'task:' in the spec.")
    limit_turns = max_turns if max_turns is not None else built.max_turns
    budget = budget_usd if budget_usd is not None else built.budget_usd
    if budget is not None and budget <= 0:
        raise _fail(err, f"--budget-usd must be > 0, got {budget}")
    models = ", ".join(sorted({m.reference for m in built.models})) or "as in the spec"
    out.print(f"[bold]accord run[/] {escape(str(spec))} [dim]· {built.kind} · model {escape(models)}[/]")
    out.print(f"[bold]task:[/] {escape(the_task)}")
    code = _run_with_signals(out, err, built, the_task, limit_turns, budget, save)
    raise typer.Exit(code)


def _run_with_signals(
    out: Console,
    err: Console,
    built: BuiltSpec,
    task: str,
    max_turns: int | None,
    budget: float | None,
    save: Path | None = None,
) -> int:
    from ..core import CancellationToken
    from ._render import RunRenderer, render_summary
    from ._runner import run_built_spec

    renderer = RunRenderer(out)
    # code executors of a spec run in accord's sandbox; their "no approval function" advice is noise here
    warnings.filterwarnings("ignore", message="No approval function set", category=UserWarning)
    token = CancellationToken()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    interrupts = 0

    async def main() -> Any:
        return await run_built_spec(
            built, task, observer=renderer, max_turns=max_turns, budget_usd=budget, cancellation_token=token
        )

    main_task = loop.create_task(main())

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            out.file.flush()
            os._exit(EXIT_INTERRUPTED)
        err.print("\n[yellow]Interrupted: cancelling the run (Ctrl-C again to quit at once)…[/]")
        token.cancel()
        main_task.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    except (NotImplementedError, RuntimeError):  # pragma: no cover - non-main thread or Windows
        pass
    try:
        outcome = loop.run_until_complete(main_task)
    except Exception as e:  # loading failed before the run started
        renderer.finish()
        loop.close()
        from .._errors import ComponentError

        if isinstance(e, ComponentError | TypeError | ValueError | ImportError):
            err.print(f"[bold red]error:[/] could not load the spec: {escape(str(e))}")
            if type(e).__name__ == "McpCommandNotAllowedError":
                err.print("With accord run, allow it with --allow-mcp COMMAND (a command or a command-line prefix).")
            if "no trusted function" in str(e):
                err.print("With accord run, trust the functions of a Python file with --tools FILE.py.")
            return EXIT_BAD_INPUT
        err.print(f"[bold red]error:[/] {type(e).__name__}: {escape(str(e))}")
        return EXIT_RUN_ERROR
    renderer.finish()
    last = outcome.last_text
    if last is not None and outcome.status in ("limit", "cancelled") and len(outcome.messages) > 1:
        out.print(f"[bold]partial result:[/] {escape(last)}")
    render_summary(out, outcome)
    if save is not None:
        from ._record import write_run_record

        try:
            write_run_record(save, outcome, task=task, spec_name=built.name)
            out.print(f"[dim]run saved to {escape(str(save))}[/]")
        except OSError as e:
            err.print(f"[bold red]error:[/] cannot write {escape(str(save))}: {escape(str(e))}")
    if outcome.status == "error" and outcome.error is not None:
        err.print(f"[bold red]error:[/] the run failed: {escape(str(outcome.error))}")
        if "EOF when reading a line" in str(outcome.error):
            err.print("A human step (a user_proxy agent) found no input: run it in a terminal, or pipe the answers in.")
    if outcome.status == "cancelled":
        # a human-input thread may still be blocked reading stdin: don't wait for it
        out.file.flush()
        err.file.flush()
        os._exit(EXIT_INTERRUPTED)
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
    return {"completed": EXIT_OK, "limit": EXIT_LIMIT, "error": EXIT_RUN_ERROR}[outcome.status]


@app.command()
def validate(
    spec: Annotated[Path, typer.Argument(help="spec file to check")],
    model: Annotated[str | None, typer.Option("--model", "-m", help="check with this model instead")] = None,
    dump: Annotated[bool, typer.Option("--dump", help="print the AutoGen component JSON the spec builds")] = False,
    tools: Annotated[
        list[str] | None,
        typer.Option("--tools", help="trust the functions of this Python file or module as tools (repeatable)"),
    ] = None,
    allow_env: Annotated[list[str] | None, typer.Option("--allow-env", help=ALLOW_ENV_HELP)] = None,
) -> None:
    """Check SPEC without running it: fields, references, model references and component providers."""
    out, err = _consoles()
    _trust(err, tools, spec)
    allow_for_spec(spec, env=allow_env)
    built = _load(err, spec, model, check_credentials=False)
    from ._inspect import check_providers, describe

    try:
        check_providers(built.component)
    except SpecError as e:
        raise _fail(err, f"{spec}: {e.problem}") from e
    if dump:
        import json

        from ..core import redact_component

        out.print_json(json.dumps(redact_component(built.component)))  # secrets masked
        return
    out.print(f"[green]✓[/] {escape(str(spec))} is valid: {escape(describe(built))}")


@app.command()
def models(
    check: Annotated[bool, typer.Option("--check/--no-check", help="call each configured provider")] = True,
) -> None:
    """The model providers configured in this environment (and the embedded local model), checked live."""
    out, _ = _consoles()
    from ._providers import show_models

    raise typer.Exit(show_models(out, check=check))


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="project folder to create")],
) -> None:
    """Scaffold a project: a spec, a scripted model for tests, a test and a README."""
    out, err = _consoles()
    from ._scaffold import scaffold

    try:
        created = scaffold(Path(name))
    except FileExistsError as e:
        raise _fail(err, str(e)) from e
    except ValueError as e:
        raise _fail(err, str(e)) from e
    out.print(f"[green]Created[/] {escape(name)}/:")
    for path in created:
        out.print(f"  {escape(str(path))}")
    out.print(f"Next: accord run {escape(name)}/spec.yaml   ·   pytest {escape(name)}/tests")


@app.command()
def schema() -> None:
    """Print the JSON schema of the YAML spec format (for editors)."""
    import json

    from ..spec import spec_json_schema

    typer.echo(json.dumps(spec_json_schema(), indent=2))
