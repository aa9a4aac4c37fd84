"""Stack config -> component arguments: every decision the program makes, in named functions.

``__main__.py`` only composes: it calls these with the typed config (and the outputs of components
built before) and hands the result to the components. The policy lives here, where a test can read it
without the Pulumi engine: what production turns on, whom the database trusts, what things are called.
The logical names are exported, so tools that look at a stack from outside (status) use the same ones.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pulumi

from components import (
    AppServiceArgs,
    AutoscaleSpec,
    CorsRule,
    DatabaseLink,
    DnsArgs,
    KubernetesArgs,
    ManagedPostgres,
    ManagedPostgresArgs,
    NodePoolSpec,
    ObjectStoreArgs,
    ReplicaSpec,
    SecureNetworkArgs,
    TrustedSources,
    WebClusterArgs,
)
from do_platform.config import PROJECT, PROJECT_ENVIRONMENTS, AppConfig, Component, Environment, StackConfig
from do_platform.errors import ConfigError, PlatformError
from do_vocab.images import ImageRef, image_reference
from do_vocab.regions import APP_REGIONS

# Pulumi logical names of the components (their children's names and DigitalOcean names derive from them).
NETWORK = "network"
DNS = "dns"
KUBERNETES = "k8s"
WEB = "web"
DATABASE = "db"
PROJECT_RESOURCE = "project"
REGISTRY_RETENTION = "registry-retention"
OBJECT_STORE = "objects"
PROVIDER = "digitalocean"
PROJECT_NAME_PREFIX = f"{PROJECT}-"  # the stack's DigitalOcean project: do-platform-<stack>


def app_logical_name(app: str) -> str:
    """``app-<name>``: one AppService per configured app."""
    return f"app-{app}"


def project_name(stack: str) -> str:
    return f"{PROJECT_NAME_PREFIX}{stack}"


def provider_settings(cfg: StackConfig) -> dict[str, Any]:
    """Keyword arguments of the one explicit DigitalOcean provider (the token as a Pulumi secret)."""
    token = cfg.provider.token
    return {"api_endpoint": cfg.provider.api_endpoint, "http_retry_max": cfg.provider.http_retry_max,
            **({"spaces_endpoint": cfg.provider.spaces_endpoint} if cfg.provider.spaces_endpoint else {}),
            "requests_per_second": cfg.provider.requests_per_second,
            "token": pulumi.Output.secret(token.get_secret_value()) if token else None}


def network_args(cfg: StackConfig) -> SecureNetworkArgs:
    n = cfg.network
    return SecureNetworkArgs(
        env=cfg.stack, region=cfg.region, ip_range=n.ip_range, admin_cidrs=n.admin_cidrs, egress_cidrs=n.egress_cidrs,
        bastion=n.bastion.enabled, bastion_size=n.bastion.size, bastion_image=n.bastion.image,
        ssh_keys=cfg.web.ssh_keys, protect=cfg.production, nat_gateway=private_egress(cfg),
        bastion_reserved_ip=private_egress(cfg) and n.bastion.enabled)


def private_egress(cfg: StackConfig) -> bool:
    """Web droplets without public addresses, so the VPC gets a NAT gateway (and the bastion a reserved IP)."""
    return cfg.enabled(Component.web) and cfg.web.private_egress


def dns_args(cfg: StackConfig) -> DnsArgs:
    return DnsArgs(env=cfg.stack, domain=cfg.domain, protect=cfg.production)


def kubernetes_args(cfg: StackConfig, *, vpc_id: pulumi.Input[str]) -> KubernetesArgs:
    k = cfg.kubernetes
    return KubernetesArgs(
        env=cfg.stack, region=cfg.region, vpc_id=vpc_id, version_prefix=k.version_prefix,
        default_pool_size=k.default_pool.size, default_pool_count=k.default_pool.count, production=cfg.production,
        ha=k.ha, pools=tuple(NodePoolSpec(p.name, p.size, p.min_nodes, p.max_nodes) for p in k.pools),
        maintenance_day=k.maintenance.day, maintenance_start=k.maintenance.hour,
        control_plane_cidrs=k.control_plane_cidrs)


def web_backups(cfg: StackConfig) -> bool:
    """Droplet backups: what ``web.backups`` says, and on in production only when it says nothing.

    An autoscale pool has none (its template cannot ask for them; its droplets are disposable)."""
    if cfg.web.autoscale is not None:
        return False
    return cfg.production if cfg.web.backups is None else cfg.web.backups


def web_autoscale(cfg: StackConfig) -> AutoscaleSpec | None:
    """``web.autoscale`` as the component's pool spec (None: fixed ``web.count`` droplets)."""
    a = cfg.web.autoscale
    if a is None:
        return None
    return AutoscaleSpec(min_instances=a.min_instances, max_instances=a.max_instances, target_cpu=a.target_cpu,
                         target_memory=a.target_memory, cooldown_minutes=a.cooldown_minutes)


