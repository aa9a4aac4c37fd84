"""The topology of a stack as a diagram: ``do-platform plan --graph``.

Built from the same offline evaluation as the plan (the program under Pulumi's mock runtime), so the
diagram is what the program registers, never a drawing kept by hand. A node per component and per resource
the plan lists (the stack and the provider are left out, as in the plan); two kinds of edge: ``parent``
(a component owns a resource or a nested component: drawn as nesting, a Mermaid subgraph or a DOT cluster)
and ``dependency`` (a resource needs another one: its inputs use that one's outputs, or ``depends_on``;
drawn as an arrow from the resource to what it needs). Output is deterministic: nodes sorted by type and
name, ids derived from them, so a diagram pasted into the docs can be compared with the command's output.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
PARENT, DEPENDENCY = "parent", "dependency"


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@dataclass(frozen=True)
class Node:
    id: str
    urn: str
    type: str
    name: str
    component: bool  # a ComponentResource (drawn as a group), or a resource the provider creates
    parent: str | None  # the id of its Pulumi parent (None: directly under the stack)
    group: str | None  # the id of the nearest component above it: where it is drawn (None: at the top)
    protect: bool = False  # ``protect``: the engine refuses to delete it (labelled "protected")

    @property
    def kind(self) -> str:
        """``Droplet``, ``WebCluster``: the last part of the type token."""
        return self.type.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # parent (source owns target) | dependency (source needs target)


@dataclass
class Graph:
    stack: str
    nodes: list[Node]
    edges: list[Edge] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "nodes": [{**asdict(n), "kind": n.kind} for n in self.nodes],
                "edges": [asdict(e) for e in self.edges]}

    def members(self, group: str | None) -> list[Node]:
        """The nodes drawn directly inside ``group`` (None: at the top level)."""
        return [n for n in self.nodes if n.group == group]


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def _base_id(resource_type: str, name: str) -> str:
    """``droplet_dev_web_0``: letters, digits and ``_`` only (valid in Mermaid and DOT without quoting), led by
    the type so no id is a keyword (``end``, ``graph``, ``subgraph``)."""
    kind = resource_type.rsplit(":", 1)[-1]
    return _ID_UNSAFE.sub("_", f"{kind}_{name}").strip("_").lower()


def _included(resource) -> bool:
    return resource.type != STACK_TYPE and not resource.type.startswith(PROVIDER_PREFIX)


def build_graph(evaluation, dependencies: dict[str, list[str]]) -> Graph:
    """Nodes and edges of an evaluation; ``dependencies`` maps a URN to the URNs its registration named."""
    kept = sorted((r for r in evaluation.resources if _included(r)), key=lambda r: (r.type, r.name, r.urn))
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for r in kept:
        base = candidate = _base_id(r.type, r.name)
        n = 2
        while candidate in taken:  # two names that differ only in characters an id cannot hold
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[r.urn] = candidate
    by_urn = {r.urn: r for r in evaluation.resources}

    def ancestor(resource, *, component: bool) -> str | None:
        """The nearest drawn ancestor (the stack and providers are not drawn); with ``component``, the nearest
        component (a resource whose parent is another resource, such as a pool under its cluster, is drawn in
        that resource's group)."""
        parent = resource.parent_urn
        while parent and (parent not in ids or (component and by_urn[parent].custom)):
            parent = by_urn[parent].parent_urn if parent in by_urn else None
        return ids.get(parent) if parent else None

    nodes = [Node(ids[r.urn], r.urn, r.type, r.name, not r.custom, ancestor(r, component=False),
                  ancestor(r, component=True), r.protect) for r in kept]
    edges = {Edge(n.parent, n.id, PARENT) for n in nodes if n.parent}
    for r in kept:
        for dep in dependencies.get(r.urn, ()):
            target = ids.get(dep)
            # A component depending on its own child (or the reverse) adds nothing the nesting does not show.
            if target and target != ids[r.urn] and Edge(target, ids[r.urn], PARENT) not in edges \
                    and Edge(ids[r.urn], target, PARENT) not in edges:
                edges.add(Edge(ids[r.urn], target, DEPENDENCY))
    return Graph(evaluation.stack, nodes, sorted(edges, key=lambda e: (e.kind, e.source, e.target)))


def graph_stack(stack: str, *, root: Path | None = None) -> Graph:
    """Evaluate ``stack`` offline (as ``plan`` does) and record each registration's dependencies."""
    from do_platform import offline

    dependencies: dict[str, list[str]] = {}

    def record(request, urn: str) -> None:
        dependencies[urn] = list(request.dependencies)

    evaluation = offline.evaluate(stack, root=Path(root) if root else offline.REPO_ROOT, on_register=record)
    return build_graph(evaluation, dependencies)


# --- rendering ---------------------------------------------------------------------------------------------

def _mermaid_text(text: str) -> str:
    """A label inside ``["..."]``: Mermaid's entity codes for the characters that would end or break it."""
    text = text.replace("#", "#35;")
    for char, code in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("\n", " ")):
        text = text.replace(char, code)
    return text


