"""``do-platform registry cleanup``: retention for a container registry, then garbage collection.

Dry run by default; ``--apply`` deletes after a confirmation (``--yes`` in CI). Thin: options →
``do_platform.ops.registry_cleanup`` → render; what a long run shows while it goes (requests made, an
ETA from the rate budget, the garbage collection's status) and after an interruption (what was deleted,
the command that resumes) is here.
"""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, ProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar
from rich.prompt import Confirm
from rich.table import Table
from rich.text import Text

from do_platform.cli.settings import CliSettings, JsonOpt, console, handle_errors, settings_of
from do_platform.errors import ConfigError
from do_platform.exit_codes import ExitCode
from do_platform.ops import registry_cleanup as ops

MAX_GC_SECONDS = 86_400
DEFAULT_GC_TIMEOUT = 1800.0
DEFAULT_GC_POLL = 10.0
DEFAULT_MAX_RPM = 250

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


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def stdin_is_interactive() -> bool:
    """A person can answer the confirmation (a terminal on stdin); CI, pipes and cron cannot."""
    return sys.stdin.isatty()

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
    apply: Annotated[bool, typer.Option("--apply", help="delete, after a confirmation (default: dry run, nothing "
                                                        "changes)")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="with --apply: delete without asking (needed when no "
                                                          "one can answer: CI, pipes, cron)")] = False,
    details: Annotated[bool, typer.Option("--details", help="list every tag: kept (and the rule that keeps it) "
                                                            "or deleted (default: a summary per repository)")]
    = False,
    no_gc: Annotated[bool, typer.Option("--no-gc", help="do not start garbage collection after deleting")] = False,
    gc_timeout: Annotated[float, typer.Option("--gc-timeout", help="seconds to wait for garbage "
                                                                   "collection before cancelling it")]
    = DEFAULT_GC_TIMEOUT,
    gc_poll: Annotated[float, typer.Option("--gc-poll", help="seconds between garbage collection polls")]
    = DEFAULT_GC_POLL,
    max_rpm: Annotated[int, typer.Option("--max-rpm", min=1, help="requests per minute at most (the API "
                                                                  "allows 250)")] = DEFAULT_MAX_RPM,
    stacks_dir: Annotated[Path | None, typer.Option(
        "--stacks-dir", help="directory of the Pulumi.<stack>.yaml files whose images are always kept "
                             "(default: this repository)")] = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=200, hidden=True,
                                           help="items per list page (tests use small pages)")] = ops.PER_PAGE,
    as_json: JsonOpt = False,
) -> None:
    """Expire old tags of REGISTRY by policy (the first N tags ranked by their manifest's date, tags younger
    than D days, keep patterns, every digest a stack deploys, children of kept multi-arch indexes), then run
    garbage collection. With --apply: asks before deleting (--yes skips the question); Ctrl-C or a failure
    prints what was already deleted and the command that resumes."""
    from do_platform.stack_files import REPO_ROOT, deployed_images, stack_names

    settings = settings_of(ctx)
    patterns = tuple(() if no_default_patterns else ops.DEFAULT_KEEP_PATTERNS) + tuple(keep_pattern or ())
    # Everything that can be wrong locally fails before the first API call.
    policy = ops.RetentionPolicy(keep_last=keep_last, keep_days=keep_days, keep_patterns=patterns)
    for flag, value, most in (("--gc-timeout", gc_timeout, MAX_GC_SECONDS), ("--gc-poll", gc_poll, 3600)):
        if not 0 <= value <= most:  # also false for nan
            raise ConfigError(f"{flag} {value!r} is out of range; allowed: a number of seconds from 0 to {most}")
    if yes and not apply:
        raise ConfigError("--yes confirms --apply; allowed: --apply --yes, or neither (a dry run)")
    if apply and not yes and not stdin_is_interactive():
        raise ConfigError("--apply deletes tags and asks first, but no one can answer here (stdin is not a "
                          "terminal); nothing was read or deleted",
                          "run it again with --yes to delete without asking, or without --apply for a dry run")
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
    resume = resume_command(settings, registry=registry, keep_last=keep_last, keep_days=keep_days,
                            keep_pattern=keep_pattern or [], no_default_patterns=no_default_patterns, no_gc=no_gc,
                            gc_timeout=gc_timeout, gc_poll=gc_poll, max_rpm=max_rpm, stacks_dir=stacks_dir,
                            page_size=page_size, as_json=settings.sink(as_json).json, details=details)
    report = ops.CleanupReport(registry, apply, policy)
    live = LiveRun(err, getattr(client, "pacing", None), registry)
    try:
        with live:
            ops.cleanup(client, registry, policy, deployed=deployed, apply=apply, gc=not no_gc,
                        gc_timeout=gc_timeout, gc_poll_interval=gc_poll, progress=live.progress,
                        per_page=page_size, report=report, on_gc=live.gc_status,
                        confirm=None if yes else live.confirm)
    except (KeyboardInterrupt, Exception):
        if apply:
            stopped(err, report, live.gc_seen, resume)
        raise
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False, soft_wrap=True)
    settings.sink(as_json).emit(report, render_details if details else render)
    if report.declined:
        err.print("not confirmed: nothing was deleted", highlight=False)
    if report.gc is not None and report.gc.status in ("failed", "cancelled", "cancelling"):
        err.print(f"[red]error:[/red] garbage collection {report.gc.uuid} ended {report.gc.status}: "
                  f"{escape(report.gc.message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=ExitCode.ERROR)


def resume_command(settings: CliSettings, **opts) -> str:
    """The command that re-runs this cleanup with --apply --yes: what was deleted is re-planned away (a delete
    that finds nothing counts as done), so it picks up where this run stopped. Never the token."""
    words = ["do-platform"]
    if settings.api_url:
        words += ["--api-url", settings.api_url]
    words += ["registry", "cleanup", "--registry", opts["registry"], "--keep-last", str(opts["keep_last"]),
              "--keep-days", f"{opts['keep_days']:g}"]
    for pattern in opts["keep_pattern"]:
        words += ["--keep-pattern", pattern]
    for flag in ("no_default_patterns", "no_gc", "details"):
        if opts[flag]:
            words.append("--" + flag.replace("_", "-"))
    for flag, default in (("gc_timeout", DEFAULT_GC_TIMEOUT), ("gc_poll", DEFAULT_GC_POLL),
                          ("max_rpm", DEFAULT_MAX_RPM), ("page_size", ops.PER_PAGE)):
        if opts[flag] != default:
            words += ["--" + flag.replace("_", "-"), f"{opts[flag]:g}"]
    if opts["stacks_dir"] is not None:
        words += ["--stacks-dir", str(opts["stacks_dir"])]
    if opts["as_json"]:
        words.append("--json")
    return shlex.join([*words, "--apply", "--yes"])


def stopped(err, report: ops.CleanupReport, gc_seen: dict | None, resume: str) -> None:
    """After Ctrl-C or a failure: what was already deleted, what was not reached, how to resume."""
    done = [r for r in report.repositories if r.deleted]
    if done:
        counts = ", ".join(f"{r.repository} ({r.manifests_deleted} manifests, {r.tags_deleted} tags"
                           + (f", {r.already_gone} already gone" if r.already_gone else "") + ")" for r in done)
        err.print(f"stopped: already deleted in {len(done)} repositories: {escape(counts)}", highlight=False,
                  soft_wrap=True)
    else:
        err.print("stopped: nothing was deleted", highlight=False)
    pending = [r for r in report.pending if report.applied]
    if pending:
        err.print(f"not finished: {len(pending)} repositories ({escape(', '.join(r.repository for r in pending))}), "
                  f"{sum(r.plan.calls - r.deleted for r in pending)} deletes left", highlight=False, soft_wrap=True)
    if gc_seen is not None and gc_seen.get("status") not in ops.GC_TERMINAL:
        err.print(f"garbage collection {gc_seen.get('uuid')} was {gc_seen.get('status')} and goes on in "
                  "DigitalOcean: the registry stays read-only until it ends", highlight=False, soft_wrap=True)
    err.print(f"resume with: {escape(resume)}", highlight=False, soft_wrap=True)


@dataclass
class RequestMeter:
    """Requests made and left, read live by the progress columns between the walk's events."""

    pacing: object | None
    start: int = 0
    left_at_event: int = 0
    made_at_event: int = 0

    def made(self) -> int:
        return (self.pacing.requests if self.pacing is not None else 0) - self.start

    def left(self) -> int:
        return max(0, self.left_at_event - (self.made() - self.made_at_event))

    def eta(self) -> float:
        return self.pacing.eta(self.left()) if self.pacing is not None else 0.0


class RequestsColumn(ProgressColumn):
    """``123/456 requests, ETA 0:25`` (the walk's task only), refreshed live from the client's count."""

    def __init__(self, meter: RequestMeter) -> None:
        super().__init__()
        self.meter = meter

    def render(self, task) -> Text:
        if task.fields.get("kind") != "requests":
            return Text("")
        made, left = self.meter.made(), self.meter.left()
        return Text(f"{made}/{made + left} requests, ETA {duration(self.meter.eta())}")


class RequestsBar(ProgressColumn):
    def __init__(self, meter: RequestMeter) -> None:
        super().__init__()
        self.meter = meter

    def render(self, task):
        if task.fields.get("kind") != "requests":
            return Text("")
        made = self.meter.made()
        return ProgressBar(total=max(1, made + self.meter.left()), completed=made, width=30)


@dataclass
class LiveRun:
    """What a person sees while the cleanup runs, on stderr. On a terminal: a progress bar by requests with
    an ETA from the rate budget, then a live garbage-collection line. Elsewhere (CI logs): one line per phase
    and per garbage-collection status change."""

    err: object
    pacing: object | None
    registry: str
    meter: RequestMeter = field(init=False)
    gc_seen: dict | None = None
    _bar: Progress | None = None
    _task: int | None = None
    _gc_task: int | None = None
    _phase: str = ""
    _gc_started: float = 0.0

    def __post_init__(self) -> None:
        self.meter = RequestMeter(self.pacing, start=self.pacing.requests if self.pacing is not None else 0)

    def __enter__(self) -> LiveRun:
        if self.err.is_terminal:
            self._bar = Progress(TextColumn("{task.description}"), RequestsBar(self.meter), RequestsColumn(self.meter),
                                 TimeElapsedColumn(), console=self.err, transient=True)
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def progress(self, event: ops.CleanupProgress) -> None:
        self.meter.left_at_event, self.meter.made_at_event = event.requests_left, self.meter.made()
        verb = {"list": "reading", "delete": "deleting in"}[event.phase]
        if self._bar is not None:
            text = (f"{verb} {escape(event.repository)} ({event.done + 1}/{event.total})" if event.repository
                    else f"{verb} {event.total} repositories: done")
            if self._task is None:
                self._task = self._bar.add_task(text, total=None, kind="requests")
            self._bar.update(self._task, description=text)
        elif event.phase != self._phase and event.repository:
            self.err.print(f"{verb} {event.total} repositories of {self.registry!r}: ~{event.requests_left} requests, "
                           f"about {duration(self.pacing.eta(event.requests_left) if self.pacing else 0)} at the "
                           "rate budget", highlight=False, soft_wrap=True)
        self._phase = event.phase

    def confirm(self, report: ops.CleanupReport) -> bool:
        if self._bar is not None:
            self._bar.stop()
        render_summary(report, self.err)
        totals = report.totals
        answer = Confirm.ask(f"Delete {totals['tags_expired']} tags ({totals['manifest_deletes']} manifest and "
                             f"{totals['tag_deletes']} tag deletes) from registry {self.registry!r}, then run "
                             "garbage collection?", console=self.err, default=False)
        if self._bar is not None:
            self._bar.start()
        return answer

    def gc_status(self, gc: dict) -> None:
        previous, self.gc_seen = self.gc_seen, dict(gc)
        if previous is None:
            self._gc_started = time.monotonic()
        status = gc.get("status", "?")
        line = (f"garbage collection {gc.get('uuid')}: {status}, {gc.get('blobs_deleted') or 0} blobs deleted, "
                f"{human_bytes(int(gc.get('freed_bytes') or 0))} freed"
                + ("" if status in ops.GC_TERMINAL else " (registry read-only)"))
        if self._bar is not None:
            if self._gc_task is None:
                self._gc_task = self._bar.add_task(line, total=None, kind="gc")
            self._bar.update(self._gc_task, description=line)
        elif previous is None or previous.get("status") != status:
            self.err.print(f"{line}; {duration(time.monotonic() - self._gc_started)} elapsed", highlight=False,
                           soft_wrap=True)


def render_summary(report: ops.CleanupReport, out) -> None:
    """One row per repository with something to do; the rest counted as unchanged."""
    verb = "deleted" if report.applied else "to delete"
    table = Table(title=f"registry {escape(report.registry)}", title_justify="left")
    for col in ("repository", "tags kept", f"tags {verb}", "manifest deletes", "tag deletes", "untagged for GC",
                "freed after GC (est.)"):
        table.add_column(col, justify="left" if col == "repository" else "right")
    unchanged = 0
    for r in report.repositories:
        plan = r.plan
        if not plan.calls and not plan.untagged_collectable:
            unchanged += 1
            continue
        table.add_row(escape(plan.repository), str(len(plan.decisions) - len(plan.expired_tags)),
                      str(len(plan.expired_tags)), str(len(plan.delete_manifests)), str(len(plan.delete_tags)),
                      str(plan.untagged_collectable), human_bytes(plan.bytes_freed))
    if table.rows:
        out.print(table)
    if unchanged:
        out.print(f"{unchanged} {'repository' if unchanged == 1 else 'repositories'} unchanged", highlight=False)


def render(report: ops.CleanupReport) -> None:
    """The default: a summary row per repository with something to do, then the totals."""
    out = console()
    render_summary(report, out)
    render_totals(report, out)


def render_details(report: ops.CleanupReport) -> None:
    """``--details``: every tag of every repository, kept (with the rule that keeps it) or deleted."""
    out = console()
    for result in report.repositories:
        plan = result.plan
        table = Table(title=f"{escape(plan.repository)}: {len(plan.expired_tags)} tags "
                            f"{'deleted' if report.applied else 'would go'}, ~{human_bytes(plan.bytes_freed)} "
                            "freed after GC", title_justify="left")
        for col in ("tag", "digest", "decision"):
            table.add_column(col)
        manifest_deletes = set(plan.delete_manifests)
        for d in plan.decisions:
            if d.keep:
                decision = f"kept: {d.rule}"
            elif d.digest in manifest_deletes:
                decision = "delete (manifest)"
            else:
                decision = "delete (tag only; the digest stays)"
            table.add_row(escape(d.tag), d.digest, escape(decision))
        if plan.untagged_collectable:
            table.add_row("…", f"{plan.untagged_collectable} untagged manifests", "left to garbage collection")
        out.print(table)
    render_totals(report, out)


def render_totals(report: ops.CleanupReport, out) -> None:
    totals = report.totals
    unchanged = sum(1 for r in report.repositories if not r.plan.calls and not r.plan.untagged_collectable)
    mode = ("applied" if report.applied else "not confirmed, nothing deleted" if report.declined
            else "dry run (use --apply to delete)")
    out.print(f"registry {escape(report.registry)}: {mode}; {totals['repositories']} repositories "
              f"({unchanged} unchanged), {totals['tags_expired']} tags expired, {totals['tags_kept']} kept; "
              f"{totals['manifest_deletes']} manifest deletes + {totals['tag_deletes']} tag deletes; "
              f"~{human_bytes(totals['bytes_freed_estimate'])} freed after GC", highlight=False)
    gc = report.gc
    if gc is not None:
        if gc.status == "succeeded":
            out.print(f"garbage collection {gc.uuid} succeeded: {gc.blobs_deleted} blobs deleted, "
                      f"{human_bytes(gc.freed_bytes)} freed", highlight=False)
        else:
            out.print(f"garbage collection {gc.status}: {escape(gc.message)}", highlight=False)
