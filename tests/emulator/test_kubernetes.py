"""Kubernetes through PyDo: provisioning→running, node pools and nodes, kubeconfig, credentials, options."""

import base64
from datetime import UTC, datetime

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

from do_platform.api.client import make_client
from emulator import EmulatorServer
from tests.helpers.emulator import api_error, assert_refused_naming

DEFAULT_POOL = {"name": "default", "size": "s-2vcpu-4gb", "count": 2, "tags": ["web", "terraform:default-node-pool"]}


def _create(client, **extra):
    body = {"name": "k8s-main", "region": "nyc3", "version": "latest", "node_pools": [DEFAULT_POOL], **extra}
    return client.kubernetes.create_cluster(body)["kubernetes_cluster"]


def _read_kubeconfig(client, cluster_id: str) -> str:
    """How to read the kubeconfig through PyDo: it returns None unless given a ``cls`` that reads the text."""
    return client.kubernetes.get_kubeconfig(cluster_id, cls=lambda pipeline_response, _d, _h:
                                            pipeline_response.http_response.text())


def test_create_get_list_update_delete(client):
    options = client.kubernetes.list_options()["options"]
    created = _create(client, tags=["team-a"], maintenance_policy=None, vpc_uuid="")
    assert created["version"] == options["versions"][0]["slug"]  # latest → newest slug
    assert created["status"]["state"] == "provisioning"
    assert created["maintenance_policy"]["day"] == "any"
    assert created["tags"] == ["team-a", "k8s", f"k8s:{created['id']}"]
    pool = created["node_pools"][0]
    assert "terraform:default-node-pool" in pool["tags"] and "web" in pool["tags"]
    assert pool["count"] == len(pool["nodes"]) == 2
    assert created["endpoint"].startswith("https://") and created["ipv4"]
    default_vpc = [v for v in client.vpcs.list()["vpcs"] if v["region"] == "nyc3" and v["default"]][0]
    assert created["vpc_uuid"] == default_vpc["id"]

    fetched = client.kubernetes.get_cluster(created["id"])["kubernetes_cluster"]
    assert fetched["status"]["state"] == "running"
    assert all(n["status"]["state"] == "running" for n in fetched["node_pools"][0]["nodes"])
    assert [c["id"] for c in client.kubernetes.list_clusters()["kubernetes_clusters"]] == [created["id"]]

    updated = client.kubernetes.update_cluster(created["id"], {
        "name": "k8s-renamed", "tags": ["team-b"], "auto_upgrade": True, "surge_upgrade": True,
        "maintenance_policy": {"start_time": "3:00", "day": "sunday"}})["kubernetes_cluster"]
    assert (updated["name"], updated["auto_upgrade"], updated["surge_upgrade"]) == ("k8s-renamed", True, True)
    assert updated["maintenance_policy"] == {"start_time": "03:00", "duration": "4h0m0s", "day": "sunday"}
    assert updated["tags"][0] == "team-b"
    kept = client.kubernetes.update_cluster(created["id"], {"name": "k8s-renamed"})["kubernetes_cluster"]
    assert kept["tags"] == ["team-b", "k8s", f"k8s:{created['id']}"]  # absent tags are kept
    urns = [r["urn"] for r in client.projects.list_resources_default()["resources"]]
    assert f"do:kubernetes:{created['id']}" in urns

    assert client.kubernetes.delete_cluster(created["id"]) is None
    assert client.kubernetes.get_cluster(created["id"])["id"] == "not_found"


def test_lifecycle_waits_for_the_configured_delay(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=20)
    cluster = _create(client)
    got = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]
    assert got["status"]["state"] == "provisioning"
    assert {n["status"]["state"] for n in got["node_pools"][0]["nodes"]} == {"provisioning"}
    emulator.state.clock.advance(21)
    got = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]
    assert got["status"]["state"] == "running"
    assert {n["status"]["state"] for n in got["node_pools"][0]["nodes"]} == {"running"}


