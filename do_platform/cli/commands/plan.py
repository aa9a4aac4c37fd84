"""``do-platform plan``: the offline plan of a stack (resources, monthly cost, guardrail findings)."""

from __future__ import annotations

from typing import Annotated

import typer

from do_platform.cli.settings import JsonOpt, StackOpt, handle_errors, settings_of
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
        "--all-stacks", help="with --against: every stack of the repository in one comment")] = False,
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
    resource tree, guardrail findings and monthly cost. Exit 3 when a mandatory guardrail is broken."""
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
    if all_stacks and not against:
        raise typer.BadParameter("--all-stacks only goes with --against", param_hint="--all-stacks")
    client = settings.client() if live_prices else None

    if against:
        from do_platform.offline import stack_names

        stacks = stack_names() if all_stacks else [stack]
        diffs = []
        for name in stacks:
            head = ops.plan_stack(name)
            base = ops.plan_against(name, against)
            diffs.append(ops.diff_plans(base, head, against))
        sink.emit(diffs, lambda d: typer.echo(ops.render_diff_markdown(d), nl=False),
                  to_json=lambda d: [x.to_json() for x in d])
        return

    result = ops.plan_stack(stack, live_client=client)
    sink.emit(result, lambda r: typer.echo(ops.render_text(r)))
    if result.blocking:
        raise typer.Exit(code=3)


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
