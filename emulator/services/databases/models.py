"""Managed database clusters: the cluster, its firewall, users, dbs, connection pools and settings.

Records live in ``data["clusters"]``; users, dbs, pools and firewall rules are private lists on the
cluster record (``_users`` ...) and are rendered into the API's shapes by the view methods, so that
the password of a user is served where the API serves it (create response, user GET) and nowhere else.
Status goes ``creating → online`` (``resizing``/``migrating → online``) through the lifecycle helper.
"""

from __future__ import annotations

import base64
import copy
from typing import Any
from urllib.parse import quote

from do_vocab import catalog
from emulator.core import links
from emulator.core.clock import parse_rfc3339
from emulator.core.errors import NotFound, Unprocessable
from emulator.core.state import Backend, public, schedule, settle
from emulator.core.validate import (
    check_object,
    choice,
    integer,
    is_list,
    is_object,
    is_object_any,
    is_string,
    project_of,
    string,
    unset,
)
from emulator.services.databases import operations
from emulator.services.databases.ca import ca_pem, client_credentials

ENGINES = ["pg", "mysql", "redis", "valkey", "mongodb", "kafka", "opensearch"]
DEFAULT_VERSIONS = {
    "pg": ["13", "14", "15", "16", "17"],
    "mysql": ["8"],
    "redis": ["7"],
    "valkey": ["8"],
    "mongodb": ["6.0", "7.0"],
    "kafka": ["3.5", "3.6", "3.7", "3.8"],
    "opensearch": ["1", "2"],
}
# The versions a create offers, oldest first: the description's options example (MongoDB 6.0/7.0, Kafka 3.8,
# OpenSearch 1/2) and the older ones the provider's acceptance suite still creates (Kafka 3.5, 3.7). Seedable.
CACHING_ENGINES = ("redis", "valkey")
# engine → (scheme, port, pool-port); the hosts are the emulator's own names.
ENDPOINTS = {
    "pg": ("postgresql", 25060, 25061),
    "mysql": ("mysql", 25060, None),
    "redis": ("rediss", 25061, None),
    "valkey": ("rediss", 25061, None),
    "mongodb": ("mongodb+srv", 27017, None),
    "kafka": ("kafka", 25073, None),
    "opensearch": ("https", 25060, None),
}
DEFAULT_DB = {"pg": "defaultdb", "mysql": "defaultdb", "mongodb": "admin"}
ADMIN_USER = {"pg": "doadmin", "mysql": "doadmin", "redis": "default", "valkey": "default", "mongodb": "doadmin",
              "kafka": "doadmin", "opensearch": "doadmin"}
