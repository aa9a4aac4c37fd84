"""``plan --graph``: a node per resource the plan lists, parent and dependency edges, valid Mermaid and DOT."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.offline import Evaluation, PlannedResource
from do_platform.ops import graph as ops
from do_platform.ops.plan import plan_stack

runner = CliRunner()


@pytest.fixture(scope="module")
def dev():
    return ops.graph_stack("dev")


@pytest.fixture(scope="module")
def prod():
    return ops.graph_stack("prod")


def by_name(graph: ops.Graph) -> dict[str, ops.Node]:
    return {n.name: n for n in graph.nodes}


def test_a_node_per_resource_the_plan_lists_and_per_component(prod):
    plan = plan_stack("prod")
    resources = {n.urn for n in prod.nodes if not n.component}
    assert resources == {r.urn for r in plan.resources}
    assert {n.urn for n in prod.nodes if n.component} == {c.urn for c in plan.components if c.urn}
    assert len({n.id for n in prod.nodes}) == len(prod.nodes)
    assert not [n for n in prod.nodes if n.type == ops.STACK_TYPE or n.type.startswith(ops.PROVIDER_PREFIX)]
    protected = {n.urn for n in prod.nodes if n.protect and not n.component}
    assert protected == {r.urn for r in plan.resources if r.protect} and protected


def test_parent_edges_follow_the_resource_tree(dev):
    nodes = by_name(dev)
    parents = {(e.source, e.target) for e in dev.edges if e.kind == ops.PARENT}
    assert (nodes["web"].id, nodes["web-node-0"].id) in parents
    assert (nodes["network"].id, nodes["network-vpc"].id) in parents
    # A resource under another resource: its Pulumi parent, drawn inside that resource's component.
    assert (nodes["db-cluster"].id, nodes["db-pool"].id) in parents
    assert nodes["db-pool"].parent == nodes["db-cluster"].id and nodes["db-pool"].group == nodes["db"].id
    assert nodes["project"].parent is None and nodes["web"].parent is None
    assert parents == {(n.parent, n.id) for n in dev.nodes if n.parent}


def test_dependency_edges_point_from_a_resource_to_what_it_needs(dev):
    nodes = by_name(dev)
    deps = {(e.source, e.target) for e in dev.edges if e.kind == ops.DEPENDENCY}
    for needs, needed in (("web-node-0", "network-vpc"), ("web-lb", "web-node-0"), ("web-a", "web-lb"),
                          ("web-lb", "web-cert"), ("db-cluster", "network-vpc"), ("app-web-app", "db-pool")):
        assert (nodes[needs].id, nodes[needed].id) in deps, (needs, needed)
    assert (nodes["network-vpc"].id, nodes["web-node-0"].id) not in deps
    ids = {n.id for n in dev.nodes}
    assert all(e.source in ids and e.target in ids and e.source != e.target for e in dev.edges)


# --- syntax ------------------------------------------------------------------------------------------------

MERMAID_NODE = re.compile(r'^\s*([A-Za-z0-9_]+)\["((?:[^"])*)"\]$')
MERMAID_SUBGRAPH = re.compile(r'^\s*subgraph ([A-Za-z0-9_]+)\["((?:[^"])*)"\]$')
MERMAID_EDGE = re.compile(r"^\s*([A-Za-z0-9_]+) (-->|-\.->) ([A-Za-z0-9_]+)$")


def parse_mermaid(text: str) -> tuple[dict[str, str], set[str], list[tuple[str, str, str]]]:
    """(node id → label, subgraph ids, edges); fails on any line that is not one of the forms it renders."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, groups, edges, depth = {}, set(), [], 0
    for line in lines[1:]:
        if m := MERMAID_SUBGRAPH.match(line):
            assert m.group(1) not in nodes and m.group(1) not in groups
            groups.add(m.group(1))
            nodes[m.group(1)] = m.group(2)
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0
        elif m := MERMAID_NODE.match(line):
            assert m.group(1) not in nodes, f"declared twice: {m.group(1)}"
            nodes[m.group(1)] = m.group(2)
        elif m := MERMAID_EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3)))
        else:
            raise AssertionError(f"not a Mermaid line this renderer writes: {line!r}")
    assert depth == 0
    assert all(a in nodes and b in nodes for a, _, b in edges)
    return nodes, groups, edges


def test_mermaid_declares_each_node_once_nests_components_and_draws_every_dependency(dev):
    nodes, groups, edges = parse_mermaid(ops.render_mermaid(dev))
    assert set(nodes) == {n.id for n in dev.nodes}
    assert groups == {n.id for n in dev.nodes if n.component}
    assert {(a, b) for a, arrow, b in edges if arrow == "-->"} == \
        {(e.source, e.target) for e in dev.edges if e.kind == ops.DEPENDENCY}
    nested = {(a, b) for a, arrow, b in edges if arrow == "-.->"}
    under_resources = {(e.source, e.target) for e in dev.edges if e.kind == ops.PARENT and e.source not in groups}
    assert nested and nested == under_resources


