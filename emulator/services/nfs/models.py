"""NFS shares: a share in a region, reachable from VPCs of that region, with access points and snapshots.

A share is ``CREATING`` then ``ACTIVE`` (``INACTIVE`` with no VPC), gets a private host address in its
first VPC and a default access point at ``/``; actions resize it (grow only), snapshot it, attach,
detach or reassign VPCs and switch its performance tier, each answered with an action record.
Access points are pinned to a VPC of the share's region. A VPC holds one share: creating, attaching or
reassigning a second share into it is refused. VPCs are reached through core/links.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend, public, schedule, settle

MIN_GIB = 50
TIERS = ("standard", "high")
ACTIONS = ("resize", "snapshot", "attach", "detach", "reassign", "switch_performance_tier")
AP_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{1,61}[a-zA-Z0-9]$")
AP_PATH = re.compile(r"^/[A-Za-z0-9._/-]{1,1023}$")
DEFAULT_POLICY = {"anonuid": 65534, "anongid": 65534, "protocols": ["NFS4", "NFS"], "squash_config": "ROOT_SQUASH",
                  "identity_enforcement_enabled": False}
SQUASH = ("NO_SQUASH", "ROOT_SQUASH", "ALL_SQUASH")


class NfsBackend(Backend):
    name = "nfs"

    def reset(self) -> None:
        self.data = {"shares": {}, "snapshots": {}, "access_points": {}}

    # -- shares
    def get(self, share_id: str, region: str | None = None) -> dict:
        record = self.get_or_404("shares", share_id, "NFS share")
        if region and record["region"] != region:
            raise not_found("NFS share", share_id, f"in region {region}")
        return record

    def list(self, region: str | None = None) -> list[dict]:
        shares = [self.get(i) for i in list(self.data["shares"])]
        return [s for s in shares if not region or s["region"] == region]

    def _vpc(self, vpc_id, region: str, field: str, share_id: str | None = None) -> str:
        """A VPC of ``region`` that no other share is attached to (a VPC holds one NFS share); 422 naming
        ``field``."""
        vpc = links.reference(self.state, "vpcs", vpc_id, field)
        if vpc is not None and vpc["region"] != region:
            raise Unprocessable(f"{field} {vpc_id!r} is in {vpc['region']}, not {region}")
        holder = next((s for s in self.data["shares"].values()
                       if s["id"] != share_id and str(vpc_id) in s["vpc_ids"]), None)
        if holder is not None:
            raise Unprocessable(f"{field} {vpc_id!r} already has share {holder['id']} attached; a VPC can have "
                                f"only one share")
        return str(vpc_id)

    def create(self, body: dict) -> dict:
        name = v.string(body, "name", required=True)
        size = v.integer(body, "size_gib", required=True, minimum=MIN_GIB, maximum=16384)
        region = links.require_region(self.state, v.string(body, "region", required=True))
        vpc_ids = v.string_list(body, "vpc_ids", required=True)
        if len(vpc_ids) > 1:
            raise Unprocessable("vpc_ids: a share is created in one VPC; attach more with the attach action")
        vpc_ids = [self._vpc(vpc_id, region, f"vpc_ids[{i}]") for i, vpc_id in enumerate(vpc_ids)]
        tier = v.choice(body, "performance_tier", TIERS, default="standard")
        if any(s["name"] == name and s["region"] == region for s in self.data["shares"].values()):
            raise Unprocessable(f"name {name!r} is already used by another NFS share in {region}")
        share_id = self.ids.uuid()
        host = links.vpc_address(self.state, vpc_ids[0]) if vpc_ids else None
        record = {"id": share_id, "name": name, "size_gib": size, "region": region, "status": "CREATING",
                  "created_at": self.now(), "vpc_ids": vpc_ids, "performance_tier": tier,
                  "mount_path": f"/{self.ids.next_int('nfs-mount', 100000)}/{share_id}", "host": host or "",
                  "_host_vpc": vpc_ids[0] if vpc_ids else None}
        self.data["shares"][share_id] = record
        self.data["access_points"][f"{share_id}-default"] = {
            "id": self.ids.uuid(), "name": "default", "share_id": share_id, "path": "/",
            "status": "ACCESS_POINT_ACTIVE", "access_policy": {**DEFAULT_POLICY, "protocols": ["NFS4", "NFS"]},
            "created_at": self.now(), "updated_at": self.now(), "is_default": True}
        schedule(self.state, record, {"status": "ACTIVE" if vpc_ids else "INACTIVE"})
        return record

    def delete(self, share_id: str, region: str | None = None) -> None:
        record = self.get(share_id, region)
        if record["_host_vpc"]:
            links.release_vpc_address(self.state, record["_host_vpc"], record["host"])
        for key, point in list(self.data["access_points"].items()):
            if point["share_id"] == share_id:
                del self.data["access_points"][key]
        del self.data["shares"][share_id]

    # -- actions
    def act(self, share_id: str, body: dict) -> dict:
        record = self.get(share_id)
        kind = v.choice(body, "type", ACTIONS, required=True)
        params = body.get("params") or {}
        if not isinstance(params, dict):
            raise Unprocessable("params must be an object")
        resource_id, resource_type = record["id"], "SHARE"
        if kind == "resize":
            size = v.integer(params, "size_gib", required=True, minimum=MIN_GIB, maximum=16384, where="params")
            if size <= record["size_gib"]:
                raise Unprocessable(f"params.size_gib must grow the share beyond {record['size_gib']} GiB; got {size}")
            record["size_gib"] = size
        elif kind == "snapshot":
            snapshot = {"id": self.ids.uuid(), "name": v.string(params, "name", required=True, where="params"),
                        "size_gib": record["size_gib"], "region": record["region"], "status": "CREATING",
                        "created_at": self.now(), "share_id": record["id"]}
            self.data["snapshots"][snapshot["id"]] = snapshot
            schedule(self.state, snapshot, {"status": "ACTIVE"})
            resource_id, resource_type = snapshot["id"], "SNAPSHOT"
        elif kind == "attach":
            vpc_id = self._vpc(v.string(params, "vpc_id", required=True, where="params"), record["region"],
                               "params.vpc_id", share_id=record["id"])
            if vpc_id not in record["vpc_ids"]:
                record["vpc_ids"].append(vpc_id)
            record["status"] = "ACTIVE"
        elif kind == "detach":
            vpc_id = v.string(params, "vpc_id", required=True, where="params")
            if vpc_id not in record["vpc_ids"]:
                raise Unprocessable(f"params.vpc_id {vpc_id!r} is not attached to share {share_id}")
            record["vpc_ids"].remove(vpc_id)
            if not record["vpc_ids"]:
                record["status"] = "INACTIVE"
        elif kind == "reassign":
            old = v.string(params, "old_vpc_id", required=True, where="params")
            new = self._vpc(v.string(params, "new_vpc_id", required=True, where="params"), record["region"],
                            "params.new_vpc_id", share_id=record["id"])
            if old not in record["vpc_ids"]:
                raise Unprocessable(f"params.old_vpc_id {old!r} is not attached to share {share_id}")
            record["vpc_ids"][record["vpc_ids"].index(old)] = new
        else:
            record["performance_tier"] = v.choice(params, "performance_tier", TIERS, required=True, where="params")
        return self._action(f"{kind.upper()}_{'SNAPSHOT' if kind == 'snapshot' else 'SHARE'}", resource_type,
                            resource_id, record["region"])

    def _action(self, kind: str, resource_type: str, resource_id: str, region: str) -> dict:
        action = {"id": self.ids.uuid(), "region_slug": region, "resource_id": resource_id,
                  "resource_type": resource_type, "started_at": self.now(), "status": "IN_PROGRESS", "type": kind}
        if not self.state.settings.lifecycle_delay:
            action["status"] = "COMPLETED"
        return action

    # -- snapshots
    def snapshot(self, snapshot_id: str, region: str | None = None) -> dict:
        record = self.get_or_404("snapshots", snapshot_id, "NFS snapshot")
        if region and record["region"] != region:
            raise not_found("NFS snapshot", snapshot_id, f"in region {region}")
        return record

    def snapshots(self, region: str | None = None, share_id: str | None = None) -> list[dict]:
        return [self.snapshot(i) for i, s in list(self.data["snapshots"].items())
                if (not region or s["region"] == region) and (not share_id or s["share_id"] == share_id)]

    def delete_snapshot(self, snapshot_id: str, region: str | None = None) -> None:
        del self.data["snapshots"][self.snapshot(snapshot_id, region)["id"]]

    # -- access points
    def access_points(self, share_id: str, status: str | None = None) -> list[dict]:
        self.get(share_id)
        points = [settle(self.state, p) for p in self.data["access_points"].values() if p["share_id"] == share_id]
        points = [p for p in points if not status or p["status"] == status]
        return sorted(points, key=lambda p: (not p["is_default"], p["created_at"]))

    def access_point(self, point_id: str) -> dict:
        for point in self.data["access_points"].values():
            if point["id"] == point_id:
                return settle(self.state, point)
        raise not_found("access point", point_id)

    def create_access_point(self, share_id: str, body: dict) -> tuple[dict, dict]:
        share = self.get(share_id)
        name = v.string(body, "name", required=True)
        if not AP_NAME.match(name) or name.lower() == "default":
            raise Unprocessable(f"name {name!r} must be 3-63 letters, digits or '-' (and not 'default')")
        path = v.string(body, "path", required=True)
        if path == "/" or not AP_PATH.match(path) or ".." in path.split("/"):
            raise Unprocessable(f"path {path!r} must start with '/', not be '/', and hold only letters, digits, "
                                "-, _, . and / (no '..')")
        if any(p["name"] == name for p in self.access_points(share_id)):
            raise Unprocessable(f"name {name!r} is already used by another access point of this share")
        policy = body.get("access_policy")
        if not isinstance(policy, dict):
            raise Unprocessable("access_policy is required: {anonuid, anongid, protocols, squash_config, "
                                "identity_enforcement_enabled}")
        policy = {"anonuid": v.integer(policy, "anonuid", required=True, minimum=65534, maximum=65534,
                                       where="access_policy"),
                  "anongid": v.integer(policy, "anongid", required=True, minimum=65534, maximum=65534,
                                       where="access_policy"),
                  "protocols": v.string_list(policy, "protocols", required=True, where="access_policy"),
                  "squash_config": v.choice(policy, "squash_config", SQUASH, required=True, where="access_policy"),
                  "identity_enforcement_enabled": v.boolean(policy, "identity_enforcement_enabled",
                                                            where="access_policy")}
        if not policy["protocols"] or any(p not in ("NFS4", "NFS") for p in policy["protocols"]):
            raise Unprocessable(f"access_policy.protocols must list NFS4 and/or NFS; got {policy['protocols']}")
        vpc_id = self._vpc(v.string(body, "vpc_id", required=True), share["region"], "vpc_id", share_id=share["id"])
        point = {"id": self.ids.uuid(), "name": name, "share_id": share_id, "path": path,
                 "status": "ACCESS_POINT_CREATING", "access_policy": policy, "created_at": self.now(),
                 "updated_at": self.now(), "is_default": False, "vpc_id": vpc_id}
        self.data["access_points"][point["id"]] = point
        schedule(self.state, point, {"status": "ACCESS_POINT_ACTIVE"})
        return point, self._action("CREATE_ACCESS_POINT", "SHARE", point["id"], share["region"])

    def delete_access_point(self, point_id: str) -> tuple[dict, dict]:
        point = self.access_point(point_id)
        if point["is_default"]:
            raise Unprocessable("the default access point goes with its share; delete the share instead")
        del self.data["access_points"][point["id"]]
        share = self.data["shares"].get(point["share_id"]) or {"region": ""}
        gone = {**point, "status": "ACCESS_POINT_DELETED", "updated_at": self.now()}
        return gone, self._action("DELETE_ACCESS_POINT", "SHARE", point["id"], share["region"])

    # -- views
    def view(self, record: dict) -> dict:
        out = public(record)
        out["access_points"] = [public(p) for p in self.access_points(record["id"])]
        return out
