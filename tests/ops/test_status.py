"""Live status against the emulator, on resources created through PyDo the way the program creates them.

``deploy_stack`` mirrors the components: droplets tagged ``env:<stack>`` and ``component:web-cluster``
plus the web tag the load balancer targets, a Let's Encrypt certificate on the HTTPS rule, a Postgres
cluster and a DOKS cluster tagged ``env:<stack>``, an app named ``<stack>-<app>``, and everything in the
project ``do-platform-<stack>``.
"""

from __future__ import annotations

import pytest

from do_platform.config import load_stack_config
from do_platform.errors import ApiFailure
from do_platform.ops import status as ops
from tests.helpers.stacks import ALL, deploy_stack, stack


def cfg(name: str = "dev", **overrides):
    return load_stack_config(stack(components=ALL, **overrides), name)


def rows(result) -> dict[tuple[str, str], ops.ResourceStatus]:
    return {(r.kind, r.name): r for r in result.resources}


def test_a_deployed_stack_is_healthy_and_read_with_gets_only(emulator, client):
    made = deploy_stack(client, emulator)
    emulator.control.log.clear()
    result = ops.collect(client, cfg())
    assert result.healthy and result.project == "do-platform-dev" and not result.notes
    got = rows(result)
    assert list(got) == [("droplet", "dev-web-0"), ("load_balancer", "dev-web-lb"), ("certificate", "dev-web-cert"),
                         ("database", "dev-db"), ("kubernetes", "dev-k8s"), ("node_pool", "dev-k8s/default"),
                         ("app", "dev-web"), ("domain", "dev.example.com")]
    assert got[("load_balancer", "dev-web-lb")].detail.endswith("1/1 droplets active")
    assert got[("certificate", "dev-web-cert")].state == "verified"
    assert got[("database", "dev-db")].state == "online"
    assert got[("node_pool", "dev-k8s/default")].detail.startswith("1/1 nodes running")
    app = got[("app", "dev-web")]
    live = client.apps.get(made["app"]["id"])["app"]["live_url"]
    assert app.state == "ACTIVE" and app.detail.startswith(f"live {live}; active deployment ")
    assert {e["method"] for e in emulator.control.log.snapshot()["entries"]} == {"GET"}


def test_a_pool_and_nat_gateway_made_through_the_api_show_in_status(emulator, client):
    """Against the emulator: the pool's droplets carry the web tag, the pool its size, the gateway its state."""
    deploy_stack(client, emulator, web_count=0)
    vpc = next(v for v in client.vpcs.list()["vpcs"] if v["name"] == "dev-network-vpc")
    client.autoscalepools.create({
        "name": "dev-web-pool", "config": {"min_instances": 2, "max_instances": 3, "target_cpu_utilization": 0.6},
        "droplet_template": {"region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "ssh_keys": ["123"],
                             "vpc_uuid": vpc["id"], "public_networking": False,
                             "tags": ["component:web-cluster", "dev-web-web", "env:dev"]}})
    client.vpcnatgateways.create({"name": "dev-network-nat", "type": "PUBLIC", "region": "nyc3", "size": 1,
                                  "vpcs": [{"vpc_uuid": vpc["id"], "default_gateway": True}]})
    config = cfg(web={"size": "s-1vcpu-1gb", "sshKeys": ["123"],
                      "autoscale": {"minInstances": 2, "maxInstances": 3, "targetCpu": 0.6}})
    got = rows(ops.collect(client, config))
    pool_row = got[("autoscale_pool", "dev-web-pool")]
    assert pool_row.healthy and pool_row.detail.startswith("current 2, desired 2 (2..3), s-1vcpu-1gb")
    assert ("droplet", "web x2") not in got  # the pool's droplets are the web droplets
    assert got[("nat_gateway", "dev-network-nat")].state in ("ACTIVE", "NEW", "PROVISIONING")  # found by name
    private = rows(ops.collect(client, cfg(web={"size": "s-1vcpu-1gb", "privateEgress": True})))
    assert private[("nat_gateway", "dev-network-nat")].kind == "nat_gateway"