def tokens_of_dot(text: str) -> list[str]:
    """DOT's tokens: double-quoted strings (unescaped), identifiers, punctuation and edge operators."""
    pattern = re.compile(r'\s+|"((?:[^"\\]|\\.)*)"|(->|--)|([A-Za-z_][A-Za-z0-9_]*|[0-9]+)|([{}\[\];,=])')
    out, pos = [], 0
    while pos < len(text):
        m = pattern.match(text, pos)
        assert m, f"not DOT at {pos}: {text[pos:pos + 30]!r}"
        if m.group(1) is not None:
            out.append('"' + re.sub(r"\\(.)", lambda x: "\n" if x.group(1) == "n" else x.group(1), m.group(1)))
        elif m.group(0).strip():
            out.append(m.group(0))
        pos = m.end()
    return out


def test_dot_is_one_balanced_digraph_whose_edges_join_declared_nodes(prod):
    text = ops.render_dot(prod)
    tokens = tokens_of_dot(text)
    assert tokens[:3] == ["digraph", '"prod', "{"] and tokens[-1] == "}"
    depth = 0
    for t in tokens:
        depth += {"{": 1, "}": -1}.get(t, 0)
        assert depth >= 0
    assert depth == 0
    declared = {tokens[i] for i in range(len(tokens) - 1) if tokens[i + 1] == "[" and tokens[i - 1] in (";", "{")}
    assert {n.id for n in prod.nodes if not n.component} <= declared
    ends = [(tokens[i - 1], tokens[i + 1]) for i, t in enumerate(tokens) if t == "->"]
    assert ends and all(a in declared and b in declared for a, b in ends)
    assert len(ends) == len([e for e in prod.edges if e.kind == ops.DEPENDENCY]) + len(ops._unnested(prod))
    assert {f"cluster_{n.id}" for n in prod.nodes if n.component} <= set(tokens)


def synthetic() -> ops.Graph:
    """Names no DigitalOcean slug allows but a renderer must survive: quotes, backslashes, markup, keywords."""
    stack = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t"
    comp = "urn:pulumi:t::p::my:index:Thing::odd"
    resources = [
        PlannedResource(stack, ops.STACK_TYPE, "p-t", None, False, {}, False),
        PlannedResource(comp, "my:index:Thing", 'odd "quoted" <b>#1</b> \\ end', stack, False, {}, False),
        PlannedResource("urn:a", "digitalocean:index/vpc:Vpc", 'say "hi"\\n', comp, True, {}, True),
        PlannedResource("urn:b", "digitalocean:index/vpc:Vpc", "say 'hi'\\n", comp, True, {}, False),
        PlannedResource("urn:c", "digitalocean:index/tag:Tag", "end", stack, True, {}, False),
    ]
    return ops.build_graph(Evaluation("t", resources), {"urn:c": ["urn:a", comp], "urn:a": ["urn:b"]})


def test_labels_are_escaped_in_both_languages_and_ids_stay_unique():
    graph = synthetic()
    ids = [n.id for n in graph.nodes]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids)
    assert "end" not in ids
    nodes, groups, _ = parse_mermaid(ops.render_mermaid(graph))
    odd = next(n.id for n in graph.nodes if n.component)
    assert odd in groups and '"' not in nodes[odd] and "<b>" not in nodes[odd]
    assert "#quot;quoted#quot;" in nodes[odd] and "#lt;b#gt;#35;1" in nodes[odd]
    tokens = tokens_of_dot(ops.render_dot(graph))
    assert '"Vpc\nsay "hi"\\n\n(protected)' in tokens  # the label read back is the name as it was
    assert '"Thing\nodd "quoted" <b>#1</b> \\ end' in tokens


def test_an_edge_to_a_component_reaches_its_cluster_in_dot():
    text = ops.render_dot(synthetic())
    assert re.search(r"tag_end -> vpc_\w+ \[lhead=cluster_thing_\w+\];", text), text


# --- the command -------------------------------------------------------------------------------------------

def test_plan_graph_prints_mermaid_by_default_and_dot_or_json_on_request(dev):
    mermaid = runner.invoke(app, ["plan", "--stack", "dev", "--graph"])
    assert mermaid.exit_code == 0, mermaid.output
    assert mermaid.stdout == ops.render_mermaid(dev)
    dot = runner.invoke(app, ["plan", "--stack", "dev", "--graph", "--graph-format", "dot"])
    assert dot.exit_code == 0 and dot.stdout == ops.render_dot(dev)
    as_json = runner.invoke(app, ["plan", "--stack", "dev", "--graph", "--json"])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == dev.to_json()


@pytest.mark.parametrize("extra, flag", [(["--against", "HEAD"], "--against"), (["--live-prices"], "--live-prices"),
                                         (["--json", "--graph-format", "dot"], "--graph-format")])
def test_plan_graph_refuses_options_it_cannot_honour(extra, flag):
    result = runner.invoke(app, ["plan", "--stack", "dev", "--graph", *extra])
    assert result.exit_code == 2
    assert flag in result.output and "allowed" in result.output
