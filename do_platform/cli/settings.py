"""Global options of every command, stored on ``ctx.obj`` by the callback in ``main``."""

from __future__ import annotations

import enum
import functools
import json as json_module
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from azure.core.exceptions import AzureError
from rich.console import Console
from rich.markup import escape

from do_platform.errors import PlatformError, from_http_error
from do_platform.exit_codes import ExitCode

# Wider than any line a command prints: where nothing wraps, rich must not fold a table cell either.
UNWRAPPED_WIDTH = 100_000


def console(*, stderr: bool = False) -> Console:
    """The one factory of the consoles commands print through (stdout: tables; stderr: diagnostics).

    On a terminal rich fits tables to its width. Anywhere else (a CI log, a pipe, a file) nothing is
    hard-wrapped or folded, whatever ``COLUMNS`` says: a digest, URL or message stays on one line, so it can
    be searched and copied. Built per use, so it writes to the stream of the moment (tests swap them)."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    return Console(file=stream, soft_wrap=not terminal, width=None if terminal else UNWRAPPED_WIDTH)


class _StderrConsole:
    """``stderr_console.print(...)``: a :func:`console` on stderr, made at each call (one rule for both streams)."""

    def __getattr__(self, name: str):
        return getattr(console(stderr=True), name)


stderr_console = _StderrConsole()


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"


@dataclass
class CliSettings:
    token: str | None = field(default=None, repr=False)  # never in a repr, log line or traceback
    api_url: str | None = None
    output: OutputFormat = OutputFormat.table
    verbose: bool = False

    def client(self, *, stack_endpoint: str | None = None, max_per_minute: int | None = None):
        """A PyDo client through the project's one factory: ``--token``, and ``--api-url`` else the stack's
        own ``digitalocean:apiEndpoint`` (``stack_endpoint``); ``max_per_minute`` paces long walks."""
        from do_platform.api.client import make_client

        return make_client(token=self.token, endpoint=self.api_url or stack_endpoint, max_per_minute=max_per_minute)

    def sink(self, as_json: bool = False) -> OutputSink:
        """Where the command's result goes: JSON with ``--json`` or ``--output json``, else its table."""
        return OutputSink(as_json or self.output is OutputFormat.json)


@dataclass(frozen=True)
class OutputSink:
    """The one place a command's result becomes stdout: JSON (the result's ``to_json()``) or the command's
    table. Diagnostics never come here; they go to :data:`stderr_console`."""

    json: bool = False

    def emit(self, result, render: Callable[[Any], None], to_json: Callable[[Any], Any] | None = None) -> None:
        if self.json:
            typer.echo(json_module.dumps(to_json(result) if to_json else result.to_json(), indent=2, default=str))
        else:
            render(result)


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
        except KeyboardInterrupt:
            stderr_console.print("interrupted", highlight=False)
            raise typer.Exit(code=ExitCode.INTERRUPTED) from None

    return wrapper
