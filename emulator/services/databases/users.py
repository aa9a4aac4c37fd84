"""A cluster's users: the primary (admin) user and the ones added; a MySQL user's auth plugin, a Kafka user's
client certificate and ACLs (each with an id). A password is served where the API serves it (create response,
user GET) and nowhere else.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import public
from emulator.core.validate import choice, object_list, string
from emulator.services.databases.ca import client_credentials
from emulator.services.databases.engines import KAFKA_ACL_PERMISSIONS


class Users:
    """The user part of the databases backend (see the module)."""

    def _user(self, record: dict, name: str) -> dict:
        for user in record["_users"]:
            if user["name"] == name:
                return user
        raise not_found("database user", name)

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
        acl = object_list(settings, "acl", "topic and permission", where="settings")
        known = {(a.get("topic"), a.get("permission")): a.get("id") for a in (current or {}).get("acl") or []}
        for where, entry in acl:
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
