"""Each Pulumi.<stack>.yaml evaluated through ``__main__.py`` under mocks: types, counts and invariants."""

from __future__ import annotations

import ipaddress
import itertools
import json
from collections import Counter

import pytest

from components import TYPE_TOKENS
from do_platform.config import load_stack_config
from do_platform.offline import SECRET_MASK, evaluate, project_defaults, read_stack_config, stack_names

STACKS = ("dev", "local", "prod", "staging")
COMMON = {"Vpc": 1, "Firewall": 2, "Tag": 2, "Domain": 1, "DnsRecord": 2, "Certificate": 1, "LoadBalancer": 1,
          "MonitorAlert": 3, "UptimeCheck": 1, "UptimeAlert": 1, "DatabaseCluster": 1, "DatabaseFirewall": 1,
          "DatabaseDb": 1, "DatabaseUser": 1, "DatabaseConnectionPool": 1, "App": 1, "Project": 1,
          "digitalocean": 1, "SecureNetwork": 1, "Dns": 1, "WebCluster": 1, "ManagedPostgres": 1, "AppService": 1}
# One read-only replica (with its own database firewall) and the PostgreSQL settings resource.
REPLICA = {"DatabaseReplica": 1, "DatabaseFirewall": 2, "DatabasePostgresqlConfig": 1}
EXPECTED = {
    "dev": {**COMMON, "Droplet": 1},
    "local": {**COMMON, **REPLICA, "DropletAutoscale": 1, "Kubernetes": 1, "KubernetesCluster": 1,
              "KubernetesNodePool": 1},
    "staging": {**COMMON, **REPLICA, "DropletAutoscale": 1, "Kubernetes": 1, "KubernetesCluster": 1,
                "KubernetesNodePool": 1},
    "prod": {**COMMON, **REPLICA, "Droplet": 4, "Volume": 3, "VolumeAttachment": 3, "Kubernetes": 1,
             "KubernetesCluster": 1, "KubernetesNodePool": 2, "VpcNatGateway": 1, "ReservedIp": 1,
             "ReservedIpAssignment": 1},
}
# The object store of the stacks that enable it: bucket, CORS, key, CDN with its certificate and CNAME record.
OBJECT_STORE = {"ObjectStore": 1, "SpacesBucket": 1, "SpacesBucketCorsConfiguration": 1, "SpacesKey": 1, "Cdn": 1,
                "Certificate": 1, "DnsRecord": 1}
for _stack in ("local", "staging", "prod"):
    EXPECTED[_stack] = dict(Counter(EXPECTED[_stack]) + Counter(OBJECT_STORE))
TAGGABLE = ("Droplet", "Volume", "DatabaseCluster", "KubernetesCluster", "KubernetesNodePool")


@pytest.fixture(scope="module")
def evaluations():
    return {stack: evaluate(stack) for stack in STACKS}


