"""``do-platform promote``: pin the image digests of one stack into the next (dev → staging → prod)."""

from __future__ import annotations

from typing import Annotated

import typer

from do_platform.cli.settings import JsonOpt, handle_errors, settings_of, stderr_console


def register(app: typer.Typer) -> None:
    app.command("promote")(promote)


@handle_errors
def promote(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="the stack whose images are promoted: dev or staging")],
    target: Annotated[str, typer.Option("--to", help="the next stack: staging or prod")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the diff, write nothing")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Resolve the source stack's image tags to digests through the registry API and pin them in the
    target's Pulumi.<stack>.yaml (comments and order kept); prints the diff. Commit it as a pull request."""
    from do_platform.ops import promote as ops

    settings = settings_of(ctx)
    ops.check_order(source, target)  # before any API call or token lookup
    result = ops.promote(settings.client(), source, target, dry_run=dry_run)
    settings.sink(as_json).emit(result, render)


def render(result) -> None:
    """The diff on stdout; what was resolved and written on stderr."""
    for pin in result.images:
        how = "tag " + pin.tag if pin.resolved_from == "tag" else "pinned digest (verified)"
        stderr_console.print(f"{pin.app}: {pin.registry}/{pin.repository} {how} → {pin.digest}", highlight=False,
                             markup=False)
    for note in result.notes:
        stderr_console.print(f"note: {note}", highlight=False, markup=False)
    if result.diff:
        typer.echo(result.diff, nl=False)
    if not result.changed:
        stderr_console.print(f"{result.target} already runs these digests: nothing to change", highlight=False)
    elif result.written:
        stderr_console.print(f"wrote {result.path}; commit it and open a pull request", highlight=False, markup=False)
    else:
        stderr_console.print("dry run: nothing written", highlight=False)
