"""Partner Network Connect: attachments joining VPCs of a metro to a NaaS provider's network.

An attachment is ``CREATING`` then ``ACTIVE`` after the lifecycle delay; its VPCs must be the account's
and lie in the attachment's metro (``nyc`` holds ``nyc1``, ``nyc3``...), reached through core/links. A
second attachment may name a first as ``parent_uuid`` (a redundant pair: the parent lists it among its
``children``). No BGP session runs, so no remote route is ever learned. A delete answers 202
``DELETING``; the attachment is gone (404) after the lifecycle delay.
"""

from __future__ import annotations

import ipaddress
import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import NotFound, Unprocessable, not_found
from emulator.core.state import Backend, public, schedule, settle

NAME = re.compile(r"^[a-zA-Z0-9.-]+$")
METROS = ("nyc", "sfo", "fra", "ams", "sgp")
BANDWIDTHS = (1000, 2000, 5000, 10000)
PROVIDERS = ("megaport",)
LOCAL_ASN = 64532


class PartnerNetworkBackend(Backend):
    name = "partner_network"

    def reset(self) -> None:
        self.data = {"attachments": {}}

    def get(self, attachment_id: str) -> dict:
        record = self.get_or_404("attachments", attachment_id, "partner attachment")
        if record.get("_gone"):
            self._drop(record)
            raise not_found("partner attachment", attachment_id)
        return record

    def _drop(self, record: dict) -> None:
        self.data["attachments"].pop(record["id"], None)
        parent = self.data["attachments"].get(record.get("parent_uuid") or "")
        if parent is not None and record["id"] in parent["children"]:
            parent["children"].remove(record["id"])

    def list(self) -> list[dict]:
        out = []
        for attachment_id in list(self.data["attachments"]):
            try:
                out.append(self.get(attachment_id))
            except NotFound:
                continue
        return out

    def _name(self, body: dict, exclude: str | None = None) -> str:
        name = v.string(body, "name", required=True)
        if not NAME.match(name):
            raise Unprocessable(f"name {name!r} may only contain letters, digits, dashes and periods")
        if any(a["name"] == name and a["id"] != exclude for a in self.list()):
            raise Unprocessable(f"name {name!r} is already used by another partner attachment")
        return name

    def _vpcs(self, body: dict, metro: str) -> list[str]:
        vpc_ids = v.string_list(body, "vpc_ids", required=True)
        if not vpc_ids:
            raise Unprocessable("vpc_ids must name at least one VPC")
        for i, vpc_id in enumerate(vpc_ids):
            vpc = links.reference(self.state, "vpcs", vpc_id, f"vpc_ids[{i}]")
            if vpc is not None and not vpc["region"].startswith(metro):
                raise Unprocessable(f"vpc_ids[{i}] {vpc_id!r} is in {vpc['region']}, outside the {metro} metro")
        return vpc_ids

    @staticmethod
    def _bgp(body: dict) -> dict | None:
        raw = body.get("bgp")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise Unprocessable("bgp must be an object with local_router_ip, peer_router_ip, peer_router_asn, auth_key")
        ips = {}
        for key in ("local_router_ip", "peer_router_ip"):
            value = v.string(raw, key, required=True, where="bgp")
            try:
                ipaddress.ip_interface(value)
            except ValueError:
                raise Unprocessable(f"bgp.{key} must be an address with its prefix, such as 169.254.0.1/29; "
                                    f"got {value!r}") from None
            ips[key] = value
        return {**ips, "peer_asn": v.integer(raw, "peer_router_asn", required=True, minimum=1, maximum=4294967295,
                                             where="bgp"),
                "local_asn": LOCAL_ASN, "_auth_key": v.string(raw, "auth_key", required=True, where="bgp")}

    def create(self, body: dict) -> dict:
        name = self._name(body)
        bandwidth = v.choice(body, "connection_bandwidth_in_mbps", BANDWIDTHS, required=True)
        metro = v.choice(body, "region", METROS, required=True)
        provider = v.choice(body, "naas_provider", PROVIDERS, required=True)
        vpc_ids = self._vpcs(body, metro)
        bgp = self._bgp(body)
        parent_uuid = v.string(body, "parent_uuid")
        if parent_uuid:
            parent = self.get(parent_uuid)
            if parent["region"] != metro:
                raise Unprocessable(f"parent_uuid {parent_uuid!r} is in the {parent['region']} metro, not {metro}")
        record = {"id": self.ids.uuid(), "name": name, "state": "CREATING", "connection_bandwidth_in_mbps": bandwidth,
                  "region": metro, "naas_provider": provider, "vpc_ids": vpc_ids, "created_at": self.now(),
                  "children": [], "redundancy_zone": v.string(body, "redundancy_zone", default="")}
        if bgp is not None:
            record["bgp"] = bgp
        if parent_uuid:
            record["parent_uuid"] = parent_uuid
            self.data["attachments"][parent_uuid]["children"].append(record["id"])
        self.data["attachments"][record["id"]] = record
        schedule(self.state, record, {"state": "ACTIVE"})
        return record

    def update(self, attachment_id: str, body: dict) -> dict:
        record = self.get(attachment_id)
        if not {"name", "vpc_ids", "bgp"} & set(body):
            raise Unprocessable("send name, vpc_ids or bgp to change")
        if "name" in body:
            record["name"] = self._name(body, exclude=record["id"])
        if "vpc_ids" in body:
            record["vpc_ids"] = self._vpcs(body, record["region"])
        if "bgp" in body:
            bgp = self._bgp(body)
            if bgp is not None:
                record["bgp"] = bgp
        return record

    def delete(self, attachment_id: str) -> dict:
        record = self.get(attachment_id)
        settle(self.state, record)
        record.pop("_pending", None)
        record["state"] = "DELETING"
        schedule(self.state, record, {"_gone": True})
        return record

    def bgp_auth_key(self, attachment_id: str) -> dict:
        record = self.get(attachment_id)
        if "bgp" not in record:
            raise NotFound(f"Partner attachment {attachment_id} has no BGP configuration.")
        return {"value": record["bgp"]["_auth_key"]}

    def create_service_key(self, attachment_id: str) -> None:
        record = self.get(attachment_id)
        record["_service_key"] = {"value": self.ids.uuid(), "created_at": self.now(), "state": "CREATED"}

    def service_key(self, attachment_id: str) -> dict:
        key = self.get(attachment_id).get("_service_key")
        if key is None:
            raise NotFound(f"Partner attachment {attachment_id} has no service key; create one with POST first.")
        return dict(key)

    @staticmethod
    def view(record: dict) -> dict:
        out = public(record)
        if not out["children"]:
            del out["children"]  # the description lists children with at least one item, or not at all
        return out
