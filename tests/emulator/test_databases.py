"""Database clusters through PyDo: 201 create with connection, creating→online, firewall, users, dbs, pools."""

import base64
from urllib.parse import urlparse

import pytest
from azure.core.exceptions import HttpResponseError
from cryptography import x509

from do_platform.api.client import make_client
from emulator import EmulatorServer
from tests.helpers.emulator import api_error, assert_refused_naming

PG = {"name": "pg-main", "engine": "pg", "version": "16", "region": "nyc3", "size": "db-s-1vcpu-1gb",
      "num_nodes": 1}


def _create(client, **extra):
    return client.databases.create_cluster({**PG, **extra})["database"]


def test_create_get_list_resize_delete(client):
    created = _create(client, tags=["prod"], private_network_uuid="", project_id="")
    assert created["status"] == "creating"
    conn = created["connection"]
    uri = urlparse(conn["uri"])
    assert (uri.scheme, uri.username, uri.password, uri.path) == ("postgresql", "doadmin", conn["password"],
                                                                   "/defaultdb")
    assert uri.hostname == conn["host"] and uri.port == conn["port"] == 25060
    assert created["private_connection"]["host"].startswith("private-")
    assert created["users"] == [{"name": "doadmin", "role": "primary", "password": conn["password"]}]
    assert created["db_names"] == ["defaultdb"]
    assert created["maintenance_window"]["day"] and created["maintenance_window"]["hour"]

    fetched = client.databases.get_cluster(created["id"])["database"]
    assert fetched["status"] == "online"
    assert fetched["connection"]["password"] == conn["password"]
    assert [c["id"] for c in client.databases.list_clusters()["databases"]] == [created["id"]]

    client.databases.update_cluster_size(created["id"], {"size": "db-s-2vcpu-4gb", "num_nodes": 2})
    resized = client.databases.get_cluster(created["id"])["database"]
    assert (resized["size"], resized["num_nodes"], resized["status"]) == ("db-s-2vcpu-4gb", 2, "online")

    client.databases.destroy_cluster(created["id"])
    gone = client.databases.get_cluster(created["id"])
    assert gone["id"] == "not_found"


def test_private_network_defaults_to_the_regions_default_vpc_and_joins_the_default_project(client):
    cluster = _create(client)
    default_vpc = [v for v in client.vpcs.list()["vpcs"] if v["region"] == "nyc3" and v["default"]]
    assert cluster["private_network_uuid"] == default_vpc[0]["id"]
    default_project = client.projects.get_default()["project"]
    urns = [r["urn"] for r in client.projects.list_resources_default()["resources"]]
    assert cluster["project_id"] == default_project["id"]
    assert f"do:dbaas:{cluster['id']}" in urns
    client.databases.destroy_cluster(cluster["id"])
    assert f"do:dbaas:{cluster['id']}" not in [r["urn"] for r in client.projects.list_resources_default()["resources"]]


def test_lifecycle_waits_for_the_configured_delay(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=30)
    cluster = _create(client)
    assert client.databases.get_cluster(cluster["id"])["database"]["status"] == "creating"
    emulator.state.clock.advance(31)
    assert client.databases.get_cluster(cluster["id"])["database"]["status"] == "online"


def test_resize_before_online_is_refused(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=30)
    cluster = _create(client)
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.update_cluster_size(cluster["id"], {"size": "db-s-2vcpu-4gb", "num_nodes": 1})
    status, error_id, message = api_error(excinfo)
    assert (status, error_id) == (422, "unprocessable_entity") and "creating" in message


def test_tag_filter_and_explicit_pagination(client):
    for i in range(3):
        _create(client, name=f"pg-{i}", tags=["blue"] if i != 1 else ["green"])
    blue = client.databases.list_clusters(tag_name="blue")["databases"]
    assert [c["name"] for c in blue] == ["pg-0", "pg-2"]
    page2 = client.databases.list_clusters(params={"per_page": 2, "page": 2})
    assert [c["name"] for c in page2["databases"]] == ["pg-2"]
    assert page2["meta"]["total"] == 3 and "prev" in page2["links"]["pages"]
    assert "next" not in page2["links"]["pages"]


