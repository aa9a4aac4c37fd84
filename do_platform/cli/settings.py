"""Global options of every command, stored on ``ctx.obj`` by the callback in ``main``."""

from __future__ import annotations

import enum
import functools
import os
from dataclasses import dataclass, field
from typing import Annotated

import typer
from azure.core.exceptions import AzureError
from rich.console import Console
from rich.markup import escape

from do_platform.errors import PlatformError, from_http_error

stderr_console = Console(stderr=True)


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"


@dataclass
class CliSettings:
    token: str | None = field(default=None, repr=False)  # never in a repr, log line or traceback
    api_url: str | None = None
    output: OutputFormat = OutputFormat.table
    verbose: bool = False

    def client(self):
        """A PyDo client through the project's one factory."""
        from do_platform.client import make_client

        return make_client(token=self.token, endpoint=self.api_url)


def settings_of(ctx: typer.Context) -> CliSettings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliSettings) else CliSettings()


# Shared option aliases (declared once, used by several commands).
StackOpt = Annotated[str, typer.Option("--stack", help="stack name: dev, staging, prod or local")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def print_error(err: PlatformError) -> None:
    """``error: <message>`` and ``hint: <hint>`` on stderr. Messages quote user input and API text
    (``[bold]``, ``[/x]``, ``[secret]``): printed as written, never read as Rich markup."""
    stderr_console.print(f"[red]error:[/red] {escape(err.message)}", highlight=False, soft_wrap=True)
    if err.hint:
        stderr_console.print(f"hint: {escape(err.hint)}", highlight=False, soft_wrap=True)


def handle_errors(func):
    """Render PlatformError as ``error: <message>`` (+ hint) on stderr and exit with its code.

    An azure-core error the command did not translate (connection refused, read timeout after the
    client's retries) gets the same treatment instead of a traceback.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            try:
                return func(*args, **kwargs)
            except AzureError as exc:
                raise from_http_error(exc, func.__name__.replace("_", " ")) from exc  # kept for DO_PLATFORM_DEBUG
        except PlatformError as err:
            print_error(err)
            if os.environ.get("DO_PLATFORM_DEBUG"):
                raise
            raise typer.Exit(code=err.exit_code) from None

    return wrapper
