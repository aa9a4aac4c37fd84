"""Read-only replicas: one node of at least the primary's size, in its own VPC region, promotable to a cluster."""

from __future__ import annotations

import copy

from emulator.core import links
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import public, schedule, settle
from emulator.core.validate import choice, integer, string
from emulator.services.databases.engines import DEFAULT_DB, SIZES


class Replicas:
    """The replica part of the databases backend (see the module)."""

    def replica_by_uuid(self, uuid: str) -> tuple[dict, dict] | None:
        """(primary, replica) for a read-only replica's own uuid, or None: the API takes it where a cluster id
        goes for the replica's resize and its trusted sources (the provider sends it there)."""
        if uuid in self.data["clusters"]:
            return None
        for record in self.data["clusters"].values():
            for replica in record["_replicas"]:
                if replica["id"] == uuid:
                    return record, replica
        return None

    def _replica(self, record: dict, name: str) -> dict:
        for replica in record["_replicas"]:
            if replica["name"] == name:
                return replica
        raise not_found("replica", name)

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
