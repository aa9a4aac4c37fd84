"""``do-platform registry cleanup``: retention for a container registry, then garbage collection.

Dry run by default; ``--apply`` deletes. Thin: options → ``do_platform.ops.registry_cleanup`` → render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from do_platform.cli.settings import JsonOpt, console, handle_errors, settings_of
from do_platform.errors import ConfigError
from do_platform.exit_codes import ExitCode
from do_platform.ops import registry_cleanup as ops

MAX_GC_SECONDS = 86_400

registry_app = typer.Typer(help="Container registry gap fillers (retention and garbage collection).",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(registry_app, name="registry")


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


@registry_app.command("cleanup")
@handle_errors
def cleanup(
    ctx: typer.Context,
    registry: Annotated[str, typer.Option("--registry", help="registry name (the /v2/registries family)",
                                          show_default=False)],
    keep_last: Annotated[int, typer.Option(
        "--keep-last", help=f"keep the first N tags of each repository when its tags are ranked by their "
                            f"manifest's date (last push or re-tag), newest first; tags of one manifest share "
                            f"its date, ties go by tag name (0 to {ops.MAX_KEEP_LAST})")] = ops.DEFAULT_KEEP_LAST,
    keep_days: Annotated[float, typer.Option(
        "--keep-days", help=f"keep tags whose manifest is younger than D days (0 to {ops.MAX_KEEP_DAYS})")]
    = ops.DEFAULT_KEEP_DAYS,
    keep_pattern: Annotated[list[str] | None, typer.Option(
        "--keep-pattern", help="keep tags fully matching this regex (repeatable; added to the defaults "
                               "`latest` and semantic versions)")] = None,
    no_default_patterns: Annotated[bool, typer.Option(
        "--no-default-patterns", help="do not keep `latest` and semantic versions by default")] = False,
    apply: Annotated[bool, typer.Option("--apply", help="delete (default: dry run, nothing changes)")] = False,
    no_gc: Annotated[bool, typer.Option("--no-gc", help="do not start garbage collection after deleting")] = False,
    gc_timeout: Annotated[float, typer.Option("--gc-timeout", help="seconds to wait for garbage "
                                                                          "collection before cancelling it")] = 1800,
    gc_poll: Annotated[float, typer.Option("--gc-poll", help="seconds between garbage collection polls")]
    = 10,
    max_rpm: Annotated[int, typer.Option("--max-rpm", min=1, help="requests per minute at most (the API "
                                                                  "allows 250)")] = 250,
    stacks_dir: Annotated[Path | None, typer.Option(
        "--stacks-dir", help="directory of the Pulumi.<stack>.yaml files whose images are always kept "
                             "(default: this repository)")] = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=200, hidden=True,
                                           help="items per list page (tests use small pages)")] = ops.PER_PAGE,
    as_json: JsonOpt = False,
) -> None:
    """Expire old tags of REGISTRY by policy (the first N tags ranked by their manifest's date, tags younger
    than D days, keep patterns, every digest a stack deploys, children of kept multi-arch indexes), then run
    garbage collection."""
    from do_platform.stack_files import REPO_ROOT, deployed_images, stack_names

    settings = settings_of(ctx)
    patterns = tuple(() if no_default_patterns else ops.DEFAULT_KEEP_PATTERNS) + tuple(keep_pattern or ())
    # Everything that can be wrong locally fails before the first API call.
    policy = ops.RetentionPolicy(keep_last=keep_last, keep_days=keep_days, keep_patterns=patterns)
    for flag, value, most in (("--gc-timeout", gc_timeout, MAX_GC_SECONDS), ("--gc-poll", gc_poll, 3600)):
        if not 0 <= value <= most:  # also false for nan
            raise ConfigError(f"{flag} {value!r} is out of range; allowed: a number of seconds from 0 to {most}")
    root = stacks_dir or REPO_ROOT
    if not root.is_dir():
        raise ConfigError(f"--stacks-dir {str(root)!r} is not a directory")
    deployed = deployed_images(root)
    client = settings.client(max_per_minute=max_rpm)
    err = console(stderr=True)
    if not stack_names(root):  # e.g. a non-editable install: the default then is not the repository
        err.print(f"[yellow]warning:[/yellow] no Pulumi.<stack>.yaml in {escape(str(root))}: no deployed image is "
                  "protected beyond the policy; pass --stacks-dir with the repository's stack files",
                  highlight=False, soft_wrap=True)
    if apply and not no_gc:
        err.print(f"[yellow]warning:[/yellow] garbage collection makes registry {escape(repr(registry))} read-only "
                  "(pushes fail) until it finishes; use --no-gc during deploy windows", highlight=False, soft_wrap=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("repositories", total=None)

        def progress(repository: str, done: int, total: int) -> None:
            bar.update(task, total=total, completed=done, description=repository or "done")

        report = ops.cleanup(client, registry, policy, deployed=deployed, apply=apply, gc=not no_gc,
                             gc_timeout=gc_timeout, gc_poll_interval=gc_poll, progress=progress,
                             per_page=page_size)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False, soft_wrap=True)
    settings.sink(as_json).emit(report, render)
    if report.gc is not None and report.gc.status in ("failed", "cancelled", "cancelling"):
        err.print(f"[red]error:[/red] garbage collection {report.gc.uuid} ended {report.gc.status}: "
                  f"{escape(report.gc.message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=ExitCode.ERROR)


def render(report: ops.CleanupReport) -> None:
    out = console()
    verb = "deleted" if report.applied else "would go"
    unchanged = 0
    for result in report.repositories:
        plan = result.plan
        if not plan.calls and not plan.untagged_collectable:
            unchanged += 1
            continue
        table = Table(title=f"{escape(plan.repository)}: {len(plan.expired_tags)} tags {verb}, "
                            f"~{human_bytes(plan.bytes_freed)} freed after GC", title_justify="left")
        table.add_column("digest")
        table.add_column("tags")
        table.add_column("action")
        expired = {}
        for d in plan.expired_tags:
            expired.setdefault(d.digest, []).append(d.tag)
        for digest in plan.delete_manifests:
            table.add_row(digest[:19], ", ".join(sorted(expired.get(digest, []))), "delete manifest")
        for tag, digest in plan.delete_tags:
            table.add_row(digest[:19], tag, "delete tag (digest kept)")
        if plan.untagged_collectable:
            table.add_row("…", f"{plan.untagged_collectable} untagged", "left to garbage collection")
        out.print(table)
    totals = report.totals
    mode = "applied" if report.applied else "dry run (use --apply to delete)"
    out.print(f"registry {escape(report.registry)}: {mode}; {totals['repositories']} repositories "
              f"({unchanged} unchanged), {totals['tags_expired']} tags expired, {totals['tags_kept']} kept; "
              f"{totals['manifest_deletes']} manifest deletes + {totals['tag_deletes']} tag deletes; "
              f"~{human_bytes(totals['bytes_freed_estimate'])} freed after GC")
    gc = report.gc
    if gc is not None:
        if gc.status == "succeeded":
            out.print(f"garbage collection {gc.uuid} succeeded: {gc.blobs_deleted} blobs deleted, "
                      f"{human_bytes(gc.freed_bytes)} freed")
        else:
            out.print(f"garbage collection {gc.status}: {escape(gc.message)}")