@pytest.mark.parametrize(("body", "field"), [
    ({"engine": "oracle"}, "engine"),
    ({"version": "9"}, "version"),
    ({"region": "mars1"}, "region"),
    ({"size": "db-huge"}, "size"),
    ({"num_nodes": 5}, "num_nodes"),
    ({"private_network_uuid": "00000000-0000-4000-8000-000000000000"}, "private_network_uuid"),
])
def test_create_validation_names_the_field(client, body, field):
    with pytest.raises(HttpResponseError) as excinfo:
        _create(client, **body)
    assert_refused_naming(excinfo, field)
    assert client.databases.list_clusters()["databases"] == []  # nothing half-made


def test_firewall_put_replaces_the_whole_list_and_fills_ids(client):
    cluster = _create(client)
    rules = [{"uuid": "", "cluster_uuid": "", "type": "ip_addr", "value": "203.0.113.7",
              "created_at": "0001-01-01T00:00:00Z"},
             {"type": "k8s", "value": "c0ffee00-0000-4000-8000-000000000001"}]
    assert client.databases.update_firewall_rules(cluster["id"], {"rules": rules}) is None  # 204
    got = client.databases.list_firewall_rules(cluster["id"])["rules"]
    assert [(r["type"], r["value"]) for r in got] == [("ip_addr", "203.0.113.7"),
                                                      ("k8s", "c0ffee00-0000-4000-8000-000000000001")]
    assert all(r["uuid"] and r["cluster_uuid"] == cluster["id"] for r in got)
    assert all(r["created_at"].endswith("Z") and not r["created_at"].startswith("0001") for r in got)

    client.databases.update_firewall_rules(cluster["id"], {"rules": [{"type": "tag", "value": "web"}]})
    assert [r["value"] for r in client.databases.list_firewall_rules(cluster["id"])["rules"]] == ["web"]
    client.databases.update_firewall_rules(cluster["id"], {"rules": []})
    assert client.databases.list_firewall_rules(cluster["id"])["rules"] == []


def test_firewall_rule_type_is_validated(client):
    cluster = _create(client)
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.update_firewall_rules(cluster["id"], {"rules": [{"type": "cidr", "value": "10.0.0.0/8"}]})
    status, error_id, message = api_error(excinfo)
    assert (status, error_id) == (422, "unprocessable_entity")
    assert "rules[0].type" in message and "ip_addr" in message


def test_users_add_get_reset_delete(client):
    cluster = _create(client)
    user = client.databases.add_user(cluster["id"], {"name": "app"})["user"]
    assert user["role"] == "normal" and user["password"]
    assert client.databases.get_user(cluster["id"], "app")["user"]["password"] == user["password"]
    settings = {"pg_allow_replication": True}
    assert client.databases.update_user(cluster["id"], "app", {"settings": settings})["user"]["settings"] == settings
    reset = client.databases.reset_auth(cluster["id"], "app", {})["user"]
    assert reset["password"] != user["password"]
    assert [u["name"] for u in client.databases.list_users(cluster["id"])["users"]] == ["doadmin", "app"]
    client.databases.delete_user(cluster["id"], "app")
    assert client.databases.get_user(cluster["id"], "app")["id"] == "not_found"
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.delete_user(cluster["id"], "doadmin")
    assert api_error(excinfo)[:2] == (422, "unprocessable_entity")


