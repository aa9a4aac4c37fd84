"""VPCs: one default VPC per region (made on first listing or first use), ranges, members and private addresses.

Other families place their resources with :meth:`VpcsBackend.resolve` (default VPC when no
``vpc_uuid``), take an address with :meth:`allocate_ip`, and register/unregister themselves with
:meth:`add_member` / :meth:`remove_member` so that ``DELETE /v2/vpcs/{id}`` answers 409 while
members remain (the provider retries 403/409 on VPC delete).
"""

from __future__ import annotations

import ipaddress

from emulator.core import links
from emulator.core.errors import Conflict, Forbidden, Unprocessable, require
from emulator.core.state import Backend, public

NAME_MAX = 64
DESCRIPTION_MAX = 255
AUTO_RANGE_PREFIX = 20
RESERVED = ipaddress.ip_network("10.244.0.0/16")
RESERVED_SECOND = 244  # automatic ranges stay below 10.244.0.0
# The emulator's own rule for a region's default VPC range, 10.(100 + 4 × position).0.0/20 (the API's ranges
# are not published); the order is fixed so that a default range never moves when the catalog grows.
DEFAULT_RANGE_ORDER = ["nyc1", "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1", "syd1",
                       "sfo2", "atl1", "ric1", "nyc2", "sfo1", "ams2"]  # DOKS pod/service space: refused as a VPC range


