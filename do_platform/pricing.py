"""Monthly list prices of planned resources: the bundled, dated table, optionally refreshed live.

The plan prices what a stack asks for (sizes, node counts, volume GiB, registry tier, uptime checks), never
usage (bandwidth, registry storage beyond the tier, job runtime): those rates are in the table and shown in
the basis. Droplet, Managed Database and App Platform instance prices come from the one catalog
(``do_vocab/catalog.json``); the rest from ``do_platform/data/prices.json``, which records per family the
page, the day it was read and whether that reading confirmed the figure. A price that cannot be known is
``None`` and shown as "unknown", never 0: a resource that is free (VPC, firewall, DNS) is 0 with the reason
"no charge". ``--live-prices`` replaces the droplet sizes, App Platform instance sizes and registry tiers
with what the API answers (``/v2/sizes``, ``/v2/apps/tiers/instance_sizes``, ``/v2/registries/options``);
in a refreshed family a slug the API does not list is unknown rather than the stale bundled price.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from do_platform import numbers
from do_platform.errors import PlatformError, TokenRejected, from_http_error
from do_vocab import catalog

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
UPTIME_CHECK = "digitalocean:index/uptimeCheck:UptimeCheck"
CDN = "digitalocean:index/cdn:Cdn"
DROPLET_AUTOSCALE = "digitalocean:index/dropletAutoscale:DropletAutoscale"
VPC_NAT_GATEWAY = "digitalocean:index/vpcNatGateway:VpcNatGateway"
RESERVED_IP = "digitalocean:index/reservedIp:ReservedIp"
# Families the API prices: what --live-prices refreshes and `prices check` compares.
LIVE_FAMILIES = ("droplet_sizes", "app_instance_sizes", "registry_tiers")

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
    "spacesKey:SpacesKey", "spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration",
    "spacesBucketPolicy:SpacesBucketPolicy", "spacesBucketObject:SpacesBucketObject",
))


@dataclass(frozen=True)
class Price:
    """The monthly price of one resource; ``monthly is None`` means unknown (with the reason in ``basis``).

    A resource whose size moves on its own (an autoscale pool) costs a range: ``monthly`` at its floor,
    ``monthly_max`` at its ceiling (None: a fixed price, the same as ``monthly``)."""

    monthly: float | None
    basis: str
    source: str = ""
    monthly_max: float | None = None

    @property
    def known(self) -> bool:
        return self.monthly is not None

    @property
    def ceiling(self) -> float | None:
        """The most it can cost per month (``monthly`` unless it is a range)."""
        return self.monthly if self.monthly_max is None else self.monthly_max


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
    registry_included_storage_gib: dict[str, float] = field(default_factory=dict)
    registry_storage_overage_per_gib: float | None = None
    uptime_check: float | None = None
    spaces: dict[str, float] = field(default_factory=dict)  # subscription, included GiB, overage per GiB
    vpc_nat_gateway_per_size_unit: float | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def source(self, family: str) -> str:
        return self.sources.get(family, f"bundled {self.as_of}")

    @property
    def live_families(self) -> list[str]:
        return [f for f in LIVE_FAMILIES if self.sources.get(f) == "live"]


def describe_sources(as_of: str, sources: dict[str, str]) -> str:
    """The plan header's word on prices: bundled as of a date, or which families came live from the API."""
    live = [f.replace("_", " ") for f, src in sources.items() if src == "live"]
    if not live:
        return f"list prices as of {as_of}"
    return f"live prices from the API for {', '.join(live)}; the rest list prices as of {as_of}"


def load_bundled() -> PriceTable:
    """The bundled table: Droplet and App Platform prices from the catalog, the rest from ``prices.json``."""
    raw = json.loads(resources.files("do_platform.data").joinpath("prices.json").read_text(encoding="utf-8"))
    cat = catalog.load()
    return PriceTable(
        as_of=raw["as_of"],
        currency=raw["currency"],
        droplet_sizes={s["slug"]: float(s["price_monthly"]) for s in cat.droplet_sizes},
        droplet_backups_fraction=float(raw["droplet_backups_fraction"]),
        lb_per_size_unit=float(raw["load_balancer"]["per_size_unit"]),
        lb_sizes=dict(raw["load_balancer"]["sizes"]),
        database_sizes_per_node={s["slug"]: float(s["price_monthly_per_node"]) for s in cat.database_sizes
                                 if s.get("price_monthly_per_node") is not None},
        kubernetes_ha_control_plane=float(raw["kubernetes"]["ha_control_plane"]),
        app_instance_sizes={s["slug"]: float(s["usd_per_month"]) for s in cat.app_instance_sizes},
        volume_per_gib=float(raw["volume_per_gib"]),
        registry_tiers=dict(raw["registry_tiers"]),
        registry_included_storage_gib=dict(raw["registry_included_storage_gib"]),
        registry_storage_overage_per_gib=float(raw["registry_storage_overage_per_gib"]),
        uptime_check=float(raw["uptime_check"]),
        spaces={k: float(v) for k, v in raw["spaces"].items()},
        vpc_nat_gateway_per_size_unit=_optional_float((raw.get("vpc_nat_gateway") or {}).get("per_size_unit")),
    )


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


