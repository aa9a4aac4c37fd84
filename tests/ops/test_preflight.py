"""Preflight checks against the emulator: each passes on a ready account and fails for its own reason.

Every test also holds preflight to being read-only: the emulator's request log must show GETs only.
"""

from __future__ import annotations

import pytest

from do_platform.api.client import make_client
from do_platform.config import load_config, load_stack_config
from do_platform.errors import ApiFailure, PreflightFailed
from do_platform.ops import preflight as ops
from tests.helpers.emulator import TEST_TOKEN
from tests.helpers.stacks import stack

MIB = 1024**2
STAGING_DIGEST = "sha256:4315c8fd5a82533f56a83922bc1d5a2cff2b1f1e76117f66673abbcffd6c9fff"





def cfg_of(raw: dict, name: str = "dev"):
    return load_stack_config(raw, name)


def by_name(report) -> dict[str, ops.Check]:
    return {c.name: c for c in report.checks}


def methods(emulator) -> set[str]:
    return {e["method"] for e in emulator.control.log.snapshot()["entries"]}


@pytest.fixture


def ready(emulator, client):
    """An account that can hold the dev stack: its domain exists and its image is pushed."""
    emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["main"]},
        {"repository": "web", "tags": ["1.4.2"], "digest": STAGING_DIGEST}]})
    client.domains.create({"name": "dev.example.com"})
    emulator.control.log.clear()
    return client


def test_dev_stack_passes_on_a_ready_account_with_gets_only(emulator, ready):
    report = ops.run_checks(ready, cfg_of(stack()))
    rows = by_name(report)
    assert report.passed and not report.warnings
    assert list(rows) == ["token", "account", "droplet limit", "region", "size: web droplets", "postgres version",
                          "size: database", "size: app web", "domain", "registry do-platform",
                          "registry repositories", "registry storage", "image: app web", "load balancer limit"]
    assert {c.status for c in report.checks} == {"ok", "skip"}
    assert rows["load balancer limit"].status == "skip" and "exposes no load balancer limit" in \
        rows["load balancer limit"].detail
    assert rows["droplet limit"].detail.startswith("plans 1 (web 1); 0 on the account")
    assert methods(emulator) == {"GET"}