def test_other_stacks_are_left_out(emulator, client):
    deploy_stack(client, emulator)
    client.droplets.create({"name": "prod-web-0", "region": "nyc3", "size": "s-1vcpu-1gb",
                            "image": "ubuntu-24-04-x64", "tags": ["env:prod", "prod-web-web"]})
    client.databases.create_cluster({"name": "prod-db", "engine": "pg", "version": "17", "size": "db-s-1vcpu-1gb",
                                     "region": "nyc3", "num_nodes": 1, "tags": ["env:prod"]})
    names = {r.name for r in ops.collect(client, cfg()).resources}
    assert "prod-web-0" not in names and "prod-db" not in names and "dev-db" in names


def test_powered_off_droplet_makes_droplet_and_load_balancer_unhealthy(emulator, client):
    made = deploy_stack(client, emulator, web_count=2)
    off = made["droplets"][1]
    client.droplet_actions.post(off["id"], {"type": "power_off"})
    result = ops.collect(client, cfg())
    assert not result.healthy
    got = rows(result)
    assert got[("droplet", "dev-web-1")].state == "off" and not got[("droplet", "dev-web-1")].healthy
    lb = got[("load_balancer", "dev-web-lb")]
    assert lb.state == "active" and not lb.healthy
    assert lb.detail.endswith(f"1/2 droplets active ({off['id']} off)")
    assert [r.name for r in result.unhealthy] == ["dev-web-1", "dev-web-lb"]


def test_resources_still_provisioning_are_not_healthy_until_they_settle(emulator, client):
    emulator.state.settings.lifecycle_delay = 600.0
    emulator.state.clock.freeze()
    deploy_stack(client, emulator)
    got = rows(ops.collect(client, cfg()))
    assert {k: (r.state, r.healthy) for k, r in got.items() if k[0] != "domain"} == {
        ("droplet", "dev-web-0"): ("new", False),
        ("load_balancer", "dev-web-lb"): ("new", False),
        ("certificate", "dev-web-cert"): ("pending", False),
        ("database", "dev-db"): ("creating", False),
        ("kubernetes", "dev-k8s"): ("provisioning", False),
        ("node_pool", "dev-k8s/default"): ("not ready", False),
        ("app", "dev-web"): (got[("app", "dev-web")].state, False),
    }
    assert got[("app", "dev-web")].state != "ACTIVE" and "deploying" in got[("app", "dev-web")].detail
    emulator.state.clock.advance(601)
    assert ops.collect(client, cfg()).healthy


def test_nothing_deployed_reports_what_is_missing(emulator, client):
    result = ops.collect(client, cfg())
    assert not result.healthy
    assert [(r.kind, r.name, r.state) for r in result.resources] == [
        ("droplet", "web x1", "missing"), ("load_balancer", "dev-web-lb", "missing"),
        ("database", "dev-db", "missing"), ("kubernetes", "dev-k8s", "missing"), ("app", "dev-web", "missing"),
        ("domain", "dev.example.com", "missing")]
    assert not result.deployed
    assert result.notes == ["stack 'dev' has never been deployed to this account (or was destroyed): no project "
                            "do-platform-dev and no resource tagged env:dev; `pulumi up` on stack dev creates it"]


def test_project_membership_finds_what_tags_miss(emulator, client):
    made = deploy_stack(client, emulator)
    client.tags.unassign_resources("env:dev", {"resources": [
        {"resource_id": str(made["droplets"][0]["id"]), "resource_type": "droplet"}]})
    got = rows(ops.collect(client, cfg()))
    assert got[("droplet", "dev-web-0")].healthy  # found through the project although untagged


def test_without_project_load_balancer_and_app_found_by_tag_and_name(emulator, client):
    deploy_stack(client, emulator, project=False)
    result = ops.collect(client, cfg())
    assert result.healthy and result.project is None
    assert ("load_balancer", "dev-web-lb") in rows(result) and ("app", "dev-web") in rows(result)
    assert result.notes[0].startswith("no project do-platform-dev")


