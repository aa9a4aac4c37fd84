"""Database operational settings through PyDo: service CNAMEs, install update, online migration, OpenSearch
indexes (made by log destinations), metrics credentials."""

import pytest
from azure.core.exceptions import HttpResponseError


def _cluster(client, engine="pg", version="17", size="db-s-1vcpu-2gb"):
    body = {"name": f"{engine}-db", "engine": engine, "version": version, "size": size, "region": "nyc3",
            "num_nodes": 1}
    return client.databases.create_cluster(body)["database"]["id"]


def test_do_settings_and_install_update(client):
    cluster = _cluster(client)
    assert client.databases.get_do_settings(cluster)["do_settings"] == {"service_cnames": []}
    client.databases.update_do_settings(cluster, {"do_settings": {"service_cnames": ["db.example.com"]}})
    assert client.databases.get_do_settings(cluster)["do_settings"]["service_cnames"] == ["db.example.com"]
    refused = client.databases.update_do_settings(cluster, {"do_settings": {"service_cnames": ["not a host"]}})
    assert refused["id"] == "unprocessable_entity"  # PyDo hands the documented 422 back as the body
    assert "service_cnames must be hostnames" in refused["message"]
    client.databases.install_update(cluster)
    assert client.databases.get_cluster(cluster)["database"]["status"] == "online"


def test_online_migration_runs_syncs_and_stops(client):
    cluster = _cluster(client)
    with pytest.raises(HttpResponseError):
        client.databases.update_online_migration(cluster, {"source": {"host": "old.example.com"}})
    started = client.databases.update_online_migration(cluster, {"source": {
        "host": "old.example.com", "port": 5432, "dbname": "app", "username": "u", "password": "p"}})
    assert started["status"] == "running"
    assert client.databases.get_migration_status(cluster)["status"] == "syncing"
    client.databases.delete_online_migration(cluster, started["id"])
    assert client.databases.get_migration_status(cluster)["status"] == "done"


def test_opensearch_indexes_come_from_log_destinations(client):
    cluster = _cluster(client, "opensearch", "2", "db-s-2vcpu-4gb")
    assert client.databases.list_opeasearch_indexes(cluster)["indexes"] == []
    client.monitoring.create_destination({"type": "opensearch_dbaas", "config": {
        "endpoint": "x", "cluster_uuid": cluster, "index_name": "k8s-logs"}})
    indexes = client.databases.list_opeasearch_indexes(cluster)["indexes"]
    assert [(i["index_name"], i["health"]) for i in indexes] == [("k8s-logs", "green")]
    client.databases.delete_opensearch_index(cluster, "k8s-logs")
    assert client.databases.list_opeasearch_indexes(cluster)["indexes"] == []


def test_metrics_credentials(client):
    generated = client.databases.get_cluster_metrics_credentials()["credentials"]
    assert generated["basic_auth_username"] and len(generated["basic_auth_password"]) == 32
    client.databases.update_cluster_metrics_credentials({"credentials": {"basic_auth_username": "m",
                                                                         "basic_auth_password": "s3cret"}})
    assert client.databases.get_cluster_metrics_credentials()["credentials"]["basic_auth_username"] == "m"
