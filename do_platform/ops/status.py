"""Live status of what a stack created, read through the API (GETs only).

A stack's resources are found two ways and merged: by the ``env:<stack>`` tag every taggable
resource carries (droplets, database clusters, Kubernetes clusters; see ``components/tagging.py``)
and by membership of the stack's project ``do-platform-<stack>`` (load balancers and apps carry no
tags). Load balancers are also found by the droplet tag they target; certificates by the load
balancers' forwarding rules; the object store's bucket by its project membership (Spaces has no tags), its key
by name and its CDN endpoint by origin. What the stack's config enables but the account lacks is reported as
``missing``. Teardown is ``pulumi destroy``; this module never changes anything.

Each kind of resource has its collector (``COLLECTORS``: a function of a :class:`Scan` returning rows);
every read goes through :class:`~do_platform.api.reader.ApiReader` (cached, 404 as ``None``).

What the API does not expose: per-droplet health-check results of a load balancer (its droplets'
own status is shown instead) and the health of individual Kubernetes pods.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from components import web_cluster
from components.app_service import app_name
from components.naming import do_name
from components.tagging import component_tag, env_tag
from do_platform.api.reader import ApiReader
from do_platform.composition import DATABASE, KUBERNETES, NETWORK, OBJECT_STORE, WEB, private_egress, project_name
from do_platform.config import Component, StackConfig

APP_LIVE = {"ACTIVE"}
REPLICA_LIVE = {"online", "active"}  # the API documents "active"; the provider waits for "online"


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

    @property
    def deployed(self) -> bool:
        """False when nothing of the stack exists: no project and every row ``missing`` (never deployed, or
        destroyed): a plain sentence, not a table of missing rows."""
        return self.project is not None or any(r.state != "missing" for r in self.resources)

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "project": self.project, "deployed": self.deployed, "healthy": self.healthy,
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


# The program's logical names (WEB, DATABASE, KUBERNETES from do_platform.composition) give the DigitalOcean
# names status looks for (``do_name(stack, WEB, "lb")``...); the web droplets carry their component's tag.
WEB_TAG = component_tag(web_cluster.KIND)
WORKER_TAG = "k8s:worker"  # DOKS worker droplets: reported under their node pool, not as droplets


@dataclass
class Scan:
    """What every collector reads from: the config, the one reader, and the stack's project members.

    The stack's droplets and load balancers are derived once (several collectors look at them); every
    API read behind them is cached by the reader, so a collector run alone makes the same requests.
    """

    cfg: StackConfig
    api: ApiReader
    project: dict | None = None
    urns: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, api: ApiReader, cfg: StackConfig) -> Scan:
        project = next((p for p in api.projects() if p.get("name") == project_name(cfg.stack)), None)
        return cls(cfg, api, project, api.project_urns(project["id"]) if project else [])

    @property
    def tag(self) -> str:
        return env_tag(self.cfg.stack)

    def members(self, kind: str) -> set[str]:
        """Ids of the project's members of one kind (``droplet``, ``dbaas``, ``kubernetes``...)."""
        return _urn_ids(self.urns, kind)

    def with_members(self, kind: str, tagged: dict[str, dict], read: Callable[[str], dict | None]) -> dict[str, dict]:
        """``tagged`` plus the project's members of ``kind`` it lacks, each read by id (one gone since is skipped)."""
        found = dict(tagged)
        for member_id in sorted(self.members(kind) - set(found)):
            item = read(member_id)
            if item is not None:
                found[member_id] = item
        return found

    @functools.cached_property
    def droplets(self) -> dict[str, dict]:
        """By tag, plus project members (a droplet whose tags were edited by hand still shows)."""
        tagged = {str(d["id"]): d for d in self.api.droplets(self.tag) if WORKER_TAG not in (d.get("tags") or [])}
        return self.with_members("droplet", tagged, self.api.droplet)

    @functools.cached_property
    def load_balancers(self) -> list[dict]:
        """Project members, or those targeting a tag the stack's droplets carry."""
        droplet_tags = {t for d in self.droplets.values() for t in d.get("tags") or [] if t != self.tag}
        ids = self.members("loadbalancer")
        return [lb for lb in self.api.load_balancers()
                if lb.get("id") in ids or (lb.get("tag") and lb["tag"] in droplet_tags)]