def test_survives_5xx_and_429_through_the_factory_retries(emulator, client):
    deploy_stack(client, emulator)
    baseline = ops.collect(client, cfg())
    emulator.control.log.clear()
    emulator.control.add_fault(match=r"^GET /v2/load_balancers", status=502, count=2)
    emulator.control.add_fault(match=r"^GET /v2/kubernetes/clusters", status=503, count=1, retry_after=None)
    emulator.control.add_fault(match=r"^GET /v2/apps", status=429, count=1, retry_after=1)
    result = ops.collect(client, cfg())
    assert result == baseline
    statuses = emulator.control.log.snapshot()["by_status"]
    assert statuses["502"] == 2 and statuses["503"] == 1 and statuses["429"] == 1


def test_persistent_failure_is_an_api_failure(emulator, client):
    emulator.control.add_fault(match=r"^GET /v2/droplets", status=500)
    with pytest.raises(ApiFailure, match=r"status of stack 'dev': API error 500"):
        ops.collect(client, cfg())


def test_app_found_through_the_project_under_another_name(emulator, client):
    made = deploy_stack(client, emulator)
    renamed = client.apps.create({"spec": {"name": "legacy-site", "region": "nyc", "services": [{
        "name": "web", "http_port": 8080, "instance_size_slug": "apps-s-1vcpu-0.5gb", "instance_count": 1,
        "image": {"registry_type": "DOCR", "registry": "do-platform", "repository": "web", "tag": "main"}}]}})["app"]
    client.projects.assign_resources(made["project"]["id"], {"resources": [f"do:app:{renamed['id']}"]})
    got = rows(ops.collect(client, cfg()))
    assert got[("app", "legacy-site")].healthy and got[("app", "dev-web")].healthy


# -- the collectors, one at a time, on a fake reader (no emulator)


class FakeReader:
    """Answers the reads the collectors make from fixed lists; records every call."""

    def __init__(self, **answers) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __getattr__(self, name):
        def read(*args):
            self.calls.append(name)
            value = self.answers.get(name, [])
            return value(*args) if callable(value) else value
        return read


def scan_of(components=ALL, urns=(), **answers) -> ops.Scan:
    raw = stack(components=components)
    for key in ("apps", "database", "web"):  # allowed only with their component
        if key not in components:
            raw.pop(f"do-platform:{key}", None)
    return ops.Scan(load_stack_config(raw, "dev"), FakeReader(**answers), None, list(urns))


def test_the_collectors_are_a_tuple_of_small_functions_in_report_order():
    assert [c.__name__ for c in ops.COLLECTORS] == [
        "collect_droplets", "collect_load_balancers", "collect_certificates", "collect_databases",
        "collect_kubernetes", "collect_apps", "collect_domain", "collect_object_store", "collect_autoscale_pools",
        "collect_nat_gateways"]


def test_on_an_empty_account_each_enabled_collector_reports_what_is_missing_by_its_program_name():
    scan = scan_of(domain=None)
    rows = {c.__name__: c(scan) for c in ops.COLLECTORS}
    assert [r.name for r in rows["collect_load_balancers"]] == ["dev-web-lb"]
    assert [r.name for r in rows["collect_databases"]] == ["dev-db"]
    assert [r.name for r in rows["collect_kubernetes"]] == ["dev-k8s"]
    assert [(r.name, r.state) for r in rows["collect_apps"]] == [("dev-web", "missing")]
    assert [(r.name, r.state) for r in rows["collect_domain"]] == [("dev.example.com", "missing")]
    assert rows["collect_certificates"] == []
    assert all(not r.healthy for rs in rows.values() for r in rs)


AUTOSCALE = {"autoscale": {"minInstances": 2, "maxInstances": 4, "targetCpu": 0.6}, "sshKeys": ["123"]}


def pool(current=2, **extra):
    return {"id": "p-1", "name": "dev-web-pool", "status": "active", "active_resources_count": current,
            "config": {"min_instances": 2, "max_instances": 4, "target_cpu_utilization": 0.6},
            "droplet_template": {"size": "s-1vcpu-1gb", "tags": ["env:dev", "component:web-cluster"]},
            "current_utilization": {"cpu": 0.42, "memory": 0.3}, **extra}


def autoscale_scan(**answers) -> ops.Scan:
    raw = stack(components=ALL, web={"size": "s-1vcpu-1gb", **AUTOSCALE})
    return ops.Scan(load_stack_config(raw, "dev"), FakeReader(**answers), None, [])


