"""ManagedPostgres: a pinned Postgres cluster in the VPC with exactly one authoritative firewall.

The DatabaseFirewall replaces the cluster's whole trusted-source list, so there must be one and only
one: callers hand their sources (droplet tags, app ids, Kubernetes cluster ids, private CIDRs) to
this component, which merges them. No public address is ever a trusted source. Connection URIs are
exported as secrets; ``protect`` guards the cluster in production.

Read-only replicas join the cluster's VPC (when in its region) with the same tags, and each gets its own
DatabaseFirewall with the cluster's rules: the API keeps one trusted-source list per replica, addressed by
the replica's ``uuid`` (its ``id`` is the provider's composite ``<cluster>/replicas/<name>``). PostgreSQL
settings go through the provider's config resource, checked against it (:mod:`components.postgres_settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pulumi
import pulumi_digitalocean as do

from components.naming import child_name, do_name, do_urn
from components.postgres_settings import settings_args
from components.tagging import standard_tags
from components.tokens import TYPE_TOKENS
from do_vocab.firewall_rules import parse_cidr
from do_vocab.names import DB_IDENTIFIER, DEFAULT_POSTGRES_VERSION, POSTGRES_VERSIONS, REPLICA_NAME, WEEKDAYS

KIND = "managed-postgres"


@dataclass(frozen=True)
class TrustedSources:
    """What may connect; ids may be Outputs (or one Output list each, e.g. a deferred list of app ids, which
    leaves the firewall's rules unknown at preview: prefer a tuple of Outputs, one per source)."""

    tags: tuple[pulumi.Input[str], ...] = ()
    droplet_ids: tuple[pulumi.Input[str], ...] = ()
    kubernetes_ids: tuple[pulumi.Input[str], ...] = ()
    app_ids: tuple[pulumi.Input[str], ...] | pulumi.Input[list[str]] = ()
    ip_ranges: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplicaSpec:
    """A read-only replica: one node of ``size`` in ``region`` (the cluster's VPC when it is the cluster's region)."""

    name: str
    size: str
    region: str


@dataclass(frozen=True)
class ManagedPostgresArgs:
    env: str
    region: str
    vpc_id: pulumi.Input[str]
    size: str = "db-s-1vcpu-1gb"
    version: str = DEFAULT_POSTGRES_VERSION
    node_count: int = 1
    databases: tuple[str, ...] = ("app",)
    users: tuple[str, ...] = ("app",)
    pool_size: int = 10
    maintenance_day: str = "sunday"
    maintenance_hour: str = "03:00"
    trusted: TrustedSources = TrustedSources()
    protect: bool = False
    extra_tags: tuple[str, ...] = ()
    replicas: tuple[ReplicaSpec, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)  # PostgreSQL settings by the provider's names


def validate_managed_postgres_args(args: ManagedPostgresArgs) -> None:
    if args.version not in POSTGRES_VERSIONS:
        raise ValueError(f"[version] {args.version!r} is not pinned to a supported major; allowed: "
                         f"{', '.join(POSTGRES_VERSIONS)}")
    if not 1 <= args.node_count <= 3:
        raise ValueError(f"[node_count] {args.node_count} is out of range; allowed: 1 to 3")
    if args.maintenance_day not in WEEKDAYS:
        raise ValueError(f"[maintenance_day] {args.maintenance_day!r}; allowed: {', '.join(WEEKDAYS)}")
    if not args.databases or not args.users:
        raise ValueError("[databases] and [users] need at least one name each")
    for item in (*args.databases, *args.users):
        if not DB_IDENTIFIER.match(item):
            raise ValueError(f"[databases]/[users] {item!r} is not an identifier; allowed: [a-z_][a-z0-9_]*")
    names = [r.name for r in args.replicas]
    for replica in args.replicas:
        if not REPLICA_NAME.match(replica.name):
            raise ValueError(f"[replicas] {replica.name!r} is not a replica name; allowed: lower-case letters, "
                             "digits and dashes, 2-20 characters")
    if len(set(names)) != len(names):
        raise ValueError(f"[replicas] {sorted(n for n in set(names) if names.count(n) > 1)} used twice; allowed: "
                         "unique names")
    settings_args(args.settings)  # raises on a setting the provider does not take
    t = args.trusted
    if not (t.tags or t.droplet_ids or t.kubernetes_ids or t.ip_ranges or not isinstance(t.app_ids, tuple | list)
            or t.app_ids):  # an Output list of app ids is only known later: firewall_rules checks it then
        raise ValueError("[trusted] no trusted source; allowed: at least one tag, droplet, Kubernetes cluster, app "
                         "or private CIDR (refused before the cluster exists, not after)")
    for cidr in t.ip_ranges:
        net = parse_cidr("trusted.ip_ranges", cidr)
        if not net.is_private or net.prefixlen == 0:
            raise ValueError(f"[trusted.ip_ranges] {cidr!r} is public; allowed: private CIDRs only (the VPC)")


def read_uri(user: str, password: str, host: str, port: int, database: str) -> str:
    """The replica's private URI for an app: its own user and database (never doadmin), TLS required."""
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{int(port)}/{database}" \
        "?sslmode=require"


def _as_list(value) -> pulumi.Output[list[str]]:
    if isinstance(value, tuple | list):
        return pulumi.Output.all(*value)
    return pulumi.Output.from_input(value)


def firewall_rules(tags, droplet_ids, kubernetes_ids, app_ids, ip_ranges) -> list[dict[str, str]]:
    """Merged, de-duplicated, sorted trusted sources: the one list the API keeps.

    An empty list would leave the cluster reachable from anywhere, so it is refused."""
    rules = {("tag", str(v)) for v in tags} | {("droplet", str(v)) for v in droplet_ids}
    rules |= {("k8s", str(v)) for v in kubernetes_ids} | {("app", str(v)) for v in app_ids}
    rules |= {("ip_addr", str(v)) for v in ip_ranges}
    if not rules:
        raise ValueError("[trusted] no trusted source; allowed: at least one tag, droplet, Kubernetes cluster, app "
                         "or private CIDR (an empty firewall would admit every address)")
    return [{"type": t, "value": v} for t, v in sorted(rules)]


def firewall_rule_args(t: TrustedSources) -> list[do.DatabaseFirewallRuleArgs] | pulumi.Output[list]:
    """The firewall's rules, with a shape known at preview whenever the program knows it.

    One rule per source with a literal ``type`` (and a literal ``value`` for tags and ip ranges), so a
    preview's guardrail sees every rule type and every trusted address; only resource ids wait for
    ``up``. Only a source given as one Output list (a list whose length is known later) makes the whole
    list an Output, as before.
    """
    groups = (("app", t.app_ids), ("droplet", t.droplet_ids), ("ip_addr", t.ip_ranges), ("k8s", t.kubernetes_ids),
              ("tag", t.tags))
    if not all(isinstance(values, tuple | list) for _, values in groups):
        return pulumi.Output.all(_as_list(t.tags), _as_list(t.droplet_ids), _as_list(t.kubernetes_ids),
                                 _as_list(t.app_ids)).apply(
            lambda parts: [do.DatabaseFirewallRuleArgs(type=r["type"], value=r["value"])
                           for r in firewall_rules(*parts, t.ip_ranges)])
    literal = {(kind, v) for kind, values in groups for v in values if isinstance(v, str)}  # sorted, once each
    rules = [do.DatabaseFirewallRuleArgs(type=kind, value=value) for kind, value in sorted(literal)]
    rules += [do.DatabaseFirewallRuleArgs(type=kind, value=v) for kind, values in groups for v in values
              if not isinstance(v, str)]
    if not rules:
        firewall_rules([], [], [], [], [])  # raises: an empty firewall would admit every address
    return rules


class ManagedPostgres(pulumi.ComponentResource):
    """Cluster, databases, users, a transaction-mode pool and the authoritative firewall."""

    cluster: do.DatabaseCluster
    firewall: do.DatabaseFirewall
    databases: dict[str, do.DatabaseDb]
    users: dict[str, do.DatabaseUser]
    pool: do.DatabaseConnectionPool

    def __init__(self, name: str, args: ManagedPostgresArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["ManagedPostgres"], name, None, opts)
        validate_managed_postgres_args(args)
        self.cluster_name = do_name(args.env, name)
        self.cluster = do.DatabaseCluster(
            child_name(name, "cluster"), name=self.cluster_name, engine="pg", version=args.version,
            size=args.size, region=args.region, node_count=args.node_count, private_network_uuid=args.vpc_id,
            maintenance_windows=[do.DatabaseClusterMaintenanceWindowArgs(day=args.maintenance_day,
                                                                         hour=args.maintenance_hour)],
            tags=standard_tags(args.env, KIND, args.extra_tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect,
                                        additional_secret_outputs=["uri", "private_uri", "password"]))
        # Children inherit the cluster's protect: the databases keep it (they hold the data); the firewall,
        # users and pool opt out so trusted sources, users and the pool stay changeable in production.
        under_cluster = pulumi.ResourceOptions(parent=self.cluster)
        editable = pulumi.ResourceOptions(parent=self.cluster, protect=False)
        rules = firewall_rule_args(args.trusted)
        self.firewall = do.DatabaseFirewall(child_name(name, "firewall"), cluster_id=self.cluster.id, rules=rules,
                                            opts=editable)
        self.databases = {db: do.DatabaseDb(child_name(name, "db", db), cluster_id=self.cluster.id, name=db,
                                            opts=under_cluster) for db in args.databases}
        self.users = {u: do.DatabaseUser(child_name(name, "user", u), cluster_id=self.cluster.id, name=u,
                                         opts=pulumi.ResourceOptions.merge(
                                             editable, pulumi.ResourceOptions(additional_secret_outputs=["password"])))
                      for u in args.users}
        first_db, first_user = args.databases[0], args.users[0]
        self.pool = do.DatabaseConnectionPool(
            child_name(name, "pool"), cluster_id=self.cluster.id, name=do_name(first_db, "pool").replace("-", "_"),
            mode="transaction", size=args.pool_size, db_name=self.databases[first_db].name,
            user=self.users[first_user].name,
            opts=pulumi.ResourceOptions.merge(editable, pulumi.ResourceOptions(
                additional_secret_outputs=["uri", "private_uri", "password"])))

        self.settings = do.DatabasePostgresqlConfig(
            child_name(name, "settings"), cluster_id=self.cluster.id, **settings_args(args.settings),
            opts=editable) if args.settings else None

        self.replicas: dict[str, do.DatabaseReplica] = {}
        self.replica_firewalls: dict[str, do.DatabaseFirewall] = {}
        self.replica_private_uris: dict[str, pulumi.Output[str]] = {}  # doadmin, as the provider reports it
        self.replica_read_uris: dict[str, pulumi.Output[str]] = {}  # the app user on the first database
        app_password = self.users[first_user].password
        for spec in args.replicas:
            replica = do.DatabaseReplica(
                child_name(name, "replica", spec.name), cluster_id=self.cluster.id,
                name=do_name(self.cluster_name, spec.name), size=spec.size, region=spec.region,
                private_network_uuid=args.vpc_id if spec.region == args.region else None,
                tags=standard_tags(args.env, KIND, args.extra_tags),
                opts=pulumi.ResourceOptions.merge(editable, pulumi.ResourceOptions(
                    additional_secret_outputs=["uri", "private_uri", "password"])))
            self.replicas[spec.name] = replica
            self.replica_firewalls[spec.name] = do.DatabaseFirewall(
                child_name(name, "replica", spec.name, "firewall"), cluster_id=replica.uuid, rules=rules,
                opts=pulumi.ResourceOptions(parent=replica, protect=False))
            self.replica_private_uris[spec.name] = pulumi.Output.secret(replica.private_uri)
            self.replica_read_uris[spec.name] = pulumi.Output.secret(pulumi.Output.all(
                app_password, replica.private_host, replica.port).apply(
                    lambda parts: read_uri(first_user, parts[0], parts[1], parts[2], first_db)))

        self.cluster_id = self.cluster.id
        self.database_name = first_db
        self.user_name = first_user
        self.private_uri = pulumi.Output.secret(self.cluster.private_uri)
        self.pool_private_uri = pulumi.Output.secret(self.pool.private_uri)
        # What an app reads from: the first replica, None without replicas.
        self.read_private_uri = next(iter(self.replica_read_uris.values()), None)
        self.project_resources: list[pulumi.Output[str]] = [self.cluster.id.apply(lambda i: do_urn("dbaas", i))]
        self.register_outputs({"cluster_id": self.cluster.id, "private_uri": self.private_uri,
                               "pool_private_uri": self.pool_private_uri,
                               "replica_private_uris": self.replica_private_uris})
