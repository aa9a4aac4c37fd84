"""The do-platform program: typed stack config -> one provider -> components -> one project -> outputs."""

import os
from pathlib import Path

import pulumi
import pulumi_digitalocean as do

from components import (
    AppService,
    AppServiceArgs,
    DatabaseLink,
    Dns,
    DnsArgs,
    ImageRef,
    Kubernetes,
    KubernetesArgs,
    ManagedPostgres,
    ManagedPostgresArgs,
    NodePoolSpec,
    SecureNetwork,
    SecureNetworkArgs,
    TrustedSources,
    WebCluster,
    WebClusterArgs,
)
from do_platform.config import APP_REGIONS, PROJECT_ENVIRONMENTS, Component, from_pulumi_config
from do_platform.errors import PlatformError

try:
    cfg = from_pulumi_config()
    if cfg.preflight and not pulumi.runtime.is_dry_run():  # fail before any change, on `pulumi up` only
        from do_platform.ops.preflight import run_for_program

        run_for_program(cfg)
except PlatformError as err:  # a clean message instead of a traceback
    raise pulumi.RunError(err.message + (f"\nhint: {err.hint}" if err.hint else "")) from None

env, prod, on = cfg.stack, cfg.production, cfg.enabled
token = cfg.provider.token
provider = do.Provider("digitalocean", api_endpoint=cfg.provider.api_endpoint,
                       http_retry_max=cfg.provider.http_retry_max, requests_per_second=cfg.provider.requests_per_second,
                       token=pulumi.Output.secret(token.get_secret_value()) if token else None)
opts = pulumi.ResourceOptions(providers={"digitalocean": provider})
members: list[pulumi.Output[str]] = []  # DigitalOcean URNs assigned to this stack's project

network = dns = web = cluster = db = None
if on(Component.network):
    n = cfg.network
    network = SecureNetwork("network", SecureNetworkArgs(
        env=env, region=cfg.region, ip_range=n.ip_range, admin_cidrs=n.admin_cidrs, egress_cidrs=n.egress_cidrs,
        bastion=n.bastion.enabled, bastion_size=n.bastion.size, bastion_image=n.bastion.image,
        ssh_keys=cfg.web.ssh_keys, protect=prod), opts)
    members += network.project_resources

if on(Component.dns):
    dns = Dns("dns", DnsArgs(env=env, domain=cfg.domain, protect=prod), opts)
    members += dns.project_resources

if on(Component.kubernetes):
    k = cfg.kubernetes
    cluster = Kubernetes("k8s", KubernetesArgs(
        env=env, region=cfg.region, vpc_id=network.vpc_id, version_prefix=k.version_prefix,
        default_pool_size=k.default_pool.size, default_pool_count=k.default_pool.count, production=prod, ha=k.ha,
        pools=tuple(NodePoolSpec(p.name, p.size, p.min_nodes, p.max_nodes) for p in k.pools),
        maintenance_day=k.maintenance.day, maintenance_start=k.maintenance.hour,
        control_plane_cidrs=k.control_plane_cidrs), opts)
    members += cluster.project_resources

if on(Component.web):
    w = cfg.web
    web = WebCluster("web", WebClusterArgs(
        env=env, region=cfg.region, vpc_id=network.vpc_id, domain=dns.domain_name, hostname=cfg.web_hostname,
        alert_emails=cfg.alert_emails, size=w.size, count=w.count, image=w.image, ssh_keys=w.ssh_keys,
        app_port=w.app_port, health_check_path=w.health_check_path, record_name=w.record_name,
        backups=prod if w.backups is None else w.backups, volume_size_gb=w.volume_size_gb,
        member_tags=(network.member_tag.name,), vpc_cidr=network.ip_range, protect=prod), opts)
    members += web.project_resources