def test_an_autoscale_pool_shows_its_current_and_desired_size():
    history = [{"desired_instance_count": 2, "current_instance_count": 0, "created_at": "2026-11-28T10:00:00Z"},
               {"desired_instance_count": 3, "current_instance_count": 2, "created_at": "2026-11-28T11:00:00Z"}]
    [row] = ops.collect_autoscale_pools(autoscale_scan(autoscale_pools=[pool(current=2)],
                                                       autoscale_history=lambda _id: history))
    assert (row.kind, row.name, row.state) == ("autoscale_pool", "dev-web-pool", "active")
    assert row.detail == "current 2, desired 3 (2..4), s-1vcpu-1gb; utilization cpu 42%, memory 30%"
    assert not row.healthy  # scaling up: one droplet short of what the pool wants
    [settled] = ops.collect_autoscale_pools(autoscale_scan(autoscale_pools=[pool(current=3)],
                                                           autoscale_history=lambda _id: history))
    assert settled.healthy
    [fresh] = ops.collect_autoscale_pools(autoscale_scan(autoscale_pools=[pool(current=2)]))
    assert "desired 2 (2..4)" in fresh.detail and fresh.healthy  # no history yet: the floor


def test_a_configured_pool_or_nat_gateway_that_is_absent_is_missing_and_the_floor_counts_as_web_droplets():
    scan = autoscale_scan()
    assert [(r.name, r.state) for r in ops.collect_autoscale_pools(scan)] == [("dev-web-pool", "missing")]
    assert [r.name for r in ops.collect_droplets(scan)] == ["web x2"]
    assert ops.collect_nat_gateways(scan) == []  # privateEgress is off: no gateway expected
    private = ops.Scan(load_stack_config(stack(components=ALL, web={"privateEgress": True}), "dev"), FakeReader(),
                       None, [])
    [row] = ops.collect_nat_gateways(private)
    assert (row.name, row.state, row.healthy) == ("dev-network-nat", "missing", False)
    gateway = {"id": "g-1", "name": "dev-network-nat", "state": "ACTIVE", "size": 1,
               "egresses": {"public_gateways": [{"ipv4": "203.0.113.7"}]}}
    [row] = ops.collect_nat_gateways(ops.Scan(private.cfg, FakeReader(nat_gateways=[gateway]), None, []))
    assert row.healthy and row.detail == "size 1, egress 203.0.113.7"


def test_a_disabled_component_is_not_reported_missing_and_its_api_is_not_read():
    scan = scan_of(components=["network"])
    assert ops.collect_databases(scan) == [] and ops.collect_kubernetes(scan) == [] and ops.collect_apps(scan) == []
    assert ops.collect_domain(scan) == [] and ops.collect_load_balancers(scan) == []
    assert "domain" not in scan.api.calls and "databases" in scan.api.calls


def test_kubernetes_workers_are_not_droplets_and_project_members_are():
    tagged = [{"id": 1, "name": "dev-web-0", "status": "active", "tags": ["env:dev", "component:web-cluster"]},
              {"id": 2, "name": "worker", "status": "active", "tags": ["env:dev", "k8s:worker"]}]
    member = {"id": 3, "name": "retagged", "status": "off", "tags": []}
    scan = scan_of(urns=["do:droplet:3"], droplets=tagged, droplet=lambda i: member if str(i) == "3" else None)
    rows = ops.collect_droplets(scan)
    assert [(r.name, r.healthy) for r in rows] == [("dev-web-0", True), ("retagged", False)]


def test_databases_are_tagged_or_project_members_and_a_member_gone_since_is_skipped():
    tagged = [{"id": "db-1", "name": "dev-db", "status": "online"}]
    member = {"id": "db-2", "name": "renamed", "status": "creating"}
    scan = scan_of(urns=["do:dbaas:db-2", "do:dbaas:db-3", "do:dbaas:db-1"], databases=tagged,
                   database=lambda i: member if i == "db-2" else None)
    rows = ops.collect_databases(scan)
    assert [(r.name, r.healthy) for r in rows] == [("dev-db", True), ("renamed", False)]
    assert scan.api.calls.count("database") == 2  # db-2 and db-3 (gone); db-1 came with the tag