class VpcsBackend(Backend):
    name = "vpcs"

    def reset(self) -> None:
        self.data = {"vpcs": {}, "members": {}}

    # -- lookups
    def _record(self, vpc_id: str) -> dict:
        return self.get_or_404("vpcs", vpc_id, "vpc")

    def get(self, vpc_id: str) -> dict:
        return public(self._record(vpc_id))

    def list(self, region: str | None = None) -> list[dict]:
        """Every VPC, each available region's default among them: an account has its regions' default VPCs
        before it places anything there (the data source `digitalocean_vpc { region = ... }` reads one before
        the first droplet exists). They are made here, on the first listing, with their standard ranges."""
        for slug in [r["slug"] for r in links.neighbour(self.state, "catalog").regions() if r.get("available", True)]:
            if region in (None, slug):
                self.default_for(slug)
        return [public(v) for v in self.table("vpcs").values() if region in (None, v["region"])]

    def default_for(self, region: str) -> dict:
        """The region's default VPC, created on first use with the region's standard range."""
        for record in self.table("vpcs").values():
            if record["region"] == region and record["default"]:
                return record
        links.neighbour(self.state, "catalog").region(region)  # 404 for an unknown region slug
        index = self._range_position(region)
        ip_range = self._free_range(preferred=ipaddress.ip_network(f"10.{100 + 4 * index}.0.0/20"))
        return self._insert(f"default-{region}", region, "", str(ip_range), default=True)

    @staticmethod
    def _range_position(region: str) -> int:
        return DEFAULT_RANGE_ORDER.index(region) if region in DEFAULT_RANGE_ORDER else len(DEFAULT_RANGE_ORDER)

    def resolve(self, region: str, vpc_uuid: str | None, field: str = "vpc_uuid") -> dict:
        """The VPC a new resource in ``region`` joins: ``vpc_uuid``'s, or the region's default.

        422 naming ``field`` when the VPC does not exist or lies in another region.
        """
        if not vpc_uuid:
            return public(self.default_for(region))
        record = self.table("vpcs").get(str(vpc_uuid))
        if record is None:
            raise Unprocessable(f"{field} {vpc_uuid!r} does not match any VPC on this account")
        if record["region"] != region:
            raise Unprocessable(f"{field} {vpc_uuid!r} is in region {record['region']!r}, not {region!r}")
        return public(record)

    # -- create / update / delete
    def create(self, body: dict) -> dict:
        require(body, "name", "region")
        region = links.neighbour(self.state, "catalog").require_region(body["region"])["slug"]
        name = self._valid_name(body["name"])
        description = self._valid_description(body.get("description"))
        self.default_for(region)  # the first VPC of a region is never a user's: the default exists first
        ip_range = self._valid_range(body["ip_range"]) if body.get("ip_range") else self._free_range(region=region)
        record = self._insert(name, region, description, str(ip_range), default=False)
        return public(record)

    def update(self, vpc_id: str, body: dict, *, partial: bool) -> dict:
        record = self._record(vpc_id)
        if not partial:
            require(body, "name")
        changes = {}
        if body.get("name") is not None:
            changes["name"] = self._valid_name(body["name"], exclude=record["id"])
        if body.get("description") is not None:
            changes["description"] = self._valid_description(body["description"])
        if body.get("default") is not None:
            if not isinstance(body["default"], bool):
                raise Unprocessable(f"default must be a boolean; got {body['default']!r}")
            if record["default"] and not body["default"]:
                raise Unprocessable("default cannot be unset; make another VPC of the region the default instead")
            changes["default"] = body["default"]
        if changes.get("default") and not record["default"]:
            for other in self.table("vpcs").values():
                if other["region"] == record["region"]:
                    other["default"] = False
        record.update(changes)
        return public(record)

    def delete(self, vpc_id: str) -> None:
        record = self._record(vpc_id)
        if record["default"]:
            raise Forbidden("Cannot delete the default VPC of a region.")
        if self.data["members"].get(record["id"]):
            raise Conflict("Can not delete VPC with members")
        del self.table("vpcs")[record["id"]]
        self.data["members"].pop(record["id"], None)

    # -- members and addresses
    def add_member(self, vpc_id: str, urn: str, name: str) -> None:
        """Register a resource (``do:droplet:12``, ``do:kubernetes:<uuid>``...) as a member of the VPC."""
        record = self._record(vpc_id)
        self.data["members"].setdefault(record["id"], {})[urn] = {"name": name, "urn": urn,
                                                                 "created_at": self.now()}

    def remove_member(self, urn: str) -> None:
        """Forget ``urn`` in whichever VPC holds it (no error when it is in none)."""
        for members in self.data["members"].values():
            members.pop(urn, None)

    def rename_member(self, urn: str, name: str) -> None:
        for members in self.data["members"].values():
            if urn in members:
                members[urn]["name"] = name

    def members(self, vpc_id: str, resource_type: str | None = None) -> list[dict]:
        record = self._record(vpc_id)
        out = []
        for member in self.data["members"].get(record["id"], {}).values():
            if resource_type and member["urn"].split(":")[1] != resource_type:
                continue
            out.append(dict(member))
        return out

    def allocate_ip(self, vpc_id: str) -> str:
        """A free private address of the VPC's range (never the network, gateway or broadcast address)."""
        record = self._record(vpc_id)
        if record.get("_released"):
            return record["_released"].pop(0)
        network = ipaddress.ip_network(record["ip_range"])
        offset = record.get("_next_host", 2)
        if offset >= network.num_addresses - 1:
            raise Unprocessable(f"VPC {record['name']} ({record['ip_range']}) has no free address left")
        record["_next_host"] = offset + 1
        return str(network.network_address + offset)

    def release_ip(self, vpc_id: str, address: str) -> None:
        """Give an address back when its resource is deleted (no error if the VPC is gone)."""
        record = self.table("vpcs").get(str(vpc_id))
        if record is not None and address not in record.setdefault("_released", []):
            record["_released"].append(address)

    def free_addresses(self, vpc_id: str) -> int:
        record = self._record(vpc_id)
        network = ipaddress.ip_network(record["ip_range"])
        return network.num_addresses - 1 - record.get("_next_host", 2) + len(record.get("_released", []))

    def netmask(self, vpc_id: str) -> str:
        return str(ipaddress.ip_network(self._record(vpc_id)["ip_range"]).netmask)

    # -- internals
    def _insert(self, name: str, region: str, description: str, ip_range: str, *, default: bool) -> dict:
        vpc_id = self.ids.uuid()
        record = {"id": vpc_id, "urn": f"do:vpc:{vpc_id}", "name": name, "description": description,
                  "region": region, "ip_range": ip_range, "default": default, "created_at": self.now()}
        self.table("vpcs")[vpc_id] = record
        return record

    def _valid_name(self, name, exclude: str | None = None) -> str:
        name = str(name)
        if not name or len(name) > NAME_MAX or not all(c.isalnum() or c in "-." for c in name):
            raise Unprocessable(f"name {name!r} must be 1-{NAME_MAX} letters, digits, '-' or '.'")
        for other in self.table("vpcs").values():
            if other["name"] == name and other["id"] != exclude:
                raise Unprocessable(f"name {name!r} is already used by VPC {other['id']}")
        return name

    @staticmethod
    def _valid_description(description) -> str:
        description = "" if description is None else str(description)
        if len(description) > DESCRIPTION_MAX:
            raise Unprocessable(f"description must be at most {DESCRIPTION_MAX} characters")
        return description

    def _valid_range(self, raw) -> ipaddress.IPv4Network:
        try:
            network = ipaddress.ip_network(str(raw), strict=True)
        except ValueError:
            raise Unprocessable(f"ip_range {raw!r} is not a valid CIDR block such as 10.10.10.0/24") from None
        if network.version != 4 or not network.is_private or not 16 <= network.prefixlen <= 28:
            raise Unprocessable(f"ip_range {raw!r} must be a private IPv4 block between /16 and /28")
        if network.overlaps(RESERVED):
            raise Unprocessable(f"ip_range {raw!r} overlaps the reserved range {RESERVED}")
        for other in self.table("vpcs").values():
            if network.overlaps(ipaddress.ip_network(other["ip_range"])):
                raise Unprocessable(f"ip_range {raw!r} overlaps VPC {other['name']} ({other['ip_range']})")
        return network

    def _free_range(self, preferred: ipaddress.IPv4Network | None = None,
                    region: str | None = None) -> ipaddress.IPv4Network:
        """A free /20 for a VPC created without ip_range: the region's own block 10.(100 + 4 × position).0.0/14
        after its default's /20 (as the API hands out ranges near the region's default), then any /20 of
        10.100.0.0–10.243.255.255. Never 10.0–10.99, where users pick their own ranges (10.10.10.0/24...)."""
        taken = [ipaddress.ip_network(v["ip_range"]) for v in self.table("vpcs").values()]
        candidates = [preferred] if preferred else []
        if region is not None:
            first = 100 + 4 * self._range_position(region)
            candidates += [ipaddress.ip_network(f"10.{second}.{third}.0/{AUTO_RANGE_PREFIX}")
                           for second in range(first, min(first + 4, RESERVED_SECOND))
                           for third in range(0, 256, 16)]
        candidates += [ipaddress.ip_network(f"10.{second}.{third}.0/{AUTO_RANGE_PREFIX}")
                       for second in range(100, RESERVED_SECOND) for third in range(0, 256, 16)]
        for candidate in candidates:
            if not any(candidate.overlaps(t) for t in taken):
                return candidate
        raise Unprocessable("no free private range left for a new VPC; pass ip_range")