def short(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def test_every_stack_file_is_covered():
    assert tuple(stack_names()) == STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_resource_types_and_counts(evaluations, stack):
    counts = Counter(short(r.type) for r in evaluations[stack].resources)
    assert dict(counts) == EXPECTED[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_tree_is_whole_and_components_use_the_token_table(evaluations, stack):
    ev = evaluations[stack]
    urns = {r.urn for r in ev.resources}
    assert len(urns) == len(ev.resources)
    for r in ev.resources:
        assert r.parent_urn is not None and r.urn.startswith(f"urn:pulumi:{stack}::do-platform::")
        assert r.parent_urn in urns or r.parent_urn.endswith(f"pulumi:pulumi:Stack::do-platform-{stack}")
        if not r.custom:
            assert r.type in TYPE_TOKENS.values(), r.type


@pytest.mark.parametrize("stack", STACKS)
def test_tags_on_everything_taggable(evaluations, stack):
    for r in evaluations[stack].resources:
        if short(r.type) in TAGGABLE:
            tags = set(r.inputs["tags"])
            assert f"env:{stack}" in tags and any(t.startswith("component:") for t in tags), r.name


@pytest.mark.parametrize("stack", STACKS)
def test_everything_assignable_is_in_the_stack_project(evaluations, stack):
    ev = evaluations[stack]
    project = ev.of_type("digitalocean:index/project:Project")[0].inputs
    assert project["name"] == f"do-platform-{stack}"
    urns = project["resources"]
    kinds = Counter(u.split(":")[1] for u in urns)
    assert kinds["droplet"] == ev.count("digitalocean:index/droplet:Droplet")
    assert kinds["volume"] == ev.count("digitalocean:index/volume:Volume")
    assert kinds["loadbalancer"] == kinds["dbaas"] == kinds["domain"] == kinds["app"] == 1
    assert kinds["kubernetes"] == ev.count("digitalocean:index/kubernetesCluster:KubernetesCluster")


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_in_plaintext(evaluations, stack):
    ev = evaluations[stack]
    text = json.dumps([r.inputs for r in ev.resources], default=str) + json.dumps(ev.outputs, default=str)
    assert "mock-password" not in text and "mock-token" not in text
    assert ev.outputs["database_private_uri"] == ev.outputs["database_pool_uri"] == SECRET_MASK
    if "kubeconfig" in ev.outputs:
        assert ev.outputs["kubeconfig"] == SECRET_MASK
    app = ev.of_type("digitalocean:index/app:App")[0]
    env = {e["key"]: e for e in app.inputs["spec"]["services"][0]["envs"]}
    assert env["DATABASE_URL"]["value"] == SECRET_MASK and env["DATABASE_URL"]["type"] == "SECRET"


@pytest.mark.parametrize("stack", STACKS)
def test_security_invariants(evaluations, stack):
    ev = evaluations[stack]
    for fw in ev.of_type("digitalocean:index/firewall:Firewall"):
        for rule in fw.inputs.get("inboundRules", []):
            assert rule.get("portRange") != "all"
            if set(rule.get("sourceAddresses", [])) & {"0.0.0.0/0", "::/0"}:
                pytest.fail(f"{fw.name} opens {rule} to the internet")
    db_fw = ev.of_type("digitalocean:index/databaseFirewall:DatabaseFirewall")
    replicas = ev.of_type("digitalocean:index/databaseReplica:DatabaseReplica")
    assert len(db_fw) == 1 + len(replicas)  # one authoritative list for the cluster and for each replica
    assert all({r["type"] for r in fw.inputs["rules"]} <= {"tag", "app", "k8s", "ip_addr"} for fw in db_fw)
    assert all(fw.inputs["rules"] == db_fw[0].inputs["rules"] for fw in db_fw)  # replicas trust the same sources
    cluster = ev.of_type("digitalocean:index/databaseCluster:DatabaseCluster")[0]
    assert cluster.inputs["privateNetworkUuid"] == "network-vpc-id"
    assert all(r.inputs["privateNetworkUuid"] == "network-vpc-id" for r in replicas)
    assert ev.of_type("digitalocean:index/loadBalancer:LoadBalancer")[0].inputs["redirectHttpToHttps"] is True
    for k8s in ev.of_type("digitalocean:index/kubernetesCluster:KubernetesCluster"):
        assert k8s.inputs["version"].startswith("1.33.") and k8s.inputs["version"] != "latest"


def test_production_is_highly_available_and_protected(evaluations):
    ev = evaluations["prod"]
    protected = {short(r.type) for r in ev.resources if r.protect}
    assert {"Vpc", "Domain", "DatabaseCluster", "DatabaseDb", "KubernetesCluster", "LoadBalancer",
            "Project"} <= protected
    assert not {"DnsRecord", "Firewall", "KubernetesNodePool", "Droplet", "DatabaseFirewall", "DatabaseUser",
                "DatabaseConnectionPool"} & protected
    web = [r for r in ev.of_type("digitalocean:index/droplet:Droplet") if r.name.startswith("web-")]
    assert len(web) >= 2 and all(d.inputs["backups"] is True for d in web)
    assert ev.of_type("digitalocean:index/databaseCluster:DatabaseCluster")[0].inputs["nodeCount"] >= 2
    k8s = ev.of_type("digitalocean:index/kubernetesCluster:KubernetesCluster")[0].inputs
    assert k8s["ha"] is True and k8s["destroyAllAssociatedResources"] is False and k8s["surgeUpgrade"] is True


@pytest.mark.parametrize("stack", ["dev", "local", "staging"])
def test_non_production_is_cheap_and_cleans_up(evaluations, stack):
    ev = evaluations[stack]
    assert not [r for r in ev.resources if r.protect]
    for k8s in ev.of_type("digitalocean:index/kubernetesCluster:KubernetesCluster"):
        assert k8s.inputs["destroyAllAssociatedResources"] is True
    if stack != "staging":
        assert ev.of_type("digitalocean:index/databaseCluster:DatabaseCluster")[0].inputs["nodeCount"] == 1
        pools = ev.of_type("digitalocean:index/dropletAutoscale:DropletAutoscale")
        web_droplets = pools[0].inputs["config"]["minInstances"] if pools else ev.count(
            "digitalocean:index/droplet:Droplet")
        assert web_droplets == 1


def test_app_images_share_one_repository_and_pin_by_digest_where_promoted():
    images = {}
    for stack in STACKS:
        cfg = load_stack_config({**project_defaults(), **read_stack_config(stack)}, stack)
        images[stack] = cfg.apps[0].image
    assert {(i.registry, i.repository) for i in images.values()} == {("do-platform", "web")}
    assert images["prod"].digest and images["staging"].digest and images["dev"].digest is None
    ev = evaluate("prod")
    image = ev.of_type("digitalocean:index/app:App")[0].inputs["spec"]["services"][0]["image"]
    assert image["digest"] == images["prod"].digest and "tag" not in image


def test_vpc_ranges_do_not_overlap_between_stacks(evaluations):
    """Every Pulumi.*.yaml, not a list of names: the rule itself (config.rules.vpc_overlap, applied by the
    program and load_config) is tested in tests/config/test_other_stacks.py; here the outputs agree with it."""
    from do_platform.stack_files import vpc_ranges

    ranges = {s: ipaddress.ip_network(r) for s, r in vpc_ranges().items()}
    assert set(ranges) == set(stack_names())
    for stack, ev in evaluations.items():
        assert ipaddress.ip_network(ev.outputs["vpc_ip_range"]) == ranges[stack]
    for (a, ra), (b, rb) in itertools.combinations(ranges.items(), 2):
        assert not ra.overlaps(rb), f"{a} {ra} overlaps {b} {rb}"
        assert ra.is_private


def test_local_targets_the_emulator(evaluations):
    provider = evaluations["local"].of_type("pulumi:providers:digitalocean")[0]
    assert provider.inputs["apiEndpoint"] == "http://127.0.0.1:8089"
    assert evaluations["local"].outputs["components"] == ["network", "dns", "web", "database", "kubernetes", "apps"]


def test_evaluation_is_repeatable_and_deterministic(evaluations):
    again = evaluate("staging")
    first = evaluations["staging"]
    def view(ev):
        return sorted((r.urn, json.dumps(r.inputs, sort_keys=True), r.protect, r.parent_urn) for r in ev.resources)

    assert view(again) == view(first)
    assert again.outputs == first.outputs


@pytest.mark.parametrize(("components", "expected"), [
    (["network"], {"digitalocean": 1, "SecureNetwork": 1, "Vpc": 1, "Tag": 1, "Firewall": 1, "Project": 1}),
    (["network", "database"], {"digitalocean": 1, "SecureNetwork": 1, "Vpc": 1, "Tag": 1, "Firewall": 1,
                               "Project": 1, "ManagedPostgres": 1, "DatabaseCluster": 1, "DatabaseFirewall": 1,
                               "DatabaseDb": 1, "DatabaseUser": 1, "DatabaseConnectionPool": 1}),
])
def test_components_switch_off(components, expected):
    config = {**read_stack_config("dev"), "do-platform:components": components}
    config.pop("do-platform:apps")
    ev = evaluate("dev", config=config)
    assert dict(Counter(short(r.type) for r in ev.resources)) == expected
    assert ev.outputs["components"] == components
    if "database" in components:  # no client: the VPC alone is trusted, never the world
        rules = ev.of_type("digitalocean:index/databaseFirewall:DatabaseFirewall")[0].inputs["rules"]
        assert rules == [{"type": "ip_addr", "value": "10.110.0.0/20"}]


@pytest.mark.parametrize(("components", "zone"), [(["network", "dns", "database", "apps"], "dev.example.com"),
                                                  (["network", "database", "apps"], None)])
def test_app_domain_zone_only_when_the_stack_manages_the_domain(components, zone):
    """App Platform manages the records only in a zone this account holds, i.e. when 'dns' is on."""
    config = {**read_stack_config("dev"), "do-platform:components": components}
    config["do-platform:apps"] = [{**config["do-platform:apps"][0], "domain": "app.dev.example.com"}]
    ev = evaluate("dev", config=config)
    (domain,) = ev.of_type("digitalocean:index/app:App")[0].inputs["spec"]["domainNames"]
    assert domain["name"] == "app.dev.example.com" and domain.get("zone") == zone


def test_offline_evaluation_never_runs_the_account_preflight(monkeypatch):
    import do_platform.ops.preflight as preflight

    def refuse(*_args, **_kwargs):
        raise AssertionError("preflight must not run offline")

    monkeypatch.setattr(preflight, "run_for_program", refuse)
    assert load_stack_config({**project_defaults(), **read_stack_config("prod")}, "prod").preflight
    assert evaluate("prod").count("digitalocean:index/project:Project") == 1


def test_program_stops_on_preflight_failure_with_a_clean_message(monkeypatch):
    """On `pulumi up` (not a preview) an enabled preflight runs first; a failure becomes a RunError."""
    import runpy

    import pulumi

    import do_platform.ops.preflight as preflight
    from do_platform.errors import PreflightFailed
    from do_platform.offline import REPO_ROOT, run_with_mocks

    seen = []

    def failing(cfg, client=None):
        seen.append(cfg.stack)
        raise PreflightFailed("preflight of stack 'prod' failed 1 check(s):\n  droplet limit: 3 left, 7 needed",
                              "raise the droplet limit")

    monkeypatch.setattr(preflight, "run_for_program", failing)
    raw = {**project_defaults(), **read_stack_config("prod")}
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    with pytest.raises(pulumi.RunError, match="droplet limit: 3 left, 7 needed\nhint: raise the droplet limit"):
        run_with_mocks(lambda: runpy.run_path(str(REPO_ROOT / "__main__.py"), run_name="__main__"), stack="prod",
                       config=flat)
    assert seen == ["prod"]


def test_registry_retention_protects_what_every_stack_deploys(monkeypatch):
    """The program passes every stack file's app images (digests and tags) to RegistryRetention."""
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "dop_v1_program-test-token")
    config = {**read_stack_config("prod"), "do-platform:registryRetention": {"enabled": True, "keepLast": 5}}
    ev = evaluate("prod", config=config)
    (retention,) = ev.of_type("pulumi-python:dynamic/do-platform:RegistryRetention")
    protect = set(retention.inputs["protect"])
    for stack in STACKS:
        for app in read_stack_config(stack).get("do-platform:apps") or []:
            image = app["image"]
            if image.get("digest"):
                assert f"{image['repository']}@{image['digest']}" in protect
            if image.get("tag"):
                assert f"{image['repository']}:{image['tag']}" in protect
    assert retention.inputs["allow_empty_protect"] is False and retention.inputs["keep_last"] == 5
    assert retention.inputs["apply_on_every_up"] is True


def test_registry_retention_without_a_registry_names_the_key():
    from do_platform.errors import ConfigError

    config = {**read_stack_config("dev"), "do-platform:registryRetention": {"enabled": True}}
    config.pop("do-platform:registry", None)
    with pytest.raises(ConfigError, match="registryRetention.enabled"):
        evaluate("dev", config=config)


@pytest.mark.parametrize("stack", STACKS)
def test_linked_apps_read_from_the_first_replica_through_a_secret(evaluations, stack):
    ev = evaluations[stack]
    app = ev.of_type("digitalocean:index/app:App")[0]
    env = {e["key"]: e for e in app.inputs["spec"]["services"][0]["envs"]}
    has_replica = bool(ev.of_type("digitalocean:index/databaseReplica:DatabaseReplica"))
    assert ("DATABASE_READ_URL" in env) is has_replica is (stack != "dev")
    if has_replica:
        assert env["DATABASE_READ_URL"]["value"] == SECRET_MASK and env["DATABASE_READ_URL"]["type"] == "SECRET"
        assert ev.outputs["database_replica_uris"] == SECRET_MASK
    else:
        assert "database_replica_uris" not in ev.outputs