def test_a_load_balancer_is_healthy_only_with_every_droplet_behind_it_active():
    droplets = [{"id": 1, "status": "active", "tags": ["env:dev", "dev-web-web"]},
                {"id": 2, "status": "off", "tags": ["env:dev", "dev-web-web"]}]
    lb = {"id": "lb", "name": "dev-web-lb", "status": "active", "tag": "dev-web-web", "droplet_ids": [1, 2]}
    row, = ops.collect_load_balancers(scan_of(droplets=droplets, load_balancers=[lb]))
    assert not row.healthy and row.detail.endswith("1/2 droplets active (2 off)")
    alone = ops.load_balancer_row(scan_of(), {**lb, "droplet_ids": []})
    assert not alone.healthy and "no droplets behind it" in alone.detail


def test_a_node_pool_is_ready_only_when_every_wanted_node_runs():
    def pool(count, *states):
        return {"name": "default", "count": count, "size": "s-2vcpu-4gb",
                "nodes": [{"status": {"state": s}} for s in states]}
    cluster = {"name": "dev-k8s"}
    assert ops.node_pool_row(cluster, pool(2, "running", "running")).healthy
    assert not ops.node_pool_row(cluster, pool(3, "running", "running")).healthy
    assert not ops.node_pool_row(cluster, pool(2, "running", "provisioning")).healthy
    assert not ops.node_pool_row(cluster, pool(0)).healthy


def test_certificates_come_from_the_load_balancers_rules():
    lb = {"id": "lb", "name": "dev-web-lb", "status": "active", "forwarding_rules": [{"certificate_id": "c1"}]}
    rows = ops.collect_certificates(scan_of(urns=["do:loadbalancer:lb"], load_balancers=[lb], certificate=None))
    assert [(r.kind, r.name, r.state, r.detail) for r in rows] == [
        ("certificate", "c1", "missing", "referenced by dev-web-lb but does not exist")]


# -- the object store: bucket by project membership, key by name, CDN by origin

STORE = {"enabled": True, "bucket": "acme-dev-objects", "cdn": {"enabled": True, "subdomain": "cdn"}}


def store_scan(urns=(), **answers) -> ops.Scan:
    raw = stack(objectStore=STORE)
    return ops.Scan(load_stack_config(raw, "dev"), FakeReader(**answers), None, list(urns))


def test_the_object_store_rows_bucket_key_and_cdn():
    key = {"name": "dev-objects-key", "access_key": "DOKEY", "grants": [{"bucket": "acme-dev-objects",
                                                                          "permission": "readwrite"}]}
    cdn = {"id": "c1", "origin": "acme-dev-objects.nyc3.digitaloceanspaces.com", "ttl": 3600,
           "endpoint": "acme-dev-objects.nyc3.cdn.digitaloceanspaces.com", "custom_domain": "cdn.dev.example.com"}
    other = {**cdn, "id": "c2", "origin": "someone-else.nyc3.digitaloceanspaces.com"}
    rows = ops.collect_object_store(store_scan(urns=["do:space:acme-dev-objects"], spaces_keys=[key],
                                               cdn_endpoints=[other, cdn]))
    assert [(r.kind, r.name, r.state, r.healthy) for r in rows] == [
        ("bucket", "acme-dev-objects", "present", True), ("spaces_key", "dev-objects-key", "active", True),
        ("cdn", "acme-dev-objects.nyc3.cdn.digitaloceanspaces.com", "active", True)]
    assert rows[1].detail == "readwrite on acme-dev-objects" and "custom domain cdn.dev.example.com" in rows[2].detail


