"""Kubernetes node pools and nodes: node count always equals ``len(nodes)``; each node is a droplet of the
droplets family (tagged ``k8s``, ``k8s:<cluster id>``, ``k8s:worker``, counted against the droplet limit)
that pools make and delete; a node droplet deleted through /v2/droplets is replaced, as DOKS keeps the
pool's count. Nodes go ``provisioning → running`` through the lifecycle helper.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import links
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import schedule
from emulator.core.validate import boolean, integer, object_list, string, string_list

TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
NODE_IMAGE = "debian-12-x64"  # what a DOKS node droplet runs (the droplets family's worker image)
NODE_DROPLET_IDS_FROM = 700000000  # made-up node droplet ids, only in a build without the droplets family


class NodePools:
    """The node-pool part of the Kubernetes backend (see the module)."""

    def _pool(self, record: dict, pool_id: str) -> dict:
        for pool in record["node_pools"]:
            if pool["id"] == pool_id:
                return pool
        raise not_found("node pool", pool_id)

    def node_pools(self, cluster_id: str) -> list[dict]:
        record = self.cluster(cluster_id)
        return [self.pool_view(p) for p in record["node_pools"]]

    def node_pool(self, cluster_id: str, pool_id: str) -> dict:
        return self.pool_view(self._pool(self.cluster(cluster_id), pool_id))

    def add_node_pool(self, cluster_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        fields = self._pool_fields(body, "node_pool", record["region"])
        self._unique_pool_names([p["name"] for p in record["node_pools"]] + [fields["name"]])
        self._check_nodes(fields["count"], record["region"], record["vpc_uuid"])
        pool = self._new_pool(record, fields)
        record["node_pools"].append(pool)
        record["updated_at"] = self.now()
        return self.pool_view(pool)

    def update_node_pool(self, cluster_id: str, pool_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        pool = self._pool(record, pool_id)
        merged = {**body, "size": pool["size"]}  # the size of a pool is fixed; a new size is a new pool
        # godo omits what an update does not change (labels, taints, autoscaling): absent keeps the pool's.
        for key, current in (("name", pool["name"]), ("labels", pool["labels"]), ("taints", pool["taints"]),
                             ("auto_scale", pool["auto_scale"]), ("min_nodes", pool["min_nodes"]),
                             ("max_nodes", pool["max_nodes"])):
            if merged.get(key) in (None, ""):
                merged[key] = copy.deepcopy(current)
        if merged.get("count") in (None, ""):  # godo omits count for autoscaled pools: the autoscaler keeps it in range
            count = pool["count"]
            if merged.get("auto_scale") is True:
                low = merged.get("min_nodes") if isinstance(merged.get("min_nodes"), int) else 0
                high = merged.get("max_nodes") if isinstance(merged.get("max_nodes"), int) else count
                count = min(max(count, low), max(high, 1))
            merged["count"] = count
        fields = self._pool_fields(merged, "node_pool", record["region"])
        self._unique_pool_names([p["name"] for p in record["node_pools"] if p["id"] != pool_id] + [fields["name"]])
        self._check_nodes(fields["count"] - len(pool["nodes"]), record["region"], record["vpc_uuid"])
        links.apply_tags(self.state, fields["tags"])
        pool.update({k: v for k, v in fields.items() if k != "size"})
        pool["tags"] = self._pool_tags(record, fields["tags"])
        self._resize(record, pool, fields["count"])
        record["updated_at"] = self.now()
        return self.pool_view(pool)

    def delete_node_pool(self, cluster_id: str, pool_id: str) -> None:
        record = self.cluster(cluster_id)
        pool = self._pool(record, pool_id)
        record["node_pools"].remove(pool)
        for node in pool["nodes"]:
            self._drop_node(node)
        record["updated_at"] = self.now()

    def recycle(self, cluster_id: str, pool_id: str, body: dict) -> None:
        """The deprecated ``recycle``: replace the listed nodes (all of the pool's when none is listed)."""
        pool = self._pool(self.cluster(cluster_id), pool_id)
        node_ids = string_list(body, "nodes") or [n["id"] for n in pool["nodes"]]
        unknown = [n for n in node_ids if n not in {node["id"] for node in pool["nodes"]}]
        if unknown:
            raise Unprocessable(f"nodes: {unknown} are not nodes of node pool {pool_id}")
        for node_id in node_ids:
            self.delete_node(cluster_id, pool_id, node_id, replace=True)

    def delete_node(self, cluster_id: str, pool_id: str, node_id: str, *, replace: bool) -> None:
        """Remove one node (the pool shrinks) or, with ``replace``, recycle it into a fresh one."""
        record = self.cluster(cluster_id)
        pool = self._pool(record, pool_id)
        node = next((n for n in pool["nodes"] if n["id"] == node_id), None)
        if node is None:
            raise not_found("node", node_id)
        pool["nodes"].remove(node)
        self._drop_node(node)
        if replace:
            pool["nodes"].append(self._new_node(record, pool))
        else:
            pool["count"] = len(pool["nodes"])

    def _new_pool(self, record: dict, fields: dict) -> dict:
        links.apply_tags(self.state, fields["tags"])
        pool = {"id": self.ids.uuid(), **fields, "tags": self._pool_tags(record, fields["tags"]), "nodes": []}
        self._resize(record, pool, fields["count"])
        return pool

    def _pool_tags(self, record: dict, user_tags: list[str]) -> list[str]:
        # user tags (incl. terraform:default-node-pool) are kept as sent; the API adds its own k8s tags
        return [*user_tags, "k8s", f"k8s:{record['id']}", "k8s:worker"]

    def _resize(self, record: dict, pool: dict, count: int) -> None:
        while len(pool["nodes"]) > count:
            self._drop_node(pool["nodes"].pop())
        while len(pool["nodes"]) < count:
            pool["nodes"].append(self._new_node(record, pool))
        pool["count"] = count

    def _check_nodes(self, adding: int, region: str, vpc_uuid: str | None) -> None:
        """422 before anything is made when ``adding`` node droplets pass the droplet limit or the VPC."""
        links.pool_capacity(self.state, adding, region, vpc_uuid)

    def _new_node(self, record: dict, pool: dict) -> dict:
        name = f"{pool['name']}-{self.ids.hex(3)[:5]}"
        droplet = links.make_pool_droplet(self.state, name, record["region"], pool["size"], NODE_IMAGE,
                                          record["vpc_uuid"], pool["tags"])
        droplet_id = (droplet["id"] if droplet is not None
                      else self.ids.next_int("kubernetes-node-droplet", NODE_DROPLET_IDS_FROM))
        node = {"id": self.ids.uuid(), "name": name, "status": {"state": "provisioning"},
                "droplet_id": str(droplet_id), "created_at": self.now(), "updated_at": self.now()}
        schedule(self.state, node, {"status.state": "running",
                                    "updated_at": self.clock.stamp(self.state.settings.lifecycle_delay)})
        return node

    def _drop_node(self, node: dict) -> None:
        """Delete a node's droplet; the node is already out of its pool, so nothing replaces it."""
        links.delete_droplet(self.state, node["droplet_id"])

    def worker_deleted(self, droplet_id: int) -> None:
        """A node's droplet was deleted through /v2/droplets: the pool gets a fresh node, as DOKS does."""
        for record in self.data["clusters"].values():
            for pool in record["node_pools"]:
                node = next((n for n in pool["nodes"] if n["droplet_id"] == str(droplet_id)), None)
                if node is not None:
                    pool["nodes"].remove(node)
                    pool["nodes"].append(self._new_node(record, pool))
                    return

    def _pool_fields(self, raw: Any, field: str, region: str) -> dict:
        if not isinstance(raw, dict):
            raise Unprocessable(f"{field} must be an object with name, size and count")
        name = self._name(string(raw, "name", required=True), f"{field}.name")
        size = string(raw, "size", required=True)
        allowed = self.size_slugs()
        if size not in allowed:
            raise Unprocessable(f"{field}.size {size!r} is not offered for Kubernetes nodes; allowed: "
                                f"{', '.join(allowed)}")
        catalog = links.optional_neighbour(self.state, "catalog")
        if catalog is not None:
            catalog.require_size(size, region, f"{field}.size")
        auto_scale = boolean(raw, "auto_scale")
        min_nodes = integer(raw, "min_nodes", default=0, minimum=0, maximum=512, where=field)
        max_nodes = integer(raw, "max_nodes", default=0, minimum=0, maximum=512, where=field)
        # A pool may have no nodes (DOKS scales pools to zero). godo omits a count of 0, so an absent count is
        # 0 (the description lists count as required; the provider's NodeCountZero acceptance test creates
        # a cluster whose pool has node_count = 0, which reaches the API as no count at all).
        count = integer(raw, "count", default=min_nodes if auto_scale else 0, minimum=0, maximum=512,
                        where=field)
        if auto_scale:
            if max_nodes < max(min_nodes, 1):
                raise Unprocessable(f"{field}.max_nodes must be >= min_nodes and >= 1 when auto_scale is on; "
                                    f"got min_nodes={min_nodes}, max_nodes={max_nodes}")
            if not min_nodes <= count <= max_nodes:
                raise Unprocessable(f"{field}.count {count} must lie within min_nodes..max_nodes "
                                    f"({min_nodes}..{max_nodes}) when auto_scale is on")
        labels = raw.get("labels")
        if labels is not None and (not isinstance(labels, dict)
                                   or not all(isinstance(v, str) for v in labels.values())):
            raise Unprocessable(f"{field}.labels must be an object of string values; got {labels!r}")
        return {"name": name, "size": size, "count": count,
                "tags": self._user_tags(raw.get("tags"), f"{field}.tags"),
                "labels": dict(labels) if labels else {}, "taints": self._taints(raw, field),
                "auto_scale": auto_scale, "min_nodes": min_nodes if auto_scale else 0,
                "max_nodes": max_nodes if auto_scale else 0}

    @staticmethod
    def _taints(pool: dict, field: str) -> list[dict]:
        """The pool's taints as ``key/value/effect``; godo sends ``Key/Value/Effect``, so keys are read
        case-insensitively."""
        out = []
        for where, taint in object_list(pool, "taints", "key, value and effect", where=field):
            lowered = {str(k).lower(): v for k, v in taint.items()}
            key = lowered.get("key")
            if not key or not isinstance(key, str):
                raise Unprocessable(f"{where}.key is required")
            effect = lowered.get("effect")
            if effect not in TAINT_EFFECTS:
                raise Unprocessable(f"{where}.effect must be one of {', '.join(TAINT_EFFECTS)}; got {effect!r}")
            out.append({"key": key, "value": lowered.get("value") or "", "effect": effect})
        return out

    @staticmethod
    def _unique_pool_names(names: list[str]) -> None:
        seen = set()
        for name in names:
            if name in seen:
                raise Unprocessable(f"node pool name {name!r} is used twice in this cluster")
            seen.add(name)
