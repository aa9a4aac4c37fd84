"""A cluster's settings: storage autoscaling, eviction policy (caching), SQL mode (MySQL), the engine config
(patched; grouped settings are objects), the CA certificate and the firewall rules.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

from emulator.core.clock import parse_rfc3339
from emulator.core.errors import Unprocessable
from emulator.core.state import public
from emulator.core.validate import choice, integer, object_list, string, unset
from emulator.services.databases.ca import ca_pem
from emulator.services.databases.engines import EVICTION_POLICIES, FIREWALL_TYPES, ZERO_TIME


class Settings:
    """The settings part of the databases backend (see the module)."""

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

    def _firewall_holder(self, uuid: str) -> dict:
        """A cluster, or a read-only replica by its own uuid: the API keeps a trusted-source list for each
        (the provider's DatabaseFirewall takes a replica's ``uuid`` as ``cluster_id``)."""
        if (found := self.replica_by_uuid(uuid)) is None:
            return self.cluster(uuid)
        replica = found[1]
        replica.setdefault("_rules", [])
        return replica

    def firewall_rules(self, cluster_id: str) -> list[dict]:
        return [dict(rule) for rule in self._firewall_holder(cluster_id).get("_rules", [])]

    def replace_firewall_rules(self, cluster_id: str, body: dict) -> None:
        record = self._firewall_holder(cluster_id)
        record["_rules"] = self._firewall_rules(record, object_list(body, "rules", "type and value"))

    def _firewall_rules(self, record: dict, rules: list[tuple[str, dict]]) -> list[dict]:
        out = []
        for field, raw in rules:
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