def test_a_missing_bucket_a_widened_key_and_a_cdn_on_another_domain_are_unhealthy():
    key = {"name": "dev-objects-key", "access_key": "DOKEY", "grants": [{"bucket": "", "permission": "fullaccess"}]}
    cdn = {"id": "c1", "origin": "acme-dev-objects.nyc3.digitaloceanspaces.com", "ttl": 3600,
           "endpoint": "acme-dev-objects.nyc3.cdn.digitaloceanspaces.com", "custom_domain": "static.example.org"}
    rows = ops.collect_object_store(store_scan(spaces_keys=[key], cdn_endpoints=[cdn]))
    assert [(r.kind, r.state) for r in rows] == [("bucket", "missing"), ("spaces_key", "mis-scoped"),
                                                 ("cdn", "custom domain differs")]
    assert not any(r.healthy for r in rows) and "fullaccess on every bucket" in rows[1].detail
    assert "(wanted cdn.dev.example.com)" in rows[2].detail
    empty = ops.collect_object_store(store_scan())
    assert [(r.kind, r.state) for r in empty] == [("bucket", "missing"), ("spaces_key", "missing"),
                                                  ("cdn", "missing")]


def test_the_object_store_is_read_from_the_emulator_with_gets_only(emulator, client):
    deploy_stack(client, emulator)
    project = next(p for p in client.projects.list()["projects"] if p["name"] == "do-platform-dev")
    client.projects.assign_resources(project["id"], {"resources": ["do:space:acme-dev-objects"]})
    client.spaces_key.create({"name": "dev-objects-key", "grants": [{"bucket": "acme-dev-objects",
                                                                     "permission": "readwrite"}]})
    cert = client.certificates.create({"name": "dev-objects-cdn-cert", "type": "lets_encrypt",
                                       "dns_names": ["cdn.dev.example.com"]})["certificate"]
    client.cdn.create_endpoint({"origin": "acme-dev-objects.nyc3.digitaloceanspaces.com", "ttl": 3600,
                                "custom_domain": "cdn.dev.example.com", "certificate_id": cert["id"]})
    emulator.control.log.clear()
    result = ops.collect(client, load_stack_config(stack(components=ALL, objectStore=STORE), "dev"))
    got = {(r.kind, r.name): r for r in result.resources if r.kind in ("bucket", "spaces_key", "cdn")}
    assert [(k, r.healthy) for k, r in got.items()] == [
        (("bucket", "acme-dev-objects"), True), (("spaces_key", "dev-objects-key"), True),
        (("cdn", "acme-dev-objects.nyc3.cdn.digitaloceanspaces.com"), True)]
    assert result.healthy
    assert {e["method"] for e in emulator.control.log.snapshot()["entries"]} == {"GET"}
# -- read-only replicas


def replica_cfg():
    return cfg(database={"size": "db-s-1vcpu-1gb", "version": "17", "nodeCount": 1,
                         "replicas": [{"name": "read-1", "size": "db-s-1vcpu-2gb"}, {"name": "read-2",
                                                                                      "size": "db-s-1vcpu-2gb"}]})


def test_replicas_follow_their_cluster_and_a_configured_one_not_found_is_missing(emulator, client):
    made = deploy_stack(client, emulator)
    client.databases.get_cluster(made["db"]["id"])  # online: a replica needs it
    client.databases.create_replica(made["db"]["id"], {
        "name": "dev-db-read-1", "size": "db-s-1vcpu-2gb", "private_network_uuid": made["db"]["private_network_uuid"],
        "tags": ["component:managed-postgres", "env:dev"]})
    got = rows(ops.collect(client, replica_cfg()))
    kinds = [k for k in got if k[0].startswith("database")]
    assert kinds == [("database", "dev-db"), ("database_replica", "dev-db/dev-db-read-1"),
                     ("database_replica", "dev-db/dev-db-read-2")]
    read1 = got[("database_replica", "dev-db/dev-db-read-1")]
    assert read1.healthy and read1.state == "online"
    assert read1.detail == f"db-s-1vcpu-2gb in nyc3, VPC {made['db']['private_network_uuid']}"
    read2 = got[("database_replica", "dev-db/dev-db-read-2")]
    assert read2.state == "missing" and not read2.healthy


def test_a_replica_still_forking_is_not_healthy():
    cluster = {"id": "db-1", "name": "dev-db", "engine": "pg"}
    assert not ops.replica_row(cluster, {"id": "r", "name": "x", "status": "forking"}).healthy
    assert ops.replica_row(cluster, {"id": "r", "name": "x", "status": "active"}).healthy
    assert ops.replica_row(cluster, {"id": "r", "name": "x", "status": "online", "size": "s",
                                     "region": "nyc3"}).detail == "s in nyc3, no VPC"
