"""VPC peerings: two VPCs of the account joined (``PROVISIONING → ACTIVE``), renamed, deleted.

A delete answers 202 with the peering ``DELETING``; it is gone (404) once the lifecycle delay has
passed, which is what the provider's delete waits for. The VPCs are reached through core/links.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import NotFound, Unprocessable, not_found
from emulator.core.state import Backend, public, schedule, settle

NAME = re.compile(r"^[a-zA-Z0-9-]+$")


class VpcPeeringsBackend(Backend):
    name = "vpc_peerings"

    def reset(self) -> None:
        self.data = {"peerings": {}}

    def get(self, peering_id: str) -> dict:
        record = self.get_or_404("peerings", peering_id, "VPC peering")
        if record.get("_gone"):
            del self.data["peerings"][record["id"]]
            raise not_found("VPC peering", peering_id)
        return record

    def list(self, *, region: str | None = None, vpc_id: str | None = None) -> list[dict]:
        out = []
        for peering_id in list(self.data["peerings"]):
            try:
                record = self.get(peering_id)
            except NotFound:
                continue
            if vpc_id and vpc_id not in record["vpc_ids"]:
                continue
            if region and region not in record["_regions"]:
                continue
            out.append(record)
        return out

    def _name(self, body: dict, exclude: str | None = None) -> str:
        name = v.string(body, "name", required=True)
        if not NAME.match(name):
            raise Unprocessable(f"name {name!r} may only contain letters, digits and dashes")
        if any(p["name"] == name and p["id"] != exclude and not p.get("_gone") for p in self.data["peerings"].values()):
            raise Unprocessable(f"name {name!r} is already used by another VPC peering")
        return name

    def create(self, name_body: dict, vpc_ids: list, field: str = "vpc_ids") -> dict:
        name = self._name(name_body)
        if not isinstance(vpc_ids, list) or len(vpc_ids) != 2 or len(set(map(str, vpc_ids))) != 2:
            raise Unprocessable(f"{field} must name two different VPCs")
        regions = []
        for i, vpc_id in enumerate(vpc_ids):
            vpc = links.reference(self.state, "vpcs", vpc_id, f"{field}[{i}]")
            regions.append(vpc["region"] if vpc else "")
        if any(set(p["vpc_ids"]) == set(vpc_ids) for p in self.list()):
            raise Unprocessable(f"VPCs {vpc_ids[0]} and {vpc_ids[1]} are already peered")
        record = {"id": self.ids.uuid(), "name": name, "vpc_ids": [str(i) for i in vpc_ids], "status": "PROVISIONING",
                  "created_at": self.now(), "_regions": regions}
        self.data["peerings"][record["id"]] = record
        schedule(self.state, record, {"status": "ACTIVE"})
        return record

    def rename(self, peering_id: str, body: dict, vpc_id: str | None = None) -> dict:
        record = self.get(peering_id)
        if vpc_id and vpc_id not in record["vpc_ids"]:
            raise not_found("VPC peering", peering_id, f"for VPC {vpc_id}")
        record["name"] = self._name(body, exclude=record["id"])
        return record

    def delete(self, peering_id: str) -> dict:
        record = self.get(peering_id)
        settle(self.state, record)
        record.pop("_pending", None)
        record["status"] = "DELETING"
        schedule(self.state, record, {"_gone": True})
        return record

    @staticmethod
    def view(record: dict) -> dict:
        return public(record)
