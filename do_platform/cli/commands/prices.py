"""``do-platform prices check``: does the bundled price table still match what the API prices?"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from do_platform.cli.settings import JsonOpt, handle_errors, settings_of, stderr_console
from do_platform.cli.settings import console as make_console
from do_platform.exit_codes import ExitCode
from do_platform.numbers import money

prices_app = typer.Typer(help="The plan's price table: compare it with the API.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(prices_app, name="prices")


def _money(value: float | None) -> str:
    return money(value, unknown="-")


@prices_app.command("check")
@handle_errors
def check(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Compare the bundled Droplet, App Platform instance size and registry tier prices with /v2/sizes,
    /v2/apps/tiers/instance_sizes and /v2/registries/options (GET requests only). Exit 3 on drift: a
    changed price, a size the API no longer lists, or one the table lacks."""
    from do_platform.ops import prices as ops

    settings = settings_of(ctx)
    result = ops.check(settings.client())
    settings.sink(as_json).emit(result, render)
    if not result.clean:
        stderr_console.print(f"[red]{len(result.drift)} price(s) drifted[/red] from the bundled table of "
                             f"{result.as_of}; edit the file named per row and move its as_of", highlight=False,
                             soft_wrap=True)
        raise typer.Exit(code=ExitCode.CHECKS_FAILED)


def render(result) -> None:
    """The families compared, then a table of what drifted and which file to edit."""
    from do_platform.ops import prices as ops

    console = make_console()
    counts = ", ".join(f"{n} {family.replace('_', ' ')}" for family, n in result.compared.items())
    console.print(f"bundled prices as of {result.as_of} compared with the API: {counts}", highlight=False)
    if result.drift:
        table = Table(title="price drift", title_justify="left")
        for col in ("family", "slug", "bundled", "API", "kind", "edit"):
            table.add_column(col, overflow="fold")
        for d in result.drift:
            table.add_row(d.family, escape(d.slug), _money(d.bundled), _money(d.live), d.kind,
                          ops.BUNDLED_FILE[d.family])
        console.print(table)
