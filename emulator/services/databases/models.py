"""Managed databases: the family's backend, its options, rendering (connection blocks) and seed.

The backend is composed of one part per resource (moto-style): clusters (clusters.py), settings, CA and
firewall (settings.py), users (users.py), databases and connection pools (pools.py), read-only replicas
(replicas.py); the engines' vocabulary is engines.py. Records live in ``data["clusters"]``; users, dbs,
pools and firewall rules are private lists on the cluster record (``_users`` ...) rendered into the API's
shapes by the view methods, so that the password of a user is served where the API serves it (create
response, user GET) and nowhere else. Log sinks, topics, the schema registry, backups/events and operations
are modules of functions taking the backend.
"""

from __future__ import annotations

import base64
import copy
from urllib.parse import quote

from emulator.core import links
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend, public, settle
from emulator.core.validate import (
    check_object,
    is_list,
    is_object,
    is_object_any,
    is_string,
)
from emulator.services.databases.clusters import Clusters
from emulator.services.databases.engines import CATALOG, DEFAULT_DB, DEFAULT_VERSIONS, ENDPOINTS, ENGINES
from emulator.services.databases.pools import Pools
from emulator.services.databases.replicas import Replicas
from emulator.services.databases.settings import Settings
from emulator.services.databases.users import Users

SEED_SCHEMA = {
    "versions": is_object({engine: is_list(is_string, min_items=1) for engine in ENGINES}),
    "clusters": is_list(is_object_any),  # each checked by create_cluster, as a POST /v2/databases body
}


class DatabasesBackend(Clusters, Settings, Users, Pools, Replicas, Backend):
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
        project_id = links.project_of(self.state, f"do:dbaas:{record['id']}")
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
