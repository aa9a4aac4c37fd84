"""Database clusters as the DigitalOcean Terraform provider's acceptance suite creates them (through PyDo)."""

import pytest
from azure.core.exceptions import HttpResponseError


def _create(client, engine, version, size="db-s-1vcpu-1gb", num_nodes=1, name=None):
    body = {"name": name or f"{engine}-{version}".replace(".", "-"), "engine": engine, "version": version,
            "region": "nyc1", "size": size, "num_nodes": num_nodes}
    return client.databases.create_cluster(body)["database"]


def test_a_major_version_names_the_offered_release(client):
    """The suite creates MongoDB "6" and "7" where the options list 6.0 and 7.0; it reads back what it sent."""
    cluster = _create(client, "mongodb", "7")
    assert cluster["version"] == "7" and cluster["semantic_version"].startswith("7.0")
    assert client.databases.get_cluster(cluster["id"])["database"]["version"] == "7"
    with pytest.raises(HttpResponseError) as err:
        _create(client, "mongodb", "9")
    assert err.value.status_code == 422 and "version must be one of 6.0, 7.0; got '9'" in err.value.response.json()[
        "message"]


def test_a_caching_cluster_asked_for_an_old_version_runs_the_current_one(client):
    """The API upgrades old Redis clusters by force (the provider suppresses the diff for caching engines);
    its oldRedisVersion test creates Redis 5."""
    cluster = _create(client, "redis", "5")
    assert cluster["version"] == "7"
    with pytest.raises(HttpResponseError) as err:
        _create(client, "redis", "9")  # newer than any offered: refused
    assert err.value.status_code == 422


def test_kafka_versions_the_suite_creates_are_offered(client):
    kafka = client.databases.list_options()["options"]["kafka"]["versions"]
    assert {"3.5", "3.7", "3.8"} <= set(kafka)
    assert _create(client, "kafka", "3.5", size="gd-2vcpu-8gb", num_nodes=3)["version"] == "3.5"


def test_caching_configs_carry_the_descriptions_defaults(client):
    """The provider's ValkeyConfig test reads `ssl = true` and `persistence = "rdb"` from a cluster that never
    set them (the description's valkey_advanced_config default and example)."""
    cluster = _create(client, "valkey", "8")
    config = client.databases.get_config(cluster["id"])["config"]
    assert config["valkey_ssl"] is True and config["valkey_timeout"] == 300
    assert config["valkey_persistence"] == "rdb"  # read by the same test; the description's example value
    redis = client.databases.get_config(_create(client, "redis", "7")["id"])["config"]
    assert redis["redis_ssl"] is True


def test_grouped_settings_are_objects_patched_like_the_config(client):
    """The provider's PostgreSQLConfig test patches `timescaledb` and `pgbouncer`, objects in the config."""
    cluster = _create(client, "pg", "16")
    client.databases.patch_config(cluster["id"], {"config": {"timescaledb": {"max_background_workers": 8},
                                                             "pgbouncer": {"server_reset_query_always": False}}})
    client.databases.patch_config(cluster["id"], {"config": {"pgbouncer": {"min_pool_size": 1}}})
    config = client.databases.get_config(cluster["id"])["config"]
    assert config["timescaledb"] == {"max_background_workers": 8}
    assert config["pgbouncer"] == {"server_reset_query_always": False, "min_pool_size": 1}
    with pytest.raises(HttpResponseError) as err:
        client.databases.patch_config(cluster["id"], {"config": {"timezone": ["UTC"]}})
    assert err.value.status_code == 422 and "config.timezone" in err.value.response.json()["message"]
