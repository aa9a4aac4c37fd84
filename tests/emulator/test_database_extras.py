"""Database log sinks, Kafka topics, backups and events through PyDo."""

from datetime import UTC, datetime

import pytest
from azure.core.exceptions import HttpResponseError

RSYSLOG = {"sink_name": "logs", "sink_type": "rsyslog",
           "config": {"server": "192.0.2.10", "port": 514, "tls": True, "format": "rfc5424"}}


def _cluster(client, engine="pg", version="17", size="db-s-1vcpu-2gb", nodes=1):
    body = {"name": f"{engine}-db", "engine": engine, "version": version, "size": size, "region": "nyc3",
            "num_nodes": nodes}
    return client.databases.create_cluster(body)["database"]["id"]


def test_logsinks_round_trip(client):
    cluster = _cluster(client)
    sink = client.databases.create_logsink(cluster, RSYSLOG)["sink"]
    assert sink["sink_type"] == "rsyslog" and sink["config"]["port"] == 514
    assert client.databases.get_logsink(cluster, sink["sink_id"])["sink_name"] == "logs"
    client.databases.update_logsink(cluster, sink["sink_id"], {"config": {**RSYSLOG["config"], "port": 6514}})
    assert client.databases.list_logsink(cluster)["sinks"][0]["config"]["port"] == 6514
    client.databases.delete_logsink(cluster, sink["sink_id"])
    assert client.databases.list_logsink(cluster)["sinks"] == []


@pytest.mark.parametrize("body, needle", [
    ({**RSYSLOG, "config": {"server": "x", "port": 514}}, "config.format is required"),
    ({**RSYSLOG, "sink_type": "datadog", "config": {"site": "x", "datadog_api_key": "k"}}, "MongoDB clusters only"),
    ({"sink_name": "es", "sink_type": "elasticsearch", "config": {"url": "ftp://x", "index_prefix": "l"}},
     "config.url must be an http(s) URL")])
def test_bad_logsinks_name_the_field(client, body, needle):
    cluster = _cluster(client)
    with pytest.raises(HttpResponseError) as err:
        client.databases.create_logsink(cluster, body)
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]


def test_kafka_topics(client):
    cluster = _cluster(client, "kafka", "3.7", "gd-2vcpu-8gb", 3)
    topic = client.databases.create_kafka_topic(cluster, {"name": "orders", "partition_count": 6})["topic"]
    assert topic["state"] == "configuring" and topic["replication_factor"] == 2
    got = client.databases.get_kafka_topic(cluster, "orders")["topic"]
    assert got["state"] == "active" and len(got["partitions"]) == 6 and got["config"]["cleanup_policy"] == "delete"
    updated = client.databases.update_kafka_topic(cluster, "orders", {"replication_factor": 3,
                                                                      "config": {"cleanup_policy": "compact"}})
    assert updated["topic"]["replication_factor"] == 3 and updated["topic"]["config"]["cleanup_policy"] == "compact"
    with pytest.raises(HttpResponseError) as err:
        client.databases.update_kafka_topic(cluster, "orders", {"replication_factor": 4})
    assert "replication_factor must be between 2 and 3" in err.value.response.json()["message"]
    assert [t["name"] for t in client.databases.list_kafka_topics(cluster)["topics"]] == ["orders"]
    client.databases.delete_kafka_topic(cluster, "orders")
    assert client.databases.get_kafka_topic(cluster, "orders")["id"] == "not_found"
    with pytest.raises(HttpResponseError) as err:
        client.databases.create_kafka_topic(_cluster(client), {"name": "x"})
    assert "topics are for Kafka clusters" in err.value.response.json()["message"]


def test_backups_are_daily_and_kept_a_week(emulator, client):
    emulator.state.clock.freeze(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    cluster = _cluster(client, "mysql", "8")
    assert [b["created_at"] for b in client.databases.list_backups(cluster)["backups"]] == ["2026-03-01T09:30:00Z"]
    emulator.state.clock.advance(10 * 86400 + 60)
    listed = client.databases.list_backups(cluster)
    assert len(listed["backups"]) == 7 and listed["backups"][0]["created_at"] == "2026-03-11T09:30:00Z"
    assert listed["scheduled_backup_time"] == {"backup_hour": 9, "backup_minute": 30, "backup_interval_hours": 24}
    events = client.databases.list_events_logs(cluster)["events"]
    assert [e["event_type"] for e in events] == ["cluster_create"]


def test_kafka_schema_registry(client):
    cluster = _cluster(client, "kafka", "3.7", "gd-2vcpu-8gb", 3)
    schema = '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "int"}]}'
    first = client.databases.create_kafka_schema(cluster, {"subject_name": "orders", "schema_type": "AVRO",
                                                           "schema": schema})
    again = client.databases.create_kafka_schema(cluster, {"subject_name": "orders", "schema_type": "AVRO",
                                                           "schema": schema})
    assert first["schema_id"] == again["schema_id"] == 1  # the same schema is the same version
    v2 = schema.replace('"int"}]', '"int"}, {"name": "total", "type": "double"}]')
    client.databases.create_kafka_schema(cluster, {"subject_name": "orders", "schema_type": "AVRO", "schema": v2})
    assert client.databases.get_kafka_schema(cluster, "orders")["version"] == "2"
    assert client.databases.get_kafka_schema_version(cluster, "orders", "1")["schema"] == schema
    assert [s["subject_name"] for s in client.databases.list_kafka_schemas(cluster)["subjects"]] == ["orders"]
    assert client.databases.get_kafka_schema_config(cluster)["compatibility_level"] == "BACKWARD"
    client.databases.update_kafka_schema_subject_config(cluster, "orders", {"compatibility_level": "FULL"})
    assert client.databases.get_kafka_schema_subject_config(cluster, "orders")["compatibility_level"] == "FULL"
    with pytest.raises(HttpResponseError) as err:
        client.databases.create_kafka_schema(cluster, {"subject_name": "bad", "schema_type": "JSON",
                                                       "schema": "{not json"})
    assert "schema is not valid JSON" in err.value.response.json()["message"]
    client.databases.delete_kafka_schema(cluster, "orders")
    assert client.databases.list_kafka_schemas(cluster)["subjects"] == []
