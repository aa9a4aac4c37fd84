"""Reserved IPs (IPv4, also served under their old name, floating IPs) and reserved IPv6 addresses.

An address is reserved to a region, or to a droplet (then in the droplet's region), and moves
between droplets with ``assign``/``unassign`` actions (the shared actions family; resource_id is
the address as an integer). The droplet is looked up through core/links at every read, so a
deleted droplet leaves its address unassigned without the droplets family knowing about this
one. IPv4 reservations count against the account's ``floating_ip_limit`` and join a project.
"""

from __future__ import annotations

import ipaddress

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import NotFound, Unprocessable
from emulator.core.state import Backend, public

V4_POOL = ipaddress.IPv4Network("45.55.96.0/20")
V6_POOL = ipaddress.IPv6Network("2604:a880:4:1d0::/64")
ACTION_TYPES = ("assign", "unassign")


class ReservedIpsBackend(Backend):
    name = "reserved_ips"

    def reset(self) -> None:
        self.data = {"v4": {}, "v6": {}}

    # -- lookups
    def get(self, ip: str) -> dict:
        return self.get_or_404("v4", ip, "reserved IP")

    def get_v6(self, ip: str) -> dict:
        return self.get_or_404("v6", _canonical_v6(ip), "reserved IPv6")

    def _droplet(self, droplet_id) -> dict | None:
        """The droplet an address is assigned to, as the droplets family shows it; None once it is gone."""
        if droplet_id is None:
            return None
        try:
            return links.lookup(self.state, "droplets", droplet_id, "droplet_id")
        except NotFound:
            return None

    # -- IPv4
    def create(self, body: dict) -> tuple[dict, dict | None]:
        """Reserve an address to ``region`` or to ``droplet_id``; returns (record, assign action or None)."""
        droplet_id = v.integer(body, "droplet_id", minimum=1)
        region = v.string(body, "region")
        if (droplet_id is None) == (region is None):
            raise Unprocessable("give either droplet_id (reserve and assign) or region (reserve only)")
        project_id = v.string(body, "project_id")
        if droplet_id is not None:
            droplet = links.reference(self.state, "droplets", droplet_id, "droplet_id")
            region = droplet["region"]["slug"] if droplet else None
        region = links.require_region(self.state, region)
        links.check_project(self.state, project_id)
        limit = (links.optional_neighbour(self.state, "account").get()["floating_ip_limit"]
                 if links.optional_neighbour(self.state, "account") else None)
        if limit is not None and len(self.data["v4"]) >= limit:
            raise Unprocessable(f"creating a reserved IP would exceed your reserved IP limit of {limit}")
        ip = self._allocate_v4()
        record = {"ip": ip, "region_slug": region, "_droplet_id": None, "locked": False}
        self.data["v4"][ip] = record
        links.assign_project(self.state, self.urn(ip), project_id)
        action = self._assign(record, droplet_id) if droplet_id is not None else None
        return record, action

    @staticmethod
    def urn(ip: str) -> str:
        return f"do:reservedip:{ip}"

    def _allocate_v4(self) -> str:
        while True:
            n = self.ids.next_int("reserved_ipv4")
            ip = str(V4_POOL.network_address + 1 + n)
            if ip not in self.data["v4"]:
                return ip

    def list(self) -> list[dict]:
        return list(self.data["v4"].values())

    def assigned_to(self, droplet_id: int) -> list[dict]:
        """The reserved IPv4 addresses assigned to a droplet (its associated resources)."""
        return [{"id": r["ip"], "name": r["ip"]} for r in self.data["v4"].values() if r["_droplet_id"] == droplet_id]

    def delete(self, ip: str) -> None:
        record = self.get(ip)
        links.forget(self.state, self.urn(record["ip"]))
        del self.data["v4"][record["ip"]]

    def act(self, ip: str, body: dict, resource_type: str) -> dict:
        record = self.get(ip)
        kind = v.choice(body, "type", ACTION_TYPES, required=True)
        if kind == "assign":
            return self._assign(record, v.integer(body, "droplet_id", required=True, minimum=1), resource_type)
        if self._droplet(record["_droplet_id"]) is None:
            raise Unprocessable(f"reserved IP {record['ip']} is not assigned to a droplet")
        record["_droplet_id"] = None
        return self._action("unassign_ip", resource_type, record["ip"], record["region_slug"])

    def _assign(self, record: dict, droplet_id: int, resource_type: str = "reserved_ip") -> dict:
        droplet = links.reference(self.state, "droplets", droplet_id, "droplet_id")
        if droplet is not None and droplet["region"]["slug"] != record["region_slug"]:
            raise Unprocessable(f"droplet {droplet_id} is in {droplet['region']['slug']}; reserved IP {record['ip']} "
                                f"is reserved to {record['region_slug']}")
        for other in self.data["v4"].values():  # a droplet holds one reserved IPv4
            if other is not record and other["_droplet_id"] == droplet_id:
                other["_droplet_id"] = None
        record["_droplet_id"] = droplet_id
        return self._action("assign_ip", resource_type, record["ip"], record["region_slug"])

    def _action(self, kind: str, resource_type: str, ip: str, region: str) -> dict:
        return links.record_action(self.state, kind, resource_type, int(ipaddress.ip_address(ip)) % 2**31, region,
                                   owner=ip)

    def actions(self, ip: str, resource_type: str) -> list[dict]:
        record = self.get(ip)
        actions = links.neighbour(self.state, "actions").list(None, record["ip"])
        return [a for a in actions if a["resource_type"] == resource_type]

    def action(self, ip: str, action_id: int, resource_type: str) -> dict:
        record = self.get(ip)
        return links.neighbour(self.state, "actions").get_for(resource_type, record["ip"], action_id)

    def view(self, record: dict) -> dict:
        region = links.region_view(self.state, record["region_slug"])
        out = {"ip": record["ip"], "region": region, "droplet": self._droplet(record["_droplet_id"]),
               "locked": record["locked"]}
        project_id = links.project_of(self.state, self.urn(record["ip"]))
        if project_id:
            out["project_id"] = project_id
        return out

    # -- IPv6
    def create_v6(self, body: dict) -> dict:
        region = links.require_region(self.state, v.string(body, "region_slug", required=True), "region_slug")
        n = self.ids.next_int("reserved_ipv6")
        ip = str(V6_POOL.network_address + 0x1000 + n)
        record = {"ip": ip, "region_slug": region, "reserved_at": self.now(), "_droplet_id": None}
        self.data["v6"][ip] = record
        return record

    def list_v6(self) -> list[dict]:
        return list(self.data["v6"].values())

    def delete_v6(self, ip: str) -> None:
        record = self.get_v6(ip)
        if self._droplet(record["_droplet_id"]) is not None:
            raise Unprocessable(f"reserved IPv6 {record['ip']} is assigned to droplet {record['_droplet_id']}; "
                                "unassign it first")
        del self.data["v6"][record["ip"]]

    def act_v6(self, ip: str, body: dict) -> dict:
        record = self.get_v6(ip)
        kind = v.choice(body, "type", ACTION_TYPES, required=True)
        if kind == "assign":
            droplet_id = v.integer(body, "droplet_id", required=True, minimum=1)
            droplet = links.reference(self.state, "droplets", droplet_id, "droplet_id")
            if droplet is not None and droplet["region"]["slug"] != record["region_slug"]:
                raise Unprocessable(f"droplet {droplet_id} is in {droplet['region']['slug']}; reserved IPv6 "
                                    f"{record['ip']} is reserved to {record['region_slug']}")
            record["_droplet_id"] = droplet_id
            return self._action("assign", "reserved_ipv6", record["ip"], record["region_slug"])
        if self._droplet(record["_droplet_id"]) is None:
            raise Unprocessable(f"reserved IPv6 {record['ip']} is not assigned to a droplet")
        record["_droplet_id"] = None
        return self._action("unassign", "reserved_ipv6", record["ip"], record["region_slug"])

    def view_v6(self, record: dict) -> dict:
        out = public(record)
        out["droplet"] = self._droplet(record["_droplet_id"])
        return out


def _canonical_v6(ip: str) -> str:
    try:
        return str(ipaddress.IPv6Address(ip))
    except ValueError:
        return ip
