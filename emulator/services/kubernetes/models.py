"""Kubernetes (DOKS) clusters, node pools and nodes, kubeconfig and credentials, options and upgrades.

Cluster state goes ``provisioning → running`` (``upgrading → running``), nodes ``provisioning →
running``, through the lifecycle helper; node count always equals ``len(nodes)``. Each node is a droplet
of the droplets family (tagged ``k8s``, ``k8s:<cluster id>``, ``k8s:worker``, counted against the droplet
limit) that pools make and delete; a node droplet deleted through /v2/droplets is replaced, as DOKS keeps
the pool's count. Every credential
request mints a new token (as the API does), valid for ``expiry_seconds`` (7 days by default).
The offered versions are seedable (``POST /_emulator/seed/kubernetes {"versions": [...]}``).
"""

from __future__ import annotations

import base64
import copy
import re
import uuid
from datetime import timedelta
from typing import Any

from emulator.core import links
from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.errors import NotFound, Unprocessable
from emulator.core.state import Backend, public, schedule, settle
from emulator.core.validate import boolean, choice, integer, ip_or_cidr, optional_backend, string, string_list

DEFAULT_VERSIONS = ["1.33.1-do.0", "1.32.5-do.0", "1.31.9-do.0"]  # newest first, as the API lists them
NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,253}[a-z0-9])?$")
DAYS = ["any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
DEFAULT_EXPIRY = 7 * 24 * 3600
FALLBACK_SIZES = ["s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb", "s-4vcpu-8gb", "s-8vcpu-16gb"]
MIN_NODE_MEMORY_MIB = 2048  # DOKS refuses droplet sizes smaller than this
NODE_DROPLET_IDS_FROM = 700000000  # made-up node droplet ids, only in a build without the droplets family
SEEDABLE = {"versions", "failing_clusters", "failure_message"}
FAILURE_MESSAGE = "cluster provisioning failed (seeded failure)"
FEATURES = ("cluster-autoscaler", "docr-integration", "ha-control-plane", "token-authentication")


def default_subnet(vpc_uuid: str) -> str:
    """The id of a VPC's default subnet, where workers go unless ``worker_subnet_uuid`` names another: the
    same for every cluster in the VPC (the API has no subnet resource to list them by)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"do:vpc:{vpc_uuid}:default-subnet"))


class KubernetesBackend(Backend):
    name = "kubernetes"

    def reset(self) -> None:
        self.data = {"clusters": {}, "versions": list(DEFAULT_VERSIONS)}

    # -- options -------------------------------------------------------------------------------
    def versions(self) -> list[dict]:
        return [{"slug": slug, "kubernetes_version": slug.split("-do.")[0], "supported_features": list(FEATURES)}
                for slug in self.data["versions"]]

    def size_slugs(self) -> list[str]:
        catalog = optional_backend(self.state, "catalog")
        if catalog is None:
            return list(FALLBACK_SIZES)
        return [s["slug"] for s in catalog.sizes() if s.get("available", True) and s["memory"] >= MIN_NODE_MEMORY_MIB]

    def options(self) -> dict:
        catalog = optional_backend(self.state, "catalog")
        regions = ([{"name": r["name"], "slug": r["slug"]} for r in catalog.regions() if r.get("available", True)]
                   if catalog is not None else [{"name": s, "slug": s} for s in links.region_slugs(self.state)])
        return {"regions": regions, "versions": self.versions(),
                "sizes": [{"name": slug, "slug": slug} for slug in self.size_slugs()]}

    def resolve_version(self, value, field: str = "version") -> str:
        """A slug offered by /v2/kubernetes/options; ``latest`` is the newest one."""
        slugs = self.data["versions"]
        if value in (None, ""):
            raise Unprocessable(f"{field} is required; allowed: latest, {', '.join(slugs)}")
        if value == "latest":
            return slugs[0]
        if value not in slugs:
            raise Unprocessable(f"{field} {value!r} is not a supported Kubernetes version; "
                                f"allowed: latest, {', '.join(slugs)}")
        return value

    # -- clusters ------------------------------------------------------------------------------
    def create_cluster(self, body: dict) -> dict:
        name = self._name(string(body, "name", required=True), "name")
        region = links.require_region(self.state, body.get("region"))
        version = self.resolve_version(body.get("version"))
        tags = self._user_tags(body.get("tags"), "tags")
        raw_pools = body.get("node_pools")
        if not isinstance(raw_pools, list) or not raw_pools:
            raise Unprocessable("node_pools is required: at least one {name, size, count}")
        pools = [self._pool_fields(raw, f"node_pools[{i}]", region) for i, raw in enumerate(raw_pools)]
        self._unique_pool_names([p["name"] for p in pools])
        maintenance = self._maintenance(body.get("maintenance_policy"), None)
        if any(c["name"] == name for c in self.data["clusters"].values()):
            raise Unprocessable(f"name {name!r} is already used by another Kubernetes cluster")
        self._check_nodes(sum(p["count"] for p in pools), region, string(body, "vpc_uuid"))
        worker_subnet = string(body, "worker_subnet_uuid")
        if worker_subnet:
            if not string(body, "vpc_uuid"):
                raise Unprocessable("worker_subnet_uuid needs vpc_uuid: the subnet is one of that VPC's")
            worker_subnet = self._uuid(worker_subnet, "worker_subnet_uuid")
        cluster_id = self.ids.uuid()
        urn = f"do:kubernetes:{cluster_id}"
        record: dict[str, Any] = {
            "id": cluster_id, "name": name, "region": region, "version": version,
            "cluster_subnet": ip_or_cidr(string(body, "cluster_subnet", default="10.244.0.0/16"), "cluster_subnet"),
            "service_subnet": ip_or_cidr(string(body, "service_subnet", default="10.245.0.0/16"), "service_subnet"),
            "vpc_uuid": "", "ipv4": "", "endpoint": f"https://{cluster_id}.k8s.ondigitalocean.com",
            "tags": [], "node_pools": [], "maintenance_policy": maintenance,
            "auto_upgrade": boolean(body, "auto_upgrade"), "surge_upgrade": boolean(body, "surge_upgrade"),
            "ha": boolean(body, "ha"), "registry_enabled": False,
            "status": {"state": "provisioning", "message": "provisioning"},
            "created_at": self.now(), "updated_at": self.now(),
            "control_plane_firewall": self._firewall(body.get("control_plane_firewall")),
            "routing_agent": {"enabled": bool((body.get("routing_agent") or {}).get("enabled"))},
            **self._addons(body, {}),
        }
        # Everything is validated; from here on the cluster is made and joins its VPC, tags and project.
        record["vpc_uuid"] = links.join_vpc(self, region, string(body, "vpc_uuid"), "vpc_uuid", urn, name)
        record["worker_subnet_uuid"] = worker_subnet or default_subnet(record["vpc_uuid"])
        # A highly available control plane has no single master node, hence no public IPv4 of its own.
        record["ipv4"] = "" if record["ha"] else self._address()
        record["tags"] = [*tags, "k8s", f"k8s:{cluster_id}"]
        links.apply_tags(self.state, record["tags"])
        for fields in pools:
            record["node_pools"].append(self._new_pool(record, fields))
        self.data["clusters"][cluster_id] = record
        links.assign_project(self.state, urn, None)
        if self.data.get("failing_clusters", 0) > 0:  # seeded: provisioning ends in "error"
            self.data["failing_clusters"] -= 1
            final = {"status.state": "error", "status.message": self.data.get("failure_message") or FAILURE_MESSAGE}
        else:
            final = {"status.state": "running", "status.message": ""}
        schedule(self.state, record, {**final, "updated_at": self.clock.stamp(self.state.settings.lifecycle_delay)})
        return self.view(record)

    def cluster(self, cluster_id: str) -> dict:
        record = self.get_or_404("clusters", cluster_id, "kubernetes cluster")
        for pool in record["node_pools"]:
            for node in pool["nodes"]:
                settle(self.state, node)
        return record

    def get_cluster(self, cluster_id: str) -> dict:
        return self.view(self.cluster(cluster_id))

    def list_clusters(self) -> list[dict]:
        records = sorted(self.data["clusters"].values(), key=lambda c: (c["created_at"], c["name"]))
        return [self.view(self.cluster(r["id"])) for r in records]

    def update_cluster(self, cluster_id: str, body: dict) -> dict:
        record = self.cluster(cluster_id)
        name = self._name(string(body, "name", required=True), "name")
        if any(c["name"] == name and c["id"] != cluster_id for c in self.data["clusters"].values()):
            raise Unprocessable(f"name {name!r} is already used by another Kubernetes cluster")
        if body.get("tags") is None:  # absent (godo omits empty lists): keep the user's tags
            tags = [t for t in record["tags"] if not self._system_tag(t)]
        else:
            tags = self._user_tags(body["tags"], "tags")
        maintenance = self._maintenance(body.get("maintenance_policy"), record["maintenance_policy"])
        ha = boolean(body, "ha", record["ha"])
        if record["ha"] and not ha:
            raise Unprocessable("ha cannot be disabled once a cluster has a highly available control plane")
        firewall = (self._firewall(body["control_plane_firewall"]) if "control_plane_firewall" in body
                    else record["control_plane_firewall"])
        links.apply_tags(self.state, tags)
        if ha and not record["ha"]:
            record["ipv4"] = ""  # the control plane is no longer one master node with an address
        record.update(name=name, maintenance_policy=maintenance, ha=ha, control_plane_firewall=firewall,
                      tags=[*tags, "k8s", f"k8s:{cluster_id}"],
                      auto_upgrade=boolean(body, "auto_upgrade", record["auto_upgrade"]),
                      surge_upgrade=boolean(body, "surge_upgrade", record["surge_upgrade"]),
                      updated_at=self.now())
        if isinstance(body.get("routing_agent"), dict):
            record["routing_agent"] = {"enabled": bool(body["routing_agent"].get("enabled"))}
        record.update(self._addons(body, record))
        return self.view(record)

    # Cluster add-ons set by an object with `enabled` (and add-on settings, such as the CoreDNS autoscaler's
    # replica bounds): kept as sent and answered back; a cluster created without one has none.
    ADDONS = ("amd_gpu_device_plugin", "amd_gpu_device_metrics_exporter_plugin", "nvidia_gpu_device_plugin",
              "rdma_shared_dev_plugin", "coredns_autoscaler", "sso", "p2p_oci_registry_plugin")
    # The add-ons the API answers as {"enabled": false} on a cluster that never set them (the provider's
    # Basic acceptance test reads `<add-on>.0.enabled = false` from a cluster created without them).
    ADDONS_OFF_BY_DEFAULT = tuple(a for a in ADDONS if a != "sso")

    def _addons(self, body: dict, current: dict) -> dict:
        out = {}
        for key in self.ADDONS:
            raw = body.get(key)
            if raw is None:
                continue
            if not isinstance(raw, dict) or raw.get("enabled") not in (True, False, None):
                raise Unprocessable(f"{key} must be an object with a boolean enabled; got {raw!r}")
            if raw.get("enabled") is None and key not in current:
                continue  # the provider's update sends {"enabled": null} for an add-on nobody set: still none
            sent = {k: copy.deepcopy(value) for k, value in raw.items() if value is not None}
            out[key] = {**copy.deepcopy(current.get(key) or {}), **sent}
            out[key]["enabled"] = bool(out[key].get("enabled"))
        raw = body.get("cluster_autoscaler_configuration")  # settings of the node autoscaler, kept as sent
        if raw is not None:
            if not isinstance(raw, dict):
                raise Unprocessable(f"cluster_autoscaler_configuration must be an object; got {raw!r}")
            out.update(self._autoscaler_configuration(raw, current.get("cluster_autoscaler_configuration")))
        return out

    @staticmethod
    def _autoscaler_configuration(raw: dict, current: dict | None) -> dict:
        """The node autoscaler's settings after ``raw``: null keeps a setting, an empty value (``[]``, ``""``,
        ``0``) unsets it (the description: "Passing an empty list (not null) will unset any previous expander
        customizations"; the provider's update sends these to remove settings). The provider's update sends
        the block with every field empty when the configuration has none: no block appears then."""
        merged = copy.deepcopy(current or {})
        for key, value in raw.items():
            if value is None:
                continue
            if value in ([], "", 0):
                merged.pop(key, None)
            else:
                merged[key] = copy.deepcopy(value)
        if not merged and current is None:
            return {}
        return {"cluster_autoscaler_configuration": merged}

    def delete_cluster(self, cluster_id: str) -> None:
        record = self.cluster(cluster_id)
        del self.data["clusters"][cluster_id]
        for pool in record["node_pools"]:
            for node in pool["nodes"]:
                self._drop_node(node)
        links.forget(self.state, f"do:kubernetes:{cluster_id}")

    def available_upgrades(self, cluster_id: str) -> list[dict]:
        record = self.cluster(cluster_id)
        slugs = self.data["versions"]
        current = slugs.index(record["version"]) if record["version"] in slugs else len(slugs)
        return [v for v in self.versions() if slugs.index(v["slug"]) < current]

    def upgrade(self, cluster_id: str, body: dict) -> None:
        record = self.cluster(cluster_id)
        version = self.resolve_version(body.get("version"))
        allowed = [v["slug"] for v in self.available_upgrades(cluster_id)]
        if version not in allowed:
            raise Unprocessable(f"version {version!r} is not an upgrade of {record['version']!r}; "
                                f"allowed: {', '.join(allowed) or 'none (already the newest)'}")
        if record["status"]["state"] != "running":
            raise Unprocessable(f"cannot upgrade while the cluster is {record['status']['state']!r}")
        record.update(version=version, updated_at=self.now(), status={"state": "upgrading", "message": "upgrading"})
        schedule(self.state, record, {"status.state": "running", "status.message": ""})

    # -- associated resources ------------------------------------------------------------------
    def associated_resources(self, cluster_id: str) -> dict:
        """Volumes and load balancers the cluster made: those tagged ``k8s:<cluster id>``."""
        self.cluster(cluster_id)
        tag = f"k8s:{cluster_id}"
        found: dict[str, list[dict]] = {"load_balancers": [], "volumes": [], "volume_snapshots": []}
        for family, table, key in (("load_balancers", "load_balancers", "load_balancers"),
                                   ("volumes", "volumes", "volumes"), ("volumes", "snapshots", "volume_snapshots")):
            backend = optional_backend(self.state, family)
            if backend is None:
                continue
            for record in backend.data.get(table, {}).values():
                if tag in (record.get("tags") or []):
                    found[key].append({"id": str(record["id"]), "name": record.get("name", "")})
        return found

    def destroy_with_associated(self, cluster_id: str, selection: dict | None) -> None:
        """Delete the cluster and its associated resources (all, or the selected ids)."""
        found = self.associated_resources(cluster_id)
        chosen: dict[str, list[str]] = {}
        for key, items in found.items():
            ids = [item["id"] for item in items]
            if selection is None:
                chosen[key] = ids
                continue
            wanted = selection.get(key) or []
            if not isinstance(wanted, list):
                raise Unprocessable(f"{key} must be a list of ids")
            unknown = [str(w) for w in wanted if str(w) not in ids]
            if unknown:
                raise Unprocessable(f"{key}: {', '.join(unknown)} are not associated with cluster {cluster_id}")
            chosen[key] = [str(w) for w in wanted]
        deleters = {"load_balancers": ("load_balancers", "delete"), "volumes": ("volumes", "delete"),
                    "volume_snapshots": ("volumes", "delete_snapshot")}
        for key, ids in chosen.items():
            family, method = deleters[key]
            backend = optional_backend(self.state, family)
            delete = getattr(backend, method, None) if backend is not None else None
            if ids and delete is None:
                raise Unprocessable(f"{key} cannot be deleted by the emulator's {family} family")
        self.delete_cluster(cluster_id)
        for key, ids in chosen.items():
            family, method = deleters[key]
            for resource_id in ids:
                getattr(self.backend(family), method)(resource_id)

    # -- node pools ----------------------------------------------------------------------------
    def _pool(self, record: dict, pool_id: str) -> dict:
        for pool in record["node_pools"]:
            if pool["id"] == pool_id:
                return pool
        raise NotFound(f"The node pool {pool_id} could not be found.")

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

    # -- clusterlint: the checks run on a cluster as made by the emulator (nothing to flag in it)
    def run_clusterlint(self, cluster_id: str, body: dict) -> str:
        record = self.cluster(cluster_id)
        for key in ("include_groups", "include_checks", "exclude_groups", "exclude_checks"):
            string_list(body, key)
        run = {"run_id": self.ids.uuid(), "requested_at": self.now(),
               "completed_at": self.clock.stamp(self.state.settings.lifecycle_delay), "diagnostics": []}
        record.setdefault("_lint_runs", []).insert(0, run)
        return run["run_id"]

    def clusterlint(self, cluster_id: str, run_id: str | None) -> dict:
        runs = self.cluster(cluster_id).get("_lint_runs") or []
        run = next((r for r in runs if r["run_id"] == run_id), None) if run_id else (runs[0] if runs else None)
        if run is None:
            raise NotFound(f"No clusterlint run {run_id or ''} for cluster {cluster_id}; start one with POST first")
        return public(run)

    def status_messages(self, cluster_id: str, since: str | None) -> list[dict]:
        """What the cluster went through, as status messages: created, then running once provisioned."""
        record = self.cluster(cluster_id)
        messages = [{"message": "Cluster is being provisioned", "timestamp": record["created_at"]}]
        if record["status"]["state"] == "running":
            messages.append({"message": "Cluster is running", "timestamp": record["updated_at"]})
        if since:
            try:
                cutoff = parse_rfc3339(since)
            except ValueError:
                raise Unprocessable(f"since must be an RFC 3339 date-time; got {since!r}") from None
            messages = [m for m in messages if parse_rfc3339(m["timestamp"]) >= cutoff]
        return messages

    def delete_node(self, cluster_id: str, pool_id: str, node_id: str, *, replace: bool) -> None:
        """Remove one node (the pool shrinks) or, with ``replace``, recycle it into a fresh one."""
        record = self.cluster(cluster_id)
        pool = self._pool(record, pool_id)
        node = next((n for n in pool["nodes"] if n["id"] == node_id), None)
        if node is None:
            raise NotFound(f"The node {node_id} could not be found.")
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
        droplets = optional_backend(self.state, "droplets")
        if droplets is not None and adding > 0:
            droplets.check_capacity(adding, region, vpc_uuid)

    def _new_node(self, record: dict, pool: dict) -> dict:
        name = f"{pool['name']}-{self.ids.hex(3)[:5]}"
        droplets = optional_backend(self.state, "droplets")
        if droplets is not None:
            droplet_id = droplets.create_worker(name, record["region"], pool["size"], record["vpc_uuid"],
                                                pool["tags"])["id"]
        else:
            droplet_id = self.ids.next_int("kubernetes-node-droplet", NODE_DROPLET_IDS_FROM)
        node = {"id": self.ids.uuid(), "name": name, "status": {"state": "provisioning"},
                "droplet_id": str(droplet_id), "created_at": self.now(), "updated_at": self.now()}
        schedule(self.state, node, {"status.state": "running",
                                    "updated_at": self.clock.stamp(self.state.settings.lifecycle_delay)})
        return node

    def _drop_node(self, node: dict) -> None:
        """Delete a node's droplet; the node is already out of its pool, so nothing replaces it."""
        droplets = optional_backend(self.state, "droplets")
        if droplets is not None and droplets.exists(node["droplet_id"]):
            droplets.delete(node["droplet_id"])

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
        catalog = optional_backend(self.state, "catalog")
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
                "labels": dict(labels) if labels else {}, "taints": self._taints(raw.get("taints"), field),
                "auto_scale": auto_scale, "min_nodes": min_nodes if auto_scale else 0,
                "max_nodes": max_nodes if auto_scale else 0}

    @staticmethod
    def _taints(raw: Any, field: str) -> list[dict]:
        """Taints as ``key/value/effect``; godo sends ``Key/Value/Effect``, so keys are read case-insensitively."""
        if raw in (None, ""):
            return []
        if not isinstance(raw, list):
            raise Unprocessable(f"{field}.taints must be a list of {{key, value, effect}}")
        out = []
        for i, taint in enumerate(raw):
            if not isinstance(taint, dict):
                raise Unprocessable(f"{field}.taints[{i}] must be an object with key, value and effect")
            lowered = {str(k).lower(): v for k, v in taint.items()}
            key = lowered.get("key")
            if not key or not isinstance(key, str):
                raise Unprocessable(f"{field}.taints[{i}].key is required")
            effect = lowered.get("effect")
            if effect not in TAINT_EFFECTS:
                raise Unprocessable(f"{field}.taints[{i}].effect must be one of {', '.join(TAINT_EFFECTS)}; "
                                    f"got {effect!r}")
            out.append({"key": key, "value": lowered.get("value") or "", "effect": effect})
        return out

    @staticmethod
    def _name(name: str, field: str) -> str:
        if not NAME.match(name):
            raise Unprocessable(f"{field} {name!r} must be 1-255 lowercase letters, digits or '-', starting and "
                                "ending with a letter or digit")
        return name

    @staticmethod
    def _unique_pool_names(names: list[str]) -> None:
        seen = set()
        for name in names:
            if name in seen:
                raise Unprocessable(f"node pool name {name!r} is used twice in this cluster")
            seen.add(name)

    def _maintenance(self, raw: Any, current: dict | None) -> dict:
        """Always a full policy with a valid ``day`` (godo fails on ``""``); unset fields keep their value."""
        policy = dict(current or {"start_time": "00:00", "duration": "4h0m0s", "day": "any"})
        if raw in (None, ""):
            return policy
        if not isinstance(raw, dict):
            raise Unprocessable("maintenance_policy must be an object with start_time and day")
        day = choice(raw, "day", DAYS, default=policy["day"])
        start = string(raw, "start_time", default=policy["start_time"])
        parts = start.split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
            raise Unprocessable(f"maintenance_policy.start_time must be HH:MM in UTC; got {start!r}")
        policy.update(day=day, start_time=f"{int(parts[0]):02d}:{int(parts[1]):02d}")
        return policy

    @staticmethod
    def _firewall(raw: Any) -> dict:
        if raw in (None, ""):
            return {"enabled": False, "allowed_addresses": []}
        if not isinstance(raw, dict):
            raise Unprocessable("control_plane_firewall must be an object with enabled and allowed_addresses")
        addresses = raw.get("allowed_addresses") or []
        if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
            raise Unprocessable("control_plane_firewall.allowed_addresses must be a list of IPs or CIDR blocks")
        for i, address in enumerate(addresses):
            ip_or_cidr(address, f"control_plane_firewall.allowed_addresses[{i}]")
        return {"enabled": boolean(raw, "enabled"), "allowed_addresses": list(addresses)}

    @staticmethod
    def _uuid(value: str, field: str) -> str:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise Unprocessable(f"{field} must be a UUID; got {value!r}") from None

    def _address(self) -> str:
        n = self.ids.next_int("kubernetes-ipv4")
        return f"203.0.113.{n % 254 + 1}" if n < 254 else f"198.51.100.{n % 254 + 1}"

    def _user_tags(self, raw: Any, field: str) -> list[str]:
        """The caller's tags, validated; the ``k8s``/``k8s:*`` tags the API adds itself are dropped."""
        if raw is not None and not isinstance(raw, list):
            raise Unprocessable(f"{field} must be a list of strings; got {raw!r}")
        return links.valid_tags(self.state, [t for t in raw or [] if not self._system_tag(t)])

    @staticmethod
    def _system_tag(tag: Any) -> bool:
        return isinstance(tag, str) and (tag == "k8s" or tag.startswith("k8s:"))

    # -- registry integration ------------------------------------------------------------------
    def set_registry(self, body: dict, enabled: bool, *, named: bool = False) -> None:
        """Registry integration on/off for ``cluster_uuids``; ``named`` (the plural route) also takes
        ``registries``, names that must exist in the registry family."""
        ids = body.get("cluster_uuids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise Unprocessable("cluster_uuids is required: a list of cluster ids")
        names: list[str] = []
        if named:
            names = body.get("registries") or []
            if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
                raise Unprocessable("registries is required: a list of registry names")
            registry = optional_backend(self.state, "registry")
            known = registry.data.get("registries", {}) if registry is not None else {}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise Unprocessable(f"registries: {', '.join(unknown)} are not registries of this account; "
                                    f"known: {', '.join(known) or 'none'}")
        records = [self.cluster(i) for i in ids]  # 404 before anything changes
        for record in records:
            current = record.setdefault("_registries", [])
            if named:
                record["_registries"] = ([*current, *[n for n in names if n not in current]] if enabled
                                         else [n for n in current if n not in names])
                record["registry_enabled"] = bool(record["_registries"])
            else:
                record["registry_enabled"] = enabled

    # -- credentials ---------------------------------------------------------------------------
    def credentials(self, cluster_id: str, expiry_seconds: int) -> dict:
        record = self.cluster(cluster_id)
        if expiry_seconds < 0:
            raise Unprocessable(f"expiry_seconds must be >= 0; got {expiry_seconds}")
        lifetime = expiry_seconds or DEFAULT_EXPIRY
        return {
            "server": record["endpoint"],
            "certificate_authority_data": base64.b64encode(self._ca_pem(record)).decode(),
            "client_certificate_data": None,
            "client_key_data": None,
            "token": "doks_" + self.ids.hex(24),
            "expires_at": rfc3339(self.clock.now() + timedelta(seconds=lifetime)),
        }

    def kubeconfig(self, cluster_id: str, expiry_seconds: int) -> str:
        record = self.cluster(cluster_id)
        creds = self.credentials(cluster_id, expiry_seconds)
        context = f"do-{record['region']}-{record['name']}"
        return (
            "apiVersion: v1\n"
            "kind: Config\n"
            "clusters:\n"
            "- cluster:\n"
            f"    certificate-authority-data: {creds['certificate_authority_data']}\n"
            f"    server: {creds['server']}\n"
            f"  name: {context}\n"
            "contexts:\n"
            "- context:\n"
            f"    cluster: {context}\n"
            f"    user: {context}-admin\n"
            f"  name: {context}\n"
            f"current-context: {context}\n"
            "users:\n"
            f"- name: {context}-admin\n"
            "  user:\n"
            f"    token: {creds['token']}\n"
        )

    def cluster_user(self, cluster_id: str) -> dict:
        self.cluster(cluster_id)
        account = optional_backend(self.state, "account")
        email = account.get()["email"] if account is not None else "emulator@example.com"
        return {"username": email, "groups": ["k8saas:authenticated"]}

    @staticmethod
    def _ca_pem(record: dict) -> bytes:
        return (f"-----BEGIN CERTIFICATE-----\nEMULATOR-DOKS-CA-{record['id']}\n-----END CERTIFICATE-----\n").encode()

    # -- rendering -----------------------------------------------------------------------------
    def view(self, record: dict) -> dict:
        out = {**{addon: {"enabled": False} for addon in self.ADDONS_OFF_BY_DEFAULT},
               "worker_subnet_uuid": default_subnet(record["vpc_uuid"]), **public(record)}
        out["node_pools"] = [self.pool_view(p) for p in record["node_pools"]]
        return out

    @staticmethod
    def pool_view(pool: dict) -> dict:
        return public(pool)

    # -- seed ----------------------------------------------------------------------------------
    def seed(self, payload: dict) -> dict:
        """``{"versions": ["1.33.1-do.0", ...]}`` (offered versions, newest first) and/or
        ``{"failing_clusters": n, "failure_message": "..."}`` (the next n clusters end in ``error``)."""
        unknown = sorted(set(payload) - SEEDABLE)
        if unknown:
            raise Unprocessable(f"unknown kubernetes seed fields {unknown}; allowed: {sorted(SEEDABLE)}")
        versions = payload.get("versions", self.data["versions"])
        if not isinstance(versions, list) or not versions or not all(
                isinstance(v, str) and "-do." in v for v in versions):
            raise Unprocessable("versions must be a non-empty list of slugs such as '1.33.1-do.0', newest first")
        failing = payload.get("failing_clusters", self.data.get("failing_clusters", 0))
        if isinstance(failing, bool) or not isinstance(failing, int) or failing < 0:
            raise Unprocessable(f"failing_clusters must be an integer >= 0; got {failing!r}")
        message = payload.get("failure_message", self.data.get("failure_message"))
        if message is not None and not isinstance(message, str):
            raise Unprocessable(f"failure_message must be a string; got {message!r}")
        self.data.update(versions=copy.copy(versions), failing_clusters=failing, failure_message=message)
        return {"versions": list(versions), "failing_clusters": failing}
