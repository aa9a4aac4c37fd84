"""Kafka topics of a Kafka cluster: partitions, replication (at most the cluster's node count), config.

Partitions report no data (size 0, offset 0): nothing is produced to an emulated topic. A topic is
``configuring`` until the lifecycle delay has passed, then ``active``.
"""

from __future__ import annotations

import re

from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import public, schedule, settle

NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
CLEANUP = ("delete", "compact", "compact_delete")
COMPRESSION = ("producer", "gzip", "snappy", "Iz4", "zstd", "uncompressed")
TIMESTAMP_TYPES = ("create_time", "log_append_time")
NEVER = 2 ** 63 - 1  # Kafka's "no limit" for its millisecond and message-count settings
# A topic's settings with Kafka's defaults (the description's kafka_topic_config defaults; segment_index_bytes
# and message_timestamp_difference_max_ms, which it leaves out, as Kafka sets them). The provider's
# KafkaTopic acceptance test reads every one of them from a topic created without a config.
INTEGER_DEFAULTS = {"delete_retention_ms": 86400000, "file_delete_delay_ms": 60000, "flush_messages": NEVER,
                    "flush_ms": NEVER, "index_interval_bytes": 4096, "max_compaction_lag_ms": NEVER,
                    "max_message_bytes": 1048588, "message_timestamp_difference_max_ms": NEVER,
                    "min_compaction_lag_ms": 0, "min_insync_replicas": 1, "retention_bytes": -1,
                    "retention_ms": 604800000, "segment_bytes": 209715200, "segment_index_bytes": 10485760,
                    "segment_jitter_ms": 0, "segment_ms": 604800000}
DEFAULT_CONFIG = {"cleanup_policy": "delete", "compression_type": "producer", **INTEGER_DEFAULTS,
                  "message_down_conversion_enable": True, "message_format_version": "3.0-IV1",
                  "message_timestamp_type": "create_time", "min_cleanable_dirty_ratio": 0.5, "preallocate": False}


def _kafka(backend, cluster_id: str) -> dict:
    record = backend.cluster(cluster_id)
    if record["engine"] != "kafka":
        raise Unprocessable(f"topics are for Kafka clusters; this cluster runs {record['engine']}")
    return record


def _settings(record: dict, body: dict, current: dict) -> dict:
    replication = v.integer(body, "replication_factor", default=current.get("replication_factor", 2), minimum=2,
                            maximum=record["num_nodes"])
    partitions = v.integer(body, "partition_count", default=current.get("partition_count", 3), minimum=3,
                           maximum=2048)
    if partitions < current.get("partition_count", 0):
        raise Unprocessable(f"partition_count can only grow: {partitions} < {current['partition_count']}")
    raw = body.get("config") or {}
    if not isinstance(raw, dict):
        raise Unprocessable("config must be an object of topic settings")
    config = {**DEFAULT_CONFIG, **(current.get("config") or {})}
    for key, value in raw.items():
        if value is None:
            continue
        if key == "cleanup_policy":
            config[key] = v.choice(raw, key, CLEANUP, where="config")
        elif key == "compression_type":
            config[key] = v.choice(raw, key, COMPRESSION, where="config")
        elif key == "message_timestamp_type":
            config[key] = v.choice(raw, key, TIMESTAMP_TYPES, where="config")
        elif key in INTEGER_DEFAULTS:
            config[key] = v.integer(raw, key, where="config")
        elif key in ("message_down_conversion_enable", "preallocate"):
            config[key] = v.boolean(raw, key, where="config")
        elif key == "min_cleanable_dirty_ratio":
            ratio = v.number(raw, key, where="config")
            if not 0 <= ratio <= 1:
                raise Unprocessable(f"config.min_cleanable_dirty_ratio must be between 0 and 1; got {ratio}")
            config[key] = ratio
        else:
            config[key] = value
    return {"replication_factor": replication, "partition_count": partitions, "config": config}


def create(backend, cluster_id: str, body: dict) -> dict:
    record = _kafka(backend, cluster_id)
    name = v.string(body, "name", required=True)
    if not NAME.match(name):
        raise Unprocessable(f"name {name!r} must be 1-249 letters, digits, '.', '_' or '-'")
    topics = record.setdefault("_topics", {})
    if name in topics:
        raise Unprocessable(f"topic {name!r} already exists")
    topic = {"name": name, "state": "configuring", **_settings(record, body, {})}
    topics[name] = topic
    schedule(backend.state, topic, {"state": "active"})
    return _view(topic, verbose=False)


def _find(backend, cluster_id: str, name: str) -> dict:
    topic = _kafka(backend, cluster_id).get("_topics", {}).get(name)
    if topic is None:
        raise not_found("topic", name)
    return settle(backend.state, topic)


def get(backend, cluster_id: str, name: str) -> dict:
    return _view(_find(backend, cluster_id, name), verbose=True)


def list_all(backend, cluster_id: str) -> list[dict]:
    record = _kafka(backend, cluster_id)
    return [_view(settle(backend.state, t), verbose=False) for t in record.get("_topics", {}).values()]


def update(backend, cluster_id: str, name: str, body: dict) -> dict:
    topic = _find(backend, cluster_id, name)
    topic.update(_settings(_kafka(backend, cluster_id), body, topic))
    return _view(topic, verbose=True)


def delete(backend, cluster_id: str, name: str) -> None:
    _find(backend, cluster_id, name)
    del _kafka(backend, cluster_id)["_topics"][name]


def _view(topic: dict, *, verbose: bool) -> dict:
    out = public(topic)
    if verbose:
        out["config"] = {**DEFAULT_CONFIG, **out.get("config", {})}  # a topic stored before a default was added
        out["partitions"] = [{"id": i, "size": 0, "in_sync_replicas": topic["replication_factor"],
                              "earliest_offset": 0, "consumer_groups": None}
                             for i in range(topic["partition_count"])]
    else:
        out.pop("config", None)
    return out
