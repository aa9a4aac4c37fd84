"""Kubernetes clusters: create (the VPC and its default worker subnet, tags, project), read, update (add-ons
and the node autoscaler's settings), delete, upgrades, associated resources, clusterlint and status messages.

Cluster state goes ``provisioning → running`` (``upgrading → running``) through the lifecycle helper; a
seeded failure ends provisioning in ``error``.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from emulator.core import links
from emulator.core.clock import parse_rfc3339
from emulator.core.errors import NotFound, Unprocessable
from emulator.core.state import public, schedule, settle
from emulator.core.validate import boolean, choice, ip_or_cidr, string, string_list

NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,253}[a-z0-9])?$")
DAYS = ["any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
FAILURE_MESSAGE = "cluster provisioning failed (seeded failure)"


def default_subnet(vpc_uuid: str) -> str:
    """The id of a VPC's default subnet, where workers go unless ``worker_subnet_uuid`` names another: the
    same for every cluster in the VPC (the API has no subnet resource to list them by)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"do:vpc:{vpc_uuid}:default-subnet"))


class Clusters:
    """The cluster part of the Kubernetes backend (see the module)."""

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

    def associated_resources(self, cluster_id: str) -> dict:
        """Volumes and load balancers the cluster made: those tagged ``k8s:<cluster id>``."""
        self.cluster(cluster_id)
        tag = f"k8s:{cluster_id}"
        found: dict[str, list[dict]] = {"load_balancers": [], "volumes": [], "volume_snapshots": []}
        for family, table, key in (("load_balancers", "load_balancers", "load_balancers"),
                                   ("volumes", "volumes", "volumes"), ("volumes", "snapshots", "volume_snapshots")):
            backend = links.optional_neighbour(self.state, family)
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
            backend = links.optional_neighbour(self.state, family)
            delete = getattr(backend, method, None) if backend is not None else None
            if ids and delete is None:
                raise Unprocessable(f"{key} cannot be deleted by the emulator's {family} family")
        self.delete_cluster(cluster_id)
        for key, ids in chosen.items():
            family, method = deleters[key]
            for resource_id in ids:
                getattr(links.neighbour(self.state, family), method)(resource_id)

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

    @staticmethod
    def _name(name: str, field: str) -> str:
        if not NAME.match(name):
            raise Unprocessable(f"{field} {name!r} must be 1-255 lowercase letters, digits or '-', starting and "
                                "ending with a letter or digit")
        return name

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