def test_seeded_failure_ends_provisioning_in_error(emulator, client):
    emulator.control.seed("kubernetes", {"failing_clusters": 1, "failure_message": "no capacity in nyc3"})
    failed = _create(client)
    status = client.kubernetes.get_cluster(failed["id"])["kubernetes_cluster"]["status"]
    assert status == {"state": "error", "message": "no capacity in nyc3"}
    healthy = _create(client, name="k8s-next")
    assert client.kubernetes.get_cluster(healthy["id"])["kubernetes_cluster"]["status"]["state"] == "running"


@pytest.mark.parametrize(("body", "field"), [
    ({"version": "1.20.0-do.0"}, "version"),
    ({"name": "K8s_Main"}, "name"),
    ({"tags": "web"}, "tags"),
    ({"cluster_subnet": "10.300.0.0/16"}, "cluster_subnet"),
    ({"node_pools": [{"name": "Pool", "size": "s-2vcpu-4gb", "count": 1}]}, "node_pools[0].name"),
    ({"region": "mars1"}, "region"),
    ({"node_pools": []}, "node_pools"),
    ({"node_pools": [{"name": "p", "size": "s-1vcpu-512mb-10gb", "count": 1}]}, "node_pools[0].size"),
    ({"node_pools": [{"name": "p", "size": "s-2vcpu-4gb", "count": -1}]}, "node_pools[0].count"),
    ({"maintenance_policy": {"day": "someday"}}, "day"),
    ({"control_plane_firewall": {"enabled": True, "allowed_addresses": ["10.0.0.0/33"]}},
     "control_plane_firewall.allowed_addresses[0]"),
    ({"node_pools": [{"name": "p", "size": "s-2vcpu-4gb", "count": 1,
                      "taints": [{"key": "a", "effect": "Never"}]}]}, "node_pools[0].taints[0].effect"),
])
def test_create_validation_names_the_field(client, body, field):
    with pytest.raises(HttpResponseError) as excinfo:
        _create(client, **body)
    assert_refused_naming(excinfo, field)
    assert client.kubernetes.list_clusters()["kubernetes_clusters"] == []


def test_godo_style_taints_are_read_case_insensitively(client):
    pool = {**DEFAULT_POOL, "taints": [{"Key": "dedicated", "Value": "gpu", "Effect": "NoSchedule"}],
            "labels": {"role": "gpu"}}
    cluster = _create(client, node_pools=[pool])
    assert cluster["node_pools"][0]["taints"] == [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
    assert cluster["node_pools"][0]["labels"] == {"role": "gpu"}


def test_node_pool_create_resize_autoscale_delete(client):
    cluster = _create(client)
    pool = client.kubernetes.add_node_pool(cluster["id"], {"name": "workers", "size": "s-4vcpu-8gb", "count": 1,
                                                           "tags": ["batch"]})["node_pool"]
    assert pool["count"] == len(pool["nodes"]) == 1
    grown = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {"name": "workers", "count": 3})
    assert grown["node_pool"]["count"] == len(grown["node_pool"]["nodes"]) == 3  # 202 accepted by PyDo
    scaled = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {
        "name": "workers", "count": 2, "auto_scale": True, "min_nodes": 1, "max_nodes": 5})["node_pool"]
    assert (scaled["auto_scale"], scaled["min_nodes"], scaled["max_nodes"], len(scaled["nodes"])) == (True, 1, 5, 2)
    fetched = client.kubernetes.get_node_pool(cluster["id"], pool["id"])["node_pool"]
    assert all(n["status"]["state"] == "running" for n in fetched["nodes"])
    with pytest.raises(HttpResponseError) as excinfo:
        client.kubernetes.update_node_pool(cluster["id"], pool["id"], {"name": "workers", "count": 9,
                                                                       "auto_scale": True, "min_nodes": 1,
                                                                       "max_nodes": 5})
    assert "count" in api_error(excinfo)[2]
    # godo omits count for autoscaled pools: the pool is kept within the new range
    raised = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {
        "name": "workers", "auto_scale": True, "min_nodes": 4, "max_nodes": 6})["node_pool"]
    assert raised["count"] == len(raised["nodes"]) == 4
    assert len(client.kubernetes.list_node_pools(cluster["id"])["node_pools"]) == 2
    client.kubernetes.delete_node_pool(cluster["id"], pool["id"])
    assert client.kubernetes.get_node_pool(cluster["id"], pool["id"])["id"] == "not_found"