CATALOG = catalog.load()  # sizes, per-engine layouts and regions: the one catalog (do_vocab/catalog.json)
SIZES = {s["slug"]: (s["vcpus"], s["memory"], s["disk"]) for s in CATALOG.database_sizes}  # vcpu, MiB, disk MiB
KAFKA_ACL_PERMISSIONS = ["admin", "consume", "produce", "produceconsume"]
FIREWALL_TYPES = ["ip_addr", "droplet", "k8s", "tag", "app"]
POOL_MODES = ["transaction", "session", "statement"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
EVICTION_POLICIES = ["noeviction", "allkeys_lru", "allkeys_random", "volatile_lru", "volatile_random", "volatile_ttl"]
DEFAULT_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
DEFAULT_CONFIG = {
    "pg": {"autovacuum_naptime": 60, "max_connections": 100, "timezone": "UTC", "log_min_duration_statement": -1},
    "mysql": {"connect_timeout": 10, "default_time_zone": "SYSTEM", "sql_require_primary_key": True,
              "max_allowed_packet": 67108864},
    # with the description's defaults (redis_advanced_config, valkey_advanced_config, mongo_advanced_config)
    "redis": {"redis_maxmemory_policy": "noeviction", "redis_timeout": 300, "redis_ssl": True,
              "redis_lfu_log_factor": 10, "redis_lfu_decay_time": 1, "redis_notify_keyspace_events": "",
              "redis_persistence": "rdb"},
    "valkey": {"valkey_maxmemory_policy": "noeviction", "valkey_timeout": 300, "valkey_ssl": True,
               "valkey_lfu_log_factor": 10, "valkey_lfu_decay_time": 1, "valkey_notify_keyspace_events": "",
               "frequent_snapshots": True, "valkey_active_expire_effort": 1, "valkey_persistence": "rdb"},
    "mongodb": {"default_read_concern": "local", "default_write_concern": "majority",
                "transaction_lifetime_limit_seconds": 60, "slow_op_threshold_ms": 100, "verbosity": 0},
    "kafka": {"auto_create_topics_enable": True, "log_retention_hours": 168},
    "opensearch": {"http_max_content_length_bytes": 100000000},
}
ZERO_TIME = "0001-01-01T00:00:00Z"  # what the provider sends for "not set yet"
SEED_SCHEMA = {
    "versions": is_object({engine: is_list(is_string, min_items=1) for engine in ENGINES}),
    "clusters": is_list(is_object_any),  # each checked by create_cluster, as a POST /v2/databases body
}


def _older_than_all(version: str, versions: list[str]) -> bool:
    """Whether a numeric ``version`` (``"5"``, ``"6.2"``) predates every offered one."""
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))
    try:
        return all(key(version) < key(v) for v in versions)
    except ValueError:
        return False


