"""``do-platform preflight``: can the account behind the token hold this stack? (read-only)"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from do_platform.cli.settings import JsonOpt, StackOpt, handle_errors, settings_of, stderr_console
from do_platform.cli.settings import console as make_console

STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def register(app: typer.Typer) -> None:
    app.command("preflight")(preflight)


@handle_errors
def preflight(ctx: typer.Context, stack: StackOpt = "dev", as_json: JsonOpt = False) -> None:
    """Check the stack's config against the account before `pulumi up`: token and account status, droplet
    and volume headroom, region and size availability, Kubernetes and Postgres versions, the DNS zone,
    the registry tier and the images the apps deploy. Only GET requests. Exit 3 when a check fails, 5 when
    the API rejects the token."""
    from do_platform.ops import preflight as ops

    settings = settings_of(ctx)
    cfg = ops.load_config(stack)  # a bad stack name or key fails here, before any token lookup or request
    report = ops.run_checks(settings.client(stack_endpoint=cfg.provider.api_endpoint), cfg)
    settings.sink(as_json).emit(report, render)
    if report.failures:
        stderr_console.print(f"[red]preflight failed:[/red] {len(report.failures)} check(s) of stack {stack!r}",
                             highlight=False)
        for line in ops.iter_failures(report):
            stderr_console.print(f"  {line}", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(code=report.exit_code)


def render(report) -> None:
    table = Table(title=f"preflight: stack {report.stack} in {report.region}", title_justify="left")
    for col in ("check", "status", "detail", "how to fix"):
        table.add_column(col, overflow="fold")
    for c in report.checks:
        table.add_row(escape(c.name), f"[{STYLE.get(c.status, '')}]{c.status}[/]", escape(c.detail), escape(c.fix))
    console = make_console()
    console.print(table)
    console.print(f"{report.summary()}; planned: {report.planned['droplets_min']}"
                  + (f"..{report.planned['droplets_max']}" if report.planned['droplets_max']
                     != report.planned['droplets_min'] else "")
                  + f" droplet(s), {report.planned['volumes']} volume(s), {report.planned['load_balancers']} "
                    "load balancer(s)", highlight=False)