def test_delete_node_shrinks_or_replaces(client):
    cluster = _create(client)
    pool = cluster["node_pools"][0]
    first, second = (n["id"] for n in pool["nodes"])
    client.kubernetes.delete_node(cluster["id"], pool["id"], first, replace=1)
    after = client.kubernetes.get_node_pool(cluster["id"], pool["id"])["node_pool"]
    assert after["count"] == 2 and first not in [n["id"] for n in after["nodes"]]
    client.kubernetes.delete_node(cluster["id"], pool["id"], second)
    after = client.kubernetes.get_node_pool(cluster["id"], pool["id"])["node_pool"]
    assert after["count"] == len(after["nodes"]) == 1


def test_kubeconfig_is_yaml_read_through_cls(client):
    cluster = _create(client)
    text = _read_kubeconfig(client, cluster["id"])
    assert text.startswith("apiVersion: v1\nkind: Config\n")
    assert f"server: {cluster['endpoint']}" in text
    assert "current-context: do-nyc3-k8s-main" in text
    assert client.kubernetes.get_kubeconfig(cluster["id"]) is None  # PyDo's own return value


def test_kubeconfig_is_application_yaml_when_asked_for(emulator):
    headers = {"Authorization": "Bearer t"}
    created = httpx.post(f"{emulator.url}/v2/kubernetes/clusters", headers=headers, json={
        "name": "k", "region": "nyc3", "version": "latest", "node_pools": [DEFAULT_POOL]}).json()
    response = httpx.get(f"{emulator.url}/v2/kubernetes/clusters/{created['kubernetes_cluster']['id']}/kubeconfig",
                         headers={**headers, "Accept": "application/yaml"})
    assert response.headers["content-type"].startswith("application/yaml")
    assert "kind: Config" in response.text


def test_credentials_have_no_envelope_and_mint_a_token_each_time(emulator, client):
    emulator.state.clock.freeze(datetime(2030, 1, 1, tzinfo=UTC))
    cluster = _create(client)
    creds = client.kubernetes.get_credentials(cluster["id"])
    assert set(creds) == {"server", "certificate_authority_data", "client_certificate_data", "client_key_data",
                          "token", "expires_at"}
    assert b"BEGIN CERTIFICATE" in base64.b64decode(creds["certificate_authority_data"])
    assert creds["expires_at"] == "2030-01-08T00:00:00Z"  # 7 days by default
    short = client.kubernetes.get_credentials(cluster["id"], expiry_seconds=3600)
    assert short["expires_at"] == "2030-01-01T01:00:00Z"
    assert short["token"] != creds["token"]


def test_cluster_user_is_the_account(client):
    cluster = _create(client)
    user = client.kubernetes.get_cluster_user(cluster["id"])["kubernetes_cluster_user"]
    assert user == {"username": client.account.get()["account"]["email"], "groups": ["k8saas:authenticated"]}


def test_options_upgrades_and_upgrade(emulator, client):
    emulator.control.seed("kubernetes", {"versions": ["1.33.1-do.0", "1.32.5-do.0"]})
    versions = client.kubernetes.list_options()["options"]["versions"]
    assert [v["slug"] for v in versions] == ["1.33.1-do.0", "1.32.5-do.0"]
    assert versions[0]["kubernetes_version"] == "1.33.1"
    cluster = _create(client, version="1.32.5-do.0")
    upgrades = client.kubernetes.get_available_upgrades(cluster["id"])["available_upgrade_versions"]
    assert [u["slug"] for u in upgrades] == ["1.33.1-do.0"]
    client.kubernetes.get_cluster(cluster["id"])  # running
    client.kubernetes.upgrade_cluster(cluster["id"], {"version": "1.33.1-do.0"})
    got = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]
    assert (got["version"], got["status"]["state"]) == ("1.33.1-do.0", "running")
    assert client.kubernetes.get_available_upgrades(cluster["id"])["available_upgrade_versions"] == []


