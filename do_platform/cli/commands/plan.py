"""``do-platform plan``: the offline plan of a stack (resources, monthly cost, guardrail findings)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from do_platform.cli.settings import JsonOpt, StackOpt, handle_errors, settings_of, stderr_console
from do_platform.exit_codes import ExitCode
from do_platform.ops.graph import GraphFormat


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


@handle_errors
def plan(
    ctx: typer.Context,
    stack: StackOpt = "dev",
    as_json: JsonOpt = False,
    against: Annotated[str | None, typer.Option(
        "--against", metavar="GIT_REF",
        help="compare with the same stack at another git revision; prints a Markdown pull-request comment: "
             "per resource create, update in place, replace (and the inputs forcing it) or delete, and output "
             "changes")] = None,
    all_stacks: Annotated[bool, typer.Option(
        "--all-stacks", help="with --against: every stack of the repository in one comment (emulator-only "
                             "stacks, whose API endpoint is a loopback address such as `local`, left out)")] = False,
    include_local: Annotated[bool, typer.Option(
        "--include-local", help="with --all-stacks: plan the emulator-only stacks too")] = False,
    max_increase: Annotated[float | None, typer.Option(
        "--max-increase", metavar="USD", help="with --against: exit 3 when a stack's monthly cost rises by more "
                                              "than USD (overrides the stacks' do-platform:maxMonthlyIncrease)",
        show_default=False)] = None,
    collapse_over: Annotated[int | None, typer.Option(
        "--collapse-over", min=0, help="with --against: fold a stack's change table into <details> when it has "
                                       "more rows than this (default 10)", show_default=False)] = None,
    live_prices: Annotated[bool, typer.Option(
        "--live-prices", help="refresh droplet, App Platform and registry prices through the API (needs a token)")]
    = False,
    graph: Annotated[bool, typer.Option(
        "--graph", help="print the stack's topology instead: a node per component and resource, nesting for "
                        "ownership, an arrow from a resource to each one it depends on (Mermaid by default)")] = False,
    graph_format: Annotated[GraphFormat | None, typer.Option(
        "--graph-format", help="with --graph: mermaid (default), dot (Graphviz) or json", show_default=False)]
    = None,
) -> None:
    """Evaluate the program under Pulumi's mock runtime (no CLI, no token, no network) and print the
    resource tree, guardrail findings and monthly cost. Exit 3 when a mandatory guardrail is broken, or with
    --against when a stack's monthly cost rises above its limit (--max-increase, do-platform:maxMonthlyIncrease)."""
    from do_platform.ops import plan as ops

    if graph or graph_format is not None:
        _graph(stack, graph_format, settings_of(ctx).sink(as_json).json, against, live_prices)
        return

    settings = settings_of(ctx)
    sink = settings.sink(as_json)
    if against and live_prices:  # the base revision is planned with its bundled table: the delta would mix tables
        raise typer.BadParameter("--live-prices does not go with --against (the base revision is priced with its "
                                 "bundled table, so the delta would count price changes as resource changes); "
                                 "allowed: one of them", param_hint="--live-prices")
    for flag, given in (("--all-stacks", all_stacks), ("--max-increase", max_increase is not None)):
        if given and not against:
            raise typer.BadParameter(f"{flag} only goes with --against", param_hint=flag)
    if include_local and not all_stacks:
        raise typer.BadParameter("--include-local only goes with --all-stacks", param_hint="--include-local")
    if max_increase is not None:
        ops.check_max_increase(max_increase)  # before any evaluation
    client = settings.client() if live_prices else None

    if against:
        from do_platform.offline import stack_names

        stacks = stack_names() if all_stacks else [stack]
        left_out = () if include_local or not all_stacks else tuple(n for n in stacks if ops.emulator_only(n))
        diffs = []
        for name in (n for n in stacks if n not in left_out):
            head = ops.plan_stack(name)
            base = ops.plan_against(name, against)
            diff = ops.diff_plans(base, head, against)
            diff.max_increase, diff.max_increase_source = ops.cost_limit(name, max_increase)
            diffs.append(diff)
        fold = ops.COLLAPSE_OVER if collapse_over is None else collapse_over
        sink.emit(diffs, lambda d: typer.echo(ops.render_diff_markdown(d, collapse_over=fold, left_out=left_out),
                                              nl=False),
                  to_json=lambda d: [x.to_json() for x in d])
        over = [d for d in diffs if d.over_limit]
        for d in over:
            stderr_console.print(f"[red]error:[/red] {escape(d.limit_message())}", highlight=False)
        if over:
            raise typer.Exit(code=ExitCode.CHECKS_FAILED)
        return

    result = ops.plan_stack(stack, live_client=client)
    sink.emit(result, lambda r: typer.echo(ops.render_text(r)))
    if result.blocking:
        raise typer.Exit(code=ExitCode.CHECKS_FAILED)


def _graph(stack: str, fmt: GraphFormat | None, as_json: bool, against: str | None, live_prices: bool) -> None:
    """``plan --graph``: the topology only (no prices, no findings), in one of :class:`GraphFormat`."""
    from do_platform.ops import graph as ops

    for flag, given in (("--against", against), ("--live-prices", live_prices)):
        if given:
            raise typer.BadParameter(f"{flag} does not go with --graph (the diagram shows one revision's "
                                     f"topology, without prices); allowed: one of them", param_hint=flag)
    if as_json and fmt not in (None, GraphFormat.json):
        raise typer.BadParameter(f"--json (or --output json) and --graph-format {fmt.value} contradict each other; "
                                 f"allowed: one of them", param_hint="--graph-format")
    chosen = GraphFormat.json if as_json else (fmt or GraphFormat.mermaid)
    typer.echo(ops.render(ops.graph_stack(stack), chosen), nl=False)