def web_args(cfg: StackConfig, *, vpc_id: pulumi.Input[str], vpc_cidr: str, domain: pulumi.Input[str],
             member_tag: pulumi.Input[str], egress_gateway: pulumi.Resource | None = None) -> WebClusterArgs:
    w = cfg.web
    return WebClusterArgs(
        env=cfg.stack, region=cfg.region, vpc_id=vpc_id, domain=domain, hostname=cfg.web_hostname,
        alert_emails=cfg.alert_emails, size=w.size, count=w.count, image=w.image, ssh_keys=w.ssh_keys,
        app_port=w.app_port, health_check_path=w.health_check_path, record_name=w.record_name,
        backups=web_backups(cfg), volume_size_gb=w.volume_size_gb, member_tags=(member_tag,), vpc_cidr=vpc_cidr,
        protect=cfg.production, autoscale=web_autoscale(cfg), public_networking=not w.private_egress,
        egress_gateway=egress_gateway)


def apps_of(cfg: StackConfig) -> tuple[AppConfig, ...]:
    """The apps the program builds: none unless the ``apps`` component is on."""
    return cfg.apps if cfg.enabled(Component.apps) else ()


def database_clients(cfg: StackConfig) -> list[str]:
    """Names of the apps the database firewall must trust (their number is known from config)."""
    return [a.name for a in apps_of(cfg) if a.use_database]


def trusted_sources(cfg: StackConfig, *, web_tag: pulumi.Input[str] | None, cluster_id: pulumi.Input[str] | None,
                    app_ids: Sequence[pulumi.Input[str]], vpc_range: str) -> TrustedSources:
    """Whom the database trusts: its clients (the web droplets by tag, the cluster, the linked apps) and,
    when there is no client at all, only the VPC, never the world."""
    has_client = web_tag is not None or cluster_id is not None or any(a.use_database for a in cfg.apps)
    return TrustedSources(tags=(web_tag,) if web_tag is not None else (),
                          kubernetes_ids=(cluster_id,) if cluster_id is not None else (),
                          app_ids=tuple(app_ids), ip_ranges=() if has_client else (vpc_range,))


def database_replicas(cfg: StackConfig) -> tuple[ReplicaSpec, ...]:
    """The read-only replicas: each one's size defaults to the cluster's, its region to the stack's."""
    d = cfg.database
    return tuple(ReplicaSpec(name=r.name, size=r.size or d.size, region=r.region or cfg.region) for r in d.replicas)


def database_args(cfg: StackConfig, *, vpc_id: pulumi.Input[str], trusted: TrustedSources) -> ManagedPostgresArgs:
    d = cfg.database
    return ManagedPostgresArgs(
        env=cfg.stack, region=cfg.region, vpc_id=vpc_id, size=d.size, version=d.version, node_count=d.node_count,
        databases=d.databases, users=d.users, pool_size=d.pool_size, maintenance_day=d.maintenance.day,
        maintenance_hour=d.maintenance.hour, protect=cfg.production, trusted=trusted,
        replicas=database_replicas(cfg), settings=dict(d.settings))


def database_link(db: ManagedPostgres) -> DatabaseLink:
    """What a linked app gets: the cluster by name, the pool's URI, and the first replica's URI for reads."""
    return DatabaseLink(db.cluster_name, db.database_name, db.user_name, db.pool_private_uri,
                        read_uri=db.read_private_uri)


class DeferredAppIds:
    """One deferred id per app the database trusts, so a preview sees every rule of its firewall.

    The firewall is built before the apps that use it (they need its connection string), so it takes
    these placeholders; :meth:`resolve` fills them with the apps' ids once they exist. An app that
    failed to build resolves empty, and ``up`` fails instead of trusting nothing."""

    def __init__(self, names: Sequence[str]) -> None:
        self._deferred = {name: pulumi.deferred_output() for name in names}

    @property
    def outputs(self) -> tuple[pulumi.Output[str], ...]:
        return tuple(out for out, _ in self._deferred.values())

    def resolve(self, created: Mapping[str, pulumi.Output[str]]) -> None:
        for name, (_, resolve) in self._deferred.items():
            resolve(created.get(name, pulumi.Output.from_input("")))