def test_pagination_across_pages(client):
    for i in range(3):
        _create(client, name=f"c-{i}")
    page2 = client.kubernetes.list_clusters(per_page=2, page=2)
    assert [c["name"] for c in page2["kubernetes_clusters"]] == ["c-2"]
    assert page2["meta"]["total"] == 3 and "prev" in page2["links"]["pages"]


def test_registry_integration_and_associated_resources(client):
    cluster = _create(client)
    client.kubernetes.add_registry({"cluster_uuids": [cluster["id"]]})
    assert client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["registry_enabled"] is True
    client.kubernetes.remove_registry({"cluster_uuids": [cluster["id"]]})  # DELETE with a body
    assert client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["registry_enabled"] is False
    associated = client.kubernetes.list_associated_resources(cluster["id"])
    assert associated == {"load_balancers": [], "volumes": [], "volume_snapshots": []}
    client.kubernetes.destroy_associated_resources_dangerous(cluster["id"])
    assert client.kubernetes.get_cluster(cluster["id"])["id"] == "not_found"


def test_associated_volumes_are_found_by_cluster_tag_and_destroyed(emulator, client):
    if "volumes" not in emulator.state.families:
        pytest.skip("volumes family not installed")
    cluster = _create(client)
    volume = client.volumes.create({"name": "pvc-1", "region": "nyc3", "size_gigabytes": 10,
                                    "tags": [f"k8s:{cluster['id']}"]})["volume"]
    associated = client.kubernetes.list_associated_resources(cluster["id"])
    assert associated["volumes"] == [{"id": volume["id"], "name": "pvc-1"}]
    client.kubernetes.destroy_associated_resources_selective(cluster["id"], {"volumes": [volume["id"]]})
    assert client.volumes.get(volume["id"])["id"] == "not_found"
    assert client.kubernetes.get_cluster(cluster["id"])["id"] == "not_found"


def test_state_file_keeps_clusters_across_a_restart(tmp_path):
    state_file = str(tmp_path / "state.json")
    with EmulatorServer(state_file=state_file) as first:
        created = _create(make_client(token="t", endpoint=first.url))
    with EmulatorServer(state_file=state_file) as second:
        again = make_client(token="t", endpoint=second.url).kubernetes.get_cluster(created["id"])
        assert again["kubernetes_cluster"]["node_pools"][0]["id"] == created["node_pools"][0]["id"]
        assert again["kubernetes_cluster"]["status"]["state"] == "running"


def test_named_registries_must_exist(emulator, client):
    if "registry" not in emulator.state.families:
        pytest.skip("registry family not installed")
    cluster = _create(client)
    with pytest.raises(HttpResponseError) as excinfo:
        client.kubernetes.add_registries({"cluster_uuids": [cluster["id"]], "registries": ["ghost"]})
    assert api_error(excinfo)[2].startswith("registries: ghost")
    client.registry.create({"name": "acme", "subscription_tier_slug": "basic", "region": "nyc3"})
    client.kubernetes.add_registries({"cluster_uuids": [cluster["id"]], "registries": ["acme"]})
    assert client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["registry_enabled"] is True
    client.kubernetes.remove_registries({"cluster_uuids": [cluster["id"]], "registries": ["acme"]})
    assert client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["registry_enabled"] is False


def _node_droplets(client, cluster_id: str) -> dict[str, dict]:
    return {str(d["id"]): d for d in client.droplets.list(tag_name=f"k8s:{cluster_id}", per_page=200)["droplets"]}


def test_nodes_are_droplets_tagged_as_doks_tags_them(client):
    cluster = _create(client)
    nodes = cluster["node_pools"][0]["nodes"]
    droplets = _node_droplets(client, cluster["id"])
    assert sorted(droplets) == sorted(n["droplet_id"] for n in nodes)
    for node in nodes:
        droplet = droplets[node["droplet_id"]]
        assert droplet["name"] == node["name"] and droplet["size_slug"] == "s-2vcpu-4gb"
        assert droplet["vpc_uuid"] == cluster["vpc_uuid"] and droplet["region"]["slug"] == "nyc3"
        assert {"k8s", f"k8s:{cluster['id']}", "k8s:worker", "web"} <= set(droplet["tags"])
    assert client.droplets.get(int(nodes[0]["droplet_id"]))["droplet"]["status"] == "active"
    urns = [r["urn"] for r in client.projects.list_resources_default()["resources"]]
    assert not any(urn.startswith("do:droplet:") for urn in urns)  # the project holds the cluster, not its nodes


