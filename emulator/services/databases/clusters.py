"""Database clusters: create (version, layout, region, VPC, tags, project, restore from a backup), read, delete,
resize (a replica's too, by its own id), migrate, maintenance window, major-version upgrade, tags.

Status goes ``creating → online`` (``resizing``/``migrating → online``) through the lifecycle helper.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import links
from emulator.core.clock import parse_rfc3339
from emulator.core.errors import Unprocessable
from emulator.core.state import schedule, settle
from emulator.core.validate import choice, integer, string
from emulator.services.databases import operations
from emulator.services.databases.engines import (
    ADMIN_USER,
    CACHING_ENGINES,
    CATALOG,
    DAYS,
    DEFAULT_CONFIG,
    DEFAULT_DB,
    DEFAULT_SQL_MODE,
    ENGINES,
    SIZES,
)


def _older_than_all(version: str, versions: list[str]) -> bool:
    """Whether a numeric ``version`` (``"5"``, ``"6.2"``) predates every offered one."""
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))
    try:
        return all(key(version) < key(v) for v in versions)
    except ValueError:
        return False


class Clusters:
    """The cluster part of the databases backend (see the module)."""

    def create_cluster(self, body: dict) -> dict:
        name = string(body, "name", required=True)
        engine = choice(body, "engine", ENGINES, required=True)
        version, release = self._version(engine, body.get("version"))
        region = links.require_region(self.state, body.get("region"))
        if region not in CATALOG.database_regions:
            raise Unprocessable(f"region {region!r} offers no managed databases; allowed: "
                                f"{', '.join(CATALOG.database_regions)}")
        size, num_nodes = self._node_plan(body, engine)
        tags = links.valid_tags(self.state, body.get("tags"))
        storage = integer(body, "storage_size_mib", default=SIZES[size][2], minimum=SIZES[size][2])
        autoscale = ({"enabled": False} if not body.get("storage_autoscale")
                     else self._autoscale_settings(body["storage_autoscale"], "storage_autoscale"))
        project_id = string(body, "project_id")
        links.check_project(self.state, project_id)
        if any(c["name"] == name for c in self.data["clusters"].values()):
            raise Unprocessable(f"name {name!r} is already used by another database cluster")
        cluster_id = self.ids.uuid()
        urn = f"do:dbaas:{cluster_id}"
        source = self._restore_source(body.get("backup_restore"), engine)
        rules = body.get("rules")
        if rules is not None and not isinstance(rules, list):
            raise Unprocessable("rules must be a list of {type, value}")
        record: dict[str, Any] = {"id": cluster_id, "engine": engine, "_rules": []}
        record["_rules"] = self._firewall_rules(record, rules or [])
        # Everything is validated; from here on the cluster is made and joins its VPC, tags and project.
        vpc = links.join_vpc(self, region, string(body, "private_network_uuid"), "private_network_uuid", urn, name)
        host_label = f"{name}-do-user-{self.ids.next_int('database-host', 1000)}-0"
        rng = self.ids.random()
        record.update({
            "name": name, "version": version, "semantic_version": f"{release}.0", "num_nodes": num_nodes,
            "size": size, "region": region, "status": "creating", "created_at": self.now(),
            "private_network_uuid": vpc, "tags": tags or None, "storage_size_mib": storage,
            "maintenance_window": {"day": DAYS[rng.randrange(7)], "hour": f"{rng.randrange(24):02d}:00:00",
                                   "pending": False, "description": []},
            "metrics_endpoints": [{"host": f"{host_label}.db.ondigitalocean.com", "port": 9273}],
            "_host": f"{host_label}.db.ondigitalocean.com",
            "_private_host": f"private-{host_label}.db.ondigitalocean.com",
            "_users": [{"name": ADMIN_USER[engine], "role": "primary", "password": self._password()}],
            "_dbs": [DEFAULT_DB[engine]] if engine in DEFAULT_DB else [],
            "_pools": [], "_config": dict(DEFAULT_CONFIG[engine]), "_autoscale": autoscale, "_replicas": [],
        })
        if source is not None:  # a restore brings the source's databases and users (new admin password)
            record["_dbs"] = list(source["_dbs"])
            record["_users"] += [copy.deepcopy(u) for u in source["_users"] if u["role"] != "primary"]
        if engine in ("redis", "valkey"):
            record["_eviction_policy"] = "noeviction"
        if engine == "mysql":
            record["_sql_mode"] = DEFAULT_SQL_MODE
        self.data["clusters"][cluster_id] = record
        links.apply_tags(self.state, tags, "database", cluster_id)
        links.assign_project(self.state, urn, project_id)
        schedule(self.state, record, {"status": "online"})
        return self.view(record)

    def _version(self, engine: str, raw: Any) -> tuple[str, str]:
        """(the version the cluster answers, the offered release it runs) for a create's ``version``.

        Absent: the newest. An offered version as it is; a major version of one (MongoDB ``"7"`` for
        ``"7.0"``, as the provider's suite sends it) is answered as sent, so a configuration reads back what it
        wrote. A caching engine (Redis, Valkey) asked for a version older than any offered runs the newest: the
        API upgrades those clusters by force (the provider suppresses that diff for them).
        """
        versions = self.data["versions"][engine]
        if raw in (None, ""):
            return versions[-1], versions[-1]
        if not isinstance(raw, str):
            raise Unprocessable(f"version must be a string such as {versions[-1]!r}; got {raw!r}")
        if raw in versions:
            return raw, raw
        same_major = [v for v in versions if "." not in raw and v.split(".")[0] == raw]
        if same_major:
            return raw, same_major[-1]
        if engine in CACHING_ENGINES and _older_than_all(raw, versions):
            return versions[-1], versions[-1]
        raise Unprocessable(f"version must be one of {', '.join(versions)}; got {raw!r}")

    def _restore_source(self, raw: Any, engine: str) -> dict | None:
        """The cluster a ``backup_restore`` names (by name, as the API does); 422 when there is none."""
        if raw in (None, "", {}):
            return None
        if not isinstance(raw, dict):
            raise Unprocessable("backup_restore must be an object with database_name")
        name = string(raw, "database_name", required=True)
        source = next((c for c in self.data["clusters"].values() if c["name"] == name), None)
        if source is None:
            raise Unprocessable(f"backup_restore.database_name {name!r} is not a database cluster of this account")
        if source["engine"] != engine:
            raise Unprocessable(f"backup_restore.database_name {name!r} is a {source['engine']} cluster, "
                                f"not {engine}")
        at = string(raw, "backup_created_at")
        if at is not None:
            try:
                when = parse_rfc3339(at)
            except ValueError:
                raise Unprocessable(f"backup_restore.backup_created_at must be RFC 3339; got {at!r}") from None
            if when < parse_rfc3339(source["created_at"]) or when > self.clock.now():
                raise Unprocessable(f"backup_restore.backup_created_at {at!r} is not a backup of {name!r}: it lies "
                                    f"outside {source['created_at']} .. now")
        return source

    def cluster(self, cluster_id: str) -> dict:
        return self.get_or_404("clusters", cluster_id, "database cluster")

    def list_clusters(self, tag_name: str | None = None) -> list[dict]:
        records = sorted(self.data["clusters"].values(), key=lambda c: (c["created_at"], c["name"]))
        out = []
        for record in records:
            settle(self.state, record)
            if tag_name and tag_name not in (record.get("tags") or []):
                continue
            out.append(self.view(record))
        return out

    def get_cluster(self, cluster_id: str) -> dict:
        return self.view(self.cluster(cluster_id))

    def destroy_cluster(self, cluster_id: str) -> None:
        record = self.cluster(cluster_id)
        del self.data["clusters"][cluster_id]
        links.forget(self.state, f"do:dbaas:{cluster_id}", "database", cluster_id)
        for replica in record["_replicas"]:  # replicas go with their primary
            links.leave_vpc(self.state, f"do:dbaas:{replica['id']}")

    @staticmethod
    def _node_plan(body: dict, engine: str) -> tuple[str, int]:
        """(size, num_nodes) as the engine's layouts offer them: a 1 GB node cannot run with standby nodes."""
        num_nodes = choice(body, "num_nodes", CATALOG.database_node_counts(engine), required=True)
        size = choice(body, "size", list(SIZES), required=True)
        offered = CATALOG.database_sizes_for(engine, num_nodes)
        if size not in offered:
            why = (f" (standby nodes need at least {CATALOG.standby_min_memory // 1024} GB per node)"
                   if num_nodes > 1 and SIZES[size][1] < CATALOG.standby_min_memory else "")
            raise Unprocessable(f"size {size!r} is not offered for a {num_nodes}-node {engine} cluster{why}; "
                                f"allowed: {', '.join(offered)}")
        return size, num_nodes

    def resize(self, cluster_id: str, body: dict) -> None:
        """A cluster's, or a read-only replica's (by its own id, as the provider's replica update sends it)."""
        if (found := self.replica_by_uuid(cluster_id)) is not None:
            self.resize_replica(*found, body)
            return
        record = self.cluster(cluster_id)
        size, num_nodes = self._node_plan(body, record["engine"])
        storage = integer(body, "storage_size_mib", default=max(record["storage_size_mib"], SIZES[size][2]),
                          minimum=SIZES[size][2])
        if storage < record["storage_size_mib"]:
            raise Unprocessable(f"storage_size_mib cannot shrink: {storage} < {record['storage_size_mib']}")
        self._require_online(record, "resize")
        record.update(size=size, num_nodes=num_nodes, storage_size_mib=storage, status="resizing",
                      _updated_at=self.now())
        schedule(self.state, record, {"status": "online"})

    def migrate(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        region = links.require_region(self.state, body.get("region"))
        self._require_online(record, "migrate")
        urn = f"do:dbaas:{record['id']}"
        links.leave_vpc(self.state, urn)
        record["private_network_uuid"] = links.join_vpc(self, region, None, "private_network_uuid", urn,
                                                        record["name"])
        record.update(region=region, status="migrating")
        schedule(self.state, record, {"status": "online"})

    def add_index(self, cluster_id: str, index_name: str) -> None:
        """An OpenSearch index made by logs arriving (a monitoring destination writing to this cluster)."""
        operations.add_index(self, cluster_id, index_name)

    def update_maintenance(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        day = choice(body, "day", DAYS, required=True)
        hour = string(body, "hour", required=True)
        parts = hour.split(":")
        if not (2 <= len(parts) <= 3 and all(p.isdigit() and len(p) == 2 for p in parts)
                and int(parts[0]) < 24 and int(parts[1]) < 60):
            raise Unprocessable(f"hour must be HH:MM or HH:MM:SS in 24-hour time; got {hour!r}")
        record["maintenance_window"].update(day=day, hour=hour if len(parts) == 3 else f"{hour}:00")

    def upgrade(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        versions = self.data["versions"][record["engine"]]
        version = choice(body, "version", versions, required=True)
        current = record["semantic_version"].removesuffix(".0")
        if current in versions and versions.index(version) < versions.index(current):
            raise Unprocessable(f"version {version!r} is older than the cluster's version {record['version']!r}")
        record.update(version=version, semantic_version=f"{version}.0")

    # hooks the tags family calls for POST/DELETE /v2/tags/{name}/resources
    def tag_target_exists(self, resource_type: str, resource_id: str) -> bool:
        return resource_type == "database" and resource_id in self.data["clusters"]

    def set_tag(self, resource_id: str, tag: str, present: bool) -> None:
        record = self.data["clusters"][resource_id]
        tags = [t for t in record.get("tags") or [] if t.lower() != tag.lower()]
        if present:
            tags.append(tag)
        record["tags"] = tags or None
