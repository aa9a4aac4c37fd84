"""``do-platform promote``: pin the image digests of one stack into the next (``do-platform:promotionOrder`` in
Pulumi.yaml, dev → staging → prod by default), or with ``--back`` the digests a stack pinned before. A dry run
unless ``--apply``."""

from __future__ import annotations

from typing import Annotated

import typer

from do_platform.cli.settings import JsonOpt, handle_errors, settings_of, stderr_console
from do_platform.errors import PromotionBlocked


def register(app: typer.Typer) -> None:
    app.command("promote")(promote)


@handle_errors
def promote(
    ctx: typer.Context,
    target: Annotated[str, typer.Option(
        "--to", help="the stack to pin: the next stage of do-platform:promotionOrder (Pulumi.yaml), e.g. staging")],
    source: Annotated[str | None, typer.Option(
        "--from", help="the stack whose committed images are promoted, e.g. dev or staging (not with --back)")] = None,
    back: Annotated[bool, typer.Option(
        "--back", help="roll back: pin again the digests --to pinned before, from its git history")] = False,
    apply: Annotated[bool, typer.Option("--apply", help="write the target stack file (default: a dry run)")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="print the diff, write nothing (the default; kept for scripts that pass it)")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Resolve the source stack's image tags to digests through the registry API and pin them in the
    target's Pulumi.<stack>.yaml (comments and order kept); prints the diff. The source is read as committed
    (git HEAD), never the working copy; a production stack takes only digest-pinned images. One step at a time
    along do-platform:promotionOrder in Pulumi.yaml (default dev, staging, prod). Writes nothing unless --apply;
    then commit the file as a pull request."""
    from do_platform.ops import promote as ops

    if apply and dry_run:
        raise typer.BadParameter("--apply and --dry-run contradict each other; allowed: one of them",
                                 param_hint="--apply")
    if back and source is not None:
        raise typer.BadParameter("--back restores the target's own earlier pins; allowed: --to alone",
                                 param_hint="--from")
    if not back and source is None:
        raise typer.BadParameter("missing --from (the stage before --to in do-platform:promotionOrder), or --back "
                                 "to roll --to back", param_hint="--from")
    # Before any API call or token lookup; the order is do-platform:promotionOrder in Pulumi.yaml.
    if back:
        try:
            ops.check_rollback_target(target, ops.REPO_ROOT)
        except PromotionBlocked as err:
            raise typer.BadParameter(err.message, param_hint="--to") from None
    else:
        ops.check_order(source, target, ops.REPO_ROOT)
    settings = settings_of(ctx)
    if back:
        result = ops.rollback(settings.client(), target, dry_run=not apply)
    else:
        result = ops.promote(settings.client(), source, target, dry_run=not apply)
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
        stderr_console.print("dry run: nothing written (--apply writes the file)", highlight=False)