def missing(kind: str, name: str, detail: str) -> ResourceStatus:
    return ResourceStatus(kind, name, "", "missing", False, detail)


def collect_droplets(scan: Scan) -> list[ResourceStatus]:
    """Every droplet of the stack; fewer web droplets than configured (an autoscale pool's floor) is missing."""
    rows = [droplet_row(d) for d in scan.droplets.values()]
    web = scan.cfg.web
    want = web.autoscale.min_instances if web.autoscale else web.count
    web_count = sum(WEB_TAG in (d.get("tags") or []) for d in scan.droplets.values())
    if scan.cfg.enabled(Component.web) and web_count < want:
        rows.append(missing("droplet", f"web x{want}", f"{web_count} of {want} web droplets found with tag {scan.tag}"))
    return rows


def autoscale_pool_row(pool: dict, history: list[dict]) -> ResourceStatus:
    """Current against desired size: healthy when active and every droplet the pool wants is running.

    The desired size is the latest scaling event's (the pool's own decision), else its floor."""
    config = pool.get("config") or {}
    current = int(pool.get("active_resources_count") or 0)
    latest = max(history, key=lambda e: e.get("created_at") or "", default={})
    floor = config.get("target_number_instances", config.get("min_instances"))
    desired = latest.get("desired_instance_count", floor)
    span = (f"{config.get('min_instances')}..{config.get('max_instances')}" if "min_instances" in config
            else f"static {config.get('target_number_instances')}")
    util = pool.get("current_utilization") or {}
    usage = ", ".join(f"{k} {float(util[k]):.0%}" for k in ("cpu", "memory") if util.get(k) is not None)
    state = pool.get("status", "?")
    template = pool.get("droplet_template") or {}
    detail = (f"current {current}, desired {desired} ({span}), {template.get('size', '?')}"
              + (f"; utilization {usage}" if usage else ""))
    return ResourceStatus("autoscale_pool", pool.get("name", "?"), pool.get("id", ""), state,
                          state == "active" and desired is not None and current >= int(desired) > 0, detail)


def collect_autoscale_pools(scan: Scan) -> list[ResourceStatus]:
    """The web pool, by the name the component gives it or by the stack's tag in its droplet template."""
    name = do_name(scan.cfg.stack, WEB, "pool")
    pools = [p for p in scan.api.autoscale_pools()
             if p.get("name") == name or scan.tag in ((p.get("droplet_template") or {}).get("tags") or [])]
    rows = [autoscale_pool_row(p, scan.api.autoscale_history(p["id"])) for p in pools]
    if scan.cfg.enabled(Component.web) and scan.cfg.web.autoscale is not None and not pools:
        rows.append(missing("autoscale_pool", name, "no autoscale pool with this name or the stack's tag"))
    return rows


def nat_gateway_row(gateway: dict) -> ResourceStatus:
    egress = [g.get("ipv4") for g in ((gateway.get("egresses") or {}).get("public_gateways") or []) if g.get("ipv4")]
    state = gateway.get("state", "?")
    return ResourceStatus("nat_gateway", gateway.get("name", "?"), gateway.get("id", ""), state, state == "ACTIVE",
                          f"size {gateway.get('size', '?')}, egress {', '.join(egress) or '-'}")