def test_pool_changes_make_and_delete_node_droplets(client):
    cluster = _create(client)
    pool = client.kubernetes.add_node_pool(cluster["id"], {"name": "extra", "size": "s-2vcpu-4gb", "count": 1})
    pool = pool["node_pool"]
    assert len(_node_droplets(client, cluster["id"])) == 3
    grown = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {"name": "extra", "count": 3})["node_pool"]
    assert len(_node_droplets(client, cluster["id"])) == 5
    shrunk = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {"name": "extra", "count": 1})["node_pool"]
    gone = {n["droplet_id"] for n in grown["nodes"]} - {n["droplet_id"] for n in shrunk["nodes"]}
    assert len(gone) == 2 and all(client.droplets.get(int(d))["id"] == "not_found" for d in gone)
    client.kubernetes.delete_node(cluster["id"], pool["id"], shrunk["nodes"][0]["id"], replace=1)
    replaced = client.kubernetes.get_node_pool(cluster["id"], pool["id"])["node_pool"]["nodes"][0]
    assert replaced["droplet_id"] != shrunk["nodes"][0]["droplet_id"]
    assert set(_node_droplets(client, cluster["id"])) >= {replaced["droplet_id"]}
    client.kubernetes.delete_node_pool(cluster["id"], pool["id"])
    assert len(_node_droplets(client, cluster["id"])) == 2
    client.kubernetes.delete_cluster(cluster["id"])
    assert _node_droplets(client, cluster["id"]) == {}
    assert client.droplets.list()["meta"]["total"] == 0


def test_node_droplet_deleted_directly_is_replaced(client):
    cluster = _create(client)
    pool = cluster["node_pools"][0]
    victim = pool["nodes"][0]["droplet_id"]
    client.droplets.destroy(int(victim))
    after = client.kubernetes.get_node_pool(cluster["id"], pool["id"])["node_pool"]
    assert after["count"] == len(after["nodes"]) == 2
    assert victim not in [n["droplet_id"] for n in after["nodes"]]
    assert sorted(_node_droplets(client, cluster["id"])) == sorted(n["droplet_id"] for n in after["nodes"])


def test_nodes_count_against_the_droplet_limit(emulator, client):
    httpx.post(f"{emulator.url}/_emulator/seed/account", json={"droplet_limit": 3}).raise_for_status()
    with pytest.raises(HttpResponseError) as excinfo:
        _create(client, node_pools=[{"name": "big", "size": "s-2vcpu-4gb", "count": 4}])
    status, _, message = api_error(excinfo)
    assert status == 422 and "droplet limit of 3" in message
    assert client.kubernetes.list_clusters()["kubernetes_clusters"] == []  # nothing half-made
    cluster = _create(client)
    with pytest.raises(HttpResponseError) as excinfo:
        client.kubernetes.update_node_pool(cluster["id"], cluster["node_pools"][0]["id"],
                                           {"name": "default", "count": 4})
    assert api_error(excinfo)[0] == 422
    assert client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["node_pools"][0]["count"] == 2
    assert client.droplets.list()["meta"]["total"] == 2


def test_clusterlint_status_messages_and_recycle(client):
    cluster = _create(client)
    missing = client.kubernetes.get_cluster_lint_results(cluster["id"])
    assert missing["id"] == "not_found" and "start one with POST" in missing["message"]
    run_id = client.kubernetes.run_cluster_lint(cluster["id"], {"include_groups": ["basic"]})["run_id"]
    results = client.kubernetes.get_cluster_lint_results(cluster["id"], run_id=run_id)
    assert results["run_id"] == run_id and results["diagnostics"] == [] and results["completed_at"].endswith("Z")
    messages = client.kubernetes.get_status_messages(cluster["id"])["messages"]
    assert [m["message"] for m in messages] == ["Cluster is being provisioned", "Cluster is running"]
    pool = client.kubernetes.list_node_pools(cluster["id"])["node_pools"][0]
    before = {n["id"] for n in pool["nodes"]}
    client.kubernetes.recycle_node_pool(cluster["id"], pool["id"], {"nodes": [pool["nodes"][0]["id"]]})
    after = {n["id"] for n in client.kubernetes.get_node_pool(cluster["id"], pool["id"])["node_pool"]["nodes"]}
    assert len(after) == 2 and len(before & after) == 1
    with pytest.raises(HttpResponseError) as excinfo:
        client.kubernetes.recycle_node_pool(cluster["id"], pool["id"], {"nodes": ["nope"]})
    assert api_error(excinfo)[0] == 422