def fetch_live(client) -> dict[str, dict[str, float]]:
    """What the API prices today, per family (``/v2/sizes``, the apps instance sizes, the registry tiers).

    Read through the project's one reader; an empty family is the API listing nothing.
    """
    from do_platform.api.reader import ApiReader

    api = ApiReader.of(client)
    return {
        "droplet_sizes": _live_droplet_sizes(api),
        "app_instance_sizes": _live_app_instance_sizes(api),
        "registry_tiers": _live_registry_tiers(api),
    }


def _live_droplet_sizes(api) -> dict[str, float]:
    return {slug: float(s["price_monthly"]) for slug, s in api.sizes().items()
            if slug and s.get("price_monthly") is not None}


def _live_app_instance_sizes(api) -> dict[str, float]:
    return {slug: float(s["usd_per_month"]) for slug, s in api.app_instance_sizes().items()
            if slug and s.get("usd_per_month") not in (None, "")}


def _live_registry_tiers(api) -> dict[str, float]:
    return {t["slug"]: int(t["monthly_price_in_cents"]) / 100
            for t in api.registry_options().get("subscription_tiers") or []
            if t.get("slug") and t.get("monthly_price_in_cents") is not None}


@dataclass(frozen=True)
class LiveRefresh:
    table: PriceTable
    notes: list[str]


def refresh_live(table: PriceTable, client) -> LiveRefresh:
    """Replace the families the API prices (droplet sizes, app instance sizes, registry tiers).

    A family whose call fails keeps the bundled prices and says so in ``notes``; nothing is guessed. A token
    the API rejects is raised (TokenRejected), as in every other command.
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
        except TokenRejected:
            raise  # asked for live prices with a token the API refuses: the same error (and exit code) as elsewhere
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

    attempt("droplet_sizes", "droplet sizes (/v2/sizes)", lambda: _live_droplet_sizes(api))
    attempt("app_instance_sizes", "App Platform instance sizes", lambda: _live_app_instance_sizes(api))
    attempt("registry_tiers", "registry subscription tiers", lambda: _live_registry_tiers(api))
    notes.append(f"load balancer, database, Kubernetes HA, volume, uptime check and Spaces prices have no API: bundled "
                 f"{table.as_of}")
    return LiveRefresh(replace(table, sources=sources, **updates), notes)


def _get(props: dict, *names: str, default=None):
    """A property by its engine (camelCase) or Python (snake_case) name."""
    for name in names:
        if isinstance(props, dict) and props.get(name) is not None:
            return props[name]
    return default


_money = numbers.money


def _count(value, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _per_unit(table_map: dict[str, float], slug, number: int, what: str, source: str) -> Price:
    if slug is None:
        return Price(None, f"{what} size not set (unknown until the provider picks one)", source)
    unit = table_map.get(str(slug))
    if unit is None:
        return Price(None, f"{what} size {slug!r} is not in the price table ({source})", source)
    basis = f"{number} × {slug} @ {_money(unit)}" if number != 1 else f"{slug} @ {_money(unit)}"
    return Price(unit * number, basis, source)


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
            price = replace(price, basis=f"{price.basis} (autoscale up to {numbers.count(top)}: "
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


def _load_balancer(props: dict[str, Any], table: PriceTable) -> Price:
    bundled = f"bundled {table.as_of}"
    units = _get(props, "sizeUnit", "size_unit")
    if units is not None:
        n = _count(units)
        return Price(n * table.lb_per_size_unit, f"{n} node(s) @ {_money(table.lb_per_size_unit)}", bundled)
    size = _get(props, "size")
    if size is None:
        return Price(table.lb_per_size_unit, f"1 node (default) @ {_money(table.lb_per_size_unit)}", bundled)
    return _per_unit(table.lb_sizes, size, 1, "load balancer", bundled)


def _database(props: dict[str, Any], table: PriceTable, nodes: int) -> Price:
    return _per_unit(table.database_sizes_per_node, _get(props, "size"), nodes, "database node",
                     f"bundled {table.as_of}")


def _volume(props: dict[str, Any], table: PriceTable) -> Price:
    bundled = f"bundled {table.as_of}"
    size = _get(props, "size")
    if size is None:
        return Price(None, "volume size not set", bundled)
    gib = float(size)
    return Price(gib * table.volume_per_gib, f"{gib:g} GiB @ {_money(table.volume_per_gib)}/GiB", bundled)


def _registry(props: dict[str, Any], table: PriceTable) -> Price:
    tier = _get(props, "subscriptionTierSlug", "subscription_tier_slug")
    price = _per_unit(table.registry_tiers, tier, 1, "registry tier", table.source("registry_tiers"))
    included = table.registry_included_storage_gib.get(str(tier))
    if price.known and included is not None:
        extra = (f"storage beyond it {_money(table.registry_storage_overage_per_gib)}/GiB (usage, not priced)"
                 if tier != "starter" and table.registry_storage_overage_per_gib is not None
                 else "no storage beyond it")
        price = replace(price, basis=f"{price.basis}, includes {included:g} GiB; {extra}")
    return price


def _uptime_check(_props: dict[str, Any], table: PriceTable) -> Price:
    if table.uptime_check is None:
        return Price(None, "uptime check price not in the table", f"bundled {table.as_of}")
    return Price(table.uptime_check, f"1 check @ {_money(table.uptime_check)}", f"bundled {table.as_of}")


def _spaces_bucket(_props: dict[str, Any], table: PriceTable) -> Price:
    """The account's Spaces subscription: one per account however many buckets (the stack has one)."""
    sp = table.spaces
    if "subscription" not in sp:
        return Price(None, "Spaces subscription price not in the table", f"bundled {table.as_of}")
    return Price(sp["subscription"], f"Spaces subscription {_money(sp['subscription'])} (per account, however "
                 f"many buckets): includes {sp['included_storage_gib']:g} GiB stored and "
                 f"{sp['included_transfer_gib']:g} GiB transferred out; beyond, "
                 f"{_money(sp['storage_overage_per_gib'])}/GiB stored and {_money(sp['transfer_overage_per_gib'])}"
                 f"/GiB transferred (usage, not priced)", f"bundled {table.as_of}")


