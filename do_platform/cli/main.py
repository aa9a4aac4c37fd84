"""``do-platform``: registry cleanup, preflight, status, plan and promote, one module each."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console

from do_platform.cli.settings import CliSettings, OutputFormat
from do_platform.errors import PlatformError

app = typer.Typer(
    name="do-platform",
    help="Infrastructure as code for DigitalOcean: gap fillers on PyDo and an offline plan.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
stderr = Console(stderr=True)


@app.callback()
def callback(
    ctx: typer.Context,
    token: Annotated[str | None, typer.Option(envvar="DIGITALOCEAN_TOKEN", show_envvar=True,
                                              help="API token (never printed)", show_default=False)] = None,
    api_url: Annotated[str | None, typer.Option("--api-url", envvar="DIGITALOCEAN_API_URL",
                                                help="API endpoint, e.g. the local emulator")] = None,
    output: Annotated[OutputFormat, typer.Option(help="table or json")] = OutputFormat.table,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    ctx.obj = CliSettings(token=token, api_url=api_url, output=output, verbose=verbose)
    if verbose:  # our own diagnostics only; azure-core redacts Authorization in its own logs anyway
        logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("do_platform").setLevel(logging.DEBUG)


def _register_commands() -> None:
    """Each command module exposes ``register(app)``; the order here is the order in ``--help``."""
    from do_platform.cli.commands import plan, preflight, promote, registry, status

    for module in (plan, promote, registry, preflight, status):
        module.register(app)


_register_commands()


def main() -> None:
    """Entry point: maps PlatformError to a one-line message, its hint and exit code."""
    try:
        app()
    except PlatformError as err:  # raised outside a command's own handling
        stderr.print(f"[red]error:[/red] {err.message}")
        if err.hint:
            stderr.print(f"hint: {err.hint}")
        if os.environ.get("DO_PLATFORM_DEBUG"):
            raise
        sys.exit(err.exit_code)


if __name__ == "__main__":
    main()
