"""The stack config's models: one pydantic model per ``do-platform:*`` key family, with field rules.

Patterns, regions and versions come from :mod:`do_vocab`; a field validator raises ``ValueError`` (or
:class:`~do_platform.config.messages.Whole` when its text already names the bad part), and
:mod:`do_platform.config.messages` turns that into the one-line message.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sized
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from do_platform.api.endpoints import EndpointError, normalise_endpoint, shown_endpoint
from do_platform.config.enums import Component, Environment, PolicyEnforcement
from do_platform.config.messages import Whole as _Whole
from do_platform.config.messages import allowed as _allowed
from do_platform.config.messages import nearest as _nearest
from do_platform.config.rules import default_enforcement, enforcement_problem
from do_vocab.addresses import describe_share, world_open
from do_vocab.catalog import load as _load_catalog
from do_vocab.firewall_rules import ANYWHERE, DOKS_RESERVED, RFC1918
from do_vocab.http_paths import health_check_path_problem
from do_vocab.names import (
    APP_NAME,
    CDN_TTLS,
    CORS_METHODS,
    DEFAULT_IMAGE,
    DEFAULT_K8S_PREFIX,
    DEFAULT_POSTGRES_VERSION,
    DIGEST,
    DOMAIN,
    EMAIL,
    ENV_NAME,
    HHMM,
    HOST_LABEL,
    POOL_NAME,
    POSTGRES_VERSIONS,
    REGISTRY,
    REGISTRY_HOST,
    REPLICA_NAME,
    REPOSITORY,
    RESERVED_POOL_NAME,
    SPACES_ACLS,
    SPACES_BUCKET,
    SPACES_KEY_PERMISSIONS,
    STACK_NAME,
    TAG,
    WEEKDAYS,
    is_db_identifier,
    is_k8s_prefix,
    is_pinned_image,
)
from do_vocab.regions import REGIONS

# Bounds on every list and mapping the config accepts (a stack file is small; these stop a generated or
# hostile one from making validation and planning run for minutes).
MAX_ITEMS = 50  # apps, pools, alert emails, SSH keys, database names and users, appSecrets apps
MAX_CIDRS = 100  # admin, egress and control-plane CIDR lists
MAX_ENV = 200  # environment variables (env, appSecrets) of one app


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


_CATALOG = _load_catalog()
DROPLET_SIZES = tuple(s["slug"] for s in _CATALOG.droplet_sizes)
# Every Postgres size any node count offers (which count goes with which size is a cross-field rule).
DATABASE_SIZES = tuple(dict.fromkeys(size for n in _CATALOG.database_node_counts("pg")
                                     for size in _CATALOG.database_sizes_for("pg", n)))
APP_INSTANCE_SIZES = tuple(s["slug"] for s in _CATALOG.app_instance_sizes)


def _in_catalog(slugs: tuple[str, ...], what: str) -> AfterValidator:
    """A slug DigitalOcean's catalog lists (``do_vocab/catalog.json``); the message shows the closest few."""

    def check(v: str) -> str:
        if v not in slugs:
            raise ValueError(f"not {what} in DigitalOcean's catalog ({_CATALOG.as_of}); allowed: one of "
                             f"{len(slugs)} such as {_nearest(v, slugs)}")
        return v

    return AfterValidator(check)


