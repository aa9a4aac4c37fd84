"""A database cluster's log sinks: forward its logs to rsyslog, Elasticsearch, OpenSearch or (MongoDB only)
Datadog. Stored with the cluster; nothing is forwarded."""

from __future__ import annotations

from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import public

TYPES = ("rsyslog", "elasticsearch", "opensearch", "datadog")
FORMATS = ("rfc5424", "rfc3164", "custom")


def _config(sink_type: str, engine: str, raw) -> dict:
    if engine == "mongodb" and sink_type != "datadog":
        # the provider's LogsinkRsyslog_MongoDB_ShouldFail test expects the API's "log sink not supported"
        raise Unprocessable(f"log sink not supported: MongoDB clusters forward their logs to datadog only; "
                            f"got sink_type {sink_type!r}")
    if not isinstance(raw, dict):
        raise Unprocessable("config is required: an object with the sink's settings")
    where = "config"
    if sink_type == "rsyslog":
        config = {"server": v.string(raw, "server", required=True, where=where),
                  "port": v.integer(raw, "port", required=True, minimum=1, maximum=65535, where=where),
                  "tls": v.boolean(raw, "tls", where=where),
                  "format": v.choice(raw, "format", FORMATS, required=True, where=where)}
        if config["format"] == "custom":
            config["logline"] = v.string(raw, "logline", required=True, where=where)
        for key in ("sd", "ca", "key", "cert"):
            if raw.get(key) is not None:
                config[key] = v.string(raw, key, where=where)
        return config
    if sink_type == "datadog":
        if engine != "mongodb":
            raise Unprocessable(f"sink_type datadog is for MongoDB clusters only; this cluster runs {engine}")
        return {"site": v.string(raw, "site", required=True, where=where),
                "datadog_api_key": v.string(raw, "datadog_api_key", required=True, where=where)}
    url = v.string(raw, "url", required=True, where=where)
    if not url.startswith(("http://", "https://")):
        raise Unprocessable(f"config.url must be an http(s) URL; got {url!r}")
    config = {"url": url, "index_prefix": v.string(raw, "index_prefix", required=True, where=where),
              "index_days_max": v.integer(raw, "index_days_max", default=7, minimum=1, maximum=10000, where=where)}
    timeout = v.number(raw, "timeout", where=where)
    if timeout is not None:
        if not 10 <= timeout <= 120:
            raise Unprocessable(f"config.timeout must be between 10 and 120 seconds; got {timeout}")
        config["timeout"] = timeout
    if raw.get("ca") is not None:
        config["ca"] = v.string(raw, "ca", where=where)
    return config


def create(backend, cluster_id: str, body: dict) -> dict:
    record = backend.cluster(cluster_id)
    name = v.string(body, "sink_name", required=True)
    sink_type = v.choice(body, "sink_type", TYPES, required=True)
    config = _config(sink_type, record["engine"], body.get("config"))
    sinks = record.setdefault("_logsinks", [])
    if any(s["sink_name"] == name for s in sinks):
        raise Unprocessable(f"sink_name {name!r} is already used by another log sink of this cluster")
    sink = {"sink_id": backend.ids.uuid(), "sink_name": name, "sink_type": sink_type, "config": config}
    sinks.append(sink)
    return public(sink)


def _find(backend, cluster_id: str, sink_id: str) -> dict:
    for sink in backend.cluster(cluster_id).get("_logsinks", []):
        if sink["sink_id"] == sink_id:
            return sink
    raise not_found("log sink", sink_id)


def get(backend, cluster_id: str, sink_id: str) -> dict:
    return public(_find(backend, cluster_id, sink_id))


def list_all(backend, cluster_id: str) -> list[dict]:
    return [public(s) for s in backend.cluster(cluster_id).get("_logsinks", [])]


def update(backend, cluster_id: str, sink_id: str, body: dict) -> None:
    sink = _find(backend, cluster_id, sink_id)
    sink["config"] = _config(sink["sink_type"], backend.cluster(cluster_id)["engine"], body.get("config"))


def delete(backend, cluster_id: str, sink_id: str) -> None:
    sink = _find(backend, cluster_id, sink_id)
    backend.cluster(cluster_id)["_logsinks"].remove(sink)
