"""Metrics queries: schema-valid matrices about resources that exist, deterministic, sized from the world."""

import httpx
import pytest

AUTH = {"Authorization": "Bearer metrics"}
START, END = 1_767_225_600, 1_767_225_600 + 3600  # one hour


def _get(emulator, name, **params):
    return httpx.get(f"{emulator.url}/v2/monitoring/metrics/{name}", headers=AUTH,
                     params={"start": START, "end": END, **params})


def _droplet(client, size="s-2vcpu-4gb"):
    body = {"name": "m", "region": "nyc3", "size": size, "image": "ubuntu-24-04-x64"}
    return client.droplets.create(body)["droplet"]["id"]


def test_droplet_metrics_follow_the_droplet_and_repeat(emulator, client):
    droplet_id = _droplet(client)
    total = _get(emulator, "droplet/memory_total", host_id=droplet_id).json()
    assert total["status"] == "success" and total["data"]["resultType"] == "matrix"
    series = total["data"]["result"][0]
    assert series["metric"] == {"host_id": str(droplet_id)}
    assert len(series["values"]) == 60 and all(float(v) == 4096 * 1024**2 for _, v in series["values"])
    assert series["values"][0][0] > START and series["values"][-1][0] <= END
    cpu = _get(emulator, "droplet/cpu", host_id=droplet_id).json()
    assert cpu == _get(emulator, "droplet/cpu", host_id=droplet_id).json()  # deterministic
    assert len({v for _, v in cpu["data"]["result"][0]["values"]}) > 10  # and not a flat line
    size = _get(emulator, "droplet/filesystem_size", host_id=droplet_id).json()["data"]["result"][0]["values"]
    assert float(size[0][1]) == 80 * 1024**3


def test_bandwidth_needs_interface_and_direction(emulator, client):
    droplet_id = _droplet(client)
    missing = _get(emulator, "droplet/bandwidth", host_id=droplet_id, interface="public")
    assert missing.status_code == 422 and "direction must be one of inbound, outbound" in missing.json()["message"]
    ok = _get(emulator, "droplet/bandwidth", host_id=droplet_id, interface="public", direction="inbound")
    assert ok.json()["data"]["result"][0]["metric"] == {"host_id": str(droplet_id), "interface": "public",
                                                        "direction": "inbound"}


@pytest.mark.parametrize("name, params, needle", [
    ("droplet/cpu", {"host_id": "999999"}, "host_id '999999'"),
    ("load_balancer/frontend_cpu_utilization", {"lb_id": "nope"}, "lb_id 'nope'"),
    ("apps/cpu_percentage", {"app_id": "nope"}, "app_id 'nope'"),
    ("database/mysql/threads_active", {"db_id": "nope"}, "db_id 'nope'")])
def test_metrics_of_a_resource_that_does_not_exist_are_404(emulator, name, params, needle):
    response = _get(emulator, name, **params)
    assert response.status_code == 404 and needle in response.json()["message"]


def test_window_is_checked_and_bounded(emulator, client):
    droplet_id = _droplet(client)
    reversed_window = httpx.get(f"{emulator.url}/v2/monitoring/metrics/droplet/load_1", headers=AUTH,
                                params={"host_id": droplet_id, "start": END, "end": START})
    assert reversed_window.status_code == 422 and "must be after start" in reversed_window.json()["message"]
    no_start = httpx.get(f"{emulator.url}/v2/monitoring/metrics/droplet/load_1", headers=AUTH,
                         params={"host_id": droplet_id, "end": END})
    assert no_start.status_code == 422 and "start is required" in no_start.json()["message"]
    year = httpx.get(f"{emulator.url}/v2/monitoring/metrics/droplet/load_1", headers=AUTH,
                     params={"host_id": droplet_id, "start": START, "end": START + 365 * 86400}).json()
    assert len(year["data"]["result"][0]["values"]) <= 300


def test_load_balancer_limits_come_from_its_size(emulator, client):
    lb = client.load_balancers.create({"name": "lb", "region": "nyc3", "size_unit": 3, "forwarding_rules": [
        {"entry_protocol": "http", "entry_port": 80, "target_protocol": "http", "target_port": 80}]})["load_balancer"]
    limit = _get(emulator, "load_balancer/frontend_connections_limit", lb_id=lb["id"]).json()
    assert {v for _, v in limit["data"]["result"][0]["values"]} == {"30000"}


def test_database_metrics_check_their_enums(emulator, client):
    db = client.databases.create_cluster({"name": "db", "engine": "mysql", "version": "8", "size": "db-s-2vcpu-4gb",
                                          "region": "nyc3", "num_nodes": 1})["database"]
    bad = _get(emulator, "database/mysql/cpu_usage", db_id=db["id"], aggregate="median")
    assert bad.status_code == 422 and "aggregate must be one of avg, max, min" in bad.json()["message"]
    good = _get(emulator, "database/mysql/schema_latency", db_id=db["id"], schema="shop", metric="fetch").json()
    assert good["data"]["result"][0]["metric"] == {"db_id": db["id"], "schema": "shop", "metric": "fetch"}


def test_autoscale_pool_instance_counts_come_from_its_config(emulator, client):
    pool = client.autoscalepools.create({"name": "p", "config": {"target_number_instances": 2}, "droplet_template": {
        "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "ssh_keys": []}})["autoscale_pool"]
    current = _get(emulator, "droplet_autoscale/current_instances", autoscale_pool_id=pool["id"]).json()
    assert {v for _, v in current["data"]["result"][0]["values"]} == {"2"}