def _droplet_autoscale(props: dict[str, Any], table: PriceTable) -> Price:
    """A pool of ``minInstances`` .. ``maxInstances`` droplets of the template's size: a range."""
    config = _get(props, "config", default={}) or {}
    template = _get(props, "dropletTemplate", "droplet_template", default={}) or {}
    source = table.source("droplet_sizes")
    fixed = _get(config, "targetNumberInstances", "target_number_instances")
    low = _count(fixed if fixed is not None else _get(config, "minInstances", "min_instances"), 1)
    high = _count(fixed if fixed is not None else _get(config, "maxInstances", "max_instances"), low)
    price = _per_unit(table.droplet_sizes, _get(template, "size"), low, "pool droplet", source)
    if not price.known or high == low:
        return price
    unit = price.monthly / low
    return Price(price.monthly, f"autoscale {low} … {high} × {_get(template, 'size')} @ {_money(unit)}: "
                 f"{_money(price.monthly)} … {_money(unit * high)}", source, monthly_max=unit * high)


def _vpc_nat_gateway(props: dict[str, Any], table: PriceTable) -> Price:
    bundled = f"bundled {table.as_of}"
    unit = table.vpc_nat_gateway_per_size_unit
    if unit is None:
        return Price(None, "VPC NAT gateway price not in the table", bundled)
    n = _count(_get(props, "size"), 1)
    return Price(unit * n, f"{n} size unit(s) @ {_money(unit)} (preview product; data processed not priced)",
                 bundled)


# One pricing rule per priced resource type.
PRICE_RULES = {
    DROPLET: _droplet,
    KUBERNETES_NODE_POOL: _node_pool,
    KUBERNETES_CLUSTER: _kubernetes_cluster,
    LOAD_BALANCER: _load_balancer,
    DATABASE_CLUSTER: lambda props, table: _database(props, table, _count(_get(props, "nodeCount", "node_count"), 1)),
    DATABASE_REPLICA: lambda props, table: _database(props, table, 1),
    VOLUME: _volume,
    CONTAINER_REGISTRY: _registry,
    UPTIME_CHECK: _uptime_check,
    DROPLET_AUTOSCALE: _droplet_autoscale,
    VPC_NAT_GATEWAY: _vpc_nat_gateway,
    RESERVED_IP: lambda _props, table: Price(0.0, "no charge while assigned to a Droplet (the program assigns it)",
                                             f"bundled {table.as_of}"),
    APP: lambda props, table: _app(_get(props, "spec", default={}) or {}, table),
    SPACES_BUCKET: _spaces_bucket,
    CDN: lambda _props, table: Price(0.0, "included with Spaces: its transfer counts toward the subscription's",
                                     f"bundled {table.as_of}"),
}


def price_resource(resource_type: str, props: dict[str, Any], table: PriceTable) -> Price:
    """The monthly list price of one planned resource from its inputs."""
    rule = PRICE_RULES.get(resource_type)
    if rule is not None:
        return rule(props or {}, table)
    bundled = f"bundled {table.as_of}"
    if resource_type in FREE_TYPES or not resource_type.startswith(PREFIX):
        return Price(0.0, "no charge", bundled)
    return Price(None, f"no price rule for {resource_type}", bundled)
