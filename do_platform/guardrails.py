"""Guardrails: pure rule functions shared by the offline plan and the CrossGuard pack in ``policy/``.

Rules read a resource's engine properties (camelCase, as ``pulumi preview`` and the mock runtime see
them; snake_case is accepted too) and return :class:`Violation` s. No ``pulumi_policy`` import here:
``policy/__main__.py`` wraps these functions, and ``do-platform plan`` calls them directly, so a
developer sees the same findings before any cloud call. Enforcement comes from the stack's
``do-platform:policyEnforcement`` (advisory, mandatory or disabled); when the key is absent a
production stack is mandatory and every other stack advisory.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from do_platform.config import (
    PROJECT,
    Environment,
    ObjectStoreConfig,
    PolicyEnforcement,
    default_enforcement,
    enforcement_problem,
    public_bucket_problem,
)
from do_platform.config.rules import public_web_address_problem
from do_platform.errors import ConfigError
from do_vocab.addresses import ADMIN_PORTS, WORLD_OPEN_SHARE, describe_share, world_open, world_open_ports
from do_vocab.addresses import public_share as public_share  # re-exported: the rules' view of address space
from do_vocab.firewall_rules import RFC1918

DROPLET = "digitalocean:index/droplet:Droplet"
FIREWALL = "digitalocean:index/firewall:Firewall"
LOAD_BALANCER = "digitalocean:index/loadBalancer:LoadBalancer"
DATABASE_CLUSTER = "digitalocean:index/databaseCluster:DatabaseCluster"
DATABASE_FIREWALL = "digitalocean:index/databaseFirewall:DatabaseFirewall"
DATABASE_REPLICA = "digitalocean:index/databaseReplica:DatabaseReplica"
KUBERNETES_CLUSTER = "digitalocean:index/kubernetesCluster:KubernetesCluster"
KUBERNETES_NODE_POOL = "digitalocean:index/kubernetesNodePool:KubernetesNodePool"
VOLUME = "digitalocean:index/volume:Volume"
SPACES_BUCKET = "digitalocean:index/spacesBucket:SpacesBucket"
SPACES_BUCKET_POLICY = "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy"
SPACES_BUCKET_OBJECT = "digitalocean:index/spacesBucketObject:SpacesBucketObject"
PUBLIC_ACLS = ("public-read", "public-read-write")
DROPLET_AUTOSCALE = "digitalocean:index/dropletAutoscale:DropletAutoscale"
WEB_COMPONENT_TAG = "component:web-cluster"  # components/tagging.py's tag of WebCluster's droplets

# Resources whose ``tags`` label the resource itself (a Firewall's ``tags`` pick its targets instead).
TAGGABLE = frozenset({
    DROPLET, VOLUME, DATABASE_CLUSTER, KUBERNETES_CLUSTER, KUBERNETES_NODE_POOL,
    DATABASE_REPLICA, "digitalocean:index/customImage:CustomImage",
})
ALL_PORTS = ("all", "1-65535", "0", "")
PRIVATE_RANGES = (*RFC1918, ipaddress.ip_network("fc00::/7"))


@dataclass(frozen=True)
class StackContext:
    """What the rules need to know about the stack: its name, environment and enforcement level."""

    stack: str
    environment: Environment = Environment.development
    enforcement: PolicyEnforcement = PolicyEnforcement.advisory
    world_open_share: float = WORLD_OPEN_SHARE  # see :func:`world_open`
    public_buckets: frozenset[str] = frozenset()  # buckets the stack declares public sites (objectStore.publicSite)
    public_web_allowed: bool = False  # ``web.allowPublicAddress``: production web droplets may keep public addresses

    @property
    def production(self) -> bool:
        return self.environment is Environment.production

    @property
    def env_tag(self) -> str:
        """The tag every taggable resource of this stack carries."""
        return f"env:{self.stack}"

    @classmethod
    def from_config(cls, stack: str, config: Mapping[str, Any]) -> StackContext:
        """From a stack's raw ``config:`` mapping (``do-platform:environment``, ``do-platform:policyEnforcement``)."""
        env_key, level_key = f"{PROJECT}:environment", f"{PROJECT}:policyEnforcement"
        raw_env = config.get(env_key, config.get("environment"))
        raw_level = config.get(level_key, config.get("policyEnforcement"))
        try:
            environment = Environment(raw_env) if raw_env is not None else Environment.development
        except ValueError:
            raise ConfigError(f"{env_key}: {raw_env!r} is not an environment; allowed: "
                              f"{', '.join(e.value for e in Environment)}") from None
        if raw_level is None:
            level = default_enforcement(environment)
        else:
            try:
                level = PolicyEnforcement(raw_level)
            except ValueError:
                raise ConfigError(f"{level_key}: {raw_level!r} is not an enforcement level; allowed: "
                                  f"{', '.join(p.value for p in PolicyEnforcement)}") from None
            if enforcement_problem(stack, environment, level):  # fail closed: the stack file cannot lower prod
                level = PolicyEnforcement.mandatory
        store_key = f"{PROJECT}:objectStore"
        return cls(stack, environment, level,
                   public_buckets=declared_public_buckets(stack, config.get(store_key, config.get("objectStore"))),
                   public_web_allowed=_public_web_allowed(config))


