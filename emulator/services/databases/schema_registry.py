"""A Kafka cluster's schema registry: subjects with versioned schemas (AVRO, JSON, PROTOBUF) and the
compatibility level, registry-wide or per subject.

Registering a schema under an existing subject adds a version (the same schema again is the same
version, as Confluent's registry does); ids are unique across the registry. JSON and AVRO schemas
must parse as JSON. Schemas are not checked for compatibility with the previous version.
"""

from __future__ import annotations

import json

from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found

TYPES = ("AVRO", "JSON", "PROTOBUF")
LEVELS = ("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE")


def _registry(backend, cluster_id: str) -> dict:
    record = backend.cluster(cluster_id)
    if record["engine"] != "kafka":
        raise Unprocessable(f"the schema registry is for Kafka clusters; this one runs {record['engine']}")
    return record.setdefault("_schema_registry", {"subjects": {}, "level": "BACKWARD", "subject_levels": {},
                                                  "next_id": 1})


def _subject(registry: dict, name: str) -> list[dict]:
    versions = registry["subjects"].get(name)
    if not versions:
        raise not_found("subject", name)
    return versions


def create(backend, cluster_id: str, body: dict) -> dict:
    registry = _registry(backend, cluster_id)
    name = v.string(body, "subject_name", required=True)
    kind = v.choice(body, "schema_type", TYPES, required=True)
    schema = v.string(body, "schema", required=True)
    if kind != "PROTOBUF":
        try:
            json.loads(schema)
        except ValueError as exc:
            raise Unprocessable(f"schema is not valid JSON for a {kind} schema: {exc}") from None
    versions = registry["subjects"].setdefault(name, [])
    same = next((s for s in versions if s["schema"] == schema and s["schema_type"] == kind), None)
    if same is None:
        same = {"schema_id": registry["next_id"], "version": str(len(versions) + 1), "subject_name": name,
                "schema_type": kind, "schema": schema}
        registry["next_id"] += 1
        versions.append(same)
    return {k: same[k] for k in ("schema_id", "subject_name", "schema_type", "schema")}


def subjects(backend, cluster_id: str) -> list[dict]:
    registry = _registry(backend, cluster_id)
    return [{k: versions[-1][k] for k in ("schema_id", "subject_name", "schema_type", "schema")}
            for versions in registry["subjects"].values() if versions]


def latest(backend, cluster_id: str, name: str) -> dict:
    return dict(_subject(_registry(backend, cluster_id), name)[-1])


def version(backend, cluster_id: str, name: str, wanted: str) -> dict:
    versions = _subject(_registry(backend, cluster_id), name)
    if wanted == "latest":
        return dict(versions[-1])
    for entry in versions:
        if entry["version"] == wanted:
            return dict(entry)
    raise not_found(f"version {wanted} of subject", name)


def delete(backend, cluster_id: str, name: str) -> None:
    registry = _registry(backend, cluster_id)
    _subject(registry, name)
    del registry["subjects"][name]
    registry["subject_levels"].pop(name, None)


def config(backend, cluster_id: str, name: str | None = None, body: dict | None = None) -> dict:
    """The compatibility level (registry-wide, or of subject ``name``), set first when ``body`` is given."""
    registry = _registry(backend, cluster_id)
    if name is not None:
        _subject(registry, name)
    if body is not None:
        level = v.choice(body, "compatibility_level", LEVELS, required=True)
        if name is None:
            registry["level"] = level
        else:
            registry["subject_levels"][name] = level
    if name is None:
        return {"compatibility_level": registry["level"]}
    return {"subject_name": name, "compatibility_level": registry["subject_levels"].get(name, registry["level"])}
