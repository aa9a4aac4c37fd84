"""``do-platform``: registry cleanup, preflight, status, plan, promote and the MCP server, one module each."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from do_platform.cli.settings import CliSettings, OutputFormat, print_error
from do_platform.errors import PlatformError

app = typer.Typer(
    name="do-platform",
    help="Infrastructure as code for DigitalOcean: gap fillers on PyDo and an offline plan.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def callback(
    ctx: typer.Context,
    token: Annotated[str | None, typer.Option(envvar="DIGITALOCEAN_TOKEN", show_envvar=True,
                                              help="API token (never printed)", show_default=False)] = None,
    api_url: Annotated[str | None, typer.Option("--api-url", envvar="DIGITALOCEAN_API_URL",
                                                help="API endpoint, e.g. the local emulator")] = None,
    output: Annotated[OutputFormat, typer.Option(help="table or json")] = OutputFormat.table,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="trace each API request on stderr: method, URL with its query, status, request "
                                "id, rate-limit headers, time; credentials (the Authorization header, tokens "
                                "in URLs) are never shown")] = False,
) -> None:
    ctx.obj = CliSettings(token=token, api_url=api_url, output=output, verbose=verbose)
    if verbose:
        log_requests()


VERBOSE_HANDLER = "do-platform-verbose"


def log_requests() -> None:
    """Send the project's debug log, with the HTTP trace of the one client factory (``do_platform.http``,
    every command's requests), to stderr (stdout stays tables/JSON); idempotent within one process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(VERBOSE_HANDLER)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("do_platform")
    for old in [h for h in logger.handlers if h.get_name() == VERBOSE_HANDLER]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def _register_commands() -> None:
    """Each command module exposes ``register(app)``; the order here is the order in ``--help``."""
    from do_platform.cli.commands import mcp, plan, preflight, prices, promote, registry, status

    for module in (plan, promote, registry, preflight, status, prices, mcp):
        module.register(app)


_register_commands()


def main() -> None:
    """Entry point: maps PlatformError to a one-line message, its hint and exit code."""
    try:
        app()
    except PlatformError as err:  # raised outside a command's own handling
        print_error(err)
        if os.environ.get("DO_PLATFORM_DEBUG"):
            raise
        sys.exit(err.exit_code)


if __name__ == "__main__":
    main()