def _cidr(v: str, *, allowed: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(v, strict=True)
    except (ValueError, TypeError):
        raise _Whole(f"{v!r} is not a CIDR with host bits clear; allowed: {allowed}") from None


def _port(v: int, forbid: tuple[int, ...] = ()) -> int:
    if not 1 <= v <= 65535 or v in forbid:
        extra = f" except {_allowed(forbid)}" if forbid else ""
        raise ValueError(f"not a usable port; allowed: 1 to 65535{extra}")
    return v


def _http_path(v: str) -> str:
    if problem := health_check_path_problem(v):
        raise ValueError(problem)
    return v


def _matching(pattern: re.Pattern[str], what: str, allowed: str) -> AfterValidator:
    """A string that must match ``pattern``; the message says what it is not and what is allowed."""

    def check(v: str) -> str:
        if not pattern.fullmatch(v):
            raise ValueError(f"not {what}; allowed: {allowed}")
        return v

    return AfterValidator(check)


def _each_matching(pattern: re.Pattern[str], what: str, allowed: str) -> AfterValidator:
    """A list (or a mapping's keys) whose every item matches ``pattern``; the message names the first that does not."""

    def check(v: Any) -> Any:
        for item in v:
            if not pattern.fullmatch(item):
                raise _Whole(f"{item!r} is not {what}; allowed: {allowed}")
        return v

    return AfterValidator(check)


def _one_of(values: tuple[str, ...], what: str) -> AfterValidator:
    """A string from a closed list (weekdays, regions); the message lists them."""

    def check(v: str) -> str:
        if v not in values:
            raise ValueError(f"not {what}; allowed: {_allowed(values)}")
        return v

    return AfterValidator(check)


def _between(lo: int, hi: int, allowed: str | None = None) -> AfterValidator:
    """An integer within ``lo..hi``."""

    def check(v: int) -> int:
        if not lo <= v <= hi:
            raise ValueError(f"out of range; allowed: {allowed or f'an integer from {lo} to {hi}'}")
        return v

    return AfterValidator(check)


def _at_most(limit: int) -> BeforeValidator:
    """A list or mapping of at most ``limit`` items, checked before its items are (so a huge one fails fast)."""

    def check(v: Any) -> Any:
        if isinstance(v, Sized) and not isinstance(v, str | bytes) and len(v) > limit:
            raise _Whole(f"{len(v)} items; allowed: at most {limit} items")
        return v

    return BeforeValidator(check)


def _uniquely_named(items: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    """``items`` (pools, apps) when no two share a ``name``; the message lists the names used twice."""
    names = [item.name for item in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _Whole(f"duplicate {what} names {dupes}; allowed: unique names")
    return items


def _image_slug(v: str) -> str:
    if not is_pinned_image(v):
        raise ValueError("not a pinned image slug; allowed: a distribution slug such as ubuntu-24-04-x64")
    return v


DropletSize = Annotated[str, _in_catalog(DROPLET_SIZES, "a Droplet size")]
ImageSlug = Annotated[str, AfterValidator(_image_slug)]
HttpPath = Annotated[str, AfterValidator(_http_path)]
Port = Annotated[int, AfterValidator(_port)]


class MaintenanceWindow(_Model):
    """Weekly window (UTC) for database and Kubernetes upgrades."""

    day: Annotated[str, _one_of(WEEKDAYS, "a weekday")] = "sunday"
    hour: Annotated[str, _matching(HHMM, "a time of day", "HH:MM in 24-hour UTC, e.g. 03:00")] = "03:00"


class BastionConfig(_Model):
    enabled: bool = False
    size: DropletSize = "s-1vcpu-512mb-10gb"
    image: ImageSlug = DEFAULT_IMAGE


class NetworkConfig(_Model):
    """SecureNetwork: the VPC range, who may SSH in, and where traffic may go out."""

    ip_range: str
    admin_cidrs: Annotated[tuple[str, ...], _at_most(MAX_CIDRS)] = ()
    egress_cidrs: Annotated[tuple[str, ...], _at_most(MAX_CIDRS)] = ("0.0.0.0/0", "::/0")
    bastion: BastionConfig = BastionConfig()

    @field_validator("ip_range")
    @classmethod
    def _ip_range(cls, v: str) -> str:
        net = _cidr(v, allowed="an RFC 1918 range from /16 to /24, e.g. 10.110.0.0/20")
        if net.version != 4 or not any(net.subnet_of(r) for r in RFC1918):
            raise ValueError("not a private range; allowed: an RFC 1918 range (10/8, 172.16/12, 192.168/16)")
        if not 16 <= net.prefixlen <= 24:
            raise ValueError("too large or too small; allowed: a prefix length from /16 to /24")
        clash = [str(r) for r in DOKS_RESERVED if net.overlaps(r)]
        if clash:
            raise ValueError(f"inside the Kubernetes reserved range {clash[0]}; allowed: any RFC 1918 range "
                             f"outside {_allowed(DOKS_RESERVED)}")
        return str(net)

    @field_validator("admin_cidrs")
    @classmethod
    def _admin(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for item in v:
            net = _cidr(item, allowed="specific CIDRs such as 203.0.113.4/32")
            if str(net) in ANYWHERE or net.prefixlen == 0:
                raise _Whole(f"{item!r} opens SSH to the whole internet; allowed: specific CIDRs such as "
                                 "203.0.113.4/32")
            out.append(str(net))
        if world_open(out):
            raise _Whole(f"{list(v)} together cover {describe_share(out)}: that opens SSH to the whole internet; "
                         "allowed: specific CIDRs such as 203.0.113.4/32")
        return tuple(sorted(set(out)))

    @field_validator("egress_cidrs")
    @classmethod
    def _egress(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({str(_cidr(item, allowed="CIDRs such as 0.0.0.0/0 or 198.51.100.0/24")) for item in v}))


AUTOSCALE_TARGET = (0.05, 1.0)  # the API's bounds on a pool's target CPU / memory utilization (a fraction)


class AutoscaleConfig(_Model):
    """``web.autoscale``: the web droplets as a Droplet Autoscale pool of ``minInstances..maxInstances``.

    Bounds are the API's (``autoscale_pool_dynamic_config``); targets are fractions of CPU / memory, at
    least one of them set (a dynamic pool scales on one)."""

    min_instances: Annotated[int, _between(1, 500)]
    max_instances: Annotated[int, _between(1, 1000)]
    target_cpu: float | None = None
    target_memory: float | None = None
    cooldown_minutes: Annotated[int, _between(5, 20, "an integer from 5 to 20 (minutes)")] = 10

    @field_validator("target_cpu", "target_memory")
    @classmethod
    def _target(cls, v: float | None) -> float | None:
        lo, hi = AUTOSCALE_TARGET
        if v is not None and not lo <= v <= hi:
            raise ValueError(f"out of range; allowed: a fraction from {lo} to {hi:g}, e.g. 0.7 for 70%")
        return v

    @model_validator(mode="after")
    def _range(self) -> AutoscaleConfig:
        if self.min_instances > self.max_instances:
            raise _Whole(f"minInstances={self.min_instances}, maxInstances={self.max_instances}: allowed: "
                         "minInstances <= maxInstances")
        if self.target_cpu is None and self.target_memory is None:
            raise _Whole("neither targetCpu nor targetMemory is set; allowed: one or both, fractions from "
                         f"{AUTOSCALE_TARGET[0]} to 1 (the pool scales to keep that utilization)")
        return self


class WebConfig(_Model):
    """WebCluster: droplets behind a load balancer with a certificate, alerts and an uptime check.

    ``autoscale`` replaces the fixed ``count`` droplets with an autoscale pool; ``privateEgress`` gives the
    droplets no public address (egress through the VPC's NAT gateway); ``allowPublicAddress`` is the
    explicit allowance production needs to keep public addresses on web droplets."""

    size: DropletSize = "s-1vcpu-1gb"
    count: Annotated[int, _between(1, 20)] = 1
    image: ImageSlug = DEFAULT_IMAGE
    app_port: int = 8080
    health_check_path: HttpPath = "/healthz"
    record_name: Annotated[str, _matching(HOST_LABEL, "a DNS label", "@ for the apex or a label such as www")] = "www"
    volume_size_gb: int = 0
    ssh_keys: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ()
    backups: bool | None = None
    autoscale: AutoscaleConfig | None = None
    private_egress: bool = False
    allow_public_address: bool = False

    @field_validator("app_port")
    @classmethod
    def _port(cls, v: int) -> int:
        return _port(v, forbid=(22,))

    @field_validator("volume_size_gb")
    @classmethod
    def _volume(cls, v: int) -> int:
        if v != 0 and not 1 <= v <= 16384:
            raise ValueError("out of range; allowed: 0 (no volume) or 1 to 16384 GiB")
        return v

    @field_validator("ssh_keys")
    @classmethod
    def _keys(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for key in v:
            if not (re.fullmatch(r"^([0-9a-f]{2}:){15}[0-9a-f]{2}$", key) or key.isdigit()):
                raise _Whole(f"{key!r} is not an SSH key reference; allowed: MD5 fingerprints "
                                 "(aa:bb:...:ff) or numeric key ids")
        return v


class PoolConfig(_Model):
    """A Kubernetes node pool; ``min_nodes < max_nodes`` turns autoscaling on."""

    name: str = "workers"
    size: DropletSize = "s-2vcpu-4gb"
    min_nodes: int = 1
    max_nodes: int = 3

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not POOL_NAME.fullmatch(v) or v == RESERVED_POOL_NAME:
            raise ValueError("not a pool name; allowed: lower-case letters, digits and dashes, 2-32 characters, "
                             "other than 'default' (the cluster's own pool)")
        return v

    @model_validator(mode="after")
    def _range(self) -> PoolConfig:
        if not 1 <= self.min_nodes <= self.max_nodes <= 100:
            raise _Whole(f"minNodes={self.min_nodes}, maxNodes={self.max_nodes}: allowed: "
                             "1 <= minNodes <= maxNodes <= 100")
        return self


class DefaultPoolConfig(_Model):
    """The cluster's default pool: small and fixed, because changing it replaces the whole cluster."""

    size: DropletSize = "s-2vcpu-4gb"
    count: Annotated[int, _between(1, 10)] = 1


class KubernetesConfig(_Model):
    version_prefix: str = DEFAULT_K8S_PREFIX
    default_pool: DefaultPoolConfig = DefaultPoolConfig()
    pools: Annotated[tuple[PoolConfig, ...], _at_most(MAX_ITEMS)] = (PoolConfig(),)
    ha: bool | None = None
    maintenance: MaintenanceWindow = MaintenanceWindow()
    control_plane_cidrs: Annotated[tuple[str, ...], _at_most(MAX_CIDRS)] = ()

    @field_validator("version_prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        if not is_k8s_prefix(v if v.endswith(".") else v + "."):
            raise ValueError("not a minor-version prefix; allowed: a prefix such as 1.33. (never 'latest')")
        return v if v.endswith(".") else v + "."

    @field_validator("pools")
    @classmethod
    def _pools(cls, v: tuple[PoolConfig, ...]) -> tuple[PoolConfig, ...]:
        return _uniquely_named(v, "pool")

    @field_validator("control_plane_cidrs")
    @classmethod
    def _cp(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        cidrs = tuple(sorted({str(_cidr(item, allowed="CIDRs such as 203.0.113.0/24")) for item in v}))
        if world_open(cidrs):
            raise _Whole(f"{list(v)} covers {describe_share(cidrs)}: the whole internet, no allowlist at all; "
                         "allowed: the admin networks, e.g. [203.0.113.10/32]")
        return cidrs


DatabaseSize = Annotated[str, _in_catalog(DATABASE_SIZES, "a Managed PostgreSQL size")]
DATABASE_REGIONS = tuple(_CATALOG.database_regions)
MAX_REPLICAS = 10
MAX_SETTINGS = 60  # the provider's config resource has about 50 scalar settings


class ReplicaConfig(_Model):
    """A read-only replica of the cluster: its own node, in the cluster's VPC (same region), for read traffic."""

    name: Annotated[str, _matching(REPLICA_NAME, "a replica name",
                                   "lower-case letters, digits and dashes, 2-20 characters, e.g. read-1")]
    size: DatabaseSize | None = None  # None: the cluster's size
    region: Annotated[str, _one_of(DATABASE_REGIONS, "a Managed Database region")] | None = None  # None: stack's


class DatabaseConfig(_Model):
    """ManagedPostgres: a pinned Postgres cluster in the VPC."""

    size: DatabaseSize = "db-s-1vcpu-1gb"
    version: str = DEFAULT_POSTGRES_VERSION
    node_count: Annotated[int, _between(1, 3, "1 (primary only), 2 or 3 (with standby nodes)")] = 1
    databases: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ("app",)
    users: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ("app",)
    pool_size: Annotated[int, _between(1, 97)] = 10
    maintenance: MaintenanceWindow = MaintenanceWindow()
    replicas: Annotated[tuple[ReplicaConfig, ...], _at_most(MAX_REPLICAS)] = ()
    # PostgreSQL settings by the provider's names (work_mem, jit...): names, types and values are checked
    # against the provider by the cross-field rule ``database_settings`` (config/rules.py), which names each key.
    settings: Annotated[dict[str, Any], _at_most(MAX_SETTINGS)] = Field(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> str:
        text = str(v)
        if text not in POSTGRES_VERSIONS:
            raise ValueError(f"not a supported Postgres version; allowed: {_allowed(POSTGRES_VERSIONS)}")
        return text

    @field_validator("replicas")
    @classmethod
    def _replicas(cls, v: tuple[ReplicaConfig, ...]) -> tuple[ReplicaConfig, ...]:
        return _uniquely_named(v, "replica")

    @field_validator("databases", "users")
    @classmethod
    def _names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("empty; allowed: at least one name")
        for item in v:
            if not is_db_identifier(item):
                raise _Whole(f"{item!r} is not allowed; allowed: lower-case identifiers other than "
                                 "doadmin, defaultdb and postgres")
        return v


class ImageConfig(_Model):
    """A DOCR image: pinned by ``digest`` when present, by ``tag`` otherwise."""

    registry: str
    repository: Annotated[str, _matching(REPOSITORY, "a repository name",
                                         "lower-case path components such as web or team/web")]
    tag: Annotated[str, _matching(TAG, "an image tag", "letters, digits, '_', '.', '-' (max 128)")] | None = None
    digest: Annotated[str, _matching(DIGEST, "a manifest digest", "sha256: followed by 64 lower-case hex digits")] \
        | None = None

    @field_validator("registry")
    @classmethod
    def _registry(cls, v: str) -> str:
        # registry.digitalocean.com/<name> (how images are pushed) is the same registry: kept as its name.
        return _registry(v.removeprefix(REGISTRY_HOST))

    @field_validator("tag", mode="before")
    @classmethod
    def _tag_text(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str):  # YAML read `tag: 1.10` as the number 1.1
            raise _Whole(f"{v!r} is not a string; allowed: a quoted tag such as \"1.10\" (unquoted, YAML turns "
                         f"it into a number)")
        return v

    @model_validator(mode="after")
    def _pinned(self) -> ImageConfig:
        if self.tag is None and self.digest is None:
            raise _Whole("neither tag nor digest is set; allowed: a tag, a digest, or both")
        return self


class AppConfig(_Model):
    """AppService: an App Platform service from a DOCR image."""

    name: Annotated[str, _matching(APP_NAME, "an app name", "lower-case letters, digits and dashes, 2-32 characters")]
    image: ImageConfig
    instance_size: Annotated[str, _in_catalog(APP_INSTANCE_SIZES, "an App Platform instance size")] = (
        "apps-s-1vcpu-0.5gb")
    instance_count: Annotated[int, _between(1, 50)] = 1
    http_port: Port = 8080
    health_check_path: HttpPath = "/healthz"
    env: Annotated[dict[str, str], _at_most(MAX_ENV),
                   _each_matching(ENV_NAME, "an environment variable name", "[A-Z_][A-Z0-9_]*")] = Field(
        default_factory=dict)
    domain: str | None = None
    use_database: bool = False

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str | None) -> str | None:
        return None if v is None else _domain(v)


Apps = Annotated[tuple[AppConfig, ...], _at_most(MAX_ITEMS)]


class ProviderConfig(_Model):
    """The ``digitalocean:*`` keys the explicit provider is built from (token stays a secret)."""

    api_endpoint: str | None = None
    spaces_endpoint: str | None = None
    http_retry_max: int = 5
    requests_per_second: float = 4.0
    token: SecretStr | None = None

    @field_validator("api_endpoint")
    @classmethod
    def _endpoint(cls, v: str | None) -> str | None:
        if v is None:
            return None
        try:
            return normalise_endpoint(v, allow_path=False)  # the provider is given the normalised URL
        except EndpointError as exc:
            raise _Whole(f"{shown_endpoint(v)} is not allowed: {exc}") from None

    @field_validator("spaces_endpoint")
    @classmethod
    def _spaces_endpoint(cls, v: str | None) -> str | None:
        """The S3 endpoint of Spaces (Spaces keys go there): https, or http to a loopback host; ``{{.Region}}``
        stands for the bucket's region, as the provider expands it."""
        if v is None:
            return None
        try:
            normalise_endpoint(v.replace("{{.Region}}", "nyc3"), allow_path=False)
        except EndpointError as exc:
            raise _Whole(f"{shown_endpoint(v)} is not allowed: {exc}") from None
        return v.rstrip("/")

    @field_validator("http_retry_max")
    @classmethod
    def _retries(cls, v: int) -> int:
        if not 0 <= v <= 20:
            raise ValueError("out of range; allowed: an integer from 0 to 20")
        return v

    @field_validator("requests_per_second")
    @classmethod
    def _rps(cls, v: float) -> float:
        if not 0 < v <= 50:
            raise ValueError("out of range; allowed: a number above 0 and at most 50")
        return v


# Registry retention's defaults, for the stack key and the command alike (do_platform.ops.registry_cleanup).
DEFAULT_KEEP_LAST = 10
DEFAULT_KEEP_DAYS = 30


class RegistryRetentionConfig(_Model):
    """RegistryRetention on ``up``: the cleanup policy over ``registry``, protecting every stack's images."""

    enabled: bool = False
    keep_last: Annotated[int, _between(0, 1000)] = DEFAULT_KEEP_LAST
    keep_days: Annotated[int, _between(0, 3650)] = DEFAULT_KEEP_DAYS
    gc: bool = True
    apply_on_every_up: bool = True


CORS_ORIGIN = re.compile(r"^(\*|https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?)$")
CORS_HEADER = re.compile(r"^(\*|[A-Za-z0-9-]+\*?)$")


class CorsRuleConfig(_Model):
    """One CORS rule of the bucket: which origins may use which methods."""

    allowed_origins: Annotated[tuple[str, ...], _at_most(MAX_ITEMS),
                               _each_matching(CORS_ORIGIN, "a CORS origin",
                                              "* or https://host[:port] such as https://app.example.com")]
    allowed_methods: Annotated[tuple[str, ...], _at_most(len(CORS_METHODS))] = ("GET", "HEAD")
    allowed_headers: Annotated[tuple[str, ...], _at_most(MAX_ITEMS),
                               _each_matching(CORS_HEADER, "a header name", "* or names such as Content-Type")] = ()
    max_age_seconds: Annotated[int, _between(0, 86400)] = 3000

    @field_validator("allowed_origins", "allowed_methods")
    @classmethod
    def _not_empty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("empty; allowed: at least one item")
        return v

    @field_validator("allowed_methods")
    @classmethod
    def _methods(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for method in v:
            if method not in CORS_METHODS:
                raise _Whole(f"{method!r} is not a CORS method; allowed: {_allowed(CORS_METHODS)}")
        return v


class CdnConfig(_Model):
    """The Spaces CDN in front of the bucket, optionally on a subdomain of the stack's domain."""

    enabled: bool = False
    ttl: int = 3600
    subdomain: Annotated[str, _matching(HOST_LABEL, "a DNS label", "a label such as cdn (not @)")] | None = None

    @field_validator("ttl")
    @classmethod
    def _ttl(cls, v: int) -> int:
        if v not in CDN_TTLS:
            raise ValueError(f"not a CDN TTL; allowed: {_allowed(CDN_TTLS)} (seconds)")
        return v

    @field_validator("subdomain")
    @classmethod
    def _label(cls, v: str | None) -> str | None:
        if v == "@":
            raise ValueError("the apex; allowed: a label such as cdn (the apex belongs to the zone)")
        return v


class ObjectStoreConfig(_Model):
    """ObjectStore: one Spaces bucket per stack, a key scoped to it, and optionally a CDN."""

    enabled: bool = False
    bucket: Annotated[str, _matching(SPACES_BUCKET, "a Spaces bucket name",
                                     "3-63 lower-case letters, digits and dashes, such as acme-prod-assets")] | None \
        = None
    acl: Annotated[str, _one_of(SPACES_ACLS, "a bucket ACL")] = "private"
    public_site: bool = False
    versioning: bool | None = None
    noncurrent_version_days: Annotated[int, _between(0, 3650, "0 (keep old versions) or 1 to 3650 days")] = 30
    abort_incomplete_upload_days: Annotated[int, _between(0, 365, "0 (no rule) or 1 to 365 days")] = 7
    key_permission: Annotated[str, _one_of(SPACES_KEY_PERMISSIONS, "a key permission")] = "readwrite"
    cors: Annotated[tuple[CorsRuleConfig, ...], _at_most(100)] = ()
    cdn: CdnConfig = CdnConfig()

    def bucket_for(self, stack: str) -> str:
        """The bucket's name: ``bucket``, else ``do-platform-<stack>-objects`` (names are global across Spaces:
        set ``bucket`` to one nobody else holds). The one place the default is made."""
        if self.bucket is not None:
            return self.bucket
        return re.sub(r"[^a-z0-9-]+", "-", f"do-platform-{stack}-objects".lower()).strip("-")[:63].rstrip("-")


MAX_MONTHLY_INCREASE = 1_000_000


DEFAULT_PROMOTION_ORDER = ("dev", "staging", "prod")


def _promotion_order(v: tuple[str, ...]) -> tuple[str, ...]:
    if len(v) < 2:
        raise _Whole(f"{list(v)} names {len(v)} stack(s); allowed: at least two stack names, first to last, "
                     f"such as {list(DEFAULT_PROMOTION_ORDER)}")
    dupes = sorted({name for name in v if v.count(name) > 1})
    if dupes:
        raise _Whole(f"{dupes} listed twice; allowed: each stack once (promotion goes one way)")
    return v


# The stacks `do-platform promote` moves images along, one step at a time. Project-wide: read from
# Pulumi.yaml (do_platform.ops.promote.promotion_order), refused in a stack file.
PromotionOrder = Annotated[
    tuple[Annotated[str, _matching(STACK_NAME, "a stack name", "lower-case letters, digits and '-', starting "
                                                               "with a letter (Pulumi.<stack>.yaml)")], ...],
    _at_most(MAX_ITEMS), AfterValidator(_promotion_order)]


class StackConfig(_Model):
    """Everything one stack's program needs; built by :func:`load_stack_config`."""

    stack: str
    environment: Environment
    region: Annotated[str, _one_of(REGIONS, "a DigitalOcean region")]
    components: tuple[Component, ...]
    network: NetworkConfig | None = None
    web: WebConfig = WebConfig()
    database: DatabaseConfig = DatabaseConfig()
    kubernetes: KubernetesConfig = KubernetesConfig()
    domain: str | None = None
    registry: str | None = None
    registry_retention: RegistryRetentionConfig = RegistryRetentionConfig()
    object_store: ObjectStoreConfig = ObjectStoreConfig()
    apps: Apps = ()
    app_secrets: Annotated[dict[str, Annotated[dict[str, SecretStr], _at_most(MAX_ENV)]], _at_most(MAX_ITEMS)] = (
        Field(default_factory=dict))
    rotate_app_secrets: bool = False
    alert_emails: Annotated[tuple[str, ...], _at_most(MAX_ITEMS),
                            _each_matching(EMAIL, "an email address", "addresses such as ops@example.com")] = ()
    policy_enforcement: PolicyEnforcement | None = Field(default=None, validate_default=True)
    preflight: bool = False
    # The pull-request comment fails its check when this stack's monthly cost rises by more (whole USD); 0: no limit
    # (Pulumi requires a default for a key a stack may leave out, and has no null).
    max_monthly_increase: Annotated[int, _between(0, MAX_MONTHLY_INCREASE, "whole US dollars from 0 (no limit) to "
                                                                          f"{MAX_MONTHLY_INCREASE}")] = 0
    promotion_order: PromotionOrder = DEFAULT_PROMOTION_ORDER
    provider: ProviderConfig = ProviderConfig()

    @field_validator("policy_enforcement")
    @classmethod
    def _enforcement(cls, v: PolicyEnforcement | None, info: ValidationInfo) -> PolicyEnforcement:
        environment = info.data.get("environment")  # absent only when it failed validation itself
        if v is None:
            return default_enforcement(environment) if environment else PolicyEnforcement.advisory
        if environment and (problem := enforcement_problem(info.data.get("stack", ""), environment, v)):
            raise ValueError(problem)
        return v

    @field_validator("components", mode="before")
    @classmethod
    def _components(cls, v: Any) -> Any:
        if isinstance(v, str) or not isinstance(v, list | tuple):
            raise ValueError(f"not a list; allowed: a list drawn from {_allowed(Component)}")
        for item in v:
            if not isinstance(item, str) or item not in {c.value for c in Component}:
                raise _Whole(f"{item!r} is not a component; allowed: {_allowed(Component)}")
        if len(set(v)) != len(v):
            raise _Whole("a component is listed twice; allowed: each component once")
        return v

    @field_validator("domain", "registry", mode="before")
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return None if v == "" else v

    @field_validator("network", mode="before")
    @classmethod
    def _no_network(cls, v: Any) -> Any:
        return None if v == {} else v

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str | None) -> str | None:
        return None if v is None else _domain(v)

    @field_validator("registry")
    @classmethod
    def _registry(cls, v: str | None) -> str | None:
        return None if v is None else _registry(v)

    @field_validator("apps")
    @classmethod
    def _apps(cls, v: tuple[AppConfig, ...]) -> tuple[AppConfig, ...]:
        return _uniquely_named(v, "app")

    def enabled(self, component: Component | str) -> bool:
        return Component(component) in self.components

    @property
    def production(self) -> bool:
        return self.environment is Environment.production

    @property
    def web_hostname(self) -> str | None:
        """The web cluster's host: ``web.recordName`` under ``domain`` (``@`` is the apex)."""
        if self.domain is None:
            return None
        return self.domain if self.web.record_name == "@" else f"{self.web.record_name}.{self.domain}"


def _domain(v: str) -> str:
    name = v.strip().lower().rstrip(".")
    if not DOMAIN.fullmatch(name):
        raise ValueError("not a domain name; allowed: a fully qualified name such as example.com")
    return name


def _registry(v: str) -> str:
    if not REGISTRY.fullmatch(v):
        raise ValueError("not a registry name; allowed: lower-case letters, digits and dashes, at most 63")
    return v
