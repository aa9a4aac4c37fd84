"""The program's decisions, read without the Pulumi engine: config in, component arguments out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from do_platform import composition as c
from do_platform.config import load_stack_config
from do_platform.errors import ConfigError
from do_platform.offline import read_stack_config

REPO_ROOT = Path(__file__).resolve().parents[1]
DIGEST = "sha256:" + "b" * 64


def stack(name: str = "dev", **overrides):
    raw = {**read_stack_config(name), **{f"do-platform:{k}": v for k, v in overrides.items()}}
    return load_stack_config(raw, name)


@pytest.mark.parametrize(("name", "setting", "expected"), [
    ("dev", None, False), ("prod", None, True), ("dev", True, True), ("prod", False, False)])


def test_backups_follow_production_unless_set(name, setting, expected):
    web = {**(read_stack_config(name).get("do-platform:web") or {})}
    if setting is not None:
        web["backups"] = setting
    cfg = stack(name, web=web)
    assert c.web_backups(cfg) is expected
    assert c.web_args(cfg, vpc_id="v", vpc_cidr="10.0.0.0/16", domain="d", member_tag="t").backups is expected


def test_database_trusts_its_clients_and_never_the_world():
    cfg = stack("dev")
    with_web = c.trusted_sources(cfg, web_tag="web-tag", cluster_id=None, app_ids=("app-id",), vpc_range="10.1.0.0/16")
    assert (with_web.tags, with_web.kubernetes_ids, with_web.app_ids, with_web.ip_ranges) == \
        (("web-tag",), (), ("app-id",), ())
    alone = stack("dev", components=["network", "database"], apps=[])
    only_vpc = c.trusted_sources(alone, web_tag=None, cluster_id=None, app_ids=(), vpc_range="10.1.0.0/16")
    assert only_vpc.ip_ranges == ("10.1.0.0/16",) and not only_vpc.tags and not only_vpc.app_ids


def test_database_clients_are_the_linked_apps_of_an_enabled_apps_component():
    apps = [{"name": "web", "image": {"registry": "r", "repository": "web", "tag": "1"}, "useDatabase": True},
            {"name": "worker", "image": {"registry": "r", "repository": "w", "tag": "1"}}]
    assert c.database_clients(stack("dev", apps=apps)) == ["web"]
    assert c.database_clients(stack("dev", components=["network", "dns", "web", "database"], apps=[])) == []


def test_app_args_pin_the_image_map_the_region_and_link_only_users_of_the_database():
    apps = [{"name": "web", "image": {"registry": "r", "repository": "web", "tag": "1", "digest": DIGEST},
             "domain": "api.dev.example.com", "useDatabase": True},
            {"name": "worker", "image": {"registry": "r", "repository": "w", "tag": "2"}}]
    cfg = stack("dev", apps=apps)
    web, worker = (c.app_args(cfg, a, database="link", dns_enabled=True) for a in cfg.apps)
    assert web.region == "nyc" and web.zone == "dev.example.com" and web.database == "link"
    assert (web.image.tag, web.image.digest) == ("1", DIGEST)
    assert worker.database is None and worker.zone is None
    assert c.app_args(cfg, cfg.apps[0], database=None, dns_enabled=False).zone is None
    assert c.app_image(cfg.apps[0]) == f"r/web@{DIGEST}" and c.app_image(cfg.apps[1]) == "r/w:2"


def test_names_are_the_exported_constants():
    cfg = stack("prod")
    settings = c.project_settings(cfg)
    assert settings["name"] == c.PROJECT_NAME_PREFIX + "prod" == c.project_name("prod")
    assert settings["environment"] == "Production"
    assert c.app_logical_name("web") == "app-web"
    assert (c.NETWORK, c.DNS, c.WEB, c.DATABASE, c.KUBERNETES) == ("network", "dns", "web", "db", "k8s")


def test_component_args_carry_the_config():
    cfg = stack("prod")
    k8s = c.kubernetes_args(cfg, vpc_id="v")
    assert k8s.production and k8s.version_prefix == cfg.kubernetes.version_prefix
    assert [p.name for p in k8s.pools] == [p.name for p in cfg.kubernetes.pools]
    assert c.network_args(cfg).protect and c.network_args(cfg).ip_range == cfg.network.ip_range
    assert c.dns_args(cfg).domain == cfg.domain
    db = c.database_args(cfg, vpc_id="v", trusted=c.trusted_sources(cfg, web_tag="t", cluster_id=None, app_ids=(),
                                                                    vpc_range="10.0.0.0/16"))
    assert db.node_count == cfg.database.node_count and db.protect


def test_web_autoscale_becomes_the_pool_spec_without_backups():
    cfg = stack("staging")
    args = c.web_args(cfg, vpc_id="v", vpc_cidr="10.120.0.0/20", domain="d", member_tag="m")
    a = cfg.web.autoscale
    assert args.autoscale == c.AutoscaleSpec(a.min_instances, a.max_instances, a.target_cpu, a.target_memory,
                                             a.cooldown_minutes)
    assert args.backups is False and args.public_networking is True and args.volume_size_gb == 0
    assert c.web_args(stack("dev"), vpc_id="v", vpc_cidr="10.110.0.0/20", domain="d", member_tag="m").autoscale is None


def test_private_egress_gives_the_vpc_a_nat_gateway_and_the_bastion_a_reserved_ip():
    prod = stack("prod")
    gateway = object()
    web = c.web_args(prod, vpc_id="v", vpc_cidr="10.130.0.0/20", domain="d", member_tag="m", egress_gateway=gateway)
    assert web.public_networking is False and web.egress_gateway is gateway and web.backups is True
    net = c.network_args(prod)
    assert net.nat_gateway and net.bastion_reserved_ip and c.private_egress(prod)
    dev = c.network_args(stack("dev"))
    assert not dev.nat_gateway and not dev.bastion_reserved_ip
    # Without a bastion there is nothing to give a reserved IP; without web no gateway is needed.
    local = stack("local", web={"count": 1, "privateEgress": True})
    assert c.network_args(local).nat_gateway and not c.network_args(local).bastion_reserved_ip
    no_web = stack("local", components=["network", "dns", "database"], apps=[], web={"privateEgress": True})
    assert not c.private_egress(no_web) and not c.network_args(no_web).nat_gateway


def test_registry_retention_needs_a_token_and_stack_files(tmp_path):
    cfg = stack("dev", registryRetention={"enabled": True, "keepLast": 3})
    with pytest.raises(ConfigError, match=r"^do-platform:registryRetention: no Pulumi.<stack>.yaml"):
        c.registry_retention_args(cfg, tmp_path, environ={"DIGITALOCEAN_TOKEN": "t"})
    shutil.copy(REPO_ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    with pytest.raises(ConfigError, match=r"^do-platform:registryRetention.enabled needs the API token"):
        c.registry_retention_args(cfg, tmp_path, environ={})
    args = c.registry_retention_args(cfg, tmp_path, environ={"DIGITALOCEAN_TOKEN": "t"})
    assert (args.registry, args.keep_last, list(args.protect)) == ("do-platform", 3, ["web:main"])


@pytest.mark.parametrize(("name", "setting", "expected"), [
    ("staging", None, False), ("prod", None, True), ("staging", True, True), ("local", False, False)])


def test_bucket_versioning_follows_production_unless_set(name, setting, expected):
    store = {**read_stack_config(name)["do-platform:objectStore"]}
    if setting is not None:
        store["versioning"] = setting
    cfg = stack(name, objectStore=store)
    assert c.object_store_versioning(cfg) is expected
    assert c.object_store_args(cfg, zone="z").versioning is expected


def test_object_store_args_protect_production_and_empty_only_development_buckets():
    prod, staging, local = (c.object_store_args(stack(n), zone=f"zone-{n}") for n in ("prod", "staging", "local"))
    assert (prod.protect, prod.force_destroy) == (True, False)
    assert (staging.protect, staging.force_destroy) == (False, False)
    assert (local.protect, local.force_destroy) == (False, True)
    assert prod.bucket == "do-platform-prod-objects" and prod.region == "nyc3" and prod.acl == "private"
    assert (prod.cdn, prod.cdn_subdomain, prod.zone, prod.cdn_ttl) == (True, "cdn", "zone-prod", 86400)
    assert prod.cors[0].allowed_origins == ("https://www.example.com", "https://app.example.com")
    assert prod.key_permission == "readwrite" and prod.noncurrent_version_days == 30


def test_the_zone_goes_to_the_object_store_only_with_a_cdn_subdomain():
    cfg = stack("staging", objectStore={"enabled": True, "cdn": {"enabled": True}})
    args = c.object_store_args(cfg, zone="staging.example.com")
    assert args.zone is None and args.cdn_subdomain is None and args.cdn
    assert args.bucket == "do-platform-staging-objects"
    assert not c.object_store_enabled(stack("dev"))


def test_the_spaces_endpoint_reaches_the_provider_only_when_set():
    assert "spaces_endpoint" not in c.provider_settings(stack("prod"))
    assert c.provider_settings(stack("local"))["spaces_endpoint"] == "http://localhost:8090"


def test_replicas_default_to_the_clusters_size_and_the_stacks_region():
    cfg = stack("staging", database={**read_stack_config("staging")["do-platform:database"],
                                     "replicas": [{"name": "read-1"}, {"name": "read-2", "size": "db-s-2vcpu-4gb"}]})
    replicas = c.database_replicas(cfg)
    assert [(r.name, r.size, r.region) for r in replicas] == [("read-1", "db-s-1vcpu-2gb", "nyc3"),
                                                              ("read-2", "db-s-2vcpu-4gb", "nyc3")]
    args = c.database_args(cfg, vpc_id="v", trusted=c.trusted_sources(cfg, web_tag="t", cluster_id=None, app_ids=(),
                                                                      vpc_range="10.0.0.0/16"))
    assert args.replicas == replicas and dict(args.settings) == dict(cfg.database.settings)
    assert dict(args.settings) == {"log_min_duration_statement": 1000, "idle_in_transaction_session_timeout": 600000}
    assert c.database_replicas(stack("dev")) == ()