def collect_nat_gateways(scan: Scan) -> list[ResourceStatus]:
    """The VPC NAT gateway the private web droplets leave through (named by SecureNetwork)."""
    name = do_name(scan.cfg.stack, NETWORK, "nat")
    rows = [nat_gateway_row(g) for g in scan.api.nat_gateways() if g.get("name") == name]
    if private_egress(scan.cfg) and not rows:
        rows.append(missing("nat_gateway", name, "web.privateEgress is on but the VPC has no NAT gateway: the web "
                            "droplets cannot reach the internet"))
    return rows


def load_balancer_row(scan: Scan, lb: dict) -> ResourceStatus:
    """Healthy when active with droplets behind it, every one of them active."""
    members = [str(i) for i in lb.get("droplet_ids") or []]
    states = {}
    for m in members:
        d = scan.droplets.get(m) or scan.api.droplet(m)
        states[m] = d.get("status", "?") if d else "gone"
    bad = {m: s for m, s in states.items() if s != "active"}
    state = lb.get("status", "?")
    detail = f"ip {lb.get('ip') or '-'}, {len(members) - len(bad)}/{len(members)} droplets active"
    if bad:
        detail += " (" + ", ".join(f"{m} {s}" for m, s in sorted(bad.items())) + ")"
    elif not members:
        detail += " (no droplets behind it)"
    return ResourceStatus("load_balancer", lb.get("name", "?"), lb.get("id", ""), state,
                          state == "active" and bool(members) and not bad, detail)


def collect_load_balancers(scan: Scan) -> list[ResourceStatus]:
    rows = [load_balancer_row(scan, lb) for lb in scan.load_balancers]
    if scan.cfg.enabled(Component.web) and not scan.load_balancers:
        rows.append(missing("load_balancer", do_name(scan.cfg.stack, WEB, "lb"),
                            "no load balancer in the project or targeting the stack's droplets"))
    return rows


def collect_certificates(scan: Scan) -> list[ResourceStatus]:
    """The certificates the stack's load balancers' forwarding rules name."""
    cert_ids = {rule["certificate_id"]: lb.get("name", "?") for lb in scan.load_balancers
                for rule in lb.get("forwarding_rules") or [] if rule.get("certificate_id")}
    rows = []
    for cert_id, lb_name in sorted(cert_ids.items()):
        cert = scan.api.certificate(cert_id)
        if cert is None:
            rows.append(ResourceStatus("certificate", cert_id, cert_id, "missing", False,
                                       f"referenced by {lb_name} but does not exist"))
            continue
        state = cert.get("state", "?")
        rows.append(ResourceStatus(
            "certificate", cert.get("name", "?"), cert_id, state, state == "verified",
            f"{', '.join(cert.get('dns_names') or []) or cert.get('type', '')}; expires {cert.get('not_after', '?')}"))
    return rows


def replica_row(cluster: dict, replica: dict) -> ResourceStatus:
    """A read-only replica: healthy once it serves reads; where it lives and whether it is in a VPC."""
    state = replica.get("status", "?")
    vpc = f", VPC {replica['private_network_uuid']}" if replica.get("private_network_uuid") else ", no VPC"
    return ResourceStatus("database_replica", f"{cluster.get('name', '?')}/{replica.get('name', '?')}",
                          replica.get("id", ""), state, state in REPLICA_LIVE,
                          f"{replica.get('size', '?')} in {replica.get('region', '?')}{vpc}")


def collect_databases(scan: Scan) -> list[ResourceStatus]:
    """By tag, plus project members; each cluster followed by its read-only replicas (and the configured ones
    that are missing)."""
    dbs = scan.with_members("dbaas", {c["id"]: c for c in scan.api.databases(scan.tag)}, scan.api.database)
    rows = []
    replica_names: set[str] = set()
    for c in dbs.values():
        state = c.get("status", "?")
        rows.append(ResourceStatus("database", c.get("name", "?"), c["id"], state, state == "online",
                                   f"{c.get('engine', '?')} {c.get('version', '?')}, "
                                   f"{c.get('num_nodes', '?')} node(s), {c.get('size', '?')}"))
        replicas = scan.api.database_replicas(c["id"]) if c.get("engine") in ("pg", "mysql") else []
        rows += [replica_row(c, r) for r in replicas]
        replica_names |= {r.get("name") for r in replicas}
    if scan.cfg.enabled(Component.database) and not dbs:
        rows.append(missing("database", do_name(scan.cfg.stack, DATABASE), f"no database cluster tagged {scan.tag}"))
    elif scan.cfg.enabled(Component.database):
        cluster = do_name(scan.cfg.stack, DATABASE)
        rows += [missing("database_replica", f"{cluster}/{name}", "configured in database.replicas, not found")
                 for r in scan.cfg.database.replicas if (name := do_name(cluster, r.name)) not in replica_names]
    return rows


