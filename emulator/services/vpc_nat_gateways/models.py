"""VPC NAT gateways: a public egress for one or more VPCs of a region.

A gateway joins each VPC it serves as a member (so the VPC cannot be deleted under it) and takes a
private address there (its ``gateway_ip``); it gets one public egress address. State runs ``NEW →
ACTIVE`` after the lifecycle delay; a delete (202) removes it at once. VPCs are reached through
core/links.
"""

from __future__ import annotations

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import NotFound, Unprocessable
from emulator.core.state import Backend, public, schedule

TYPES = ("PUBLIC",)
STATES = ("NEW", "PROVISIONING", "ACTIVE", "DELETING", "ERROR", "INVALID")
MAX_SIZE = 10
DEFAULT_TIMEOUTS = {"udp_timeout_seconds": 30, "icmp_timeout_seconds": 30, "tcp_timeout_seconds": 300}


class VpcNatGatewaysBackend(Backend):
    name = "vpc_nat_gateways"

    def reset(self) -> None:
        self.data = {"gateways": {}}

    def get(self, gateway_id: str) -> dict:
        """The gateway; else the API's 404, whose text the provider's destroy check reads
        (`nat gateway with id <id> not found`)."""
        if str(gateway_id) not in self.data["gateways"]:
            raise NotFound(f"nat gateway with id {gateway_id} not found")
        return self.get_or_404("gateways", gateway_id)

    @staticmethod
    def urn(gateway_id: str) -> str:
        return f"do:natgateway:{gateway_id}"

    def list(self, *, state: str | None, region: str | None, kind: str | None, name: str | None) -> list[dict]:
        records = [self.get(i) for i in list(self.data["gateways"])]
        return [g for g in records if (not state or g["state"] == state) and (not region or g["region"] == region)
                and (not kind or g["type"] == kind) and (not name or g["name"] == name)]

    def _name(self, body: dict, exclude: str | None = None) -> str:
        name = v.string(body, "name", required=True)
        if any(g["name"] == name and g["id"] != exclude for g in self.data["gateways"].values()):
            raise Unprocessable(f"name {name!r} is already used by another VPC NAT gateway")
        return name

    def _vpcs(self, body: dict, region: str) -> list[tuple[str, bool, str | None]]:
        out = []
        for where, item in v.object_list(body, "vpcs", "vpc_uuid and default_gateway", required=True):
            vpc_uuid = v.string(item, "vpc_uuid", required=True, where=where)
            vpc = links.reference(self.state, "vpcs", vpc_uuid, f"{where}.vpc_uuid")
            if vpc is not None and vpc["region"] != region:
                raise Unprocessable(f"{where}.vpc_uuid {vpc_uuid!r} is in {vpc['region']}, not {region}")
            if vpc_uuid in (u for u, _, _ in out):
                raise Unprocessable(f"{where}.vpc_uuid {vpc_uuid!r} is listed twice")
            # The ingress subnet, echoed as sent (the provider reads it back); absent when not given.
            subnet = v.string(item, "subnet_uuid", where=where)
            out.append((vpc_uuid, v.boolean(item, "default_gateway", where=where), subnet))
        return out

    def _settings(self, body: dict, current: dict) -> dict:
        out = {"size": v.integer(body, "size", required=True, minimum=1, maximum=MAX_SIZE)}
        for key, default in DEFAULT_TIMEOUTS.items():
            out[key] = v.integer(body, key, default=current.get(key, default), minimum=1, maximum=3600)
        return out

    def create(self, body: dict) -> dict:
        name = self._name(body)
        kind = v.choice(body, "type", TYPES, required=True)
        region = links.require_region(self.state, v.string(body, "region", required=True))
        vpcs = self._vpcs(body, region)
        settings = self._settings(body, {})
        project_id = links.project_for(self.state, v.string(body, "project_id"))
        gateway_id = self.ids.uuid()
        rnd = self.ids.random()
        record = {"id": gateway_id, "name": name, "type": kind, "region": region, "state": "NEW", "vpcs": [],
                  "egresses": {"public_gateways": [{"ipv4": f"174.138.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"}]},
                  "created_at": self.now(), "updated_at": self.now(), **settings}
        if project_id:
            record["project_id"] = project_id
        self.data["gateways"][gateway_id] = record
        self._attach(record, vpcs)
        schedule(self.state, record, {"state": "ACTIVE"})
        return record

    def _attach(self, record: dict, vpcs: list[tuple[str, bool]]) -> None:
        """Join ``vpcs`` (leaving those no longer listed), keeping the address of a VPC already served."""
        kept = {entry["vpc_uuid"]: entry for entry in record["vpcs"]}
        wanted = {u for u, _, _ in vpcs}
        for vpc_uuid, entry in kept.items():
            if vpc_uuid not in wanted:
                links.release_vpc_address(self.state, vpc_uuid, entry["gateway_ip"])
        links.leave_vpc(self.state, self.urn(record["id"]))
        entries = []
        for vpc_uuid, default, subnet in vpcs:
            entry = kept.get(vpc_uuid) or {"vpc_uuid": vpc_uuid,
                                           "gateway_ip": links.vpc_address(self.state, vpc_uuid) or "10.0.0.1"}
            entry["default_gateway"] = default
            if subnet:
                entry["subnet_uuid"] = subnet
            else:
                entry.pop("subnet_uuid", None)
            links.join_vpc(self, record["region"], vpc_uuid, "vpcs.vpc_uuid", self.urn(record["id"]), record["name"])
            entries.append(entry)
        record["vpcs"] = entries

    def update(self, gateway_id: str, body: dict) -> dict:
        record = self.get(gateway_id)
        name = self._name(body, exclude=gateway_id)
        settings = self._settings(body, record)
        vpcs = self._vpcs(body, record["region"]) if body.get("vpcs") is not None else None
        record.update(name=name, updated_at=self.now(), **settings)
        if vpcs is not None:
            self._attach(record, vpcs)
        return record

    def delete(self, gateway_id: str) -> None:
        record = self.get(gateway_id)
        for entry in record["vpcs"]:
            links.release_vpc_address(self.state, entry["vpc_uuid"], entry["gateway_ip"])
        links.leave_vpc(self.state, self.urn(gateway_id))
        del self.data["gateways"][gateway_id]

    @staticmethod
    def view(record: dict) -> dict:
        out = public(record)
        out["vpcs"] = [{k: e[k] for k in ("vpc_uuid", "subnet_uuid", "gateway_ip", "default_gateway") if k in e}
                       for e in record["vpcs"]]
        return out
