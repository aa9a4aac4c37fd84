"""DNS domains and their records.

A new domain gets NS records for the three DigitalOcean name servers, an SOA record and, when
``ip_address`` is given, an ``@`` A record. Record data naming a host (CNAME, MX, NS, SRV, CAA) is
stored without its trailing dot, as the API does (the provider re-appends it); an MX record naming the
zone's apex is stored as ``@``. Record ids are ints.
"""

from __future__ import annotations

import copy
import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend, public

DEFAULT_TTL = 1800
NAME_SERVERS = ("ns1.digitalocean.com", "ns2.digitalocean.com", "ns3.digitalocean.com")
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT")
HOST_DATA_TYPES = ("CNAME", "MX", "NS", "SRV", "CAA")
CAA_TAGS = ("issue", "issuewild", "iodef")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
_LABELS = re.compile(r"^(@|\*|(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*)$")


# A domain's own fields are checked by create() (as for POST /v2/domains); here only the seed's shape.
SEED_SCHEMA = {"domains": v.is_list(v.is_object({"name": v.is_string, "ip_address": v.is_string,
                                                 "records": v.is_list(v.is_object_any)}, required=("name",)))}

class DomainsBackend(Backend):
    name = "domains"

    def reset(self) -> None:
        self.data = {"domains": {}, "records": {}}

    # -- domains
    def create(self, body: dict) -> dict:
        name = v.string(body, "name", required=True).lower().rstrip(".")
        if not _DOMAIN.match(name):
            raise Unprocessable(f"name must be a valid domain name such as example.com; got {body['name']!r}")
        if name in self.table("domains"):
            raise Unprocessable(f"Name {name} already exists")
        ip = v.string(body, "ip_address")
        if ip is not None:
            v.ip_address(ip, "ip_address")
        record = {"name": name, "ttl": DEFAULT_TTL}
        self.table("domains")[name] = record
        self.table("records")[name] = {}
        self._add_record(name, {"type": "SOA", "name": "@", "data": "1800", "ttl": 1800})
        for server in NAME_SERVERS:
            self._add_record(name, {"type": "NS", "name": "@", "data": server, "ttl": DEFAULT_TTL})
        if ip is not None:
            self._add_record(name, {"type": "A", "name": "@", "data": ip, "ttl": DEFAULT_TTL})
        links.assign_to_project(self.state, f"do:domain:{name}")
        return record

    def get(self, name: str) -> dict:
        return self.get_or_404("domains", name.lower().rstrip("."), "domain")

    def list(self) -> list[dict]:
        return [self.table("domains")[n] for n in sorted(self.table("domains"))]

    def delete(self, name: str) -> None:
        record = self.get(name)
        del self.table("domains")[record["name"]]
        links.forget_in_projects(self.state, f"do:domain:{record['name']}")
        self.table("records").pop(record["name"], None)

    def owner_of(self, hostname: str) -> str | None:
        """The managed domain ``hostname`` belongs to (itself or a parent), if any."""
        host = hostname.lower().rstrip(".").removeprefix("*.")
        labels = host.split(".")
        for i in range(len(labels) - 1):
            candidate = ".".join(labels[i:])
            if candidate in self.table("domains"):
                return candidate
        return None

    def view(self, record: dict) -> dict:
        out = public(record)
        out["zone_file"] = self.zone_file(record["name"])
        return out

    def zone_file(self, name: str) -> str:
        lines = [f"$ORIGIN {name}.", f"$TTL {DEFAULT_TTL}"]
        for rec in self.records(name):
            owner = f"{name}." if rec["name"] == "@" else rec["name"]
            data = rec["data"]
            if rec["type"] in HOST_DATA_TYPES and data != "@":
                data += "."
            if rec["type"] == "MX":
                data = f"{rec['priority']} {data}"
            elif rec["type"] == "SRV":
                data = f"{rec['priority']} {rec['weight']} {rec['port']} {data}"
            elif rec["type"] == "CAA":
                data = f"{rec['flags']} {rec['tag']} \"{rec['data']}\""
            elif rec["type"] == "TXT":
                data = f"\"{data}\""
            elif rec["type"] == "SOA":
                data = f"{NAME_SERVERS[0]}. hostmaster.{name}. 1 10800 3600 604800 {rec['data']}"
            lines.append(f"{owner}\t{rec['ttl']}\tIN\t{rec['type']}\t{data}")
        return "\n".join(lines) + "\n"

    # -- records
    def records(self, domain: str, *, type_filter: str | None = None, name_filter: str | None = None) -> list[dict]:
        domain = self.get(domain)["name"]
        out = list(self.table("records").get(domain, {}).values())
        if type_filter:
            out = [r for r in out if r["type"] == type_filter.upper()]
        if name_filter:
            wanted = name_filter.lower().rstrip(".")
            out = [r for r in out if self.fqdn(domain, r["name"]) == wanted]
        return sorted(out, key=lambda r: r["id"])

    @staticmethod
    def fqdn(domain: str, name: str) -> str:
        return domain if name == "@" else f"{name.lower()}.{domain}"

    def get_record(self, domain: str, record_id: str) -> dict:
        domain = self.get(domain)["name"]
        record = self.table("records").get(domain, {}).get(str(record_id))
        if record is None:
            raise not_found("domain record", record_id)
        return record

    def _add_record(self, domain: str, fields: dict) -> dict:
        record = {"id": self.ids.next_int("domain_record"), "type": fields["type"], "name": fields["name"],
                  "data": fields["data"], "priority": fields.get("priority"), "port": fields.get("port"),
                  "ttl": fields.get("ttl", DEFAULT_TTL), "weight": fields.get("weight"),
                  "flags": fields.get("flags"), "tag": fields.get("tag")}
        self.table("records")[domain][str(record["id"])] = record
        return record

    def _validated_record(self, domain: str, record_type: str, body: dict) -> dict:
        name = v.string(body, "name", required=True)
        name = "@" if name in (domain, f"{domain}.") else name.removesuffix(f".{domain}.").removesuffix(f".{domain}")
        if not _LABELS.match(name):
            raise Unprocessable(f"name must be '@' or a host name relative to {domain}; got {body['name']!r}")
        data = v.string(body, "data", required=True)
        fields: dict = {"type": record_type, "name": name,
                        "ttl": v.integer(body, "ttl", default=DEFAULT_TTL, minimum=30, maximum=2147483647)}
        for key in ("priority", "port", "weight", "flags"):
            fields[key] = v.integer(body, key, minimum=0, maximum=65535)
        fields["tag"] = v.string(body, "tag")
        if record_type == "A":
            v.ip_address(data, "data", 4)
        elif record_type == "AAAA":
            v.ip_address(data, "data", 6)
        elif record_type in HOST_DATA_TYPES and data != "@" and (record_type != "CAA" or fields["tag"] != "iodef"):
            data = data.removesuffix(".")
            if record_type == "MX" and data.lower() == domain.lower():
                data = "@"  # an MX record naming the zone's apex is stored as "@", as the API does
        if record_type == "MX" and fields["priority"] is None:
            raise Unprocessable("priority is required for MX records")
        if record_type == "SRV":
            for key in ("priority", "port", "weight"):
                if fields[key] is None:
                    raise Unprocessable(f"{key} is required for SRV records")
        if record_type == "CAA":
            if fields["tag"] not in CAA_TAGS:
                raise Unprocessable(f"tag must be one of {', '.join(CAA_TAGS)} for CAA records; got {fields['tag']!r}")
            if fields["flags"] is None:
                raise Unprocessable("flags is required for CAA records")
        fields["data"] = data
        return fields

    def create_record(self, domain: str, body: dict) -> dict:
        domain = self.get(domain)["name"]
        record_type = v.choice(body, "type", RECORD_TYPES, required=True)
        if record_type == "SOA":
            raise Unprocessable("SOA records are managed by the API and cannot be created")
        return self._add_record(domain, self._validated_record(domain, record_type, body))

    def update_record(self, domain: str, record_id: str, body: dict, *, partial: bool) -> dict:
        record = self.get_record(domain, record_id)
        domain = self.get(domain)["name"]
        if not v.unset(body.get("type")) and body["type"] != record["type"]:
            raise Unprocessable(f"type cannot be changed (record is {record['type']}); got {body['type']!r}")
        if record["type"] == "SOA":
            ttl = v.integer(body, "ttl", default=record["ttl"], minimum=30, maximum=2147483647)
            record["ttl"] = ttl
            return record
        merged = {**record, **{k: val for k, val in body.items() if val is not None}} if partial else \
            {"name": record["name"], "data": record["data"], **body}
        record.update(self._validated_record(domain, record["type"], merged))
        return record

    def delete_record(self, domain: str, record_id: str) -> None:
        record = self.get_record(domain, record_id)
        if record["type"] == "SOA":
            raise Unprocessable("SOA records are managed by the API and cannot be deleted")
        del self.table("records")[self.get(domain)["name"]][str(record["id"])]

    def seed(self, payload: dict) -> dict:
        """``{"domains": [{"name", "ip_address"?, "records": [{type, name, data, ...}]}]}``."""
        v.check_object(payload, SEED_SCHEMA, required=("domains",))
        before = copy.deepcopy(self.data)
        created = []
        try:
            for item in payload["domains"]:
                domain = self.create({k: val for k, val in item.items() if k != "records"})
                for record in item.get("records") or []:
                    self.create_record(domain["name"], record)
                created.append(domain["name"])
        except Exception:
            self.data = before  # all or nothing: a bad record leaves no domain behind
            raise
        return {"domains": created}
