"""The offline plan: what a stack creates, what it costs per month and which guardrails it breaks.

:func:`build_plan` turns an offline evaluation (the program under Pulumi's mock runtime: no CLI, no
token, no network) into a :class:`Plan`: a component → resources tree with key inputs, a price per
resource, component and stack, and the guardrail findings. :func:`plan_against` evaluates another
git revision of the repository in a worktree (its own interpreter: two versions of the program's
modules cannot share one) and :func:`diff_plans` / :func:`render_diff_markdown` turn the pair into a
pull-request comment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from do_platform import guardrails, numbers, pricing, replacements
from do_platform.errors import ConfigError, PlatformError

STACK_TYPE = "pulumi:pulumi:Stack"
COMMENT_MARKER = "<!-- do-platform-plan -->"
AGAINST_TIMEOUT_S = 300

# The inputs worth showing per resource type (the rest are in --json).
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    pricing.DROPLET: ("region", "size", "image", "monitoring", "backups"),
    pricing.VOLUME: ("region", "size"),
    pricing.LOAD_BALANCER: ("region", "sizeUnit", "size", "redirectHttpToHttps"),
    pricing.DATABASE_CLUSTER: ("engine", "version", "region", "size", "nodeCount"),
    pricing.DATABASE_REPLICA: ("region", "size"),
    pricing.KUBERNETES_CLUSTER: ("version", "region", "ha", "nodePool.size", "nodePool.nodeCount"),
    pricing.KUBERNETES_NODE_POOL: ("size", "nodeCount", "autoScale", "minNodes", "maxNodes"),
    pricing.DROPLET_AUTOSCALE: ("dropletTemplate.region", "dropletTemplate.size", "config.minInstances",
                                "config.maxInstances", "dropletTemplate.publicNetworking"),
    pricing.VPC_NAT_GATEWAY: ("region", "size", "type"),
    pricing.APP: ("spec.region", "spec.services"),
    pricing.CONTAINER_REGISTRY: ("subscriptionTierSlug", "region"),
    "digitalocean:index/vpc:Vpc": ("region", "ipRange"),
    "digitalocean:index/firewall:Firewall": ("inboundRules",),
    "digitalocean:index/databaseFirewall:DatabaseFirewall": ("rules",),
    "digitalocean:index/dnsRecord:DnsRecord": ("type", "name"),
    "digitalocean:index/domain:Domain": ("name",),
    "digitalocean:index/certificate:Certificate": ("type", "domains"),
    pricing.SPACES_BUCKET: ("name", "region", "acl", "versioning.enabled", "forceDestroy"),
    "digitalocean:index/spacesKey:SpacesKey": ("name", "grants"),
    "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration": ("corsRules",),
    pricing.CDN: ("customDomain", "ttl"),
}


@dataclass
class PlanResource:
    urn: str
    type: str
    name: str
    component: str | None
    protect: bool
    key_inputs: dict[str, Any]
    inputs: dict[str, Any]
    monthly: float | None
    price_basis: str
    price_source: str
    violations: list[dict[str, str]] = field(default_factory=list)
    monthly_max: float | None = None  # the ceiling of a price range (an autoscale pool); None: fixed


@dataclass
class PlanComponent:
    urn: str | None
    type: str
    name: str
    monthly: float
    unknown: int
    resources: list[str]
    monthly_max: float | None = None  # set when a resource in it is priced as a range


@dataclass
class Plan:
    stack: str
    environment: str
    enforcement: str
    prices_as_of: str
    currency: str
    price_sources: dict[str, str]
    price_notes: list[str]
    components: list[PlanComponent]
    resources: list[PlanResource]
    violations: list[dict[str, Any]]
    monthly: float
    unknown: int
    outputs: dict[str, Any] | None = None  # stack outputs, secrets masked (None: a version that did not record them)
    monthly_max: float | None = None  # the total at every autoscale pool's ceiling (None: no price range)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        def known(kind, item: dict[str, Any]) -> dict[str, Any]:  # fields a newer version added are dropped
            return {k: v for k, v in item.items() if k in kind.__dataclass_fields__}

        data = known(cls, data)
        data["components"] = [PlanComponent(**known(PlanComponent, c)) for c in data.get("components", [])]
        data["resources"] = [PlanResource(**known(PlanResource, r)) for r in data.get("resources", [])]
        return cls(**data)

    @property
    def blocking(self) -> bool:
        """Mandatory violations stop the plan (exit code 3) as they would stop ``pulumi up``."""
        return self.enforcement == "mandatory" and bool(self.violations)


def _dig(props: dict[str, Any], dotted: str) -> Any:
    value: Any = props
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _key_inputs(resource_type: str, inputs: dict[str, Any]) -> dict[str, Any]:
    keys = KEY_INPUTS.get(resource_type, ("region",))
    out = {}
    for key in keys:
        value = _dig(inputs, key)
        if value is None:
            continue
        if isinstance(value, list) and key in ("inboundRules", "rules", "spec.services", "corsRules"):
            value = f"{len(value)} item(s)"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)  # the engine carries every number as a float
        out[key] = value
    return out


def _owner(resource, by_urn: dict[str, Any]) -> str | None:
    """The URN of the nearest component above a resource (None: directly under the stack)."""
    parent = resource.parent_urn
    while parent and parent in by_urn:
        node = by_urn[parent]
        if not node.custom:
            return parent
        parent = node.parent_urn
    return None


def _stack_resources(evaluation) -> list[guardrails.StackResource]:
    return [guardrails.StackResource(urn=r.urn, type=r.type, props=r.inputs, parent=r.parent_urn, protect=r.protect)
            for r in evaluation.resources if r.custom]


def build_plan(evaluation, ctx: guardrails.StackContext, table: pricing.PriceTable,
               price_notes: list[str] | None = None) -> Plan:
    """Price and check every custom resource of an evaluation, grouped under its component."""
    by_urn = {r.urn: r for r in evaluation.resources}
    violations = {}
    for v in guardrails.database_network(_stack_resources(evaluation), ctx):
        violations.setdefault(v.urn, []).append(v)
    resources: list[PlanResource] = []
    for r in evaluation.resources:
        if not r.custom or r.type == STACK_TYPE or r.type.startswith("pulumi:providers:"):
            continue
        for v in guardrails.check_resource(r.type, r.inputs, ctx, protect=r.protect, urn=r.urn):
            violations.setdefault(r.urn, []).append(v)
        price = pricing.price_resource(r.type, r.inputs, table)
        resources.append(PlanResource(
            urn=r.urn, type=r.type, name=r.name, component=_owner(r, by_urn), protect=r.protect,
            key_inputs=_key_inputs(r.type, r.inputs), inputs=r.inputs, monthly=price.monthly,
            monthly_max=price.monthly_max, price_basis=price.basis, price_source=price.source,
            violations=[{"rule": v.rule, "message": v.message} for v in violations.get(r.urn, [])]))
    components: dict[str | None, PlanComponent] = {}
    for res in resources:
        comp = components.get(res.component)
        if comp is None:
            node = by_urn.get(res.component) if res.component else None
            comp = components[res.component] = PlanComponent(
                urn=res.component, type=node.type if node else STACK_TYPE,
                name=node.name if node else evaluation.stack, monthly=0.0, unknown=0, resources=[])
        comp.resources.append(res.urn)
        if res.monthly is None:
            comp.unknown += 1
        else:
            comp.monthly += res.monthly
            if res.monthly_max is not None:
                comp.monthly_max = (comp.monthly_max or 0.0) + res.monthly_max - res.monthly
    for comp in components.values():  # the extra a range can add -> that component's ceiling
        if comp.monthly_max is not None:
            comp.monthly_max = comp.monthly + comp.monthly_max
    # Registration order varies between runs (the program is asynchronous): print in a stable order.
    resources.sort(key=lambda r: (r.type, r.name))
    order = {r.urn: i for i, r in enumerate(resources)}
    for comp in components.values():
        comp.resources.sort(key=order.__getitem__)
    ordered = sorted(components.values(), key=lambda c: (c.urn is None, c.name))
    flat = [{"rule": v.rule, "message": v.message, "urn": v.urn, "enforcement": ctx.enforcement.value}
            for urn_violations in violations.values() for v in urn_violations]
    flat.sort(key=lambda v: (v["rule"], v["urn"] or "", v["message"]))
    if ctx.enforcement.value == "disabled":
        flat = []
        for res in resources:
            res.violations = []
    return Plan(
        stack=evaluation.stack, environment=ctx.environment.value, enforcement=ctx.enforcement.value,
        prices_as_of=table.as_of, currency=table.currency,
        price_sources={f: table.source(f) for f in pricing.LIVE_FAMILIES},
        price_notes=list(price_notes or []), components=ordered, resources=resources,
        violations=flat, monthly=round(sum(r.monthly for r in resources if r.monthly is not None), 2),
        unknown=sum(1 for r in resources if r.monthly is None), outputs=dict(getattr(evaluation, "outputs", {})),
        monthly_max=_range_ceiling(resources))


def _range_ceiling(resources: list[PlanResource]) -> float | None:
    """The total with every price range at its ceiling; None when no resource is priced as a range."""
    if all(r.monthly_max is None for r in resources):
        return None
    return round(sum(r.monthly_max if r.monthly_max is not None else r.monthly for r in resources
                     if r.monthly is not None), 2)


def plan_stack(stack: str, *, root: Path | None = None, live_client=None) -> Plan:
    """Evaluate ``stack`` offline and build its plan (``live_client``: refresh prices through PyDo first)."""
    from do_platform import offline
    from do_platform.stack_files import read_stack_config

    root = Path(root) if root else offline.REPO_ROOT
    raw = read_stack_config(stack, root)
    evaluation = offline.evaluate(stack, root=root)
    ctx = guardrails.StackContext.from_config(stack, raw)
    table, notes = pricing.load_bundled(), []
    if live_client is not None:
        refreshed = pricing.refresh_live(table, live_client)
        table, notes = refreshed.table, refreshed.notes
    return build_plan(evaluation, ctx, table, notes)


# --- rendering ---------------------------------------------------------------------------------------

def money(value: float | None, unknown: int = 0, ceiling: float | None = None) -> str:
    """``$12.00``, a range ``$12.00 … $24.00`` (an autoscale pool), ``+ N unknown``."""
    text = numbers.money(value)
    if value is None:
        return text
    if ceiling is not None and round(ceiling, 2) != round(value, 2):
        text = f"{text} … {numbers.money(ceiling)}"
    return f"{text} + {unknown} unknown" if unknown else text


def _short_type(resource_type: str) -> str:
    return resource_type.rsplit(":", 1)[-1]


def _fmt_inputs(key_inputs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in key_inputs.items())


def render_text(plan: Plan) -> str:
    """The human plan: tree with prices, findings, totals."""
    lines = [f"Stack {plan.stack} ({plan.environment}); guardrails {plan.enforcement}; prices "
             f"{plan.currency} per month, {pricing.describe_sources(plan.prices_as_of, plan.price_sources)}"]
    by_urn = {r.urn: r for r in plan.resources}
    tw = max([len(_short_type(r.type)) for r in plan.resources] + [4])
    nw = min(max([len(r.name) for r in plan.resources] + [4]), 48)
    for comp in plan.components:
        head = f"{_short_type(comp.type)} {comp.name}" if comp.urn else f"(stack {comp.name})"
        lines.append("")
        lines.append(f"{head}  {money(comp.monthly, comp.unknown, comp.monthly_max)}")
        for urn in comp.resources:
            res = by_urn[urn]
            cost = money(res.monthly, ceiling=res.monthly_max)
            flag = "  [protected]" if res.protect else ""
            inputs = _fmt_inputs(res.key_inputs)
            lines.append(f"  {_short_type(res.type):<{tw}} {res.name:<{nw}} {cost:>10}  {inputs}{flag}")
            if res.monthly is None or res.monthly > 0:
                lines.append(f"  {'':<{tw}} {'':<{nw}} {'':>10}  ↳ {res.price_basis}")
    lines.append("")
    if plan.violations:
        lines.append(f"Guardrail findings ({len(plan.violations)}, {plan.enforcement}):")
        for v in plan.violations:
            name = by_urn[v["urn"]].name if v.get("urn") in by_urn else (v.get("urn") or plan.stack)
            lines.append(f"  [{v['rule']}] {name}: {v['message']}")
    else:
        lines.append("Guardrail findings: none")
    for note in plan.price_notes:
        lines.append(f"note: {note}")
    lines.append(f"Total: {money(plan.monthly, plan.unknown, plan.monthly_max)} per month "
                 f"({len(plan.resources)} resources)")
    return "\n".join(lines)


# --- comparing two versions ---------------------------------------------------------------------------

# What the engine will do with a resource, as the comment and --json name it.
CREATE, UPDATE, REPLACE, DELETE = "create", "update", "replace", "delete"
CREATE_BEFORE_DELETE, DELETE_BEFORE_REPLACE = "create-before-delete", "delete-before-replace"
VALUE_WIDTH = 60
# Inputs that carry credentials even when the program forgot to mark them secret (a certificate's key).
CREDENTIAL_INPUT = re.compile(r"password|secret|token|private_?key|leaf_?certificate|certificate_?chain", re.I)


@dataclass
class InputChange:
    """One changed input: its path, its before → after value (secrets masked, long text cut to the first
    line that differs) and whether changing it forces a replacement."""

    input: str
    before: str
    after: str
    forces_replacement: bool


@dataclass
class ResourceChange:
    urn: str
    type: str
    name: str
    kind: str  # added | removed | changed
    before: float | None
    after: float | None
    changed_keys: list[str] = field(default_factory=list)
    action: str = UPDATE  # create | update | replace | delete
    replace_mode: str | None = None  # create-before-delete | delete-before-replace (replace only)
    forced_by: list[str] = field(default_factory=list)  # the inputs that force the replacement
    inputs: list[InputChange] = field(default_factory=list)
    protect: bool = False
    warnings: list[str] = field(default_factory=list)
    rule_source: str | None = None  # where the replace rule comes from (the provider's source file)


@dataclass
class OutputChange:
    name: str
    kind: str  # added | removed | changed
    before: str | None
    after: str | None


@dataclass
class PlanDiff:
    stack: str
    base_ref: str
    changes: list[ResourceChange]
    before_monthly: float
    after_monthly: float
    before_unknown: int
    after_unknown: int
    new_violations: list[dict[str, Any]]
    violations: list[dict[str, Any]]
    enforcement: str
    prices_as_of: str
    output_changes: list[OutputChange] = field(default_factory=list)
    max_increase: float | None = None  # the monthly increase (USD) above which the check fails
    max_increase_source: str | None = None  # where that limit is set: the flag or the stack's config key

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "delta": self.delta, "over_limit": self.over_limit,
                "destructive": [c.urn for c in self.destructive]}

    @property
    def over_limit(self) -> bool:
        """The monthly cost rises by more than the configured limit (the comment's check fails)."""
        return self.max_increase is not None and self.delta > self.max_increase

    def limit_message(self) -> str:
        return (f"stack {self.stack}: the monthly cost rises by {_signed(self.delta)}, above the limit of "
                f"{money(self.max_increase)} set by {self.max_increase_source}")

    @property
    def destructive(self) -> list[ResourceChange]:
        """Replacements and deletions of protected resources: what the comment flags at the top."""
        return [c for c in self.changes if c.protect and c.action in (REPLACE, DELETE)]

    @property
    def delta(self) -> float:
        return round(self.after_monthly - self.before_monthly, 2)


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def _shown(key: str, value: Any) -> str:
    """A value for the comment: masked when secret or credential-like, numbers as the config wrote them."""
    from do_platform.offline import SECRET_MASK

    if value is None:
        return "(none)"
    if value == SECRET_MASK or CREDENTIAL_INPUT.search(key.rsplit(".", 1)[-1]):
        return SECRET_MASK
    value = replacements.normal(value)  # the engine carries every number as a float: 8080, not 8080.0
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _clip(text: str, start: int = 0) -> str:
    """At most VALUE_WIDTH characters of ``text`` from ``start``, with … where it was cut."""
    head = "…" if start > 0 else ""
    body = text[start:start + VALUE_WIDTH - len(head)]
    return head + (body if start + len(body) >= len(text) else body[:-1] + "…")


def _before_after(key: str, old: Any, new: Any) -> tuple[str, str]:
    """Before → after as short text, around where they differ: for multi-line text (a droplet's cloud-init)
    the first line that differs, so the cause (``listen 8080`` → ``listen 9090``) shows instead of the
    script's head; for long one-line values (rules as JSON) the window from just before the first difference."""
    a, b = _shown(key, old), _shown(key, new)
    if "\n" in a or "\n" in b:
        lines_a, lines_b = a.splitlines(), b.splitlines()
        for i in range(max(len(lines_a), len(lines_b))):
            la = lines_a[i] if i < len(lines_a) else ""
            lb = lines_b[i] if i < len(lines_b) else ""
            if la != lb:
                a, b = f"line {i + 1}: {la.strip()}", f"line {i + 1}: {lb.strip()}"
                break
    if len(a) <= VALUE_WIDTH and len(b) <= VALUE_WIDTH:
        return a, b
    same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, same - VALUE_WIDTH // 3)
    return _clip(a, start), _clip(b, start)


def _input_changes(resource_type: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[list[InputChange], list[str]]:
    """Every changed top-level input, and the (possibly nested) inputs among them that force a replacement."""
    forcing = replacements.forcing_inputs(resource_type, old, new)
    out = []
    for key in _changed_keys(old, new):
        nested = [f for f in forcing if f.split(".", 1)[0] == key]
        if nested and nested != [key]:  # a nested input forces it (nodePool.size): show that one
            for path in nested:
                a, b = _before_after(path, replacements.value_at(old, path), replacements.value_at(new, path))
                out.append(InputChange(path, a, b, True))
            continue
        a, b = _before_after(key, old.get(key), new.get(key))
        out.append(InputChange(key, a, b, key in forcing))
    return out, forcing


def _classify(change: ResourceChange, old: PlanResource, new: PlanResource) -> None:
    """Update in place or replace (and in which order), from the provider's rules (replacements.json)."""
    change.inputs, change.forced_by = _input_changes(new.type, old.inputs, new.inputs)
    rule = replacements.rule(new.type)
    change.rule_source = rule.source if rule else None
    if not change.forced_by:
        change.action = UPDATE
        return
    change.action = REPLACE
    if rule and rule.delete_before_replace:
        change.replace_mode = DELETE_BEFORE_REPLACE
        return
    change.replace_mode = CREATE_BEFORE_DELETE
    if rule and rule.unique_name and old.inputs.get("name") == new.inputs.get("name") and new.inputs.get("name"):
        change.warnings.append(f"the replacement keeps the name {new.inputs['name']!r} and {rule.unique_name}: "
                               f"creating the new one first will fail; change the name or set deleteBeforeReplace")


def _output_changes(base: Plan | None, head: Plan) -> list[OutputChange]:
    if head.outputs is None or (base is not None and base.outputs is None):
        return []  # the base revision's plan did not record outputs: nothing to compare with
    old, new = (base.outputs if base else {}), head.outputs
    out = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            out.append(OutputChange(name, "added", None, _before_after(name, None, new[name])[1]))
        elif name not in new:
            out.append(OutputChange(name, "removed", _before_after(name, old[name], None)[0], None))
        elif old[name] != new[name]:
            a, b = _before_after(name, old[name], new[name])
            out.append(OutputChange(name, "changed", a, b))
    return out


def diff_plans(base: Plan | None, head: Plan, base_ref: str) -> PlanDiff:
    """Resources added, removed and changed (by URN), each with what the engine will do (create, update in
    place, replace and in which order, delete), stack output changes and the cost delta; ``base=None``: a
    new stack (its outputs are all added)."""
    before = {r.urn: r for r in (base.resources if base else [])}
    after = {r.urn: r for r in head.resources}
    changes = []
    for urn, r in after.items():
        if urn not in before:
            changes.append(ResourceChange(urn, r.type, r.name, "added", None, r.monthly, action=CREATE,
                                          protect=r.protect))
        else:
            keys = _changed_keys(before[urn].inputs, r.inputs)
            if keys or before[urn].monthly != r.monthly:
                change = ResourceChange(urn, r.type, r.name, "changed", before[urn].monthly, r.monthly, keys,
                                        protect=r.protect or before[urn].protect)
                _classify(change, before[urn], r)
                changes.append(change)
    for urn, r in before.items():
        if urn not in after:
            changes.append(ResourceChange(urn, r.type, r.name, "removed", r.monthly, None, action=DELETE,
                                          protect=r.protect))
    old_findings = {(v["rule"], v.get("urn"), v["message"]) for v in (base.violations if base else [])}
    return PlanDiff(
        stack=head.stack, base_ref=base_ref, changes=changes,
        before_monthly=base.monthly if base else 0.0, after_monthly=head.monthly,
        before_unknown=base.unknown if base else 0, after_unknown=head.unknown,
        new_violations=[v for v in head.violations if (v["rule"], v.get("urn"), v["message"]) not in old_findings],
        violations=head.violations, enforcement=head.enforcement, prices_as_of=head.prices_as_of,
        output_changes=_output_changes(base, head))


def _signed(value: float) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}${abs(value):,.2f}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


ACTION_MARK = {CREATE: "➕ create", UPDATE: "✏️ update", REPLACE: "♻️ **replace**", DELETE: "➖ delete"}


def _action_text(c: ResourceChange) -> str:
    text = ACTION_MARK[c.action]
    if c.action == REPLACE:
        text += f" ({c.replace_mode})"
    return text + (" 🔒" if c.protect else "")


def _inputs_text(c: ResourceChange) -> str:
    """``input: before → after`` per changed input, the ones forcing the replacement first and in bold."""
    ordered = sorted(c.inputs, key=lambda i: (not i.forces_replacement, i.input))
    parts = []
    for i in ordered:
        name = f"**{i.input}** (forces replacement)" if i.forces_replacement else i.input
        parts.append(f"{name}: `{_cell(i.before)}` → `{_cell(i.after)}`")
    if not parts and c.changed_keys:
        parts = [", ".join(c.changed_keys)]
    return "<br>".join(parts + [f"⚠️ {_cell(w)}" for w in c.warnings])


COLLAPSE_OVER = 10  # a stack's change table with more rows than this is folded into <details>


def _change_table(d: PlanDiff, collapse_over: int) -> list[str]:
    """The stack's change table, folded into ``<details>`` when it has more than ``collapse_over`` rows."""
    order = {DELETE: 0, REPLACE: 1, UPDATE: 2, CREATE: 3}
    out = []
    folded = len(d.changes) > collapse_over
    if folded:
        counts = ", ".join(f"{n} {k}" for k in order if (n := sum(1 for c in d.changes if c.action == k)))
        out += [f"<details><summary>{len(d.changes)} resource changes ({counts})</summary>", ""]
    out.append("| Action | Resource | Type | Before | After | Inputs (before → after) |")
    out.append("|---|---|---|---:|---:|---|")
    for c in sorted(d.changes, key=lambda c: (order[c.action], c.type, c.name)):
        out.append(f"| {_action_text(c)} | `{_cell(c.name)}` | {_short_type(c.type)} | "
                   f"{money(c.before) if c.kind != 'added' else '—'} | "
                   f"{money(c.after) if c.kind != 'removed' else '—'} | {_inputs_text(c)} |")
    if folded:
        out += ["", "</details>"]
    if any(c.action == REPLACE for c in d.changes):
        out += ["", "Replacements: the provider cannot change the bold inputs in place "
                    "(`do_platform/data/replacements.json`, from the provider's schema source)."]
    return out


def _stack_section(d: PlanDiff, collapse_over: int) -> list[str]:
    out = ["", f"### {d.stack}", ""]
    out += _change_table(d, collapse_over) if d.changes else ["No resource changes."]
    if d.output_changes:
        out += ["", "Stack outputs:", ""]
        for o in d.output_changes:
            if o.kind == "added":
                out.append(f"- ➕ `{o.name}`: `{_cell(o.after)}`")
            elif o.kind == "removed":
                out.append(f"- ➖ `{o.name}` (was `{_cell(o.before)}`)")
            else:
                out.append(f"- ✏️ `{o.name}`: `{_cell(o.before)}` → `{_cell(o.after)}`")
    if d.new_violations:
        out += ["", f"**New guardrail findings ({d.enforcement}):**", ""]
        out += [f"- `{v['rule']}` {_cell(v.get('urn', '').rsplit('::', 1)[-1])}: {_cell(v['message'])}"
                for v in d.new_violations]
    return out


def _warnings(diffs: list[PlanDiff]) -> list[str]:
    """Cost increases above their limit, then protected resources replaced or deleted: the comment's top."""
    out = []
    over = [d for d in diffs if d.over_limit]
    if over:
        out.append("> [!WARNING]\n> **Monthly cost increase above the limit:**")
        out += [f"> - {_cell(d.limit_message())}" for d in over]
        out.append("")
    destructive = [(d.stack, c) for d in diffs for c in d.destructive]
    if destructive:
        out.append(f"> [!CAUTION]\n> **{len(destructive)} protected resource(s) would be replaced or deleted:**")
        for stack, c in destructive:
            why = f" (forced by {', '.join(c.forced_by)})" if c.forced_by else ""
            out.append(f"> - {stack}: {c.action} `{_cell(c.name)}` ({_short_type(c.type)}){why}")
        out.append("")
    return out


def render_diff_markdown(diffs: list[PlanDiff], *, collapse_over: int = COLLAPSE_OVER,
                         left_out: tuple[str, ...] = ()) -> str:
    """One Markdown comment for every stack: cost increases above their limit and protected resources
    replaced or deleted first, then per stack each change with what the engine will do and why (folded into
    ``<details>`` beyond ``collapse_over`` rows), output changes, cost delta and guardrail findings.
    ``left_out``: stacks not planned (the emulator-only ones), named at the end."""
    out = [COMMENT_MARKER, "## do-platform plan", "", *_warnings(diffs)]
    if diffs:
        out.append(f"Monthly list prices (USD) as of {diffs[0].prices_as_of}; compared with `{diffs[0].base_ref}`.")
        out.append("")
        out.append("| Stack | Before | After | Delta | Changes | Findings |")
        out.append("|---|---:|---:|---:|---|---|")
        for d in diffs:
            counts = {k: sum(1 for c in d.changes if c.action == k) for k in (CREATE, UPDATE, REPLACE, DELETE)}
            summary = ", ".join(f"{n} {'**replace**' if k == REPLACE else k}" for k, n in counts.items() if n)
            findings = f"{len(d.violations)} ({d.enforcement})" if d.violations else "none"
            out.append(f"| {d.stack} | {money(d.before_monthly, d.before_unknown)} | "
                       f"{money(d.after_monthly, d.after_unknown)} | {_signed(d.delta)} | "
                       f"{summary or 'no changes'} | {findings} |")
    for d in diffs:
        out += _stack_section(d, collapse_over)
    if left_out:
        out += ["", f"Not planned: {', '.join(left_out)} (emulator-only: the API endpoint is a loopback address; "
                    "`--include-local` plans it too)."]
    return "\n".join(out) + "\n"


def emulator_only(stack: str, root: Path | None = None) -> bool:
    """The stack's ``digitalocean:apiEndpoint`` is a loopback address: it only ever runs against the emulator
    (``local``), so the pull-request comment leaves it out unless asked."""
    from do_platform import offline
    from do_platform.api.endpoints import is_loopback_endpoint
    from do_platform.stack_files import read_stack_config

    endpoint = read_stack_config(stack, Path(root) if root else offline.REPO_ROOT).get("digitalocean:apiEndpoint")
    return isinstance(endpoint, str) and is_loopback_endpoint(endpoint)


def check_max_increase(value: float) -> float:
    """``--max-increase`` within the range of the config key it overrides (one rule: the config model's)."""
    from do_platform.config.models import MAX_MONTHLY_INCREASE

    if not 0 <= value <= MAX_MONTHLY_INCREASE:  # also false for nan
        raise ConfigError(f"--max-increase {value!r} is out of range; allowed: a number of US dollars from 0 to "
                          f"{MAX_MONTHLY_INCREASE}")
    return value


def cost_limit(stack: str, flag: float | None = None, root: Path | None = None) -> tuple[float | None, str | None]:
    """(limit, where it is set): ``--max-increase`` when given, else the stack's ``do-platform:maxMonthlyIncrease``."""
    from do_platform import offline
    from do_platform.config.loading import load_stack_config
    from do_platform.stack_files import read_stack_config

    if flag is not None:
        return check_max_increase(flag), "--max-increase"
    cfg = load_stack_config(read_stack_config(stack, Path(root) if root else offline.REPO_ROOT), stack)
    if not cfg.max_monthly_increase:  # 0: no limit
        return None, None
    return cfg.max_monthly_increase, f"do-platform:maxMonthlyIncrease in Pulumi.{stack}.yaml"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


PLAN_MODULE = Path("do_platform") / "ops" / "plan.py"


def plan_against(stack: str, ref: str, *, root: Path | None = None, python: str | None = None) -> Plan | None:
    """The plan of ``stack`` at git ``ref`` (None when the stack does not exist there).

    The ref is checked out with ``git worktree add --detach`` into a temporary directory and planned
    there by that version's own ``python -m do_platform plan --json``; the worktree is always removed.
    """
    from do_platform import offline

    root = Path(root) if root else offline.REPO_ROOT
    if shutil.which("git") is None:
        raise ConfigError("--against needs git on PATH")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ConfigError(f"--against: {root} is not inside a git repository")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0 or not commit.stdout.strip():
        raise ConfigError(f"--against {ref!r}: no such git revision (a branch, tag or commit such as origin/main)",
                          hint="in CI fetch the base branch first (actions/checkout with fetch-depth: 0)")
    sha = commit.stdout.strip()
    sub = Path(root).resolve().relative_to(Path(top.stdout.strip()).resolve())
    tmp = Path(tempfile.mkdtemp(prefix="do-platform-plan-"))
    tree = tmp / "tree"
    try:
        added = _git(root, "worktree", "add", "--detach", "--quiet", str(tree), sha)
        if added.returncode != 0:
            raise PlatformError(f"--against {ref!r}: git worktree add failed: {added.stderr.strip()}")
        where = tree / sub
        # A revision without the stack, or from before the plan command existed (the first pull request
        # that adds do-platform), has nothing to compare with: everything in this version is added.
        if not (where / f"Pulumi.{stack}.yaml").is_file() or not (where / PLAN_MODULE).is_file():
            return None
        env = {**os.environ, "PYTHONPATH": str(where), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DO_PLATFORM_DEBUG", None)
        try:
            proc = subprocess.run([python or sys.executable, "-m", "do_platform", "plan", "--stack", stack, "--json"],
                                  cwd=where, env=env, capture_output=True, text=True, timeout=AGAINST_TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise PlatformError(f"--against {ref!r}: planning {stack} at {sha[:12]} took longer than "
                                f"{AGAINST_TIMEOUT_S} s; stopped it") from None
        if proc.returncode not in (0, 3):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise PlatformError(f"--against {ref!r}: planning {stack} at {sha[:12]} failed: {' / '.join(tail)}")
        try:
            return Plan.from_json(json.loads(proc.stdout))
        except (ValueError, TypeError) as exc:
            raise PlatformError(f"--against {ref!r}: the plan at {sha[:12]} is not in this version's JSON "
                                f"format ({exc})") from None
    finally:
        _git(root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(tmp, ignore_errors=True)
        _git(root, "worktree", "prune")
