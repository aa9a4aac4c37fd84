"""The do-platform program: typed stack config -> one provider -> components -> one project -> outputs.

Composition only: what each component is given, and every policy behind it, is decided in
:mod:`do_platform.composition` (unit-tested there).
"""

from pathlib import Path

import pulumi
import pulumi_digitalocean as do

from components import AppService, Dns, Kubernetes, ManagedPostgres, SecureNetwork, WebCluster
from components.object_store import ObjectStore
from do_platform import composition as c
from do_platform.config import Component, from_pulumi_config
from do_platform.errors import PlatformError


def program() -> None:
    cfg = from_pulumi_config(Path(__file__).resolve().parent)  # checked against the project's other stacks
    if cfg.preflight and not pulumi.runtime.is_dry_run():  # fail before any change, on `pulumi up` only
        from do_platform.ops.preflight import run_for_program

        run_for_program(cfg)
    on = cfg.enabled
    provider = do.Provider(c.PROVIDER, **c.provider_settings(cfg))
    opts = pulumi.ResourceOptions(providers={"digitalocean": provider})
    members: list[pulumi.Output[str]] = []  # DigitalOcean URNs assigned to this stack's project

    network = SecureNetwork(c.NETWORK, c.network_args(cfg), opts) if on(Component.network) else None
    dns = Dns(c.DNS, c.dns_args(cfg), opts) if on(Component.dns) else None
    cluster = Kubernetes(c.KUBERNETES, c.kubernetes_args(cfg, vpc_id=network.vpc_id), opts) \
        if on(Component.kubernetes) else None
    web = WebCluster(c.WEB, c.web_args(cfg, vpc_id=network.vpc_id, vpc_cidr=network.ip_range, domain=dns.domain_name,
                                       member_tag=network.member_tag.name, egress_gateway=network.nat_gateway),
                     opts) if on(Component.web) else None
    app_ids = c.DeferredAppIds(c.database_clients(cfg))
    db = ManagedPostgres(c.DATABASE, c.database_args(cfg, vpc_id=network.vpc_id, trusted=c.trusted_sources(
        cfg, web_tag=web.tag_name if web else None, cluster_id=cluster.cluster_id if cluster else None,
        app_ids=app_ids.outputs, vpc_range=network.ip_range)), opts) if on(Component.database) else None
    link = c.database_link(db) if db else None
    apps: dict[str, AppService] = {}
    try:
        for a in c.apps_of(cfg):
            apps[a.name] = AppService(c.app_logical_name(a.name),
                                      c.app_args(cfg, a, database=link, dns_enabled=dns is not None), opts)
    finally:
        app_ids.resolve({name: app.app_id for name, app in apps.items()})
    objects = ObjectStore(c.OBJECT_STORE, c.object_store_args(cfg, zone=dns.domain_name if dns else None), opts) \
        if c.object_store_enabled(cfg) else None
    for component in (network, dns, cluster, web, db, objects, *apps.values()):
        members += component.project_resources if component else []

    if cfg.registry_retention.enabled:  # protects what every stack of this project deploys, read from its files
        from do_platform.dynamic import RegistryRetention

        RegistryRetention(c.REGISTRY_RETENTION, c.registry_retention_args(cfg, Path(__file__).resolve().parent))

    project = do.Project(c.PROJECT_RESOURCE, **c.project_settings(cfg), resources=pulumi.Output.all(*members),
                         opts=pulumi.ResourceOptions(providers={"digitalocean": provider}, protect=cfg.production))
    export_outputs(cfg, project, network=network, web=web, cluster=cluster, db=db, objects=objects, apps=apps)


def export_outputs(cfg, project, *, network, web, cluster, db, objects, apps: dict[str, AppService]) -> None:
    """The stack's outputs (their names are the contract status, docs and workflows read); secrets stay secret."""
    pulumi.export("project_id", project.id)
    pulumi.export("components", [comp.value for comp in cfg.components])
    pulumi.export("policy_enforcement", cfg.policy_enforcement.value)
    if network:
        pulumi.export("vpc_id", network.vpc_id)
        pulumi.export("vpc_ip_range", network.ip_range)
    if web:
        pulumi.export("web_url", web.url)
        pulumi.export("web_lb_ip", web.lb_ip)
        if web.pool_id is not None:
            pulumi.export("web_pool_id", web.pool_id)
    if network and network.bastion_ip is not None:
        pulumi.export("bastion_ip", network.bastion_ip.ip_address)
    if cluster:
        pulumi.export("kubernetes_version", cluster.version)
        pulumi.export("kubeconfig", cluster.kubeconfig)
    if db:
        pulumi.export("database_private_uri", db.private_uri)
        pulumi.export("database_pool_uri", db.pool_private_uri)
        if db.replicas:
            pulumi.export("database_replica_uris", pulumi.Output.secret(db.replica_private_uris))
    if objects:
        pulumi.export("object_store", {"bucket": objects.bucket_name, "region": cfg.region, "url": objects.url,
                                       "endpoint": objects.endpoint, "cdn_endpoint": objects.cdn_endpoint})
        pulumi.export("object_store_access_key_id", objects.access_key_id)  # secrets, as the component keeps them
        pulumi.export("object_store_secret_access_key", objects.secret_access_key)
    pulumi.export("apps", {a.name: {"url": apps[a.name].live_url, "image": c.app_image(a)}
                           for a in c.apps_of(cfg) if a.name in apps})


try:
    program()
except PlatformError as err:  # a clean message instead of a traceback
    raise pulumi.RunError(err.message + (f"\nhint: {err.hint}" if err.hint else "")) from None
