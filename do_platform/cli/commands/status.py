"""``do-platform status``: live health of what a stack created (read-only; teardown is `pulumi destroy`)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from do_platform.cli.settings import JsonOpt, StackOpt, handle_errors, settings_of, stderr_console
from do_platform.cli.settings import console as make_console
from do_platform.exit_codes import ExitCode


def register(app: typer.Typer) -> None:
    app.command("status")(status)


@handle_errors
def status(ctx: typer.Context, stack: StackOpt = "dev", as_json: JsonOpt = False) -> None:
    """Droplets, load balancers and their droplets, certificates, database clusters, Kubernetes clusters
    and node pools, apps (active deployment, live URL) and the DNS zone of a stack, found by its
    env:<stack> tag and its project. Only GET requests. Exit 3 when something is missing or unhealthy, 4 when
    the stack has never been deployed.
    To tear a stack down use `pulumi destroy`, never this tool."""
    from do_platform.ops import preflight
    from do_platform.ops import status as ops

    settings = settings_of(ctx)
    cfg = preflight.load_config(stack)  # a bad stack name or key fails here, before any request
    result = ops.collect(settings.client(stack_endpoint=cfg.provider.api_endpoint), cfg)
    settings.sink(as_json).emit(result, render)
    if not result.deployed:
        raise typer.Exit(code=ExitCode.NOT_DEPLOYED)
    if not result.healthy:
        bad = result.unhealthy
        what = ", ".join(f"{r.kind} {r.name} {r.state}" for r in bad) if bad else "nothing found"
        stderr_console.print(f"[red]stack {stack!r} is not healthy:[/red] {escape(what)}", highlight=False,
                             soft_wrap=True)
        raise typer.Exit(code=ExitCode.CHECKS_FAILED)


def render(result) -> None:
    if not result.deployed:  # a sentence, not a table of "missing" rows
        make_console().print(result.notes[0], highlight=False, markup=False)
        return
    table = Table(title=f"status: stack {result.stack}" + (f" (project {result.project})" if result.project else ""),
                  title_justify="left")
    for col in ("kind", "name", "state", "healthy", "detail"):
        table.add_column(col, overflow="fold")
    for r in result.resources:
        table.add_row(r.kind, escape(r.name), escape(r.state), "[green]yes[/]" if r.healthy else "[bold red]no[/]",
                      escape(r.detail))
    console = make_console()
    console.print(table)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
