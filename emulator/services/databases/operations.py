"""A cluster's operational settings: DigitalOcean settings (service CNAMEs), pending updates, online migration
from another database, OpenSearch indexes, and the account's metrics endpoint credentials."""

from __future__ import annotations

import re

from emulator.core import validate as v
from emulator.core.errors import NotFound, Unprocessable, not_found
from emulator.core.state import public, schedule, settle

HOSTNAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$")
MAX_CNAMES = 16
MIGRATABLE = ("pg", "mysql", "redis", "valkey", "mongodb")


# -- DigitalOcean settings
def do_settings(backend, cluster_id: str) -> dict:
    return {"service_cnames": list(backend.cluster(cluster_id).get("_service_cnames", []))}


def update_do_settings(backend, cluster_id: str, body: dict) -> None:
    record = backend.cluster(cluster_id)
    raw = body.get("do_settings")
    if not isinstance(raw, dict):
        raise Unprocessable("do_settings is required: an object with service_cnames")
    cnames = v.string_list(raw, "service_cnames", where="do_settings")
    if len(cnames) > MAX_CNAMES:
        raise Unprocessable(f"do_settings.service_cnames may hold at most {MAX_CNAMES} names; got {len(cnames)}")
    bad = [c for c in cnames if len(c) > 253 or not HOSTNAME.match(c)]
    if bad:
        raise Unprocessable(f"do_settings.service_cnames must be hostnames such as db.example.com; got {bad}")
    record["_service_cnames"] = list(dict.fromkeys(cnames))


# -- updates
def install_update(backend, cluster_id: str) -> None:
    """Apply the pending maintenance now: the cluster is ``online`` again after the lifecycle delay."""
    record = backend.cluster(cluster_id)
    record["maintenance_window"]["pending"] = False
    record["maintenance_window"]["description"] = []
    record["status"] = "maintenance"
    schedule(backend.state, record, {"status": "online"})


# -- online migration
def start_migration(backend, cluster_id: str, body: dict) -> dict:
    record = backend.cluster(cluster_id)
    if record["engine"] not in MIGRATABLE:
        raise Unprocessable(f"online migration is for {', '.join(MIGRATABLE)} clusters; "
                            f"this one runs {record['engine']}")
    source = body.get("source")
    if not isinstance(source, dict):
        raise Unprocessable("source is required: {host, port, dbname, username, password} of the database to copy")
    v.string(source, "host", required=True, where="source")
    v.integer(source, "port", required=True, minimum=1, maximum=65535, where="source")
    v.string_list(body, "ignore_dbs")
    v.boolean(body, "disable_ssl")
    current = record.get("_migration")
    if current is not None and settle(backend.state, current)["status"] in ("running", "syncing"):
        raise Unprocessable(f"migration {current['id']} is still {current['status']}; stop it first")
    migration = {"id": backend.ids.uuid(), "status": "running", "created_at": backend.now()}
    record["_migration"] = migration
    schedule(backend.state, migration, {"status": "syncing"})  # copied; now following the source's changes
    return public(migration)


def migration_status(backend, cluster_id: str) -> dict:
    migration = backend.cluster(cluster_id).get("_migration")
    if migration is None:
        raise NotFound(f"No online migration was started for cluster {cluster_id}.")
    return public(settle(backend.state, migration))


def stop_migration(backend, cluster_id: str, migration_id: str) -> None:
    migration = backend.cluster(cluster_id).get("_migration")
    if migration is None or migration["id"] != migration_id:
        raise not_found("migration", migration_id)
    settle(backend.state, migration)
    migration.pop("_pending", None)
    migration["status"] = "done" if migration["status"] == "syncing" else "canceled"


# -- OpenSearch indexes (made by log destinations writing to the cluster)
def add_index(backend, cluster_id: str, index_name: str) -> None:
    record = backend.cluster(cluster_id)
    indexes = record.setdefault("_indexes", {})
    indexes.setdefault(index_name, {"index_name": index_name, "number_of_shards": 1,
                                    "number_of_replicas": max(0, record["num_nodes"] - 1), "size": 208,
                                    "created_time": backend.now(), "status": "open", "health": "green"})


def indexes(backend, cluster_id: str) -> list[dict]:
    record = backend.cluster(cluster_id)
    if record["engine"] != "opensearch":
        raise Unprocessable(f"indexes are for OpenSearch clusters; this one runs {record['engine']}")
    return [public(i) for i in record.get("_indexes", {}).values()]


def delete_index(backend, cluster_id: str, index_name: str) -> None:
    indexes(backend, cluster_id)
    if backend.cluster(cluster_id).get("_indexes", {}).pop(index_name, None) is None:
        raise not_found("index", index_name)


# -- metrics endpoint credentials (one pair for the account's clusters)
def metrics_credentials(backend) -> dict:
    stored = backend.data.setdefault("metrics_credentials", {"basic_auth_username": "doadmin-metrics",
                                                             "basic_auth_password": backend.ids.hex(16)})
    return dict(stored)


def update_metrics_credentials(backend, body: dict) -> None:
    raw = body.get("credentials")
    if not isinstance(raw, dict):
        raise Unprocessable("credentials is required: {basic_auth_username, basic_auth_password}")
    backend.data["metrics_credentials"] = {
        "basic_auth_username": v.string(raw, "basic_auth_username", required=True, where="credentials"),
        "basic_auth_password": v.string(raw, "basic_auth_password", required=True, where="credentials")}