def test_dbs_and_connection_pools(client):
    cluster = _create(client)
    assert client.databases.add(cluster["id"], {"name": "orders"})["db"] == {"name": "orders"}
    assert client.databases.get(cluster["id"], "orders")["db"]["name"] == "orders"
    client.databases.add_user(cluster["id"], {"name": "app"})
    pool = client.databases.add_connection_pool(cluster["id"], {"name": "orders-pool", "mode": "transaction",
                                                                "size": 10, "db": "orders", "user": "app"})["pool"]
    uri = urlparse(pool["connection"]["uri"])
    assert (uri.username, uri.port, uri.path) == ("app", 25061, "/orders-pool")
    client.databases.update_connection_pool(cluster["id"], "orders-pool",
                                            {"mode": "session", "size": 5, "db": "orders", "user": "app"})
    got = client.databases.get_connection_pool(cluster["id"], "orders-pool")["pool"]
    assert (got["mode"], got["size"]) == ("session", 5)
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.add_connection_pool(cluster["id"], {"name": "bad", "mode": "batch", "size": 1,
                                                             "db": "orders"})
    assert "mode" in api_error(excinfo)[2]
    with pytest.raises(HttpResponseError) as excinfo:  # 1 GiB: 22 backend connections, 5 already pooled
        client.databases.add_connection_pool(cluster["id"], {"name": "big", "mode": "session", "size": 18,
                                                             "db": "orders"})
    assert api_error(excinfo)[2] == ("size 18 exceeds the connections left for pools on a db-s-1vcpu-1gb cluster: "
                                     "17 of 22")
    client.databases.delete_connection_pool(cluster["id"], "orders-pool")
    assert client.databases.list_connection_pools(cluster["id"])["pools"] == []
    client.databases.delete(cluster["id"], "orders")
    assert [d["name"] for d in client.databases.list(cluster["id"])["dbs"]] == ["defaultdb"]


def test_maintenance_upgrade_migrate_autoscale_and_config(client):
    cluster = _create(client, version="15")
    client.databases.update_maintenance_window(cluster["id"], {"day": "tuesday", "hour": "02:00"})
    client.databases.update_major_version(cluster["id"], {"version": "16"})
    client.databases.update_region(cluster["id"], {"region": "ams3"})
    client.databases.update_autoscale(cluster["id"], {"storage": {"enabled": True, "threshold_percent": 85}})
    client.databases.patch_config(cluster["id"], {"config": {"max_connections": 150}})
    got = client.databases.get_cluster(cluster["id"])["database"]
    assert got["maintenance_window"]["day"] == "tuesday" and got["maintenance_window"]["hour"] == "02:00:00"
    assert (got["version"], got["region"], got["status"]) == ("16", "ams3", "online")
    autoscale = client.databases.get_autoscale(cluster["id"])
    assert autoscale["autoscale"]["storage"] == {"enabled": True, "threshold_percent": 85, "increment_gib": 10}
    assert autoscale["storage"] == autoscale["autoscale"]["storage"]  # the top-level key godo decodes
    assert client.databases.get_config(cluster["id"])["config"]["max_connections"] == 150
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.update_maintenance_window(cluster["id"], {"day": "funday", "hour": "02:00"})
    assert api_error(excinfo)[2].startswith("day")


def test_engine_specific_settings(client):
    redis = _create(client, name="cache", engine="redis", version="7")
    assert client.databases.get_eviction_policy(redis["id"])["eviction_policy"] == "noeviction"
    client.databases.update_eviction_policy(redis["id"], {"eviction_policy": "allkeys_lru"})
    assert client.databases.get_eviction_policy(redis["id"])["eviction_policy"] == "allkeys_lru"
    assert client.databases.get_config(redis["id"])["config"]["redis_maxmemory_policy"] == "allkeys-lru"
    assert urlparse(redis["connection"]["uri"]).scheme == "rediss"
    mysql = _create(client, name="shop", engine="mysql", version="8")
    client.databases.update_sql_mode(mysql["id"], {"sql_mode": "ANSI"})
    assert client.databases.get_sql_mode(mysql["id"])["sql_mode"] == "ANSI"
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.get_sql_mode(redis["id"])
    assert api_error(excinfo)[:2] == (422, "unprocessable_entity")


def test_options_list_engines_versions_regions_layouts(emulator, client):
    options = client.databases.list_options()["options"]
    assert options["pg"]["versions"][-1] == "17"
    assert "nyc3" in options["pg"]["regions"]
    assert {layout["num_nodes"] for layout in options["pg"]["layouts"]} == {1, 2, 3}
    assert "db-s-1vcpu-1gb" in options["pg"]["layouts"][0]["sizes"]
    emulator.control.seed("databases", {"versions": {"pg": ["15", "16"]}})
    assert client.databases.list_options()["options"]["pg"]["versions"] == ["15", "16"]
    assert _create(client, version=None)["version"] == "16"  # unset means the newest


