"""Typed stack config: one pydantic model for every ``do-platform:*`` key and the provider keys we read.

The program (``__main__.py``, through :func:`from_pulumi_config`), the offline evaluation and the
preflight/plan tools (through :func:`load_stack_config` on the raw ``config:`` mapping of a
``Pulumi.<stack>.yaml``) all go through :func:`load_stack_config`, so a bad value fails the same way
everywhere: a :class:`~do_platform.errors.ConfigError` naming the exact key (``do-platform:web.count``),
the bad value and what is allowed. Keys are documented in ``Pulumi.yaml``'s ``config:`` block; defaults
there must equal the defaults here (a test compares them).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
from collections.abc import Collection, Mapping, Sized
from enum import Enum, StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from do_platform.endpoints import EndpointError, normalise_endpoint, shown_endpoint
from do_platform.errors import ConfigError

PROJECT = "do-platform"
PROVIDER_NS = "digitalocean"

# Regions that offer droplets, managed Postgres, DOKS and App Platform.
REGIONS = ("ams3", "atl1", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1")
# App Platform has its own region names.
APP_REGIONS = {"ams3": "ams", "atl1": "atl", "blr1": "blr", "fra1": "fra", "lon1": "lon", "nyc1": "nyc",
               "nyc3": "nyc", "sfo2": "sfo", "sfo3": "sfo", "sgp1": "sgp", "syd1": "syd", "tor1": "tor"}
# Basic/general/memory slugs carry vCPU and memory (s-2vcpu-4gb); CPU-optimised ones may be short (c-4, c-4-intel).
DROPLET_SIZE = re.compile(
    r"^((s|c|c2|g|gd|m|m3|m6|so|so1_5)-\d+vcpu-\d+(mb|gb)(-[a-z0-9]+)*|c-\d+(-intel)?)$"
)
DROPLET_SIZE_HELP = "a droplet size slug such as s-1vcpu-1gb, s-2vcpu-4gb, c-4, c2-4vcpu-8gb, g-2vcpu-8gb"
DB_SIZE = re.compile(r"^(db-s|db-amd|db-intel|gd|so1_5|m|m3|m6|c|c2)-\d+vcpu-\d+gb$")
DB_SIZE_HELP = "a database size slug such as db-s-1vcpu-1gb, db-s-2vcpu-4gb, gd-2vcpu-8gb"
APP_SIZE = re.compile(r"^(apps-[sd]-\d+vcpu-\d+(\.\d+)?gb(-fixed)?|basic-(xxs|xs|s|m)|professional-(xs|s|m|l|1l|xl))$")
APP_SIZE_HELP = "an App Platform instance size such as apps-s-1vcpu-0.5gb, apps-s-1vcpu-1gb, apps-d-1vcpu-2gb"
POSTGRES_VERSIONS = ("14", "15", "16", "17")
K8S_PREFIX = re.compile(r"^1\.\d{2}\.?$")
IMAGE_SLUG = re.compile(r"^[a-z][a-z0-9.-]*-\d[\w.-]*$")  # a versioned distribution slug: ubuntu-24-04-x64
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
REGISTRY_HOST = "registry.digitalocean.com/"
REGISTRY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
REPOSITORY = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
APP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
POOL_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
HOST_LABEL = re.compile(r"^(@|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# DOKS reserves these for pods and services by default; a VPC overlapping them cannot host a cluster.
DOKS_RESERVED = (ipaddress.ip_network("10.244.0.0/16"), ipaddress.ip_network("10.245.0.0/16"),
                 ipaddress.ip_network("10.246.0.0/24"))
RFC1918 = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("172.16.0.0/12"),
           ipaddress.ip_network("192.168.0.0/16"))
ANYWHERE = ("0.0.0.0/0", "::/0")
# Bounds on every list and mapping the config accepts (a stack file is small; these stop a generated or
# hostile one from making validation and planning run for minutes).
MAX_ITEMS = 50  # apps, pools, alert emails, SSH keys, database names and users, appSecrets apps
MAX_CIDRS = 100  # admin, egress and control-plane CIDR lists
MAX_ENV = 200  # environment variables (env, appSecrets) of one app


class Environment(StrEnum):
    development = "development"
    staging = "staging"
    production = "production"


class Component(StrEnum):
    network = "network"
    web = "web"
    apps = "apps"
    database = "database"
    kubernetes = "kubernetes"
    dns = "dns"


# DigitalOcean project environment labels.
PROJECT_ENVIRONMENTS = {"development": "Development", "staging": "Staging", "production": "Production"}


class PolicyEnforcement(StrEnum):
    advisory = "advisory"
    mandatory = "mandatory"
    disabled = "disabled"


def default_enforcement(environment: Environment) -> PolicyEnforcement:
    """The level of a stack that sets no ``policyEnforcement``: the program, the plan and the pack agree on it."""
    return PolicyEnforcement.mandatory if environment is Environment.production else PolicyEnforcement.advisory


POLICY_OVERRIDE_ENV = "DO_PLATFORM_POLICY_OVERRIDE"


def enforcement_problem(stack: str, environment: Environment, requested: PolicyEnforcement,
                        environ: Mapping[str, str] | None = None) -> str | None:
    """Why ``requested`` may not apply to ``stack``, or None. The one rule, used by the config and the pack.

    Production keeps mandatory guardrails: the stack file is what a pull request changes, so lowering the
    level there does not count. Only ``DO_PLATFORM_POLICY_OVERRIDE=<stack>:<level>`` in the environment of
    the run (the deploy environment's variable, changed in the repository settings, not in the diff) does.
    """
    if environment is not Environment.production or requested is PolicyEnforcement.mandatory:
        return None
    environ = os.environ if environ is None else environ
    grants = {item.strip() for item in (environ.get(POLICY_OVERRIDE_ENV) or "").split(",")}
    if f"{stack}:{requested.value}" in grants:
        return None
    return (f"production keeps mandatory guardrails; allowed: mandatory (or no key), or {requested.value!r} "
            f"only with {POLICY_OVERRIDE_ENV}={stack}:{requested.value} set outside the stack file (the deploy "
            f"environment's variable, see docs/delivery.md)")


# What each component needs switched on as well, and why.
REQUIRES: dict[Component, tuple[tuple[Component, str], ...]] = {
    Component.web: ((Component.network, "its droplets live in the VPC"),
                    (Component.dns, "its certificate and A record live in the domain")),
    Component.database: ((Component.network, "the cluster lives in the VPC"),),
    Component.kubernetes: ((Component.network, "the cluster lives in the VPC"),),
}


class _Whole(ValueError):
    """A validation message that already names the bad part (``'cdn' is not a component; ...``)."""


def _allowed(values) -> str:
    return ", ".join(str(getattr(v, "value", v)) for v in values)


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


def _droplet_size(v: str) -> str:
    if not DROPLET_SIZE.fullmatch(v):
        raise ValueError(f"not a droplet size slug; allowed: {DROPLET_SIZE_HELP}")
    return v


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
    # The components' rule (they render it into nginx and send it to the APIs); imported here, when a stack
    # sets a path, because the components package is heavy to import.
    from components.http_paths import health_check_path_problem

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


def _image_slug(v: str) -> str:
    if v == "latest" or not IMAGE_SLUG.fullmatch(v):
        raise ValueError("not a pinned image slug; allowed: a distribution slug such as ubuntu-24-04-x64")
    return v


DropletSize = Annotated[str, AfterValidator(_droplet_size)]
ImageSlug = Annotated[str, AfterValidator(_image_slug)]
HttpPath = Annotated[str, AfterValidator(_http_path)]
Port = Annotated[int, AfterValidator(_port)]


class MaintenanceWindow(_Model):
    """Weekly window (UTC) for database and Kubernetes upgrades."""

    day: str = "sunday"
    hour: Annotated[str, _matching(HHMM, "a time of day", "HH:MM in 24-hour UTC, e.g. 03:00")] = "03:00"

    @field_validator("day")
    @classmethod
    def _day(cls, v: str) -> str:
        if v not in WEEKDAYS:
            raise ValueError(f"not a weekday; allowed: {_allowed(WEEKDAYS)}")
        return v


class BastionConfig(_Model):
    enabled: bool = False
    size: DropletSize = "s-1vcpu-512mb-10gb"
    image: ImageSlug = "ubuntu-24-04-x64"


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
        from components.addresses import describe_share, world_open  # the one address-space mechanism

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


class WebConfig(_Model):
    """WebCluster: droplets behind a load balancer with a certificate, alerts and an uptime check."""

    size: DropletSize = "s-1vcpu-1gb"
    count: Annotated[int, _between(1, 20)] = 1
    image: ImageSlug = "ubuntu-24-04-x64"
    app_port: int = 8080
    health_check_path: HttpPath = "/healthz"
    record_name: Annotated[str, _matching(HOST_LABEL, "a DNS label", "@ for the apex or a label such as www")] = "www"
    volume_size_gb: int = 0
    ssh_keys: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ()
    backups: bool | None = None

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
        if not POOL_NAME.fullmatch(v) or v == "default":
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
    version_prefix: str = "1.33."
    default_pool: DefaultPoolConfig = DefaultPoolConfig()
    pools: Annotated[tuple[PoolConfig, ...], _at_most(MAX_ITEMS)] = (PoolConfig(),)
    ha: bool | None = None
    maintenance: MaintenanceWindow = MaintenanceWindow()
    control_plane_cidrs: Annotated[tuple[str, ...], _at_most(MAX_CIDRS)] = ()

    @field_validator("version_prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        if v == "latest" or not K8S_PREFIX.match(v):
            raise ValueError("not a minor-version prefix; allowed: a prefix such as 1.33. (never 'latest')")
        return v if v.endswith(".") else v + "."

    @field_validator("pools")
    @classmethod
    def _pools(cls, v: tuple[PoolConfig, ...]) -> tuple[PoolConfig, ...]:
        names = [p.name for p in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise _Whole(f"duplicate pool names {dupes}; allowed: unique names")
        return v

    @field_validator("control_plane_cidrs")
    @classmethod
    def _cp(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from components.addresses import describe_share, world_open  # the one address-space mechanism

        cidrs = tuple(sorted({str(_cidr(item, allowed="CIDRs such as 203.0.113.0/24")) for item in v}))
        if world_open(cidrs):
            raise _Whole(f"{list(v)} covers {describe_share(cidrs)}: the whole internet, no allowlist at all; "
                         "allowed: the admin networks, e.g. [203.0.113.10/32]")
        return cidrs


class DatabaseConfig(_Model):
    """ManagedPostgres: a pinned Postgres cluster in the VPC."""

    size: Annotated[str, _matching(DB_SIZE, "a database size slug", DB_SIZE_HELP)] = "db-s-1vcpu-1gb"
    version: str = "17"
    node_count: Annotated[int, _between(1, 3, "1 (primary only), 2 or 3 (with standby nodes)")] = 1
    databases: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ("app",)
    users: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ("app",)
    pool_size: Annotated[int, _between(1, 97)] = 10
    maintenance: MaintenanceWindow = MaintenanceWindow()

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> str:
        text = str(v)
        if text not in POSTGRES_VERSIONS:
            raise ValueError(f"not a supported Postgres version; allowed: {_allowed(POSTGRES_VERSIONS)}")
        return text

    @field_validator("databases", "users")
    @classmethod
    def _names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("empty; allowed: at least one name")
        for item in v:
            if not re.fullmatch(r"^[a-z_][a-z0-9_]{0,62}$", item) or item in ("doadmin", "defaultdb", "postgres"):
                raise _Whole(f"{item!r} is not allowed; allowed: lower-case identifiers other than "
                                 "doadmin, defaultdb and postgres")
        return v


class ImageConfig(_Model):
    """A DOCR image: pinned by ``digest`` when present, by ``tag`` otherwise."""

    registry: str
    repository: Annotated[str, _matching(REPOSITORY, "a repository name",
                                         "lower-case path components such as web or team/web")]
    tag: str | None = None
    digest: str | None = None

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

    @field_validator("tag")
    @classmethod
    def _tag(cls, v: str | None) -> str | None:
        if v is not None and not TAG.fullmatch(v):
            raise ValueError("not an image tag; allowed: letters, digits, '_', '.', '-' (max 128)")
        return v

    @field_validator("digest")
    @classmethod
    def _digest(cls, v: str | None) -> str | None:
        if v is not None and not DIGEST.fullmatch(v):
            raise ValueError("not a manifest digest; allowed: sha256: followed by 64 lower-case hex digits")
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
    instance_size: Annotated[str, _matching(APP_SIZE, "an instance size", APP_SIZE_HELP)] = "apps-s-1vcpu-0.5gb"
    instance_count: Annotated[int, _between(1, 50)] = 1
    http_port: Port = 8080
    health_check_path: HttpPath = "/healthz"
    env: Annotated[dict[str, str], _at_most(MAX_ENV)] = Field(default_factory=dict)
    domain: str | None = None
    use_database: bool = False

    @field_validator("env")
    @classmethod
    def _env(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if not ENV_NAME.fullmatch(key):
                raise _Whole(f"{key!r} is not an environment variable name; allowed: [A-Z_][A-Z0-9_]*")
        return v

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str | None) -> str | None:
        return None if v is None else _domain(v)


Apps = Annotated[tuple[AppConfig, ...], _at_most(MAX_ITEMS)]
_APPS = TypeAdapter(Apps)


def load_apps(value: Any, stack: str) -> tuple[AppConfig, ...]:
    """``do-platform:apps`` alone, through the same model as :class:`StackConfig` (image discovery uses it:
    an app the config would refuse, such as an ``image`` that is a string, is an error, never skipped)."""
    try:
        return _APPS.validate_python([] if value is None else value)
    except ValidationError as exc:
        errors = [{**e, "loc": ("apps", *e["loc"])} for e in exc.errors()]
        raise ConfigError(_message(errors[0]) + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
                          hint=f"edit Pulumi.{stack}.yaml") from None


class ProviderConfig(_Model):
    """The ``digitalocean:*`` keys the explicit provider is built from (token stays a secret)."""

    api_endpoint: str | None = None
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


class RegistryRetentionConfig(_Model):
    """RegistryRetention on ``up``: the cleanup policy over ``registry``, protecting every stack's images."""

    enabled: bool = False
    keep_last: Annotated[int, _between(0, 1000)] = 10
    keep_days: Annotated[int, _between(0, 3650)] = 30
    gc: bool = True
    apply_on_every_up: bool = True


class StackConfig(_Model):
    """Everything one stack's program needs; built by :func:`load_stack_config`."""

    stack: str
    environment: Environment
    region: str
    components: tuple[Component, ...]
    network: NetworkConfig | None = None
    web: WebConfig = WebConfig()
    database: DatabaseConfig = DatabaseConfig()
    kubernetes: KubernetesConfig = KubernetesConfig()
    domain: str | None = None
    registry: str | None = None
    registry_retention: RegistryRetentionConfig = RegistryRetentionConfig()
    apps: Apps = ()
    app_secrets: Annotated[dict[str, Annotated[dict[str, SecretStr], _at_most(MAX_ENV)]], _at_most(MAX_ITEMS)] = (
        Field(default_factory=dict))
    rotate_app_secrets: bool = False
    alert_emails: Annotated[tuple[str, ...], _at_most(MAX_ITEMS)] = ()
    policy_enforcement: PolicyEnforcement | None = Field(default=None, validate_default=True)
    preflight: bool = False
    provider: ProviderConfig = ProviderConfig()

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        if v not in REGIONS:
            raise ValueError(f"not a DigitalOcean region; allowed: {_allowed(REGIONS)}")
        return v

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

    @field_validator("alert_emails")
    @classmethod
    def _emails(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            if not EMAIL.fullmatch(item):
                raise _Whole(f"{item!r} is not an email address; allowed: addresses such as ops@example.com")
        return v

    @field_validator("apps")
    @classmethod
    def _apps(cls, v: tuple[AppConfig, ...]) -> tuple[AppConfig, ...]:
        names = [a.name for a in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise _Whole(f"duplicate app names {dupes}; allowed: unique names")
        return v

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


# Cross-field rules, each tied to the one key it blames: (key, check(cfg) -> message or None).
def _cross_checks(cfg: StackConfig) -> list[tuple[str, Any, str]]:
    errors: list[tuple[str, Any, str]] = []
    on = cfg.enabled
    for comp, needs in REQUIRES.items():
        for need, why in needs:
            if on(comp) and not on(need):
                errors.append(("components", [c.value for c in cfg.components],
                               f"'{comp.value}' needs '{need.value}' ({why}); allowed: add '{need.value}' "
                               f"or remove '{comp.value}'"))
    if on(Component.network) and cfg.network is None:
        errors.append(("network.ipRange", None, "missing while 'network' is enabled; allowed: an RFC 1918 range "
                       "from /16 to /24, e.g. 10.110.0.0/20"))
    if on(Component.dns) and cfg.domain is None:
        errors.append(("domain", None, "required when 'dns' is enabled; allowed: a domain name such as example.com"))
    if on(Component.web) and not cfg.alert_emails:
        errors.append(("alertEmails", [], "empty while 'web' is enabled (its alert policies need a recipient); "
                       "allowed: one or more addresses such as ops@example.com"))
    if on(Component.apps) and not cfg.apps:
        errors.append(("apps", [], "empty while 'apps' is enabled; allowed: at least one app"))
    if cfg.apps and not on(Component.apps):
        errors.append(("apps", [a.name for a in cfg.apps], "set while 'apps' is not in components; allowed: "
                       "enable 'apps' or remove the list"))
    # Host names already served: the web cluster's A record, then each app's custom domain in turn.
    taken: dict[str, str] = {}
    if on(Component.web) and cfg.web_hostname:
        taken[cfg.web_hostname] = "the web cluster (web.recordName)"
    for i, app in enumerate(cfg.apps):
        if app.domain in taken:
            errors.append((f"apps[{i}].domain", app.domain, f"already served by {taken[app.domain]}; allowed: "
                           f"a host name no other component uses"))
        elif app.domain:
            taken[app.domain] = f"apps[{i}]"
        if app.use_database and not on(Component.database):
            errors.append((f"apps[{i}].useDatabase", True, "needs 'database' in components; allowed: false"))
        if app.domain and cfg.domain and not (app.domain == cfg.domain or app.domain.endswith("." + cfg.domain)):
            errors.append((f"apps[{i}].domain", app.domain, f"outside the stack's domain; allowed: {cfg.domain} "
                           f"or a name under it"))
    if cfg.registry_retention.enabled and cfg.registry is None:
        errors.append(("registryRetention.enabled", True, "needs `registry` (the registry to keep within the "
                       "policy); allowed: set do-platform:registry, or false"))
    app_names = {a.name for a in cfg.apps}
    for name in cfg.app_secrets:
        if name not in app_names:
            errors.append(("appSecrets", name, f"no app named {name!r}; allowed: {_allowed(sorted(app_names))}"))
        for env_name in cfg.app_secrets[name]:
            if not ENV_NAME.fullmatch(env_name):
                errors.append((f"appSecrets.{name}", env_name, "not an environment variable name; allowed: "
                               "[A-Z_][A-Z0-9_]*"))
    if cfg.production:
        if on(Component.web) and cfg.web.count < 2:
            errors.append(("web.count", cfg.web.count, "production needs high availability; allowed: 2 or more"))
        if on(Component.database) and cfg.database.node_count < 2:
            errors.append(("database.nodeCount", cfg.database.node_count,
                           "production needs a standby node; allowed: 2 or 3"))
        if on(Component.kubernetes) and cfg.kubernetes.ha is False:
            errors.append(("kubernetes.ha", False, "production needs an HA control plane; allowed: true"))
        if on(Component.kubernetes) and not cfg.kubernetes.control_plane_cidrs:
            errors.append(("kubernetes.controlPlaneCidrs", [], "production must not expose the Kubernetes API "
                           "to the internet; allowed: the admin networks, e.g. [203.0.113.10/32]"))
    return errors


def _domain(v: str) -> str:
    name = v.strip().lower().rstrip(".")
    if not DOMAIN.fullmatch(name):
        raise ValueError("not a domain name; allowed: a fully qualified name such as example.com")
    return name


def _registry(v: str) -> str:
    if not REGISTRY.fullmatch(v):
        raise ValueError("not a registry name; allowed: lower-case letters, digits and dashes, at most 63")
    return v


# ---------------------------------------------------------------------------------------------------------
# Loading


class Encrypted:
    """Stands for a ``{secure: ...}`` value that could not be decrypted (offline tools)."""

    def __repr__(self) -> str:
        return "[secret]"


def _key_name(loc: tuple[Any, ...]) -> str:
    """('web', 'count') -> 'do-platform:web.count'; ('apps', 0, 'image') -> 'do-platform:apps[0].image'."""
    parts = list(loc)
    if parts and parts[0] == "provider":
        head = f"{PROVIDER_NS}:{to_camel(str(parts[1]))}" if len(parts) > 1 else f"{PROVIDER_NS}:*"
        parts = parts[2:]
    else:
        head = f"{PROJECT}:{to_camel(str(parts[0]))}" if parts else PROJECT
        parts = parts[1:]
    for p in parts:
        head += f"[{p}]" if isinstance(p, int) else f".{p}"
    return head


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the last element of ``loc`` (for 'unknown key' messages)."""
    model: Any = StackConfig
    for p in loc[:-1]:
        if isinstance(p, int):
            continue
        field = next((f for n, f in model.model_fields.items() if p in (n, f.alias)), None)
        if field is None:
            return None
        ann = field.annotation
        inner = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner and hasattr(ann, "__args__"):
            inner = [a for arg in ann.__args__ for a in getattr(arg, "__args__", ())
                     if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner:
            return None
        model = inner[0]
    return model


MISSING_HINTS = {
    "ipRange": "an RFC 1918 range from /16 to /24, e.g. 10.110.0.0/20",
    "name": "a lower-case name such as web",
    "image": "a mapping {registry, repository, tag and/or digest}",
    "registry": "a registry name such as do-platform",
    "repository": "a repository name such as web",
}


def _message(err: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if str(loc[0]) in ("appSecrets", "app_secrets") or "token" in loc:
        value = Encrypted()  # never echo a secret value in an error
    elif isinstance(value, Encrypted):  # `pulumi config set --secret` on a key that is not meant to be secret
        return (f"{_key_name(loc)}: an encrypted value, which tools without the passphrase cannot read; allowed: "
                f"a plain value (only appSecrets and digitalocean:token are secrets)")
    if kind == "extra_forbidden":
        owner = _model_at(loc)
        allowed = sorted(f.alias or n for n, f in owner.model_fields.items()) if owner else []
        if owner is StackConfig:
            allowed = [k for k in allowed if k not in ("stack", "provider")]
        return f"{_key_name(loc)}: unknown key; allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        hint = MISSING_HINTS.get(str(loc[-1]), "see the key's description in Pulumi.yaml")
        return f"{_key_name(loc)}: missing; allowed: {hint}"
    if kind == "enum":
        return f"{_key_name(loc)}: {value!r} is not allowed; allowed: {err['ctx'].get('expected', '')}"
    text = err["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        if isinstance(err.get("ctx", {}).get("error"), _Whole):
            return f"{_key_name(loc)}: {text}"
        return f"{_key_name(loc)}: {_short(value)} is {text}"
    expected = next((v for k, v in TYPE_HINTS.items() if kind.startswith(k)), "a value of the documented type")
    return f"{_key_name(loc)}: {_short(value)} is not allowed ({text[:1].lower()}{text[1:]}); allowed: {expected}"


TYPE_HINTS = {"int": "an integer", "bool": "true or false", "float": "a number", "string": "a string",
              "list": "a list", "tuple": "a list", "dict": "a mapping", "model": "a mapping"}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _unflatten(raw: Mapping[str, Any], stack: str) -> dict[str, Any]:
    """Raw ``config:`` mapping (``do-platform:web`` / ``digitalocean:apiEndpoint`` keys) -> model input."""
    data: dict[str, Any] = {"stack": stack, "provider": {}}
    for full_key, value in raw.items():
        ns, _, key = str(full_key).partition(":")
        if not key:
            ns, key = PROJECT, ns
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        if ns == PROJECT:
            if key in ("stack", "provider"):
                raise ConfigError(f"{PROJECT}:{key}: unknown key; allowed keys: see Pulumi.yaml")
            data[key] = value
        elif ns == PROVIDER_NS and key in {f.alias or n for n, f in ProviderConfig.model_fields.items()}:
            data["provider"][key] = value
        # other namespaces (e.g. pulumi:*) belong to other tools
    return data


def _strip_encrypted(data: Any) -> Any:
    """Replace undecryptable ``{secure: ...}`` values with :class:`Encrypted`.

    ``load_stack_config`` turns those under ``appSecrets`` and the token into placeholders; anywhere else a
    placeholder fails validation without echoing the ciphertext."""
    if isinstance(data, Mapping):
        if set(data) == {"secure"}:
            return Encrypted()
        return {k: _strip_encrypted(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_strip_encrypted(v) for v in data]
    return data


SECRET_CONFIG_KEYS = (f"{PROVIDER_NS}:token", f"{PROJECT}:appSecrets")


def _is_secure(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"secure"}


def plaintext_secrets(raw: Mapping[str, Any], secret_keys: Collection[str] | None = None) -> list[str]:
    """Keys that hold a secret in clear: ``digitalocean:token`` and every ``appSecrets`` value.

    ``secret_keys=None`` reads ``raw`` as a stack file's ``config:`` mapping, where a secret is a
    ``{secure: ...}`` value; otherwise ``raw`` is the program's decrypted view and ``secret_keys`` the keys
    Pulumi marks secret. The values are never returned, only where they are.
    """
    def full(key: str) -> str:
        return key if ":" in key else f"{PROJECT}:{key}"

    found: list[str] = []
    for key, value in raw.items():
        name = full(str(key))
        if isinstance(value, str) and value.strip() in ("{}", "null"):
            value = None  # the program's view of an empty mapping (the project default of appSecrets)
        if name not in SECRET_CONFIG_KEYS or value is None or value == "" or value == {}:
            continue
        if secret_keys is not None:
            if name not in secret_keys and str(key) not in secret_keys:
                found.append(name)
        elif name == SECRET_CONFIG_KEYS[0]:
            if not _is_secure(value):
                found.append(name)
        elif not _is_secure(value):
            if not isinstance(value, Mapping):
                found.append(name)
                continue
            for app, envs in value.items():
                if _is_secure(envs):
                    continue
                if not isinstance(envs, Mapping):
                    found.append(f"{name}.{app}")
                    continue
                found += [f"{name}.{app}.{env}" for env, v in envs.items() if not _is_secure(v)]
    return found


def secret_command(key: str, stack: str) -> str:
    """The command that stores ``key`` (a name from :func:`plaintext_secrets`) encrypted."""
    if key == SECRET_CONFIG_KEYS[0]:
        return f"pulumi config set --stack {stack} --secret {key} <token>"
    path = key.removeprefix(f"{PROJECT}:")
    return f"pulumi config set --stack {stack} --secret --path '{path}' <value>"


def load_stack_config(raw: Mapping[str, Any], stack: str, *,
                      secret_keys: Collection[str] | None = None) -> StackConfig:
    """Validate a stack's raw config mapping; :class:`ConfigError` names the first bad key.

    ``raw`` is either the ``config:`` mapping of ``Pulumi.<stack>.yaml`` (values may be nested YAML or
    ``{secure: ...}``) or the flat key -> string view the program gets from Pulumi (JSON strings for
    structured values). Undecryptable secrets are accepted as placeholders. A secret in clear (see
    :func:`plaintext_secrets`; ``secret_keys`` as there) is refused after the values themselves pass.
    """
    data = _strip_encrypted(_unflatten(raw, stack))
    secrets = data.get("appSecrets")
    if isinstance(secrets, Encrypted):
        data["appSecrets"] = {}  # names unknown without the passphrase; the real run checks them
    elif isinstance(secrets, Mapping):
        data["appSecrets"] = {
            app: ({} if isinstance(envs, Encrypted) else
                  {k: ("[secret]" if isinstance(v, Encrypted) else v) for k, v in envs.items()}
                  if isinstance(envs, Mapping) else envs)
            for app, envs in secrets.items()
        }
    if isinstance(data["provider"].get("token"), Encrypted):
        data["provider"]["token"] = "[secret]"
    for key in ("environment", "region", "components"):
        if key not in data:
            raise ConfigError(f"{PROJECT}:{key}: missing in Pulumi.{stack}.yaml; allowed: "
                              + {"environment": _allowed(Environment), "region": _allowed(REGIONS),
                                 "components": f"a list drawn from {_allowed(Component)}"}[key])
    try:
        cfg = StackConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        raise ConfigError(_message(errors[0]) + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
                          hint=f"edit Pulumi.{stack}.yaml or run `pulumi config set --path ...`") from None
    problems = _cross_checks(cfg)
    if problems:
        key, value, text = problems[0]
        name = key if ":" in key else f"{PROJECT}:{key}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        shown = "" if value is None else f"{_short(value)} is not allowed: "
        raise ConfigError(f"{name}: {shown}{text}{more}", hint=f"edit Pulumi.{stack}.yaml")
    clear = plaintext_secrets(raw, secret_keys)
    if clear:
        more = f" (and {len(clear) - 1} more: {', '.join(clear[1:])})" if len(clear) > 1 else ""
        raise ConfigError(f"{clear[0]}: a secret in clear in Pulumi.{stack}.yaml, which is committed{more}; "
                          f"allowed: an encrypted value (the value itself is not shown)",
                          hint=f"delete it from Pulumi.{stack}.yaml, then run: {secret_command(clear[0], stack)}")
    return cfg


def from_pulumi_config() -> StackConfig:
    """The running program's config: every known key read through ``pulumi.Config``."""
    import pulumi

    project = pulumi.Config(PROJECT)
    provider = pulumi.Config(PROVIDER_NS)
    raw: dict[str, Any] = {}
    for name, field in StackConfig.model_fields.items():
        if name in ("stack", "provider"):
            continue
        key = field.alias or name
        value = project.get(key)
        if value is not None:
            raw[f"{PROJECT}:{key}"] = value
    for name, field in ProviderConfig.model_fields.items():
        key = field.alias or name
        value = provider.get(key)
        if value is not None:
            raw[f"{PROVIDER_NS}:{key}"] = value
    from pulumi.runtime.config import is_config_secret

    return load_stack_config(raw, pulumi.get_stack(), secret_keys={k for k in raw if is_config_secret(k)})


def program_keys() -> dict[str, Any]:
    """``{camelKey: default}`` of every ``do-platform:*`` key (``...`` when required): for docs and tests."""
    out: dict[str, Any] = {}
    for name, field in StackConfig.model_fields.items():
        if name in ("stack", "provider"):
            continue
        default = ... if field.is_required() else (field.get_default(call_default_factory=True))
        if isinstance(default, BaseModel):
            default = default.model_dump(mode="json", by_alias=True)
        elif isinstance(default, tuple):
            default = [d.model_dump(mode="json", by_alias=True) if isinstance(d, BaseModel) else d for d in default]
        elif isinstance(default, Enum):
            default = default.value
        out[field.alias or name] = default
    return out