def _label(node: Node, line_break: str, escape) -> str:
    """Type and logical name (the name ``pulumi import`` and ``--target`` use); protected resources say so."""
    protected = f"{line_break}(protected)" if node.protect and not node.component else ""
    return f"{escape(node.kind)}{line_break}{escape(node.name)}{protected}"


def render_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart: components as (nested) subgraphs, dependencies as arrows to what is needed."""
    lines = ["flowchart LR"]

    def emit(group: str | None, depth: int) -> None:
        pad = "  " * depth
        for node in graph.members(group):
            label = _label(node, "<br/>", _mermaid_text)
            if node.component:
                lines.append(f'{pad}subgraph {node.id}["{label}"]')
                emit(node.id, depth + 1)
                lines.append(f"{pad}end")
            else:
                lines.append(f'{pad}{node.id}["{label}"]')

    emit(None, 1)
    # Ownership the nesting cannot show (a resource under another resource) as a dotted arrow.
    lines += [f"  {e.source} -.-> {e.target}" for e in _unnested(graph)]
    lines += [f"  {e.source} --> {e.target}" for e in graph.edges if e.kind == DEPENDENCY]
    return "\n".join(lines) + "\n"


def _unnested(graph: Graph) -> list[Edge]:
    """Parent edges whose parent is a resource, not a component: a diagram cannot nest those."""
    components = {n.id for n in graph.nodes if n.component}
    return [e for e in graph.edges if e.kind == PARENT and e.source not in components]


def _dot_text(text: str) -> str:
    """A DOT double-quoted string's content: backslash and quote escaped, line breaks as ``\\n``."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_dot(graph: Graph) -> str:
    """A Graphviz digraph: components as (nested) clusters, dependencies as edges to what is needed.

    Graphviz has no edge to a cluster: an edge to a component goes to a node inside it, clipped at the
    cluster's border (``lhead``/``ltail``, with ``compound=true``)."""
    lines = [f'digraph "{_dot_text(graph.stack)}" {{', "  compound=true;", "  rankdir=LR;",
             '  node [shape=box, fontname="Helvetica"];']
    anchor: dict[str, str] = {}  # component id -> a resource node inside it

    def emit(group: str | None, depth: int) -> str | None:
        pad = "  " * depth
        first = None
        for node in graph.members(group):
            label = _label(node, "\\n", _dot_text)
            if node.component:
                lines.append(f"{pad}subgraph cluster_{node.id} {{")
                lines.append(f'{pad}  label="{label}";')
                inner = emit(node.id, depth + 1)
                if inner is None:  # an empty component still needs a node to be drawn and pointed at
                    inner = f"{node.id}_empty"
                    lines.append(f'{pad}  {inner} [label="(empty)", shape=plaintext];')
                anchor[node.id] = inner
                lines.append(f"{pad}}}")
                first = first or inner
            else:
                lines.append(f'{pad}{node.id} [label="{label}"];')
                first = first or node.id
        return first

    emit(None, 1)
    components = {n.id for n in graph.nodes if n.component}
    lines += [f"  {e.source} -> {e.target} [style=dashed, arrowhead=none];" for e in _unnested(graph)]
    for e in graph.edges:
        if e.kind != DEPENDENCY:
            continue
        attrs = []
        if e.source in components:
            attrs.append(f"ltail=cluster_{e.source}")
        if e.target in components:
            attrs.append(f"lhead=cluster_{e.target}")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {anchor.get(e.source, e.source)} -> {anchor.get(e.target, e.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(graph: Graph, fmt: GraphFormat) -> str:
    if fmt is GraphFormat.dot:
        return render_dot(graph)
    if fmt is GraphFormat.mermaid:
        return render_mermaid(graph)
    import json

    return json.dumps(graph.to_json(), indent=2) + "\n"
