"""Cloud firewalls: rules with sources/destinations, droplets and tags they apply to.

A firewall is ``waiting`` with one pending change per droplet until its changes settle, then
``succeeded``. Inbound rules always carry ``sources`` and outbound rules ``destinations`` (the
provider dereferences them), ``{}`` when empty.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend, public, schedule

PROTOCOLS = ("tcp", "udp", "icmp")
TARGET_KEYS = ("addresses", "droplet_ids", "load_balancer_uids", "kubernetes_ids", "tags")
_PORTS = re.compile(r"^(all|\d{1,5}|\d{1,5}-\d{1,5})$")


def _ports(rule: dict, where: str) -> str:
    protocol = rule["protocol"]
    raw = rule.get("ports")
    if protocol == "icmp" and v.unset(raw):
        return "0"  # an icmp rule without ports comes back as "0"
    if protocol == "icmp" and raw in ("0", "all"):
        return "0"
    if v.unset(raw):
        raise Unprocessable(f"{where}.ports is required for {protocol} rules (a port, a range or \"all\")")
    if not isinstance(raw, str) or not _PORTS.match(raw):
        raise Unprocessable(f"{where}.ports must be a port, a range like \"8000-9000\", \"0\" or \"all\"; got {raw!r}")
    numbers = [int(p) for p in raw.split("-")] if raw != "all" else []
    if any(n > 65535 for n in numbers) or (numbers and numbers[0] == 0 and raw != "0"):
        raise Unprocessable(f"{where}.ports must be within 1-65535; got {raw!r}")
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        raise Unprocessable(f"{where}.ports range must be ascending; got {raw!r}")
    return raw


def _targets(raw, where: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Unprocessable(f"{where} must be an object with {', '.join(TARGET_KEYS)}; got {raw!r}")
    unknown = sorted(set(raw) - set(TARGET_KEYS))
    if unknown:
        raise Unprocessable(f"{where} has unknown keys {unknown}; allowed: {', '.join(TARGET_KEYS)}")
    out: dict = {}
    for key in TARGET_KEYS:
        values = v.int_list(raw, key, where=where) if key == "droplet_ids" else v.string_list(raw, key, where=where)
        if key == "addresses":
            for address in values:
                v.ip_or_cidr(address, f"{where}.addresses")
        if values:  # the API omits empty lists
            out[key] = values
    return out


def normalise_rules(body: dict, key: str, side: str) -> list[dict]:
    """Validated rules of ``body[key]`` (``inbound_rules`` with ``sources`` or outbound with ``destinations``)."""
    rules = []
    for where, rule in v.object_list(body, key, f"protocol, ports and {side}"):
        protocol = rule.get("protocol")
        if protocol not in PROTOCOLS:
            raise Unprocessable(f"{where}.protocol must be one of {', '.join(PROTOCOLS)}; got {protocol!r}")
        rules.append({"protocol": protocol, "ports": _ports(rule, where),
                      side: _targets(rule.get(side), f"{where}.{side}")})
    return rules


class FirewallsBackend(Backend):
    name = "firewalls"

    def reset(self) -> None:
        self.data = {"firewalls": {}}

    def _validated(self, body: dict) -> dict:
        name = v.string(body, "name", required=True)
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,254}$", name):
            raise Unprocessable(f"name may contain only letters, digits, '.' and '-' (max 255); got {name!r}")
        droplet_ids = v.int_list(body, "droplet_ids")
        tags = v.string_list(body, "tags")
        inbound = normalise_rules(body, "inbound_rules", "sources")
        outbound = normalise_rules(body, "outbound_rules", "destinations")
        links.droplets_exist(self.state, droplet_ids)
        for rule in inbound + outbound:
            targets = rule.get("sources", rule.get("destinations", {}))
            links.droplets_exist(self.state, targets.get("droplet_ids", []), "rule droplet_ids")
        return {"name": name, "droplet_ids": droplet_ids, "tags": tags,
                "inbound_rules": inbound, "outbound_rules": outbound}

    def _apply_pending(self, record: dict, droplet_ids: list[int], removing: bool = False) -> None:
        """Mark the firewall ``waiting`` until the droplet changes are applied (lifecycle delay)."""
        changes = [{"droplet_id": d, "removing": removing, "status": "waiting"} for d in droplet_ids]
        record["pending_changes"] = [*record.get("pending_changes", []), *changes]
        record["status"] = "waiting"
        schedule(self.state, record, {"status": "succeeded", "pending_changes": []})

    def create(self, body: dict) -> dict:
        fields = self._validated(body)
        record = {"id": self.ids.uuid(), "status": "waiting", "created_at": self.now(), "pending_changes": [],
                  **fields}
        self._apply_pending(record, fields["droplet_ids"])
        links.touch_tags(self.state, fields["tags"])
        self.table("firewalls")[record["id"]] = record
        return record

    def get(self, firewall_id: str) -> dict:
        return self.get_or_404("firewalls", firewall_id, "firewall")

    def list(self) -> list[dict]:
        for record in self.table("firewalls").values():
            self.get(record["id"])
        return list(self.table("firewalls").values())

    def replace(self, firewall_id: str, body: dict) -> dict:
        record = self.get(firewall_id)
        fields = self._validated(body)
        added = [d for d in fields["droplet_ids"] if d not in record["droplet_ids"]]
        record.update(fields)
        self._apply_pending(record, added)
        links.touch_tags(self.state, fields["tags"])
        return record

    def delete(self, firewall_id: str) -> None:
        self.get(firewall_id)
        del self.table("firewalls")[firewall_id]

    def add_droplets(self, firewall_id: str, body: dict) -> None:
        record = self.get(firewall_id)
        droplet_ids = v.int_list(body, "droplet_ids")
        if not droplet_ids:
            raise Unprocessable("droplet_ids is required")
        links.droplets_exist(self.state, droplet_ids)
        added = [d for d in droplet_ids if d not in record["droplet_ids"]]
        record["droplet_ids"] += added
        self._apply_pending(record, added)

    def remove_droplets(self, firewall_id: str, body: dict) -> None:
        record = self.get(firewall_id)
        droplet_ids = v.int_list(body, "droplet_ids")
        if not droplet_ids:
            raise Unprocessable("droplet_ids is required")
        removed = [d for d in droplet_ids if d in record["droplet_ids"]]
        record["droplet_ids"] = [d for d in record["droplet_ids"] if d not in droplet_ids]
        self._apply_pending(record, removed, removing=True)

    def add_tags(self, firewall_id: str, body: dict) -> None:
        record = self.get(firewall_id)
        tags = v.string_list(body, "tags", required=True)
        record["tags"] += [t for t in tags if t not in record["tags"]]
        links.touch_tags(self.state, tags)

    def remove_tags(self, firewall_id: str, body: dict) -> None:
        record = self.get(firewall_id)
        tags = v.string_list(body, "tags", required=True)
        record["tags"] = [t for t in record["tags"] if t not in tags]

    def add_rules(self, firewall_id: str, body: dict) -> None:
        record = self.get(firewall_id)
        inbound = normalise_rules(body, "inbound_rules", "sources")
        outbound = normalise_rules(body, "outbound_rules", "destinations")
        if not inbound and not outbound:
            raise Unprocessable("inbound_rules or outbound_rules is required")
        record["inbound_rules"] += [r for r in inbound if r not in record["inbound_rules"]]
        record["outbound_rules"] += [r for r in outbound if r not in record["outbound_rules"]]

    def remove_rules(self, firewall_id: str, body: dict) -> None:
        record = self.get(firewall_id)
        inbound = normalise_rules(body, "inbound_rules", "sources")
        outbound = normalise_rules(body, "outbound_rules", "destinations")
        if not inbound and not outbound:
            raise Unprocessable("inbound_rules or outbound_rules is required")
        record["inbound_rules"] = [r for r in record["inbound_rules"] if r not in inbound]
        record["outbound_rules"] = [r for r in record["outbound_rules"] if r not in outbound]

    def view(self, record: dict) -> dict:
        """The API's view: droplets deleted since are no longer listed."""
        out = public(record)
        out["droplet_ids"] = links.live_droplets(self.state, record["droplet_ids"])
        return out