def app_secrets(cfg: StackConfig, app: str) -> dict[str, str]:
    return {k: v.get_secret_value() for k, v in cfg.app_secrets.get(app, {}).items()}


def app_args(cfg: StackConfig, app: AppConfig, *, database: DatabaseLink | None, dns_enabled: bool) -> AppServiceArgs:
    """One AppService: its image pinned as configured, its secrets, its domain in the stack's zone."""
    return AppServiceArgs(
        env=cfg.stack, region=APP_REGIONS[cfg.region], name=app.name, instance_size=app.instance_size,
        image=ImageRef(app.image.registry, app.image.repository, app.image.tag, app.image.digest),
        instance_count=app.instance_count, http_port=app.http_port, health_check_path=app.health_check_path,
        env_vars=app.env, secret_env=app_secrets(cfg, app.name), domain=app.domain,
        zone=cfg.domain if app.domain and dns_enabled else None,
        database=database if app.use_database else None, rotate_secrets=cfg.rotate_app_secrets)


def app_image(app: AppConfig) -> str:
    """The exported image of an app: ``registry/repository@digest`` or ``...:tag``."""
    return image_reference(app.image.registry, app.image.repository, app.image.tag, app.image.digest)


def registry_retention_args(cfg: StackConfig, project_dir: Path, environ: Mapping[str, str] | None = None):
    """RegistryRetention over ``registry``, protecting every image any stack in ``project_dir`` deploys.

    ConfigError (the program turns it into a clean run error) when no stack file names an image, or no
    token is set: the resource talks to the registry API itself."""
    from do_platform.dynamic import RegistryRetentionArgs  # the dynamic provider is needed only when enabled
    from do_platform.stack_files import protected_references

    r = cfg.registry_retention
    try:
        protected = protected_references(cfg.registry, project_dir)
    except PlatformError as err:
        raise ConfigError(f"{PROJECT}:registryRetention: {err.message}") from None
    token = cfg.provider.token
    environ = os.environ if environ is None else environ
    retention_token = token.get_secret_value() if token else environ.get("DIGITALOCEAN_TOKEN")
    if not retention_token:
        raise ConfigError(f"{PROJECT}:registryRetention.enabled needs the API token: set digitalocean:token "
                          "(pulumi config set --secret digitalocean:token ...) or DIGITALOCEAN_TOKEN")
    return RegistryRetentionArgs(
        registry=cfg.registry, token=retention_token, keep_last=r.keep_last, keep_days=r.keep_days,
        protect=protected, gc=r.gc, apply_on_every_up=r.apply_on_every_up, api_endpoint=cfg.provider.api_endpoint)


def object_store_enabled(cfg: StackConfig) -> bool:
    return cfg.object_store.enabled


def object_store_versioning(cfg: StackConfig) -> bool:
    """Bucket versioning: what ``objectStore.versioning`` says, and on in production when it says nothing."""
    return cfg.production if cfg.object_store.versioning is None else cfg.object_store.versioning


def object_store_args(cfg: StackConfig, *, zone: pulumi.Input[str] | None) -> ObjectStoreArgs:
    """The stack's bucket (named by :meth:`ObjectStoreConfig.bucket_for`), its key, and the CDN on a subdomain of
    ``zone`` (the Dns component's domain). Only a development bucket is emptied on destroy; production's is
    protected."""
    o = cfg.object_store
    return ObjectStoreArgs(
        env=cfg.stack, region=cfg.region, bucket=o.bucket_for(cfg.stack), acl=o.acl,
        versioning=object_store_versioning(cfg), noncurrent_version_days=o.noncurrent_version_days,
        abort_incomplete_upload_days=o.abort_incomplete_upload_days,
        cors=tuple(CorsRule(r.allowed_origins, r.allowed_methods, r.allowed_headers, r.max_age_seconds)
                   for r in o.cors),
        key_permission=o.key_permission, cdn=o.cdn.enabled, cdn_ttl=o.cdn.ttl, cdn_subdomain=o.cdn.subdomain,
        zone=zone if o.cdn.subdomain else None, force_destroy=cfg.environment is Environment.development,
        protect=cfg.production)


def project_settings(cfg: StackConfig) -> dict[str, Any]:
    """The stack's DigitalOcean project (its members are added by the program)."""
    return {"name": project_name(cfg.stack), "purpose": "Web Application",
            "environment": PROJECT_ENVIRONMENTS[cfg.environment], "description": f"{PROJECT} stack {cfg.stack}"}
