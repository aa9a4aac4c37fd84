"""Kafka topics as the DigitalOcean Terraform provider's acceptance suite reads them (through PyDo)."""

import pytest
from azure.core.exceptions import HttpResponseError

KAFKA = {"name": "kafka-main", "engine": "kafka", "version": "3.7", "region": "nyc1", "size": "gd-2vcpu-8gb",
         "num_nodes": 3}


def test_a_topic_answers_every_setting_with_kafkas_default(client):
    """The provider's KafkaTopic test reads file_delete_delay_ms, flush_ms, segment_index_bytes ... from a
    topic created without a config."""
    cluster = client.databases.create_cluster(KAFKA)["database"]["id"]
    client.databases.create_kafka_topic(cluster, {"name": "orders"})
    config = client.databases.get_kafka_topic(cluster, "orders")["topic"]["config"]
    assert config["file_delete_delay_ms"] == 60000 and config["flush_ms"] == 2 ** 63 - 1
    assert config["segment_index_bytes"] == 10485760 and config["message_timestamp_type"] == "create_time"
    assert config["min_cleanable_dirty_ratio"] == 0.5 and config["message_down_conversion_enable"] is True
    updated = client.databases.update_kafka_topic(cluster, "orders", {"config": {
        "message_timestamp_type": "log_append_time", "preallocate": True, "min_cleanable_dirty_ratio": 0.7,
        "flush_ms": None}})["topic"]["config"]
    assert (updated["message_timestamp_type"], updated["preallocate"], updated["min_cleanable_dirty_ratio"],
            updated["flush_ms"]) == ("log_append_time", True, 0.7, 2 ** 63 - 1)


@pytest.mark.parametrize("config, field", [
    ({"message_timestamp_type": "now"}, "config.message_timestamp_type"),
    ({"min_cleanable_dirty_ratio": 2}, "config.min_cleanable_dirty_ratio"),
    ({"preallocate": "yes"}, "config.preallocate"),
])
def test_topic_settings_are_checked(client, config, field):
    cluster = client.databases.create_cluster(KAFKA)["database"]["id"]
    with pytest.raises(HttpResponseError) as err:
        client.databases.create_kafka_topic(cluster, {"name": "orders", "config": config})
    assert err.value.status_code == 422 and field in err.value.response.json()["message"]