def node_pool_row(cluster: dict, pool: dict) -> ResourceStatus:
    """Ready when every node runs and there are at least as many as the pool wants (and it wants some)."""
    nodes = pool.get("nodes") or []
    running = sum((n.get("status") or {}).get("state") == "running" for n in nodes)
    want = pool.get("count", len(nodes))
    ready = running == len(nodes) and running >= want and want > 0
    scale = f", autoscale {pool.get('min_nodes')}..{pool.get('max_nodes')}" if pool.get("auto_scale") else ""
    return ResourceStatus("node_pool", f"{cluster.get('name', '?')}/{pool.get('name', '?')}", pool.get("id", ""),
                          "ready" if ready else "not ready", ready,
                          f"{running}/{want} nodes running, {pool.get('size')}{scale}")


def collect_kubernetes(scan: Scan) -> list[ResourceStatus]:
    """Tagged clusters or project members, each followed by its node pools."""
    ids = scan.members("kubernetes")
    clusters = [c for c in scan.api.kubernetes_clusters() if scan.tag in (c.get("tags") or []) or c.get("id") in ids]
    rows = []
    for c in clusters:
        state = (c.get("status") or {}).get("state", "?")
        rows.append(ResourceStatus("kubernetes", c.get("name", "?"), c["id"], state, state == "running",
                                   f"version {c.get('version', '?')}, ha {bool(c.get('ha'))}"))
        rows += [node_pool_row(c, pool) for pool in scan.api.node_pools(c["id"])]
    if scan.cfg.enabled(Component.kubernetes) and not clusters:
        rows.append(missing("kubernetes", do_name(scan.cfg.stack, KUBERNETES),
                            f"no Kubernetes cluster tagged {scan.tag}"))
    return rows


def app_row(app: dict) -> ResourceStatus:
    """Healthy when the active deployment is live; a deployment in progress is shown beside it."""
    active = app.get("active_deployment") or {}
    busy = app.get("in_progress_deployment") or {}
    phase = active.get("phase") or ("none" if not busy else busy.get("phase", "?"))
    detail = f"live {app.get('live_url')}" if app.get("live_url") else "no live URL"
    if active.get("id"):
        detail += f"; active deployment {active['id'][:8]}"
    if busy:
        detail += f"; deploying {busy.get('id', '?')[:8]} ({busy.get('phase', '?')})"
    return ResourceStatus("app", (app.get("spec") or {}).get("name", "?"), app.get("id", ""), phase,
                          active.get("phase") in APP_LIVE, detail)


def collect_apps(scan: Scan) -> list[ResourceStatus]:
    """Project members, or named as the component names them (``app_name(stack, app)``)."""
    cfg = scan.cfg
    ids = scan.members("app")
    expected = {app_name(cfg.stack, a.name) for a in cfg.apps} if cfg.enabled(Component.apps) else set()
    rows = [app_row(a) for a in scan.api.apps()
            if a.get("id") in ids or (a.get("spec") or {}).get("name") in expected]
    found = {r.name for r in rows}
    rows += [missing("app", name, "no app with this name") for name in sorted(expected - found)]
    return rows


