"""A cluster's databases and PostgreSQL connection pools (sized within the connections the plan offers)."""

from __future__ import annotations

from emulator.core.errors import Unprocessable, not_found
from emulator.core.validate import choice, integer, string
from emulator.services.databases.engines import ADMIN_USER, ENDPOINTS, POOL_MODES, SIZES


class Pools:
    """The databases-and-pools part of the databases backend (see the module)."""

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
            raise not_found("database", name)
        return {"name": name}

    def delete_db(self, cluster_id: str, name: str) -> None:
        record = self.cluster(cluster_id)
        self.db(cluster_id, name)
        if any(p["db"] == name for p in record["_pools"]):
            raise Unprocessable(f"database {name!r} is used by a connection pool; delete the pool first")
        record["_dbs"].remove(name)

    def _pool(self, record: dict, name: str) -> dict:
        for pool in record["_pools"]:
            if pool["name"] == name:
                return pool
        raise not_found("connection pool", name)

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