def test_real_staging_stack_counts_nodes_and_volumes(emulator, ready, monkeypatch):
    monkeypatch.setenv("SPACES_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: the bucket check skips
    ready.domains.create({"name": "staging.example.com"})
    report = ops.run_checks(ready, load_config("staging"))
    rows = by_name(report)
    assert report.passed, [c for c in report.failures]
    assert report.planned == {"droplets_min": 6, "droplets_max": 8, "volumes": 0, "load_balancers": 1}
    assert ("web autoscale 2..4 (counted at maxInstances), kubernetes default pool 1, pool workers 1..3"
            in rows["droplet limit"].detail)
    assert rows["kubernetes version"].detail == "1.33. resolves to 1.33.1-do.0"
    assert rows["image: app web"].status == "ok" and STAGING_DIGEST in rows["image: app web"].detail
    assert "volume limit" not in rows  # an autoscale pool has no volumes


def test_web_autoscale_pool_counts_at_max_instances_against_the_droplet_limit(emulator, ready):
    """The pool grows without another preflight: its ceiling must fit, not just its floor."""
    cfg = load_stack_config(stack("dev", web={"sshKeys": ["123"], "autoscale": {"minInstances": 1, "maxInstances": 4,
                                                                                "targetCpu": 0.7}}), "dev")
    emulator.control.seed("account", {"droplet_limit": 3})
    row = by_name(ops.run_checks(ready, cfg))["droplet limit"]
    assert row.status == "fail" and "web autoscale 1..4 (counted at maxInstances)" in row.detail
    assert "web.autoscale.maxInstances" in row.fix
    emulator.control.seed("account", {"droplet_limit": 4})
    assert by_name(ops.run_checks(ready, cfg))["droplet limit"].status == "ok"


def test_droplet_limit_counts_other_stacks_not_this_one(emulator, ready):
    raw = stack(components=["network", "dns", "web", "database", "kubernetes", "apps"],
                kubernetes={"pools": [{"name": "workers", "size": "s-2vcpu-4gb", "minNodes": 1, "maxNodes": 3}]})
    emulator.control.seed("account", {"droplet_limit": 6})
    emulator.control.seed("droplets", {"count": 2, "tags": ["env:dev"], "name_prefix": "dev-web"})
    assert by_name(ops.run_checks(ready, cfg_of(raw)))["droplet limit"].status == "ok"  # plans 3..5, own 2

    emulator.control.seed("droplets", {"count": 2, "tags": ["env:other"], "name_prefix": "other"})
    row = by_name(ops.run_checks(ready, cfg_of(raw)))["droplet limit"]
    assert row.status == "warn" and "autoscaling to the pools' maxNodes would need 1 more" in row.detail

    emulator.control.seed("droplets", {"count": 2, "tags": ["env:other"], "name_prefix": "more"})
    report = ops.run_checks(ready, cfg_of(raw))
    row = by_name(report)["droplet limit"]
    assert row.status == "fail" and row.detail.startswith("plans 3..5 (web 1, kubernetes default pool 1, pool "
                                                          "workers 1..3); 6 on the account (2 already this stack's)")
    assert row.fix.startswith("needs 1 more")
    assert methods(emulator) == {"GET"}  # seeding goes through the in-process control API, not the log


def test_region_unavailable_fails_with_the_usable_regions(emulator, ready):
    emulator.control.seed("catalog", {"regions": {"nyc3": {"available": False}}})
    row = by_name(ops.run_checks(ready, cfg_of(stack())))["region"]
    assert row.status == "fail" and row.detail == "nyc3 does not accept new resources"
    assert row.fix.startswith("set do-platform:region to one of ams3, atl1, blr1, fra1")


def test_size_not_offered_in_region_names_the_key(emulator, ready):
    emulator.control.seed("catalog", {"unavailable": [{"size": "s-1vcpu-1gb", "region": "nyc3"}]})
    row = by_name(ops.run_checks(ready, cfg_of(stack())))["size: web droplets"]
    assert row.status == "fail" and row.detail == "s-1vcpu-1gb is not offered in nyc3"
    assert row.fix.startswith("set do-platform:web.size to a size offered in nyc3, e.g. ")


def test_kubernetes_prefix_not_offered_and_node_size_too_small(emulator, ready):
    emulator.control.seed("kubernetes", {"versions": ["1.34.0-do.0", "1.32.5-do.0"]})
    raw = stack(components=["network", "dns", "web", "kubernetes"], apps=[],
                kubernetes={"versionPrefix": "1.33.", "defaultPool": {"size": "s-1vcpu-1gb", "count": 1}})
    rows = by_name(ops.run_checks(ready, cfg_of(raw)))
    assert rows["kubernetes version"].status == "fail"
    assert rows["kubernetes version"].fix == "set do-platform:kubernetes.versionPrefix to one of 1.34., 1.32."
    pool = rows["size: kubernetes default pool"]
    assert pool.status == "fail" and "not a Kubernetes node size" in pool.detail
    assert "do-platform:kubernetes.defaultPool.size" in pool.fix and "s-1vcpu-1gb" not in pool.fix
    assert rows["size: kubernetes pool workers"].status == "ok"


def test_postgres_version_and_database_size(emulator, ready):
    emulator.control.seed("databases", {"versions": {"pg": ["15", "16"]}})
    # The bundled catalog already refuses this size offline; preflight is the check for an API stricter than
    # the catalog it was built from, so the config is made as an older catalog would have let it through.
    cfg = cfg_of(stack())
    cfg = cfg.model_copy(update={"database": cfg.database.model_copy(update={"size": "db-s-16vcpu-64gb"})})
    rows = by_name(ops.run_checks(ready, cfg))
    assert rows["postgres version"].status == "fail"
    assert rows["postgres version"].fix == "set do-platform:database.version to one of 15, 16"
    assert rows["size: database"].status == "fail"
    assert rows["size: database"].detail == "db-s-16vcpu-64gb is not offered for 1 node(s)"


def test_app_size_that_cannot_scale(emulator, ready):
    apps = [{"name": "web", "image": {"registry": "do-platform", "repository": "web", "tag": "main"},
             "instanceSize": "apps-s-1vcpu-0.5gb", "instanceCount": 1}]
    cfg = cfg_of(stack(apps=apps))  # the catalog refuses two instances offline; the API's answer is checked live
    cfg = cfg.model_copy(update={"apps": (cfg.apps[0].model_copy(update={"instance_count": 2}),)})
    row = by_name(ops.run_checks(ready, cfg))["size: app web"]
    assert row.status == "fail" and "runs a single instance; instanceCount is 2" in row.detail
    assert row.fix.startswith("set do-platform:apps[0].instanceSize to a scalable size")


def test_domain_present_absent_and_without_dns(emulator, client):
    emulator.control.seed("registry", {"registry": "do-platform", "pushes": [{"repository": "web", "tags": ["main"]}]})
    row = by_name(ops.run_checks(client, cfg_of(stack())))["domain"]
    assert row.status == "warn" and "the dns component will create it" in row.detail
    assert "ns1/ns2/ns3.digitalocean.com" in row.fix
    no_dns = stack(components=["network", "database"], apps=[])
    row = by_name(ops.run_checks(client, cfg_of(no_dns)))["domain"]
    assert row.status == "fail" and "add 'dns' to do-platform:components" in row.fix
    client.domains.create({"name": "dev.example.com"})
    assert by_name(ops.run_checks(client, cfg_of(no_dns)))["domain"].status == "ok"


def test_missing_registry_names_the_ones_that_exist(emulator, client):
    emulator.control.seed("registry", {"registry": "elsewhere"})
    report = ops.run_checks(client, cfg_of(stack()))
    rows = by_name(report)
    assert rows["registry do-platform"].status == "fail"
    assert rows["registry do-platform"].detail == "no registry 'do-platform' (on this account: elsewhere)"
    assert "registry repositories" not in rows  # nothing to weigh without the registry


def test_starter_tier_refuses_a_second_repository_and_overage(emulator, client):
    emulator.control.seed("registry", {"registry": "do-platform", "tier": "starter", "pushes": [
        {"repository": "api", "tags": ["v1"], "layers": [600 * MIB]}]})
    rows = by_name(ops.run_checks(client, cfg_of(stack())))
    repos = rows["registry repositories"]
    assert repos.status == "fail" and repos.detail == "tier starter includes 1 repositories; 2 in use or deployed"
    storage = rows["registry storage"]
    assert storage.status == "fail" and "this tier allows no overage" in storage.detail
    assert rows["image: app web"].status == "fail" and "no repository 'web'" in rows["image: app web"].detail


def test_image_tag_and_digest_must_exist(emulator, client):
    emulator.control.seed("registry", {"registry": "do-platform", "pushes": [{"repository": "web", "tags": ["v1"]}]})
    rows = by_name(ops.run_checks(client, cfg_of(stack())))
    assert rows["image: app web"].status == "fail"
    assert rows["image: app web"].detail == "do-platform/web:main: tag not in the repository"
    apps = [{"name": "web", "image": {"registry": "do-platform", "repository": "web", "digest": "sha256:" + "e" * 64}}]
    row = by_name(ops.run_checks(client, cfg_of(stack(apps=apps))))["image: app web"]
    assert row.status == "fail" and "digest not in the repository" in row.detail


def test_volume_limit(emulator, ready):
    emulator.control.seed("account", {"volume_limit": 1})
    row = by_name(ops.run_checks(ready, cfg_of(stack(web={"count": 2, "volumeSizeGb": 10}))))["volume limit"]
    assert row.status == "fail" and row.detail == "plans 2; 0 on the account (0 already this stack's); limit 1"


@pytest.mark.parametrize(("status", "expected"), [("warning", "warn"), ("locked", "fail")])


def test_account_not_active(emulator, ready, status, expected):
    emulator.control.seed("account", {"status": status, "status_message": "billing"})
    row = by_name(ops.run_checks(ready, cfg_of(stack())))["account"]
    assert row.status == expected and row.detail == f"status {status}: billing"


def test_rejected_token_fails_once_and_skips_the_rest(emulator):
    emulator.control.configure(token="the-right-token")
    client = make_client(token="a-wrong-token", endpoint=emulator.url, retry_backoff_factor=0.01)
    report = ops.run_checks(client, cfg_of(stack()))
    assert report.checks[0] == ops.Check("token", "fail", "the API rejected the token (401)",
                                         "set DIGITALOCEAN_TOKEN (or --token) to a valid token with read scope")
    assert {c.status for c in report.checks[1:]} == {"skip"}
    assert emulator.control.log.snapshot()["by_route"] == {"GET /v2/account": 1}


def test_survives_5xx_and_429_through_the_factory_retries(emulator, ready):
    baseline = ops.run_checks(ready, cfg_of(stack()))
    emulator.control.log.clear()
    emulator.control.add_fault(match=r"^GET /v2/sizes", status=503, count=2, retry_after=None)
    emulator.control.add_fault(match=r"^GET /v2/databases/options", status=500, count=1)
    emulator.control.add_fault(match=r"^GET /v2/account", status=429, count=1, retry_after=1)
    report = ops.run_checks(ready, cfg_of(stack()))
    assert report.checks == baseline.checks
    log = emulator.control.log.snapshot()
    assert log["by_status"]["503"] == 2 and log["by_status"]["500"] == 1 and log["by_status"]["429"] == 1
    assert methods(emulator) == {"GET"}


def test_persistent_server_error_names_the_check(emulator, ready):
    emulator.control.add_fault(match=r"^GET /v2/regions", status=500)
    with pytest.raises(ApiFailure, match=r"preflight region: API error 500"):
        ops.run_checks(ready, cfg_of(stack()))


def test_run_for_program_uses_the_stack_endpoint_and_raises_with_fixes(emulator, ready, monkeypatch):
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", TEST_TOKEN)
    raw = {**stack(), "digitalocean:apiEndpoint": emulator.url}
    assert ops.run_for_program(cfg_of(raw)).passed
    emulator.control.seed("account", {"droplet_limit": 0})
    with pytest.raises(PreflightFailed) as err:
        ops.run_for_program(cfg_of(raw))
    assert err.value.exit_code == 3
    assert "preflight of stack 'dev' failed 1 check(s):\n  droplet limit: plans 1 (web 1)" in err.value.message
    assert "(fix: needs 1 more" in err.value.message


def test_a_token_without_scope_for_one_family_fails_that_check_only(emulator, ready):
    emulator.control.add_fault(match=r"^GET /v2/registries", status=403)
    report = ops.run_checks(ready, cfg_of(stack()))
    assert [c.name for c in report.failures] == ["registry"]
    assert report.failures[0].detail == "the token may not read what this check needs (403)"
    assert by_name(report)["load balancer limit"].status == "skip"  # the checks after it still ran


# -- the object store: the bucket's name against a local S3 server standing in for Spaces, the keys limit


@pytest.fixture


def spaces(tmp_path, monkeypatch):
    """The local S3 server (as `make up-local` starts it) as the stack's Spaces endpoint; yields its port."""
    from do_platform.engine.spaces_server import spaces_server
    from tests.e2e.stack_checks import free_port

    port = free_port()
    with spaces_server(port, tmp_path) as endpoint:
        monkeypatch.setenv("SPACES_ENDPOINT_URL", endpoint)
        yield port


def store_cfg(**store):
    return cfg_of(stack(objectStore={"enabled": True, "bucket": "acme-dev-objects", **store}))


def test_a_free_bucket_name_and_room_for_the_key_pass(emulator, ready, spaces):
    rows = by_name(ops.run_checks(ready, store_cfg()))
    assert rows["bucket name"].status == "ok" and rows["bucket name"].detail == "acme-dev-objects is free in nyc3"
    assert rows["spaces key limit"].status == "ok"
    assert rows["spaces key limit"].detail.startswith("plans 1 key (dev-objects-key); 0 on the account")
    assert methods(emulator) == {"GET"}


def test_a_bucket_name_someone_holds_fails_unless_the_stack_project_has_it(emulator, ready, spaces):
    import boto3

    from do_platform.engine.spaces_server import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY

    boto3.client("s3", endpoint_url=f"http://127.0.0.1:{spaces}", region_name="us-east-1",
                 aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY
                 ).create_bucket(Bucket="acme-dev-objects")
    row = by_name(ops.run_checks(ready, store_cfg()))["bucket name"]
    assert row.status == "fail" and "acme-dev-objects is taken" in row.detail
    assert "do-platform:objectStore.bucket" in row.fix
    project = ready.projects.create({"name": "do-platform-dev", "purpose": "Web Application"})["project"]
    ready.projects.assign_resources(project["id"], {"resources": ["do:space:acme-dev-objects"]})
    row = by_name(ops.run_checks(ready, store_cfg()))["bucket name"]
    assert row.status == "ok" and "already this stack's" in row.detail


def test_the_spaces_keys_limit_counts_other_keys_not_this_stacks(emulator, ready, spaces, monkeypatch):
    monkeypatch.setattr(ops, "SPACES_KEY_LIMIT", 2)
    for name in ("other-1", "other-2"):
        ready.spaces_key.create({"name": name, "grants": [{"bucket": "other", "permission": "read"}]})
    row = by_name(ops.run_checks(ready, store_cfg()))["spaces key limit"]
    assert row.status == "fail" and "2 on the account (0 already this stack's); limit 2" in row.detail
    ready.spaces_key.delete(next(k["access_key"] for k in ready.spaces_key.list()["keys"] if k["name"] == "other-2"))
    ready.spaces_key.create({"name": "dev-objects-key", "grants": [{"bucket": "acme-dev-objects",
                                                                     "permission": "readwrite"}]})
    assert by_name(ops.run_checks(ready, store_cfg()))["spaces key limit"].status == "ok"


def test_an_unreachable_spaces_endpoint_skips_the_name_check(emulator, ready, monkeypatch):
    monkeypatch.setenv("SPACES_ENDPOINT_URL", "http://127.0.0.1:9")
    row = by_name(ops.run_checks(ready, store_cfg()))["bucket name"]
    assert row.status == "skip" and "did not answer" in row.detail


def test_replicas_region_and_single_node_size_by_the_live_options(emulator, ready):
    raw = stack(database={"size": "db-s-1vcpu-1gb", "version": "17", "nodeCount": 1,
                          "replicas": [{"name": "read-1", "size": "db-s-1vcpu-2gb"},
                                       {"name": "read-2", "size": "db-s-1vcpu-2gb", "region": "ams3"}]})
    rows = by_name(ops.run_checks(ready, cfg_of(raw)))
    assert rows["size: replica read-1"].status == "ok" and "replica read-1 region" not in rows
    assert rows["replica read-2 region"].status == "warn"
    assert rows["replica read-2 region"].fix == "set do-platform:database.replicas[1].region to nyc3"
    # An API stricter than the bundled catalog: the size no longer runs as a single node, the region has no pg.
    emulator.control.seed("databases", {"versions": {"pg": ["17"]}})
    cfg = cfg_of(raw)
    odd = cfg.database.replicas[1].model_copy(update={"region": "xyz1", "size": "db-s-64vcpu-1tb"})
    cfg = cfg.model_copy(update={"database": cfg.database.model_copy(
        update={"replicas": (cfg.database.replicas[0], odd)})})
    rows = by_name(ops.run_checks(ready, cfg))
    assert rows["replica read-2 region"].status == "fail"
    assert rows["replica read-2 region"].detail == "managed Postgres is not offered in xyz1"
    assert rows["size: replica read-2"].status == "fail"
    assert rows["size: replica read-2"].fix.startswith("set do-platform:database.replicas[1].size to one of ")
    assert methods(emulator) == {"GET"}