def collect_domain(scan: Scan) -> list[ResourceStatus]:
    domain = scan.cfg.domain
    if not domain or not scan.cfg.enabled(Component.dns):
        return []
    zone = scan.api.domain(domain)
    return [ResourceStatus("domain", domain, domain, "present" if zone else "missing", zone is not None,
                           "DigitalOcean DNS zone" if zone else "not in DigitalOcean DNS")]


def collect_object_store(scan: Scan) -> list[ResourceStatus]:
    """The bucket (a member of the stack's project: Spaces has no tags and its buckets speak S3, not this API),
    the key scoped to it, and the CDN endpoint in front of it."""
    cfg = scan.cfg
    store = cfg.object_store
    if not store.enabled:
        return []
    bucket = store.bucket_for(cfg.stack)
    rows = [ResourceStatus("bucket", bucket, bucket, "present", True,
                           f"Spaces bucket in {cfg.region}, member of {project_name(cfg.stack)}")
            if f"do:space:{bucket}" in scan.urns else
            missing("bucket", bucket, f"not a member of project {project_name(cfg.stack)}")]
    key_name = do_name(cfg.stack, OBJECT_STORE, "key")
    keys = [k for k in scan.api.spaces_keys() if k.get("name") == key_name]
    for key in keys:
        grants = {(g.get("bucket"), g.get("permission")) for g in key.get("grants") or []}
        wanted = (bucket, store.key_permission)
        rows.append(ResourceStatus(
            "spaces_key", key_name, key.get("access_key", "?"), "active" if wanted in grants else "mis-scoped",
            grants == {wanted}, ", ".join(f"{p} on {b or 'every bucket'}" for b, p in sorted(grants)) or "no grant"))
    if not keys:
        rows.append(missing("spaces_key", key_name, f"no Spaces key with this name (wanted: {store.key_permission} "
                            f"on {bucket})"))
    if store.cdn.enabled:
        origin = f"{bucket}.{cfg.region}.digitaloceanspaces.com"
        host = f"{store.cdn.subdomain}.{cfg.domain}" if store.cdn.subdomain and cfg.domain else None
        cdn = next((e for e in scan.api.cdn_endpoints() if e.get("origin") == origin), None)
        if cdn is None:
            rows.append(missing("cdn", origin, "no CDN endpoint for the bucket"))
        else:
            custom = cdn.get("custom_domain")
            ok = custom == host if host else True
            rows.append(ResourceStatus("cdn", cdn.get("endpoint", "?"), cdn.get("id", ""),
                                       "active" if ok else "custom domain differs", ok,
                                       f"ttl {cdn.get('ttl', '?')} s" + (f", custom domain {custom}" if custom else "")
                                       + (f" (wanted {host})" if not ok else "")))
    return rows


Collector = Callable[[Scan], list[ResourceStatus]]
COLLECTORS: tuple[Collector, ...] = (
    collect_droplets, collect_load_balancers, collect_certificates, collect_databases, collect_kubernetes,
    collect_apps, collect_domain, collect_object_store, collect_autoscale_pools, collect_nat_gateways)


def collect(client, cfg: StackConfig) -> StackStatus:
    """Read everything the stack created and judge it; raises PlatformError on API failures."""
    api = ApiReader.of(client)
    with api.labelled(f"status of stack {cfg.stack!r}"):
        scan = Scan.of(api, cfg)
        out = StackStatus(cfg.stack, scan.project.get("name") if scan.project else None)
        if scan.project is None:
            out.notes.append(f"no project {project_name(cfg.stack)}: load balancers and apps are found by tag "
                             "and name only")
        for collector in COLLECTORS:
            out.resources += collector(scan)
    if not out.deployed:
        out.notes = [f"stack {cfg.stack!r} has never been deployed to this account (or was destroyed): no project "
                     f"{project_name(cfg.stack)} and no resource tagged {scan.tag}; `pulumi up` on stack "
                     f"{cfg.stack} creates it"]
    return out