def _decoded(raw: Any) -> Any:
    """A raw stack-config section as a stack file holds it (a mapping) or as the CLI hands it over (its JSON text);
    None for text that is not JSON, which every caller reads as "not declared" (fail closed)."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return None


def declared_public_buckets(stack: str, raw: Any) -> frozenset[str]:
    """The stack's bucket when its ``objectStore`` (a stack file mapping, or Pulumi's JSON text) declares it a
    public site; nothing when the section cannot be read (fail closed: no bucket is excused)."""
    try:
        store = ObjectStoreConfig.model_validate(_decoded(raw) or {})
    except ValidationError:
        return frozenset()
    return frozenset({store.bucket_for(stack)}) if store.enabled and store.public_site else frozenset()


def _public_web_allowed(config: Mapping[str, Any]) -> bool:
    """``do-platform:web.allowPublicAddress`` from a raw stack config (YAML mapping or the CLI's JSON text)."""
    web = _decoded(config.get(f"{PROJECT}:web", config.get("web")))
    return isinstance(web, Mapping) and web.get("allowPublicAddress") is True


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    urn: str | None = None


@dataclass(frozen=True)
class StackResource:
    """A resource as the stack-level rules see it; ``refs`` are URNs its properties point at."""

    urn: str
    type: str
    props: Mapping[str, Any]
    parent: str | None = None
    refs: frozenset[str] = field(default_factory=frozenset)
    protect: bool = False


def _get(props: Mapping[str, Any] | None, *names: str, default: Any = None) -> Any:
    if not props:
        return default
    for name in names:
        value = props.get(name)
        if value is not None:
            return value
    return default


def _is_anywhere(address: Any) -> bool:
    return world_open([address])


def _port_span(port_range: Any) -> tuple[int, int] | None:
    """(low, high) of a firewall ``portRange``; all ports for "all", "1-65535", "0" or empty."""
    text = "" if port_range is None else str(port_range).strip()
    if text in ALL_PORTS:
        return (1, 65535)
    low, _, high = text.partition("-")
    try:
        return (int(low), int(high or low))
    except ValueError:
        return None


def _inbound(props: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    return [r for r in (_get(props, "inboundRules", "inbound_rules", default=[]) or []) if isinstance(r, Mapping)]


# --- resource rules: (resource_type, props, ctx, protect) -> list of messages ---------------------

def no_public_admin_ports(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                          protect: bool | None = None) -> list[str]:
    """No SSH, RDP or database port reachable from (nearly) the whole internet.

    Judged on address space: for each admin port, the union of the sources of every inbound rule whose
    port range includes it; more than ``ctx.world_open_share`` of public space is world-open, however
    it is split (``0.0.0.0/1`` + ``128.0.0.0/1``, ``::/1`` + ``8000::/1``, one rule per half).
    """
    rules = [(_get(rule, "protocol", default="tcp"), _port_span(_get(rule, "portRange", "port_range")),
              _get(rule, "sourceAddresses", "source_addresses", default=[]) or []) for rule in _inbound(props)]
    out = []
    for port, sources in world_open_ports(rules, ctx.world_open_share).items():
        public = sorted({s for s in sources if not _is_private(s)})
        out.append(f"inbound port {port} ({ADMIN_PORTS[port]}) is open to {', '.join(public)} "
                   f"({describe_share(sources)}, more than the {ctx.world_open_share:.1%} allowed): that is "
                   f"the whole internet; allow specific CIDRs or the VPC range instead")
    return out


def _is_private(address: Any) -> bool:
    try:
        net = ipaddress.ip_network(str(address), strict=False)
    except ValueError:
        return False
    return any(net.version == p.version and net.subnet_of(p) for p in PRIVATE_RANGES)


def no_all_ports_inbound(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                         protect: bool | None = None) -> list[str]:
    """No inbound TCP/UDP rule that opens every port to addresses outside private ranges.

    Sources named by resource (tags, droplets, load balancers, clusters) and private ranges such as
    the stack's own VPC may reach every port: that is how members of one network talk to each other.
    """
    out = []
    for rule in _inbound(props):
        protocol = str(_get(rule, "protocol", default="tcp")).lower()
        span = _port_span(_get(rule, "portRange", "port_range"))
        if protocol == "icmp" or span is None or span[0] > 1 or span[1] < 65535:  # "0-65535" opens every port too
            continue
        public = [str(a) for a in (_get(rule, "sourceAddresses", "source_addresses", default=[]) or [])
                  if not _is_private(a)]
        if public:
            out.append(f"inbound {protocol} rule opens all ports "
                       f"(portRange {_get(rule, 'portRange', 'port_range', default='unset')!r}) to "
                       f"{', '.join(public)}; list the ports the service needs")
    return out


def kubernetes_version_pinned(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                              protect: bool | None = None) -> list[str]:
    """The cluster's version is a real release, never ``latest`` (a perpetual diff and surprise upgrades)."""
    version = _get(props, "version")
    if version is None or str(version).strip() in ("", "latest"):
        return [f"version {version!r} is not pinned; resolve a release such as 1.33.5-do.0 from a "
                f"version prefix (kubernetes.versionPrefix)"]
    return []


def kubernetes_ha_in_production(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                                protect: bool | None = None) -> list[str]:
    """Production clusters run the HA control plane."""
    if ctx.production and not _get(props, "ha", default=False):
        return ["production cluster without the HA control plane (ha: true)"]
    return []


def kubernetes_control_plane_allowlist(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                                       protect: bool | None = None) -> list[str]:
    """Staging and production clusters restrict the Kubernetes API to an allowlist that is not world-open.

    Without ``controlPlaneFirewall`` (enabled, with ``allowedAddresses``) the API answers the whole
    internet; an allowlist is judged on address space like firewall sources (:func:`world_open`).
    Development clusters are not checked; staging is reported at staging's (advisory) level.
    """
    if ctx.environment is Environment.development:
        return []
    firewall = _get(props, "controlPlaneFirewall", "control_plane_firewall") or {}
    allowed = [str(a) for a in (_get(firewall, "allowedAddresses", "allowed_addresses", default=[]) or [])] \
        if isinstance(firewall, Mapping) else []
    if not isinstance(firewall, Mapping) or not _get(firewall, "enabled", default=False) or not allowed:
        return ["the Kubernetes API is open to the internet (no control-plane allowlist); set "
                "kubernetes.controlPlaneCidrs to the admin networks, e.g. [203.0.113.10/32]"]
    if world_open(allowed, ctx.world_open_share):
        return [f"the control-plane allowlist {allowed} covers {describe_share(allowed)}: that is the whole "
                "internet; list the admin networks only"]
    return []


def load_balancer_redirects_http(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                                 protect: bool | None = None) -> list[str]:
    """A load balancer that accepts HTTP redirects it to HTTPS."""
    rules = [r for r in (_get(props, "forwardingRules", "forwarding_rules", default=[]) or [])
             if isinstance(r, Mapping)]
    takes_http = any(str(_get(r, "entryProtocol", "entry_protocol", default="")).lower() == "http" for r in rules)
    if (takes_http or not rules) and not _get(props, "redirectHttpToHttps", "redirect_http_to_https", default=False):
        return ["HTTP is not redirected to HTTPS (redirectHttpToHttps: true)"]
    return []


def env_tagged(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
               protect: bool | None = None) -> list[str]:
    """Every taggable resource carries the stack's env tag (cost reports, firewalls and cleanup rely on it)."""
    tags = [str(t) for t in (_get(props, "tags", default=[]) or [])]
    if ctx.env_tag not in tags:
        return [f"missing the env tag {ctx.env_tag!r} (tags: {tags or 'none'})"]
    return []


def production_database_protected(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                                  protect: bool | None = None) -> list[str]:
    """A production database cluster is protected against deletion."""
    if ctx.production and not protect:
        return ["production database cluster without protect=True: a rename or a destroy would delete it"]
    return []


def droplet_monitored(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                      protect: bool | None = None) -> list[str]:
    """Droplets run the monitoring agent (the alerts need its metrics)."""
    if not _get(props, "monitoring", default=False):
        return ["droplet without the monitoring agent (monitoring: true)"]
    return []


READ_ACTIONS = frozenset({"*", "s3:*", "s3:get*", "s3:getobject"})


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _policy_reads_public(policy: Any) -> bool | None:
    """Does a bucket policy let anyone (principal ``*``) read objects, without a condition? None: unknowable."""
    if is_unknown(policy):
        return None
    try:
        doc = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return None
    if not isinstance(doc, Mapping):
        return None
    for st in _as_list(doc.get("Statement") or []):
        if not isinstance(st, Mapping) or str(st.get("Effect", "")).lower() != "allow" or st.get("Condition"):
            continue
        principal = st.get("Principal")
        anyone = principal == "*" or (isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS")))
        actions = {str(a).lower() for a in _as_list(st.get("Action") or [])}
        if anyone and actions & READ_ACTIONS:
            return True
    return False


def no_public_bucket(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                     protect: bool | None = None) -> list[str]:
    """No bucket (or object) anyone may read in production, by ACL or policy, unless the stack declares that
    bucket a public site; the rule is :func:`~do_platform.config.rules.public_bucket_problem`, which the config
    applies to ``objectStore.acl``. What a preview cannot know fails closed in production."""
    if resource_type == SPACES_BUCKET_POLICY:
        public, how = _policy_reads_public(_get(props, "policy")), "its policy lets anyone read objects"
    else:
        acl = _get(props, "acl", default="private")
        public, how = (None if is_unknown(acl) else str(acl) in PUBLIC_ACLS), f"acl {acl}"
    bucket = _get(props, "name") if resource_type == SPACES_BUCKET else _get(props, "bucket")
    declared = isinstance(bucket, str) and not is_unknown(bucket) and bucket in ctx.public_buckets
    if public is False or (problem := public_bucket_problem(ctx.production, declared)) is None:
        return []
    shown = bucket if isinstance(bucket, str) and not is_unknown(bucket) else "(name unknown before up)"
    if public is None:
        return [f"bucket {shown}: whether anyone may read it can't be known before `up`, so the guardrail cannot "
                f"check it; {problem}"]
    return [f"bucket {shown}: {how}: {problem}"]


def web_droplets_private_in_production(resource_type: str, props: Mapping[str, Any], ctx: StackContext,
                                       protect: bool | None = None) -> list[str]:
    """Production web droplets (fixed or an autoscale pool's template) have no public address, unless the
    stack allows it explicitly (``web.allowPublicAddress``); the rule itself is the config's
    (:func:`~do_platform.config.rules.public_web_address_problem`)."""
    template = _get(props, "dropletTemplate", "droplet_template", default=None) \
        if resource_type == DROPLET_AUTOSCALE else props
    if not isinstance(template, Mapping) or WEB_COMPONENT_TAG not in [str(t) for t in _get(template, "tags",
                                                                                             default=[]) or []]:
        return []
    public = _get(template, "publicNetworking", "public_networking", default=True) is not False
    problem = public_web_address_problem(ctx.production, public, ctx.public_web_allowed)
    return [f"web droplet with a public address: {problem}"] if problem else []


ResourceCheck = Callable[[str, Mapping[str, Any], StackContext, "bool | None"], list[str]]


@dataclass(frozen=True)
class ResourceRule:
    name: str
    description: str
    types: frozenset[str]
    check: ResourceCheck


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule("no-public-admin-ports", "No inbound SSH, RDP or database port open to (nearly) all public "
                 "address space, however the sources are split.",
                 frozenset({FIREWALL}), no_public_admin_ports),
    ResourceRule("no-all-ports-inbound", "No inbound firewall rule opens every port to non-private addresses.",
                 frozenset({FIREWALL}), no_all_ports_inbound),
    ResourceRule("kubernetes-version-pinned", "Kubernetes clusters pin a release, never 'latest'.",
                 frozenset({KUBERNETES_CLUSTER}), kubernetes_version_pinned),
    ResourceRule("kubernetes-ha-in-production", "Production Kubernetes clusters use the HA control plane.",
                 frozenset({KUBERNETES_CLUSTER}), kubernetes_ha_in_production),
    ResourceRule("kubernetes-control-plane-allowlist", "Staging and production Kubernetes APIs accept only an "
                 "allowlist of networks that is not world-open.",
                 frozenset({KUBERNETES_CLUSTER}), kubernetes_control_plane_allowlist),
    ResourceRule("load-balancer-https-redirect", "Load balancers redirect HTTP to HTTPS.",
                 frozenset({LOAD_BALANCER}), load_balancer_redirects_http),
    ResourceRule("env-tag", "Every taggable resource carries the stack's env tag.", TAGGABLE, env_tagged),
    ResourceRule("production-database-protected", "Production database clusters are protected.",
                 frozenset({DATABASE_CLUSTER}), production_database_protected),
    ResourceRule("droplet-monitoring", "Droplets run the monitoring agent.", frozenset({DROPLET}), droplet_monitored),
    ResourceRule("no-public-bucket", "Production Spaces buckets and objects are not public-read (ACL or policy) "
                 "unless the stack declares the bucket a public site (objectStore.publicSite).",
                 frozenset({SPACES_BUCKET, SPACES_BUCKET_POLICY, SPACES_BUCKET_OBJECT}), no_public_bucket),
    ResourceRule("web-droplets-private-in-production", "Production web droplets (and autoscale pools) have no "
                 "public address unless web.allowPublicAddress says so.", frozenset({DROPLET, DROPLET_AUTOSCALE}),
                 web_droplets_private_in_production),
)


def check_resource(resource_type: str, props: Mapping[str, Any], ctx: StackContext, *,
                   protect: bool | None = None, urn: str | None = None) -> list[Violation]:
    """Every resource rule that applies to ``resource_type``."""
    return [Violation(rule.name, message, urn)
            for rule in RESOURCE_RULES if resource_type in rule.types
            for message in rule.check(resource_type, props or {}, ctx, protect)]


# --- stack rule -------------------------------------------------------------------------------------

DATABASE_NETWORK = "database-network"
DATABASE_NETWORK_DESCRIPTION = ("Database clusters and their read-only replicas sit in a VPC (a production "
                                "replica in its cluster's) behind a database firewall that trusts no public source.")


def _covers(firewall: StackResource, cluster: StackResource, clusters_by_parent: dict[str | None, int]) -> bool:
    """Does this database firewall belong to that cluster?"""
    if cluster.urn in firewall.refs:
        return True
    cluster_id = _get(firewall.props, "clusterId", "cluster_id")
    if cluster_id is not None and cluster_id == _get(cluster.props, "id", "clusterId"):
        return True
    if firewall.parent == cluster.urn:
        return True
    # Same owner and the only cluster it owns: the component wires the id (unknown under mocks).
    return not firewall.refs and firewall.parent is not None and firewall.parent == cluster.parent \
        and clusters_by_parent.get(cluster.parent) == 1


# What a preview sends for a value known only after ``up`` (the engine's sentinels, one per kind).
UNKNOWN_VALUES = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"})
# Database firewall rule types whose value names a resource (an id or tag), never an address.
NAMED_SOURCE_TYPES = frozenset({"tag", "droplet", "k8s", "app"})


def is_unknown(value: Any) -> bool:
    """A value a preview cannot know yet: the engine's sentinel, or the SDK's ``Unknown`` under mocks."""
    return (isinstance(value, str) and value in UNKNOWN_VALUES) or type(value).__name__ == "Unknown"


def _firewall_rule_findings(fw: StackResource, ctx: StackContext) -> list[Violation]:
    """Judge what is known of a database firewall's rules; fail closed on what is not.

    Rule types and literal sources are known at preview; resource ids (``app``, ``k8s``, ``droplet``)
    are not, and need not be: they name resources, not addresses. A rule list, a rule type or an
    ``ip_addr`` value that cannot be known yet cannot be judged: that is a finding (blocking where
    guardrails are mandatory) instead of a pass.
    """
    out: list[Violation] = []
    unknowable = (f"can't be known before `up`, so the guardrail cannot check it"
                  f"{' (mandatory guardrails fail closed)' if ctx.enforcement is PolicyEnforcement.mandatory else ''}"
                  "; give the firewall literal rule types and private ranges (ManagedPostgres does)")
    rules = _get(fw.props, "rules", default=[])
    if is_unknown(rules) or not isinstance(rules, list | tuple):
        return [Violation(DATABASE_NETWORK, f"database firewall rules {unknowable}", fw.urn)]
    for i, rule in enumerate(rules):
        kind = _get(rule, "type") if isinstance(rule, Mapping) else rule
        if is_unknown(rule) or not isinstance(rule, Mapping) or is_unknown(kind) or kind is None:
            out.append(Violation(DATABASE_NETWORK, f"database firewall rules[{i}] type {unknowable}", fw.urn))
            continue
        if str(kind).lower() in NAMED_SOURCE_TYPES:
            continue
        value = _get(rule, "value")
        if is_unknown(value) or value is None:
            out.append(Violation(DATABASE_NETWORK, f"database firewall rules[{i}] ({kind}) value {unknowable}",
                                 fw.urn))
        elif str(kind).lower() != "ip_addr":
            out.append(Violation(DATABASE_NETWORK, f"database firewall rules[{i}] has type {kind!r}; allowed: "
                                 "ip_addr, tag, droplet, k8s, app", fw.urn))
        elif not _is_private(value):
            reach = "the whole internet" if _is_anywhere(value) else "a public address"
            out.append(Violation(DATABASE_NETWORK, f"database firewall trusts {value} ({reach}); trust the VPC "
                                 f"range, tags, droplets, apps or Kubernetes clusters instead", fw.urn))
    return out


def database_network(resources: Iterable[StackResource], ctx: StackContext) -> list[Violation]:
    """Each database cluster: in a VPC, covered by a database firewall, no public trusted source.

    Runs at preview on what is known (see :func:`_firewall_rule_findings`): never skipped for an
    unknown value.
    """
    resources = list(resources)
    clusters = [r for r in resources if r.type == DATABASE_CLUSTER]
    firewalls = [r for r in resources if r.type == DATABASE_FIREWALL]
    by_parent: dict[str | None, int] = {}
    for c in clusters:
        by_parent[c.parent] = by_parent.get(c.parent, 0) + 1
    out: list[Violation] = []
    for fw in firewalls:
        out += _firewall_rule_findings(fw, ctx)
    for cluster in clusters:
        if not _get(cluster.props, "privateNetworkUuid", "private_network_uuid"):  # an unknown VPC id is set
            out.append(Violation(DATABASE_NETWORK, "database cluster outside a VPC (privateNetworkUuid unset)",
                                 cluster.urn))
        if not any(_covers(fw, cluster, by_parent) for fw in firewalls):
            out.append(Violation(DATABASE_NETWORK, "database cluster without a database firewall: every source "
                                 "with the password can connect", cluster.urn))
    for replica in (r for r in resources if r.type == DATABASE_REPLICA):
        out += _replica_findings(replica, clusters, firewalls, ctx)
    return out


def _replica_findings(replica: StackResource, clusters: list[StackResource], firewalls: list[StackResource],
                      ctx: StackContext) -> list[Violation]:
    """A replica has a trusted-source list of its own (a firewall on its uuid, so one that refers to it or is
    its child); in production it sits in its cluster's VPC."""
    out: list[Violation] = []
    if not any(replica.urn in fw.refs or fw.parent == replica.urn for fw in firewalls):
        out.append(Violation(DATABASE_NETWORK, "database replica without a database firewall of its own (one on "
                             "the replica's uuid): every source with the password can connect", replica.urn))
    if not ctx.production:
        return out
    vpc = _get(replica.props, "privateNetworkUuid", "private_network_uuid")
    primary = next((c for c in clusters if c.urn in replica.refs or c.urn == replica.parent), None)
    cluster_vpc = _get(primary.props, "privateNetworkUuid", "private_network_uuid") if primary else None
    if not vpc:
        out.append(Violation(DATABASE_NETWORK, "production database replica outside a VPC (privateNetworkUuid "
                             "unset); allowed: the cluster's VPC", replica.urn))
    elif cluster_vpc and not is_unknown(vpc) and not is_unknown(cluster_vpc) and vpc != cluster_vpc:
        out.append(Violation(DATABASE_NETWORK, f"production database replica in VPC {vpc}, not its cluster's "
                             f"({cluster_vpc}); allowed: the cluster's VPC", replica.urn))
    return out


ALL_RULES: tuple[tuple[str, str], ...] = tuple((r.name, r.description) for r in RESOURCE_RULES) + (
    (DATABASE_NETWORK, DATABASE_NETWORK_DESCRIPTION),)