# The database firewall trusts the apps that use it; their ids exist only once the apps do. One deferred id
# per linked app (their number is known from config), so a preview sees every rule of the firewall.
linked_apps = [a.name for a in cfg.apps if a.use_database] if on(Component.apps) else []
deferred_app_ids = {name: pulumi.deferred_output() for name in linked_apps}
app_ids = tuple(out for out, _ in deferred_app_ids.values())
if on(Component.database):
    d = cfg.database
    db = ManagedPostgres("db", ManagedPostgresArgs(
        env=env, region=cfg.region, vpc_id=network.vpc_id, size=d.size, version=d.version, node_count=d.node_count,
        databases=d.databases, users=d.users, pool_size=d.pool_size, maintenance_day=d.maintenance.day,
        maintenance_hour=d.maintenance.hour, protect=prod,
        trusted=TrustedSources(
            tags=(web.tag_name,) if web else (), kubernetes_ids=(cluster.cluster_id,) if cluster else (),
            app_ids=app_ids, ip_ranges=() if web or cluster or any(a.use_database for a in cfg.apps) else
            (network.ip_range,))), opts)  # no client at all: only the VPC, never the world
    members += db.project_resources

apps: list[AppService] = []
try:
    for a in cfg.apps if on(Component.apps) else ():
        link = DatabaseLink(db.cluster_name, db.database_name, db.user_name, db.pool_private_uri) \
            if a.use_database else None
        secrets = {k: v.get_secret_value() for k, v in cfg.app_secrets.get(a.name, {}).items()}
        apps.append(AppService(f"app-{a.name}", AppServiceArgs(
            env=env, region=APP_REGIONS[cfg.region], name=a.name, instance_size=a.instance_size,
            image=ImageRef(a.image.registry, a.image.repository, a.image.tag, a.image.digest),
            instance_count=a.instance_count, http_port=a.http_port, health_check_path=a.health_check_path,
            env_vars=a.env, secret_env=secrets, domain=a.domain, zone=cfg.domain if a.domain and dns else None,
            database=link,
            rotate_secrets=cfg.rotate_app_secrets), opts))
        members += apps[-1].project_resources
finally:
    created = {a.name: app.app_id for app, a in zip(apps, cfg.apps, strict=False)}
    for name, (_, resolve) in deferred_app_ids.items():  # an app that failed to build resolves empty: up fails
        resolve(created.get(name, pulumi.Output.from_input("")))

if cfg.registry_retention.enabled:  # protects what every stack of this project deploys, read from its own files
    from do_platform.dynamic import RegistryRetention, RegistryRetentionArgs
    from do_platform.stack_files import protected_references

    r = cfg.registry_retention
    try:
        protected = protected_references(cfg.registry, Path(__file__).resolve().parent)
    except PlatformError as err:
        raise pulumi.RunError(f"do-platform:registryRetention: {err.message}") from None
    retention_token = token.get_secret_value() if token else os.environ.get("DIGITALOCEAN_TOKEN")
    if not retention_token:
        raise pulumi.RunError("do-platform:registryRetention.enabled needs the API token: set digitalocean:token "
                              "(pulumi config set --secret digitalocean:token ...) or DIGITALOCEAN_TOKEN")
    RegistryRetention("registry-retention", RegistryRetentionArgs(
        registry=cfg.registry, token=retention_token, keep_last=r.keep_last, keep_days=r.keep_days,
        protect=protected, gc=r.gc, apply_on_every_up=r.apply_on_every_up,
        api_endpoint=cfg.provider.api_endpoint))

project = do.Project("project", name=f"do-platform-{env}", purpose="Web Application",
                     environment=PROJECT_ENVIRONMENTS[cfg.environment],
                     description=f"do-platform stack {env}", resources=pulumi.Output.all(*members),
                     opts=pulumi.ResourceOptions(providers={"digitalocean": provider}, protect=prod))

pulumi.export("project_id", project.id)
pulumi.export("components", [c.value for c in cfg.components])
pulumi.export("policy_enforcement", cfg.policy_enforcement.value)
if network:
    pulumi.export("vpc_id", network.vpc_id)
    pulumi.export("vpc_ip_range", network.ip_range)
if web:
    pulumi.export("web_url", web.url)
    pulumi.export("web_lb_ip", web.lb_ip)
if cluster:
    pulumi.export("kubernetes_version", cluster.version)
    pulumi.export("kubeconfig", cluster.kubeconfig)
if db:
    pulumi.export("database_private_uri", db.private_uri)
    pulumi.export("database_pool_uri", db.pool_private_uri)
pulumi.export("apps", {
    a.name: {"url": app.live_url, "image": f"{a.image.registry}/{a.image.repository}"
             + (f"@{a.image.digest}" if a.image.digest else f":{a.image.tag}")}
    for app, a in zip(apps, cfg.apps, strict=False)})