class DatabasesBackend(Backend):
    name = "databases"

    def reset(self) -> None:
        self.data = {"clusters": {}, "versions": {k: list(v) for k, v in DEFAULT_VERSIONS.items()}}

    # -- options -------------------------------------------------------------------------------
    def options(self) -> dict:
        regions = links.region_slugs(self.state)
        options, availability = {}, {}
        for engine in ENGINES:
            options[engine] = {
                "regions": [r for r in CATALOG.database_regions if r in regions],
                "versions": list(self.data["versions"][engine]),
                "layouts": [{"num_nodes": n, "sizes": list(sizes)} for n, sizes in CATALOG.database_layouts[engine]],
            }
            availability[engine] = [{"version": v, "end_of_life": None, "end_of_availability": None}
                                    for v in self.data["versions"][engine]]
        return {"options": options, "version_availability": availability}

    # -- clusters ------------------------------------------------------------------------------
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
        if cluster_id not in self.data["clusters"]:
            owner = next((c for c in self.data["clusters"].values()
                          if any(r["id"] == cluster_id for r in c["_replicas"])), None)
            if owner is not None:
                self.resize_replica(owner, next(r for r in owner["_replicas"] if r["id"] == cluster_id), body)
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

    # -- autoscale, eviction policy, sql mode, config, CA, backups -------------------------------
    def autoscale(self, cluster_id: str) -> dict:
        return {"storage": dict(self.cluster(cluster_id)["_autoscale"])}

    def update_autoscale(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        if not isinstance(body.get("storage"), dict):
            raise Unprocessable("storage is required: {\"enabled\", \"threshold_percent\", \"increment_gib\"}")
        record["_autoscale"] = self._autoscale_settings(body["storage"], "storage")

    @staticmethod
    def _autoscale_settings(raw: Any, field: str) -> dict:
        if not isinstance(raw, dict) or not isinstance(raw.get("enabled"), bool):
            raise Unprocessable(f"{field}.enabled is required and must be a boolean")
        out = {"enabled": raw["enabled"]}
        if raw["enabled"]:
            out["threshold_percent"] = integer(raw, "threshold_percent", default=80, minimum=50, maximum=95)
            out["increment_gib"] = integer(raw, "increment_gib", default=10, minimum=10, maximum=500)
        return out

    def eviction_policy(self, cluster_id: str) -> str:
        return self._engine_setting(cluster_id, "_eviction_policy", "eviction_policy", ("redis", "valkey"))

    def update_eviction_policy(self, cluster_id: str, body: dict) -> None:
        self._engine_setting(cluster_id, "_eviction_policy", "eviction_policy", ("redis", "valkey"))
        record = self.cluster(cluster_id)
        policy = choice(body, "eviction_policy", EVICTION_POLICIES, required=True)
        record["_eviction_policy"] = policy
        # the same setting, as the cluster's config spells it (redis with '-', valkey with '_')
        engine = record["engine"]
        record["_config"][f"{engine}_maxmemory_policy"] = policy.replace("_", "-") if engine == "redis" else policy

    def sql_mode(self, cluster_id: str) -> str:
        return self._engine_setting(cluster_id, "_sql_mode", "sql_mode", ("mysql",))

    def update_sql_mode(self, cluster_id: str, body: dict) -> None:
        self._engine_setting(cluster_id, "_sql_mode", "sql_mode", ("mysql",))
        self.cluster(cluster_id)["_sql_mode"] = string(body, "sql_mode", required=True)

    def _engine_setting(self, cluster_id: str, key: str, what: str, engines: tuple[str, ...]) -> Any:
        record = self.cluster(cluster_id)
        if record["engine"] not in engines:
            raise Unprocessable(f"{what} is only available for {', '.join(engines)} clusters; "
                                f"this cluster's engine is {record['engine']!r}")
        return record[key]

    def config(self, cluster_id: str) -> dict:
        return public(self.cluster(cluster_id)["_config"])

    def patch_config(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        config = body.get("config")
        if not isinstance(config, dict) or not config:
            raise Unprocessable("config is required: an object of settings to change")
        for key, value in config.items():
            if isinstance(value, list):
                raise Unprocessable(f"config.{key} must be a scalar or an object of settings; got {value!r}")
        for key, value in config.items():
            # Grouped settings (PostgreSQL's pgbouncer and timescaledb, MySQL's mysql_incremental_backup,
            # OpenSearch's credentials) are objects, patched like the config itself: what is sent replaces.
            current = record["_config"].get(key)
            if isinstance(value, dict):
                record["_config"][key] = {**(current if isinstance(current, dict) else {}), **copy.deepcopy(value)}
            else:
                record["_config"][key] = value

    def ca(self, cluster_id: str) -> dict:
        record = self.cluster(cluster_id)
        if not record.get("_ca_pem"):  # made once: a client comparing two reads sees one certificate
            record["_ca_pem"] = ca_pem(record["id"], record["name"], parse_rfc3339(record["created_at"]))
        return {"certificate": base64.b64encode(record["_ca_pem"].encode()).decode()}

    # -- firewall ------------------------------------------------------------------------------
    def firewall_rules(self, cluster_id: str) -> list[dict]:
        return [dict(rule) for rule in self.cluster(cluster_id)["_rules"]]

    def replace_firewall_rules(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        rules = body.get("rules")
        if rules is None:
            rules = []
        if not isinstance(rules, list):
            raise Unprocessable("rules must be a list of {type, value}")
        record["_rules"] = self._firewall_rules(record, rules)

    def _firewall_rules(self, record: dict, rules: list) -> list[dict]:
        out = []
        for i, raw in enumerate(rules):
            field = f"rules[{i}]"
            if not isinstance(raw, dict):
                raise Unprocessable(f"{field} must be an object with type and value")
            rule_type = raw.get("type")
            if rule_type not in FIREWALL_TYPES:
                raise Unprocessable(f"{field}.type must be one of {', '.join(FIREWALL_TYPES)}; got {rule_type!r}")
            value = raw.get("value")
            if unset(value) or not isinstance(value, str):
                raise Unprocessable(f"{field}.value is required")
            created = raw.get("created_at")
            rule = {
                "uuid": raw.get("uuid") or self.ids.uuid(),
                "cluster_uuid": record["id"],
                "type": rule_type,
                "value": value,
                "created_at": self.now() if unset(created) or created == ZERO_TIME else created,
            }
            if raw.get("description"):
                rule["description"] = raw["description"]
            out.append(rule)
        return out

    # -- users ---------------------------------------------------------------------------------
    def _user(self, record: dict, name: str) -> dict:
        for user in record["_users"]:
            if user["name"] == name:
                return user
        raise NotFound(f"The database user {name} could not be found.")

    def add_user(self, cluster_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        name = string(body, "name", required=True)
        if any(u["name"] == name for u in record["_users"]):
            raise Unprocessable(f"name {name!r}: a user with this name already exists")
        user: dict[str, Any] = {"name": name, "role": "normal", "password": self._password()}
        if record["engine"] == "mysql":
            settings = body.get("mysql_settings") or {}
            user["mysql_settings"] = {"auth_plugin": choice(settings, "auth_plugin",
                                                            ["mysql_native_password", "caching_sha2_password"],
                                                            default="caching_sha2_password")}
        if record["engine"] == "kafka":  # Kafka clients authenticate with a certificate the cluster's CA issued
            user["access_cert"], user["access_key"] = client_credentials(
                record["id"], record["name"], name, self.clock.now())
        if body.get("settings") is not None:
            user["settings"] = self._user_settings(body["settings"], None)
        record["_users"].append(user)
        return public(user)

    def users(self, cluster_id: str) -> list[dict]:
        return [public(u) for u in self.cluster(cluster_id)["_users"]]

    def user(self, cluster_id: str, name: str) -> dict:
        return public(self._user(self.cluster(cluster_id), name))

    def update_user(self, cluster_id: str, name: str, body: dict) -> dict:
        user = self._user(self.cluster(cluster_id), name)
        if not isinstance(body.get("settings"), dict):
            raise Unprocessable("settings is required: an object of user settings")
        user["settings"] = self._user_settings(body["settings"], user.get("settings"))
        return public(user)

    def _user_settings(self, raw: Any, current: dict | None) -> dict:
        """A user's settings as sent, with an ``id`` on each Kafka ACL (the API computes it: "Will be computed
        after the ACL is created/updated"); an ACL kept by an update keeps its id."""
        if not isinstance(raw, dict):
            raise Unprocessable("settings must be an object of user settings")
        settings = copy.deepcopy(raw)
        acl = settings.get("acl")
        if acl is None:
            return settings
        if not isinstance(acl, list):
            raise Unprocessable("settings.acl must be a list of {topic, permission}")
        known = {(a.get("topic"), a.get("permission")): a.get("id") for a in (current or {}).get("acl") or []}
        for i, entry in enumerate(acl):
            where = f"settings.acl[{i}]"
            if not isinstance(entry, dict):
                raise Unprocessable(f"{where} must be an object with topic and permission")
            string(entry, "topic", required=True, where=where)
            choice(entry, "permission", KAFKA_ACL_PERMISSIONS, required=True, where=where)
            if not entry.get("id"):
                entry["id"] = known.get((entry["topic"], entry["permission"])) or self.ids.hex(8)
        return settings

    def reset_auth(self, cluster_id: str, name: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        user = self._user(record, name)
        if record["engine"] == "mysql" and body.get("mysql_settings"):
            user["mysql_settings"] = {"auth_plugin": choice(body["mysql_settings"], "auth_plugin",
                                                            ["mysql_native_password", "caching_sha2_password"],
                                                            required=True)}
        user["password"] = self._password()
        return public(user)

    def delete_user(self, cluster_id: str, name: str) -> None:
        record = self.cluster(cluster_id)
        user = self._user(record, name)
        if user["role"] == "primary":
            raise Unprocessable(f"user {name!r} is the cluster's primary user and cannot be deleted")
        if any(p["user"] == name for p in record["_pools"]):
            raise Unprocessable(f"user {name!r} is used by a connection pool; delete the pool first")
        record["_users"].remove(user)

    # -- dbs -----------------------------------------------------------------------------------
    def add_db(self, cluster_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        self._require_engine(record, "databases", ("pg", "mysql", "mongodb"))
        name = string(body, "name", required=True)
        if name in record["_dbs"]:
            raise Unprocessable(f"name {name!r}: a database with this name already exists")
        record["_dbs"].append(name)
        return {"name": name}

    def dbs(self, cluster_id: str) -> list[dict]:
        return [{"name": n} for n in self.cluster(cluster_id)["_dbs"]]

    def db(self, cluster_id: str, name: str) -> dict:
        if name not in self.cluster(cluster_id)["_dbs"]:
            raise NotFound(f"The database {name} could not be found.")
        return {"name": name}

    def delete_db(self, cluster_id: str, name: str) -> None:
        record = self.cluster(cluster_id)
        self.db(cluster_id, name)
        if any(p["db"] == name for p in record["_pools"]):
            raise Unprocessable(f"database {name!r} is used by a connection pool; delete the pool first")
        record["_dbs"].remove(name)

    # -- connection pools ----------------------------------------------------------------------
    def _pool(self, record: dict, name: str) -> dict:
        for pool in record["_pools"]:
            if pool["name"] == name:
                return pool
        raise NotFound(f"The connection pool {name} could not be found.")

    def _pool_fields(self, record: dict, body: dict, exclude: str | None = None) -> dict:
        mode = choice(body, "mode", POOL_MODES, required=True)
        limit = self.pool_connection_limit(record)
        used = sum(p["size"] for p in record["_pools"] if p["name"] != exclude)
        size = integer(body, "size", required=True, minimum=1)
        if used + size > limit:
            raise Unprocessable(f"size {size} exceeds the connections left for pools on a {record['size']} cluster: "
                                f"{limit - used} of {limit}")
        db = string(body, "db", required=True)
        if db not in record["_dbs"]:
            raise Unprocessable(f"db {db!r} does not exist in this cluster; existing: {', '.join(record['_dbs'])}")
        user = string(body, "user", default="")
        if user:
            self._user(record, user)
        return {"mode": mode, "size": size, "db": db, "user": user}

    @staticmethod
    def pool_connection_limit(record: dict) -> int:
        """Backend connections pools may share: 25 per GiB of RAM, 3 of them reserved for maintenance."""
        return max(1, SIZES[record["size"]][1] // 1024 * 25 - 3)

    def add_pool(self, cluster_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        self._require_engine(record, "connection pools", ("pg",))
        name = string(body, "name", required=True)
        if any(p["name"] == name for p in record["_pools"]):
            raise Unprocessable(f"name {name!r}: a connection pool with this name already exists")
        pool = {"name": name, **self._pool_fields(record, body)}
        record["_pools"].append(pool)
        return self.pool_view(record, pool)

    def pools(self, cluster_id: str) -> list[dict]:
        record = self.cluster(cluster_id)
        return [self.pool_view(record, p) for p in record["_pools"]]

    def pool(self, cluster_id: str, name: str) -> dict:
        record = self.cluster(cluster_id)
        return self.pool_view(record, self._pool(record, name))

    def update_pool(self, cluster_id: str, name: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        self._pool(record, name).update(self._pool_fields(record, body, exclude=name))

    def delete_pool(self, cluster_id: str, name: str) -> None:
        record = self.cluster(cluster_id)
        record["_pools"].remove(self._pool(record, name))

    def pool_view(self, record: dict, pool: dict) -> dict:
        user_name = pool["user"] or ADMIN_USER[record["engine"]]
        password = self._user(record, user_name)["password"]
        port = ENDPOINTS[record["engine"]][2]
        return {**pool,
                "connection": self._connection(record, record["_host"], user_name, password, pool["name"], port),
                "private_connection": self._connection(record, record["_private_host"], user_name, password,
                                                       pool["name"], port)}

    # -- read-only replicas --------------------------------------------------------------------
    def _replica(self, record: dict, name: str) -> dict:
        for replica in record["_replicas"]:
            if replica["name"] == name:
                return replica
        raise NotFound(f"The replica {name} could not be found.")

    def create_replica(self, cluster_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        self._require_engine(record, "read-only replicas", ("pg", "mysql"))
        name = string(body, "name", required=True)
        size = choice(body, "size", list(SIZES), required=True)
        if list(SIZES).index(size) < list(SIZES).index(record["size"]):
            raise Unprocessable(f"size {size!r} is smaller than the primary's size {record['size']!r}")
        region = links.require_region(self.state, body.get("region") or record["region"])
        tags = links.valid_tags(self.state, body.get("tags"))
        storage = integer(body, "storage_size_mib", default=record["storage_size_mib"],
                          minimum=record["storage_size_mib"])
        if any(r["name"] == name for r in record["_replicas"]) or name == record["name"]:
            raise Unprocessable(f"name {name!r} is already used by this cluster or one of its replicas")
        self._require_online(record, "add a replica")
        replica_id = self.ids.uuid()
        vpc = links.join_vpc(self, region, string(body, "private_network_uuid"), "private_network_uuid",
                             f"do:dbaas:{replica_id}", name)
        links.apply_tags(self.state, tags)
        host_label = f"{name}-do-user-{self.ids.next_int('database-host', 1000)}-0"
        replica = {"id": replica_id, "name": name, "region": region, "size": size, "status": "creating",
                   "tags": tags, "created_at": self.now(), "private_network_uuid": vpc,
                   "storage_size_mib": storage, "_host": f"replica-{host_label}.db.ondigitalocean.com",
                   "_private_host": f"private-replica-{host_label}.db.ondigitalocean.com"}
        record["_replicas"].append(replica)
        schedule(self.state, replica, {"status": "online"})
        return self.replica_view(record, replica)

    def resize_replica(self, record: dict, replica: dict, body: dict) -> None:
        """A replica runs one node, of at least its primary's size; its storage only grows."""
        num_nodes = integer(body, "num_nodes", default=1)
        if num_nodes != 1:
            raise Unprocessable(f"num_nodes must be 1 for a read-only replica; got {num_nodes}")
        size = choice(body, "size", list(SIZES), required=True)
        if list(SIZES).index(size) < list(SIZES).index(record["size"]):
            raise Unprocessable(f"size {size!r} is smaller than the primary's size {record['size']!r}")
        storage = integer(body, "storage_size_mib", default=max(replica["storage_size_mib"], SIZES[size][2]),
                          minimum=SIZES[size][2])
        if storage < replica["storage_size_mib"]:
            raise Unprocessable(f"storage_size_mib cannot shrink: {storage} < {replica['storage_size_mib']}")
        if settle(self.state, replica)["status"] != "online":
            raise Unprocessable(f"cannot resize replica {replica['name']!r} while it is {replica['status']!r}")
        replica.update(size=size, storage_size_mib=storage, status="resizing")
        schedule(self.state, replica, {"status": "online"})

    def replicas(self, cluster_id: str) -> list[dict]:
        record = self.cluster(cluster_id)
        return [self.replica_view(record, settle(self.state, r)) for r in record["_replicas"]]

    def replica(self, cluster_id: str, name: str) -> dict:
        record = self.cluster(cluster_id)
        return self.replica_view(record, settle(self.state, self._replica(record, name)))

    def destroy_replica(self, cluster_id: str, name: str) -> None:
        record = self.cluster(cluster_id)
        replica = self._replica(record, name)
        record["_replicas"].remove(replica)
        links.leave_vpc(self.state, f"do:dbaas:{replica['id']}")

    def promote_replica(self, cluster_id: str, name: str) -> None:
        """The replica becomes a cluster of its own, with the primary's users and databases."""
        record = self.cluster(cluster_id)
        replica = settle(self.state, self._replica(record, name))
        if replica["status"] != "online":
            raise Unprocessable(f"cannot promote replica {name!r} while it is {replica['status']!r}")
        if any(c["name"] == name for c in self.data["clusters"].values()):
            raise Unprocessable(f"name {name!r} is already used by another database cluster")
        record["_replicas"].remove(replica)
        promoted = copy.deepcopy(record)
        promoted.pop("_pending", None)
        promoted.update({k: v for k, v in replica.items() if k != "tags"}, tags=replica["tags"] or None,
                        _replicas=[], _rules=[], created_at=replica["created_at"],
                        metrics_endpoints=[{"host": replica["_host"], "port": 9273}])
        self.data["clusters"][promoted["id"]] = promoted
        links.apply_tags(self.state, replica["tags"], "database", promoted["id"])
        links.assign_project(self.state, f"do:dbaas:{promoted['id']}", None)

    def replica_view(self, record: dict, replica: dict) -> dict:
        out = public(replica)
        admin = record["_users"][0]
        database = DEFAULT_DB.get(record["engine"], "")
        out["connection"] = self._connection(record, replica["_host"], admin["name"], admin["password"], database)
        out["private_connection"] = self._connection(record, replica["_private_host"], admin["name"],
                                                     admin["password"], database)
        return out

    # -- rendering -----------------------------------------------------------------------------
    def view(self, record: dict) -> dict:
        """The cluster as the API shows it: connection blocks (with the admin password), users, dbs, rules."""
        out = public(record)
        admin = record["_users"][0]
        password = admin["password"]
        database = DEFAULT_DB.get(record["engine"], "")
        out["connection"] = self._connection(record, record["_host"], admin["name"], password, database)
        out["private_connection"] = self._connection(record, record["_private_host"], admin["name"], password,
                                                     database)
        out["users"] = [public(u) for u in record["_users"]]
        out["db_names"] = list(record["_dbs"]) or None
        out["rules"] = [dict(r) for r in record["_rules"]]
        project_id = project_of(self.state, f"do:dbaas:{record['id']}")
        if project_id:
            out["project_id"] = project_id
        return out

    @staticmethod
    def _connection(record: dict, host: str, user: str, password: str, database: str,
                    port: int | None = None) -> dict:
        scheme, default_port, _ = ENDPOINTS[record["engine"]]
        port = port or default_port
        auth = f"{quote(user, safe='')}:{quote(password, safe='')}@" if password else f"{quote(user, safe='')}@"
        path = f"/{database}" if database else ""
        query = {"pg": "?sslmode=require", "mysql": "?ssl-mode=REQUIRED", "mongodb": "?tls=true&authSource=admin"}
        netloc_port = "" if scheme == "mongodb+srv" else f":{port}"
        return {"uri": f"{scheme}://{auth}{host}{netloc_port}{path}{query.get(record['engine'], '')}",
                "database": database, "host": host, "port": port, "user": user, "password": password,
                "ssl": True}

    def _password(self) -> str:
        return "AVNS_" + base64.urlsafe_b64encode(bytes.fromhex(self.ids.hex(15))).decode().rstrip("=")

    @staticmethod
    def _require_engine(record: dict, what: str, engines: tuple[str, ...]) -> None:
        if record["engine"] not in engines:
            raise Unprocessable(f"{what} are only available for {', '.join(engines)} clusters; "
                                f"this cluster's engine is {record['engine']!r}")

    @staticmethod
    def _require_online(record: dict, what: str) -> None:
        if record["status"] != "online":
            raise Unprocessable(f"cannot {what} while the cluster is {record['status']!r}; wait for 'online'")

    # -- seed ----------------------------------------------------------------------------------
    def seed(self, payload: dict) -> dict:
        """``{"versions": {"pg": ["15", "16"]}, "clusters": [<create bodies>]}``."""
        check_object(payload, SEED_SCHEMA)
        versions = payload.get("versions") or {}
        before = copy.deepcopy(self.data)
        self.data["versions"].update({k: list(v) for k, v in versions.items()})
        try:
            created = [self.create_cluster(body)["id"] for body in payload.get("clusters") or []]
        except Exception:
            self.data = before  # all or nothing
            raise
        for cluster_id in created:
            settle(self.state, self.data["clusters"][cluster_id])
        return {"versions": {k: list(v) for k, v in self.data["versions"].items()}, "clusters": created}
