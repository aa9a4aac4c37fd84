"""Monthly list prices of planned resources: the bundled, dated table, optionally refreshed live.

The plan prices what a stack asks for (sizes, node counts, volume GiB, registry tier), never usage
(bandwidth, storage overage, job runtime). A price that cannot be known is ``None`` and shown as
"unknown", never 0: a resource that is free (VPC, firewall, DNS) is 0 with the reason "no charge".
``--live-prices`` replaces the droplet sizes, App Platform instance sizes and registry tiers with
what the API answers (``/v2/sizes``, ``/v2/apps/tiers/instance_sizes``, ``/v2/registries/options``);
in a refreshed family a slug the API does not list is unknown rather than the stale bundled price.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from do_platform.errors import PlatformError, from_http_error

PREFIX = "digitalocean:index/"
DROPLET = "digitalocean:index/droplet:Droplet"
VOLUME = "digitalocean:index/volume:Volume"
LOAD_BALANCER = "digitalocean:index/loadBalancer:LoadBalancer"
DATABASE_CLUSTER = "digitalocean:index/databaseCluster:DatabaseCluster"
DATABASE_REPLICA = "digitalocean:index/databaseReplica:DatabaseReplica"
KUBERNETES_CLUSTER = "digitalocean:index/kubernetesCluster:KubernetesCluster"
KUBERNETES_NODE_POOL = "digitalocean:index/kubernetesNodePool:KubernetesNodePool"
APP = "digitalocean:index/app:App"
CONTAINER_REGISTRY = "digitalocean:index/containerRegistry:ContainerRegistry"
SPACES_BUCKET = "digitalocean:index/spacesBucket:SpacesBucket"

# DigitalOcean resources that carry no charge of their own.
FREE_TYPES = frozenset(PREFIX + t for t in (
    "vpc:Vpc", "firewall:Firewall", "domain:Domain", "dnsRecord:DnsRecord", "certificate:Certificate",
    "project:Project", "projectResources:ProjectResources", "tag:Tag", "sshKey:SshKey",
    "databaseFirewall:DatabaseFirewall", "databaseUser:DatabaseUser", "databaseDb:DatabaseDb",
    "databaseConnectionPool:DatabaseConnectionPool", "databasePostgresqlConfig:DatabasePostgresqlConfig",
    "containerRegistryDockerCredentials:ContainerRegistryDockerCredentials", "monitorAlert:MonitorAlert",
    "uptimeAlert:UptimeAlert", "reservedIpAssignment:ReservedIpAssignment", "volumeAttachment:VolumeAttachment",
    "vpcPeering:VpcPeering",
    "kubernetesClusterRegistryIntegration:KubernetesClusterRegistryIntegration",
))


@dataclass(frozen=True)
class Price:
    """The monthly price of one resource; ``monthly is None`` means unknown (with the reason in ``basis``)."""

    monthly: float | None
    basis: str
    source: str = ""

    @property
    def known(self) -> bool:
        return self.monthly is not None


@dataclass(frozen=True)
class PriceTable:
    """List prices per month. ``sources`` says, per family, whether a price is bundled (dated) or live."""

    as_of: str
    currency: str
    droplet_sizes: dict[str, float]
    droplet_backups_fraction: float
    lb_per_size_unit: float
    lb_sizes: dict[str, float]
    database_sizes_per_node: dict[str, float]
    kubernetes_ha_control_plane: float
    app_instance_sizes: dict[str, float]
    volume_per_gib: float
    registry_tiers: dict[str, float]
    sources: dict[str, str] = field(default_factory=dict)

    def source(self, family: str) -> str:
        return self.sources.get(family, f"bundled {self.as_of}")


def load_bundled() -> PriceTable:
    """The table shipped in ``do_platform/data/prices.json``."""
    raw = json.loads(resources.files("do_platform.data").joinpath("prices.json").read_text(encoding="utf-8"))
    return PriceTable(
        as_of=raw["as_of"],
        currency=raw["currency"],
        droplet_sizes=dict(raw["droplet_sizes"]),
        droplet_backups_fraction=float(raw["droplet_backups_fraction"]),
        lb_per_size_unit=float(raw["load_balancer"]["per_size_unit"]),
        lb_sizes=dict(raw["load_balancer"]["sizes"]),
        database_sizes_per_node=dict(raw["database_sizes_per_node"]),
        kubernetes_ha_control_plane=float(raw["kubernetes"]["ha_control_plane"]),
        app_instance_sizes=dict(raw["app_instance_sizes"]),
        volume_per_gib=float(raw["volume_per_gib"]),
        registry_tiers=dict(raw["registry_tiers"]),
    )


@dataclass(frozen=True)
class LiveRefresh:
    table: PriceTable
    notes: list[str]


def refresh_live(table: PriceTable, client) -> LiveRefresh:
    """Replace the families the API prices (droplet sizes, app instance sizes, registry tiers).

    A family whose call fails keeps the bundled prices and says so in ``notes``; nothing is guessed.
    """
    from do_platform.api.reader import ApiReader

    api = ApiReader.of(client)
    notes: list[str] = []
    updates: dict[str, Any] = {}
    sources = dict(table.sources)

    def attempt(family: str, what: str, fetch) -> None:
        try:
            with api.labelled(what):
                prices = fetch()
        except PlatformError as err:
            notes.append(f"{err.message}; using bundled prices of {table.as_of}")
            return
        except Exception as exc:  # noqa: BLE001 - any other failure (unreachable): keep the bundled family, say why
            notes.append(f"{from_http_error(exc, what).message}; using bundled prices of {table.as_of}")
            return
        if not prices:  # e.g. a 404 body PyDo returns instead of raising
            notes.append(f"{what}: the API listed no prices; using bundled prices of {table.as_of}")
            return
        updates[family] = prices
        sources[family] = "live"

    attempt("droplet_sizes", "droplet sizes (/v2/sizes)",
            lambda: {slug: float(s["price_monthly"]) for slug, s in api.sizes().items()
                     if slug and s.get("price_monthly") is not None})
    attempt("app_instance_sizes", "App Platform instance sizes",
            lambda: {slug: float(s["usd_per_month"]) for slug, s in api.app_instance_sizes().items()
                     if slug and s.get("usd_per_month") not in (None, "")})
    attempt("registry_tiers", "registry subscription tiers",
            lambda: {t["slug"]: int(t["monthly_price_in_cents"]) / 100
                     for t in api.registry_options().get("subscription_tiers") or []
                     if t.get("slug") and t.get("monthly_price_in_cents") is not None})
    notes.append(f"load balancer, database, Kubernetes HA and volume prices have no API: bundled {table.as_of}")
    return LiveRefresh(replace(table, sources=sources, **updates), notes)


def _get(props: dict, *names: str, default=None):
    """A property by its engine (camelCase) or Python (snake_case) name."""
    for name in names:
        if isinstance(props, dict) and props.get(name) is not None:
            return props[name]
    return default


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _count(value, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _per_unit(table_map: dict[str, float], slug, count: int, what: str, source: str) -> Price:
    if slug is None:
        return Price(None, f"{what} size not set (unknown until the provider picks one)", source)
    unit = table_map.get(str(slug))
    if unit is None:
        return Price(None, f"{what} size {slug!r} is not in the price table ({source})", source)
    basis = f"{count} × {slug} @ {_money(unit)}" if count != 1 else f"{slug} @ {_money(unit)}"
    return Price(unit * count, basis, source)


def _node_pool(pool: dict, table: PriceTable) -> Price:
    size = _get(pool, "size")
    auto = bool(_get(pool, "autoScale", "auto_scale", default=False))
    count = _get(pool, "nodeCount", "node_count")
    if count is None and auto:
        count = _get(pool, "minNodes", "min_nodes")
    price = _per_unit(table.droplet_sizes, size, _count(count, 1), "node", table.source("droplet_sizes"))
    if auto and price.known:
        top = _get(pool, "maxNodes", "max_nodes")
        if top is not None and size in table.droplet_sizes:
            price = replace(price, basis=f"{price.basis} (autoscale up to {top}: "
                                         f"{_money(table.droplet_sizes[size] * _count(top))})")
    return price


def _app(spec: dict, table: PriceTable) -> Price:
    source = table.source("app_instance_sizes")
    total, parts, unknown = 0.0, [], []
    for kind in ("services", "workers"):
        for comp in _get(spec, kind, default=[]) or []:
            name = _get(comp, "name", default="?")
            price = _per_unit(table.app_instance_sizes, _get(comp, "instanceSizeSlug", "instance_size_slug"),
                              _count(_get(comp, "instanceCount", "instance_count"), 1), f"{kind[:-1]} {name}", source)
            if price.known:
                total += price.monthly
                parts.append(f"{name}: {price.basis}")
            else:
                unknown.append(price.basis)
    for db in _get(spec, "databases", default=[]) or []:
        if not _get(db, "production", default=False):
            unknown.append(f"dev database {_get(db, 'name', default='?')} is not in the price table")
    if unknown:
        return Price(None, "; ".join(unknown), source)
    if not parts:
        return Price(0.0, "static sites and jobs only (usage-based, not priced)", source)
    return Price(total, "; ".join(parts), source)


def _droplet(props: dict[str, Any], table: PriceTable) -> Price:
    price = _per_unit(table.droplet_sizes, _get(props, "size"), 1, "droplet", table.source("droplet_sizes"))
    if price.known and _get(props, "backups", default=False):
        extra = price.monthly * table.droplet_backups_fraction
        price = replace(price, monthly=price.monthly + extra, basis=f"{price.basis} + backups {_money(extra)}")
    return price


def _kubernetes_cluster(props: dict[str, Any], table: PriceTable) -> Price:
    pool = _get(props, "nodePool", "node_pool", default={}) or {}
    price = _node_pool(pool, table) if pool else Price(0.0, "no default node pool", f"bundled {table.as_of}")
    if _get(props, "ha", default=False):
        ha = table.kubernetes_ha_control_plane
        basis = f"{price.basis} + HA control plane {_money(ha)}"
        return replace(price, monthly=price.monthly + ha if price.known else None, basis=basis)
    return price


def price_resource(resource_type: str, props: dict[str, Any], table: PriceTable) -> Price:
    """The monthly list price of one planned resource from its inputs."""
    props = props or {}
    bundled = f"bundled {table.as_of}"
    if resource_type == DROPLET:
        return _droplet(props, table)
    if resource_type == KUBERNETES_NODE_POOL:
        return _node_pool(props, table)
    if resource_type == KUBERNETES_CLUSTER:
        return _kubernetes_cluster(props, table)
    if resource_type == LOAD_BALANCER:
        units = _get(props, "sizeUnit", "size_unit")
        if units is not None:
            n = _count(units)
            return Price(n * table.lb_per_size_unit, f"{n} node(s) @ {_money(table.lb_per_size_unit)}", bundled)
        size = _get(props, "size")
        if size is None:
            return Price(table.lb_per_size_unit, f"1 node (default) @ {_money(table.lb_per_size_unit)}", bundled)
        return _per_unit(table.lb_sizes, size, 1, "load balancer", bundled)
    if resource_type in (DATABASE_CLUSTER, DATABASE_REPLICA):
        nodes = _count(_get(props, "nodeCount", "node_count"), 1) if resource_type == DATABASE_CLUSTER else 1
        return _per_unit(table.database_sizes_per_node, _get(props, "size"), nodes, "database node", bundled)
    if resource_type == VOLUME:
        size = _get(props, "size")
        if size is None:
            return Price(None, "volume size not set", bundled)
        gib = float(size)
        return Price(gib * table.volume_per_gib, f"{gib:g} GiB @ {_money(table.volume_per_gib)}/GiB", bundled)
    if resource_type == CONTAINER_REGISTRY:
        tier = _get(props, "subscriptionTierSlug", "subscription_tier_slug")
        return _per_unit(table.registry_tiers, tier, 1, "registry tier", table.source("registry_tiers"))
    if resource_type == APP:
        return _app(_get(props, "spec", default={}) or {}, table)
    if resource_type == SPACES_BUCKET:
        return Price(0.0, "billed by the account's Spaces subscription, not per bucket", bundled)
    if resource_type in FREE_TYPES or not resource_type.startswith(PREFIX):
        return Price(0.0, "no charge", bundled)
    return Price(None, f"no price rule for {resource_type}", bundled)
