"""Log forwarding: destinations (a managed OpenSearch cluster of this account, or an external one)
and sinks that send Kubernetes clusters' logs to a destination.

Credentials are accepted and never shown again (the API omits them). A managed destination names a
database cluster of engine ``opensearch``; a sink's resources are clusters of this account; both are
reached through core/links. A destination still used by a sink cannot be deleted (409).
"""

from __future__ import annotations

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Conflict, Unprocessable
from emulator.core.state import public

TYPES = ("opensearch_dbaas", "opensearch_ext")


def _config(backend, body: dict) -> dict:
    kind = v.choice(body, "type", TYPES, required=True)
    raw = body.get("config")
    if not isinstance(raw, dict):
        raise Unprocessable("config is required: an object with endpoint (and cluster_uuid or credentials)")
    config = {"endpoint": v.string(raw, "endpoint", required=True, where="config"),
              "index_name": v.string(raw, "index_name", default="logs", where="config"),
              "retention_days": v.integer(raw, "retention_days", default=14, minimum=1, maximum=3650,
                                          where="config")}
    credentials = raw.get("credentials")
    if kind == "opensearch_dbaas":
        cluster_uuid = v.string(raw, "cluster_uuid", required=True, where="config")
        cluster = links.reference(backend.state, "databases", cluster_uuid, "config.cluster_uuid")
        if cluster is not None and cluster["engine"] != "opensearch":
            raise Unprocessable(f"config.cluster_uuid {cluster_uuid!r} is a {cluster['engine']} cluster, "
                                "not an OpenSearch one")
        config["cluster_uuid"] = cluster_uuid
        config["cluster_name"] = (cluster or {}).get("name") or v.string(raw, "cluster_name", default="",
                                                                          where="config")
    elif not isinstance(credentials, dict) or not credentials.get("username") or not credentials.get("password"):
        raise Unprocessable("config.credentials (username and password) is required for an opensearch_ext "
                            "destination")
    if isinstance(credentials, dict):
        config["_credentials"] = {"username": str(credentials.get("username", "")),
                                  "password": str(credentials.get("password", ""))}
    return {"name": v.string(body, "name", default=config["endpoint"]), "type": kind, "config": config}


def create_destination(backend, body: dict) -> dict:
    fields = _config(backend, body)
    record = {"id": backend.ids.uuid(), **fields}
    record["config"]["id"] = backend.ids.uuid()
    backend.table("destinations")[record["id"]] = record
    if record["type"] == "opensearch_dbaas":
        links.opensearch_index(backend.state, record["config"]["cluster_uuid"], record["config"]["index_name"])
    return record


def get_destination(backend, destination_id: str) -> dict:
    return backend.get_or_404("destinations", destination_id, "destination")


def update_destination(backend, destination_id: str, body: dict) -> None:
    record = get_destination(backend, destination_id)
    fields = _config(backend, body)
    fields["config"]["id"] = record["config"]["id"]
    record.update(fields)


def delete_destination(backend, destination_id: str) -> None:
    record = get_destination(backend, destination_id)
    users = [s["id"] for s in backend.table("sinks").values() if s["destination_uuid"] == record["id"]]
    if users:
        raise Conflict(f"destination {destination_id} is used by sinks {users}; delete them first")
    del backend.table("destinations")[record["id"]]


def destination_view(record: dict) -> dict:
    return public(record)  # credentials are private (``_credentials``): never shown again


def create_sink(backend, body: dict) -> dict:
    destination = get_destination(backend, v.string(body, "destination_uuid", required=True))
    resources = []
    for where, item in v.object_list(body, "resources", "urn (do:kubernetes:<cluster id>)", required=True):
        urn = v.string(item, "urn", required=True, where=where)
        if not urn.startswith("do:kubernetes:"):
            raise Unprocessable(f"{where}.urn must be a Kubernetes cluster's do:kubernetes:<id>; got {urn!r}")
        cluster = links.reference(backend.state, "kubernetes", urn.split(":", 2)[2], f"{where}.urn")
        resources.append({"urn": urn, "name": (cluster or {}).get("name") or item.get("name") or ""})
    record = {"id": backend.ids.uuid(), "destination_uuid": destination["id"], "resources": resources}
    backend.table("sinks")[record["id"]] = record
    return record


def get_sink(backend, sink_id: str) -> dict:
    return backend.get_or_404("sinks", sink_id, "sink")


def list_sinks(backend, resource_id: str | None) -> list[dict]:
    return [s for s in backend.table("sinks").values()
            if not resource_id or any(r["urn"].endswith(f":{resource_id}") for r in s["resources"])]


def delete_sink(backend, sink_id: str) -> None:
    del backend.table("sinks")[get_sink(backend, sink_id)["id"]]


def sink_view(backend, record: dict) -> dict:
    """``urn`` (the sink's own, ``do:sink:<id>``) is what the description requires of every sink object."""
    destination = backend.table("destinations").get(record["destination_uuid"])
    return {"urn": f"do:sink:{record['id']}", "sink_uuid": record["id"],
            "destination": destination_view(destination) if destination else None,
            "resources": [dict(r) for r in record["resources"]]}