def test_ca_certificate_is_base64_pem(client):
    cluster = _create(client)
    pem = base64.b64decode(client.databases.get_ca(cluster["id"])["ca"]["certificate"])
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    # A real certificate (the provider's DatabaseCA acceptance test parses it), a CA, the same on every read.
    cert = x509.load_pem_x509_certificate(pem)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert base64.b64decode(client.databases.get_ca(cluster["id"])["ca"]["certificate"]) == pem
    other = _create(client, name="other-db")
    assert base64.b64decode(client.databases.get_ca(other["id"])["ca"]["certificate"]) != pem


def test_tagging_through_the_tags_api(client):
    cluster = _create(client)
    client.tags.create({"name": "billing"})
    client.tags.assign_resources("billing", {"resources": [{"resource_id": cluster["id"],
                                                            "resource_type": "database"}]})
    assert client.databases.get_cluster(cluster["id"])["database"]["tags"] == ["billing"]


def test_replicas_create_list_promote_delete(client):
    primary = _create(client)
    replica = client.databases.create_replica(primary["id"], {"name": "pg-read", "size": "db-s-1vcpu-2gb",
                                                              "region": "ams3"})["replica"]
    assert replica["status"] == "creating" and replica["region"] == "ams3"
    assert urlparse(replica["connection"]["uri"]).password == primary["connection"]["password"]
    assert client.databases.get_replica(primary["id"], "pg-read")["replica"]["status"] == "online"
    with pytest.raises(HttpResponseError) as excinfo:
        client.databases.create_replica(primary["id"], {"name": "tiny", "size": "db-s-1vcpu-1gb",
                                                        "region": "mars1"})
    assert api_error(excinfo)[2].startswith("region")
    client.databases.create_replica(primary["id"], {"name": "pg-read-2", "size": "db-s-1vcpu-1gb"})
    assert [r["name"] for r in client.databases.list_replicas(primary["id"])["replicas"]] == ["pg-read", "pg-read-2"]

    client.databases.promote_replica(primary["id"], "pg-read")
    promoted = client.databases.get_cluster(replica["id"])["database"]
    assert (promoted["name"], promoted["region"], promoted["status"]) == ("pg-read", "ams3", "online")
    assert promoted["db_names"] == ["defaultdb"]
    client.databases.destroy_replica(primary["id"], "pg-read-2")
    assert client.databases.list_replicas(primary["id"])["replicas"] == []
    assert client.databases.get_replica(primary["id"], "pg-read-2")["id"] == "not_found"


def test_backup_restore_brings_databases_and_users(client):
    source = _create(client)
    client.databases.add(source["id"], {"name": "orders"})
    client.databases.add_user(source["id"], {"name": "app"})
    restored = _create(client, name="pg-restored", backup_restore={"database_name": "pg-main"})
    assert restored["db_names"] == ["defaultdb", "orders"]
    assert [u["name"] for u in restored["users"]] == ["doadmin", "app"]
    assert restored["connection"]["password"] != source["connection"]["password"]
    with pytest.raises(HttpResponseError) as excinfo:
        _create(client, name="pg-x", backup_restore={"database_name": "nope"})
    assert api_error(excinfo)[2].startswith("backup_restore.database_name")


def test_state_file_keeps_clusters_across_a_restart(tmp_path):
    state_file = str(tmp_path / "state.json")
    with EmulatorServer(state_file=state_file) as first:
        client = make_client(token="t", endpoint=first.url)
        created = _create(client)
        client.databases.update_firewall_rules(created["id"], {"rules": [{"type": "tag", "value": "web"}]})
    with EmulatorServer(state_file=state_file) as second:
        client = make_client(token="t", endpoint=second.url)
        again = client.databases.get_cluster(created["id"])["database"]
        assert again["connection"]["password"] == created["connection"]["password"]
        assert [r["value"] for r in client.databases.list_firewall_rules(created["id"])["rules"]] == ["web"]
