"""Live status of what a stack created, read through the API (GETs only).

A stack's resources are found two ways and merged: by the ``env:<stack>`` tag every taggable
resource carries (droplets, database clusters, Kubernetes clusters; see ``components/tagging.py``)
and by membership of the stack's project ``do-platform-<stack>`` (load balancers and apps carry no
tags). Load balancers are also found by the droplet tag they target; certificates by the load
balancers' forwarding rules. What the stack's config enables but the account lacks is reported as
``missing``. Teardown is ``pulumi destroy``; this module never changes anything.

What the API does not expose: per-droplet health-check results of a load balancer (its droplets'
own status is shown instead) and the health of individual Kubernetes pods.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from components.naming import do_name
from components.tagging import env_tag
from do_platform.api.reader import ApiReader
from do_platform.config import Component, StackConfig

PROJECT_PREFIX = "do-platform-"  # the program names the stack's project do-platform-<stack>
APP_LIVE = {"ACTIVE"}


@dataclass(frozen=True)
class ResourceStatus:
    """One row: a resource, its raw API state, and whether that state is healthy."""

    kind: str
    name: str
    id: str
    state: str
    healthy: bool
    detail: str = ""


@dataclass
class StackStatus:
    stack: str
    project: str | None
    resources: list[ResourceStatus] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def unhealthy(self) -> list[ResourceStatus]:
        return [r for r in self.resources if not r.healthy]

    @property
    def healthy(self) -> bool:
        return bool(self.resources) and not self.unhealthy

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "project": self.project, "healthy": self.healthy,
                "resources": [asdict(r) for r in self.resources], "notes": list(self.notes)}


def _urn_ids(urns: list[str], kind: str) -> set[str]:
    prefix = f"do:{kind}:"
    return {u[len(prefix):] for u in urns if u.startswith(prefix)}


def droplet_row(d: dict, kind: str = "droplet") -> ResourceStatus:
    state = d.get("status", "?")
    private = next((n.get("ip_address") for n in (d.get("networks") or {}).get("v4") or []
                    if n.get("type") == "private"), None)
    return ResourceStatus(kind, d.get("name", "?"), str(d.get("id")), state, state == "active",
                          f"{d.get('size_slug', '?')} in {(d.get('region') or {}).get('slug', '?')}"
                          + (f", private {private}" if private else ""))


def collect(client, cfg: StackConfig) -> StackStatus:
    """Read everything the stack created and judge it; raises PlatformError on API failures."""
    api = ApiReader.of(client)
    with api.labelled(f"status of stack {cfg.stack!r}"):
        return _collect(api, cfg)


def _collect(api: ApiReader, cfg: StackConfig) -> StackStatus:
    stack, tag, on = cfg.stack, env_tag(cfg.stack), cfg.enabled
    project = next((p for p in api.projects() if p.get("name") == PROJECT_PREFIX + stack), None)
    urns = api.project_urns(project["id"]) if project else []
    out = StackStatus(stack, project.get("name") if project else None)
    if project is None:
        out.notes.append(f"no project {PROJECT_PREFIX + stack}: load balancers and apps are found by tag and name only")

    # Droplets: by tag, plus project members (a droplet whose tags were edited by hand still shows).
    # Kubernetes workers are droplets carrying their pool's tags; they are reported under their node pool.
    droplets = {str(d["id"]): d for d in api.droplets(tag) if "k8s:worker" not in (d.get("tags") or [])}
    for droplet_id in sorted(_urn_ids(urns, "droplet") - set(droplets)):
        found = api.droplet(droplet_id)
        if found is not None:
            droplets[droplet_id] = found
    for d in droplets.values():
        out.resources.append(droplet_row(d))
    web_count = sum("component:web-cluster" in (d.get("tags") or []) for d in droplets.values())
    if on(Component.web) and web_count < cfg.web.count:
        out.resources.append(ResourceStatus("droplet", f"web x{cfg.web.count}", "", "missing", False,
                                            f"{web_count} of {cfg.web.count} web droplets found with tag {tag}"))

    # Load balancers: project members, or those targeting a tag the stack's droplets carry.
    droplet_tags = {t for d in droplets.values() for t in d.get("tags") or [] if t != tag}
    lb_ids = _urn_ids(urns, "loadbalancer")
    lbs = [lb for lb in api.load_balancers() if lb.get("id") in lb_ids or (lb.get("tag") and lb["tag"] in droplet_tags)]
    cert_ids: dict[str, str] = {}
    for lb in lbs:
        members = [str(i) for i in lb.get("droplet_ids") or []]
        states = {}
        for m in members:
            d = droplets.get(m) or api.droplet(m)
            states[m] = d.get("status", "?") if d else "gone"
        bad = {m: s for m, s in states.items() if s != "active"}
        lb_state = lb.get("status", "?")
        ok = lb_state == "active" and bool(members) and not bad
        detail = f"ip {lb.get('ip') or '-'}, {len(members) - len(bad)}/{len(members)} droplets active"
        if bad:
            detail += " (" + ", ".join(f"{m} {s}" for m, s in sorted(bad.items())) + ")"
        elif not members:
            detail += " (no droplets behind it)"
        out.resources.append(ResourceStatus("load_balancer", lb.get("name", "?"), lb.get("id", ""), lb_state, ok,
                                            detail))
        for rule in lb.get("forwarding_rules") or []:
            if rule.get("certificate_id"):
                cert_ids[rule["certificate_id"]] = lb.get("name", "?")
    if on(Component.web) and not lbs:
        out.resources.append(ResourceStatus("load_balancer", do_name(stack, "web", "lb"), "", "missing", False,
                                            "no load balancer in the project or targeting the stack's droplets"))

    for cert_id, lb_name in sorted(cert_ids.items()):
        cert = api.certificate(cert_id)
        if cert is None:
            out.resources.append(ResourceStatus("certificate", cert_id, cert_id, "missing", False,
                                                f"referenced by {lb_name} but does not exist"))
            continue
        state = cert.get("state", "?")
        out.resources.append(ResourceStatus(
            "certificate", cert.get("name", "?"), cert_id, state, state == "verified",
            f"{', '.join(cert.get('dns_names') or []) or cert.get('type', '')}; expires {cert.get('not_after', '?')}"))

    # Databases: by tag, plus project members.
    dbs = {c["id"]: c for c in api.databases(tag)}
    for cluster_id in sorted(_urn_ids(urns, "dbaas") - set(dbs)):
        found = api.database(cluster_id)
        if found is not None:
            dbs[cluster_id] = found
    for c in dbs.values():
        state = c.get("status", "?")
        out.resources.append(ResourceStatus("database", c.get("name", "?"), c["id"], state, state == "online",
                                            f"{c.get('engine', '?')} {c.get('version', '?')}, "
                                            f"{c.get('num_nodes', '?')} node(s), {c.get('size', '?')}"))
    if on(Component.database) and not dbs:
        out.resources.append(ResourceStatus("database", do_name(stack, "db"), "", "missing", False,
                                            f"no database cluster tagged {tag}"))

    # Kubernetes: tagged clusters or project members; every pool ready when all its nodes run.
    k8s_ids = _urn_ids(urns, "kubernetes")
    clusters = [c for c in api.kubernetes_clusters() if tag in (c.get("tags") or []) or c.get("id") in k8s_ids]
    for c in clusters:
        state = (c.get("status") or {}).get("state", "?")
        out.resources.append(ResourceStatus("kubernetes", c.get("name", "?"), c["id"], state, state == "running",
                                            f"version {c.get('version', '?')}, ha {bool(c.get('ha'))}"))
        for pool in api.node_pools(c["id"]):
            nodes = pool.get("nodes") or []
            running = sum((n.get("status") or {}).get("state") == "running" for n in nodes)
            want = pool.get("count", len(nodes))
            ready = running == len(nodes) and running >= want and want > 0
            scale = (f", autoscale {pool.get('min_nodes')}..{pool.get('max_nodes')}" if pool.get("auto_scale")
                     else "")
            out.resources.append(ResourceStatus(
                "node_pool", f"{c.get('name', '?')}/{pool.get('name', '?')}", pool.get("id", ""),
                "ready" if ready else "not ready", ready, f"{running}/{want} nodes running, {pool.get('size')}{scale}"))
    if on(Component.kubernetes) and not clusters:
        out.resources.append(ResourceStatus("kubernetes", do_name(stack, "k8s"), "", "missing", False,
                                            f"no Kubernetes cluster tagged {tag}"))

    # Apps: project members, or named as the program names them (do_name(stack, app, limit=32)).
    app_ids = _urn_ids(urns, "app")
    expected = {do_name(stack, a.name, limit=32): a.name for a in cfg.apps} if on(Component.apps) else {}
    apps = [a for a in api.apps() if a.get("id") in app_ids or (a.get("spec") or {}).get("name") in expected]
    found_names = set()
    for a in apps:
        name = (a.get("spec") or {}).get("name", "?")
        found_names.add(name)
        active = a.get("active_deployment") or {}
        busy = a.get("in_progress_deployment") or {}
        phase = active.get("phase") or ("none" if not busy else busy.get("phase", "?"))
        ok = active.get("phase") in APP_LIVE
        detail = f"live {a.get('live_url')}" if a.get("live_url") else "no live URL"
        if active.get("id"):
            detail += f"; active deployment {active['id'][:8]}"
        if busy:
            detail += f"; deploying {busy.get('id', '?')[:8]} ({busy.get('phase', '?')})"
        out.resources.append(ResourceStatus("app", name, a.get("id", ""), phase, ok, detail))
    for name in sorted(set(expected) - found_names):
        out.resources.append(ResourceStatus("app", name, "", "missing", False, "no app with this name"))

    if cfg.domain and on(Component.dns):
        zone = api.domain(cfg.domain)
        out.resources.append(ResourceStatus("domain", cfg.domain, cfg.domain, "present" if zone else "missing",
                                            zone is not None, "DigitalOcean DNS zone" if zone else
                                            "not in DigitalOcean DNS"))
    if not out.resources:
        out.notes.append(f"nothing found for stack {stack!r} (tag {tag}, project {PROJECT_PREFIX + stack})")
    return out