def test_cluster_add_ons_are_answered_as_sent(client):
    """GPU device plugins, the CoreDNS autoscaler, SSO and the P2P OCI registry plugin come back as sent and
    follow updates (the provider's *PluginEnabled, CorednsAutoscalerEnabled and SSO acceptance tests read them)."""
    cluster = _create(client, nvidia_gpu_device_plugin={"enabled": True}, sso={"enabled": True},
                      coredns_autoscaler={"enabled": True, "min_replicas": 2, "max_replicas": 5})
    assert cluster["nvidia_gpu_device_plugin"] == {"enabled": True} and cluster["sso"] == {"enabled": True}
    assert cluster["coredns_autoscaler"] == {"enabled": True, "min_replicas": 2, "max_replicas": 5}
    assert cluster["amd_gpu_device_plugin"] == {"enabled": False}  # never set: answered off
    updated = client.kubernetes.update_cluster(cluster["id"], {"name": "k8s-main", "sso": {"enabled": False},
                                                               "rdma_shared_dev_plugin": {"enabled": True}})
    answered = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]
    assert updated["kubernetes_cluster"]["sso"] == answered["sso"] == {"enabled": False}
    assert answered["rdma_shared_dev_plugin"] == {"enabled": True}
    assert answered["nvidia_gpu_device_plugin"] == {"enabled": True}
    with pytest.raises(HttpResponseError) as err:
        _create(client, name="bad", sso="yes")
    assert err.value.status_code == 422 and "sso must be an object" in err.value.response.json()["message"]


def test_cluster_autoscaler_configuration_is_answered_as_sent(client):
    """The provider's UpdatePoolSize/UpgradeVersion acceptance tests set it and plan no change afterwards."""
    settings = {"scale_down_utilization_threshold": 0.5, "scale_down_unneeded_time": "1m30s"}
    cluster = _create(client, cluster_autoscaler_configuration=settings)
    assert cluster["cluster_autoscaler_configuration"] == settings
    client.kubernetes.update_cluster(cluster["id"], {"name": "k8s-main", "cluster_autoscaler_configuration": {
        "scale_down_unneeded_time": "2m"}})
    answered = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["cluster_autoscaler_configuration"]
    assert answered == {"scale_down_utilization_threshold": 0.5, "scale_down_unneeded_time": "2m"}


def test_an_add_on_sent_with_enabled_null_changes_nothing(client):
    """The provider's cluster update sends {"enabled": null} for add-ons the configuration leaves out (its
    MaintenancePolicy and ControlPlaneFirewall acceptance tests): accepted, and no add-on is turned on or changes."""
    cluster = _create(client, sso={"enabled": True})
    updated = client.kubernetes.update_cluster(cluster["id"], {
        "name": "k8s-main", "amd_gpu_device_plugin": {"enabled": None}, "sso": {"enabled": None}})["kubernetes_cluster"]
    assert updated["amd_gpu_device_plugin"] == {"enabled": False} and updated["sso"] == {"enabled": True}


def test_an_empty_autoscaler_configuration_adds_none(client):
    """The provider's update sends cluster_autoscaler_configuration with empty fields when the configuration
    has none (its MaintenancePolicy and SSO acceptance tests then planned a removal): no block appears."""
    cluster = _create(client)
    client.kubernetes.update_cluster(cluster["id"], {"name": "k8s-main", "cluster_autoscaler_configuration": {
        "scale_down_utilization_threshold": None, "scale_down_unneeded_time": None, "expanders": []}})
    assert "cluster_autoscaler_configuration" not in client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]
