"""Security posture scans: findings computed from the world by a few of the API's rules.

A scan (201, ``COMPLETED`` at once) looks at the account as it is: droplets without backups, droplets
no firewall protects, and firewalls opening every port to the whole internet. Each finding lists the
resources it affects (reached through core/links); suppressed (rule, resource) pairs are left out of
later scans. ``tier_coverage`` says which resources (or tags) a plan tier covers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend

RULE_NAMESPACE = uuid.UUID("0f9bd1e2-6f5e-4b63-9d0d-6a1c3c5e2b71")
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
EVERYWHERE = {"0.0.0.0/0", "::/0"}


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    details: str
    impact: str
    steps: tuple[tuple[str, str], ...]
    affected: Callable  # state → [(urn, name, type)]

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(RULE_NAMESPACE, self.name))


def _droplets(state) -> list[dict]:
    return links.listing(state, "droplets")


def _no_backups(state) -> list[tuple[str, str, str]]:
    return [(f"do:droplet:{d['id']}", d["name"], "Droplet") for d in _droplets(state) if "backups" not in d["features"]]


def _firewalls(state) -> list[dict]:
    backend = links.optional_neighbour(state, "firewalls")
    return [] if backend is None else [backend.view(f) for f in backend.list()]


def _unprotected(state) -> list[tuple[str, str, str]]:
    covered: set[int] = set()
    tagged: set[str] = set()
    for firewall in _firewalls(state):
        covered.update(firewall.get("droplet_ids") or [])
        tagged.update(t.lower() for t in firewall.get("tags") or [])
    return [(f"do:droplet:{d['id']}", d["name"], "Droplet") for d in _droplets(state)
            if d["id"] not in covered and not tagged & {t.lower() for t in d["tags"]}]


def _wide_open(state) -> list[tuple[str, str, str]]:
    out = []
    for firewall in _firewalls(state):
        for rule in firewall.get("inbound_rules") or []:
            addresses = set((rule.get("sources") or {}).get("addresses") or [])
            if rule.get("ports") in ("0", "all", "1-65535") and addresses & EVERYWHERE:
                out.append((f"do:firewall:{firewall['id']}", firewall["name"], "Firewall"))
                break
    return out


RULES = (
    Rule("Droplet Backups Not Enabled", "HIGH",
         "Automated backups are off for this Droplet, so no platform-managed recovery point exists.",
         "Hardware failure, ransomware or an accidental deletion could lose the Droplet's data for good.",
         (("Enable backups", "Turn on automated backups for this Droplet."),), _no_backups),
    Rule("Droplet Not Protected by a Cloud Firewall", "MEDIUM",
         "No Cloud Firewall applies to this Droplet, directly or through one of its tags.",
         "Every service listening on the Droplet's public interface is reachable from the internet.",
         (("Add a firewall", "Apply a Cloud Firewall to the Droplet or to one of its tags."),), _unprotected),
    Rule("All Firewall Ports Exposed to a Source", "CRITICAL",
         "The Cloud Firewall has an inbound rule that allows every port from anywhere (0.0.0.0/0 or ::/0).",
         "Internal or administrative services on the protected Droplets are open to the whole internet.",
         (("Narrow the rule", "Allow only the ports the service needs, from the sources that need them."),),
         _wide_open),
)


class SecurityBackend(Backend):
    name = "security"

    def reset(self) -> None:
        self.data = {"scans": [], "suppressions": {}, "tier_coverage": {}}

    def _rule(self, rule_uuid: str) -> Rule:
        for rule in RULES:
            if rule.uuid == rule_uuid:
                return rule
        raise Unprocessable(f"rule_uuid {rule_uuid!r} is not a rule of the scanner; known: "
                            f"{', '.join(f'{r.uuid} ({r.name})' for r in RULES)}")

    def scan(self) -> dict:
        suppressed = {(s["rule_uuid"], s["urn"]) for s in self.data["suppressions"].values()}
        findings = []
        for rule in RULES:
            affected = [a for a in rule.affected(self.state) if (rule.uuid, a[0]) not in suppressed]
            if affected:
                findings.append({"rule_uuid": rule.uuid, "name": rule.name, "details": rule.details,
                                 "found_at": self.now(), "severity": rule.severity, "business_impact": rule.impact,
                                 "technical_details": rule.details,
                                 "mitigation_steps": [{"step": i + 1, "title": t, "description": d}
                                                      for i, (t, d) in enumerate(rule.steps)],
                                 "affected_resources_count": len(affected),
                                 "_affected": [{"urn": u, "name": n, "type": t} for u, n, t in affected]})
        record = {"id": self.ids.uuid(), "status": "COMPLETED", "created_at": self.now(), "findings": findings}
        self.data["scans"].insert(0, record)
        return record

    def get_scan(self, scan_id: str) -> dict:
        for record in self.data["scans"]:
            if record["id"] == scan_id:
                return record
        raise not_found("scan", scan_id)

    def latest(self) -> dict:
        if not self.data["scans"]:
            return {"id": "", "status": "SCAN_NOT_RUN", "created_at": self.now(), "findings": []}
        return self.data["scans"][0]

    @staticmethod
    def view(record: dict, severity: str | None = None) -> dict:
        if severity not in (None, "", *SEVERITIES):
            raise Unprocessable(f"severity must be one of {', '.join(SEVERITIES)}; got {severity!r}")
        findings = [{k: val for k, val in f.items() if not k.startswith("_")} for f in record["findings"]
                    if not severity or f["severity"] == severity]
        for finding in findings:
            finding["mitigation_steps"] = [dict(s) for s in finding["mitigation_steps"]]
        return {"id": record["id"], "status": record["status"], "created_at": record["created_at"],
                "findings": findings}

    def affected(self, scan_id: str, rule_uuid: str) -> list[dict]:
        scan = self.get_scan(scan_id)
        for finding in scan["findings"]:
            if finding["rule_uuid"] == rule_uuid:
                return [dict(a) for a in finding["_affected"]]
        raise not_found("finding", rule_uuid, f"in scan {scan_id}")

    # -- settings
    def suppress(self, body: dict) -> list[dict]:
        rule = self._rule(v.string(body, "rule_uuid", required=True))
        urns = v.string_list(body, "resources", required=True)
        if not urns:
            raise Unprocessable("resources must list at least one resource URN")
        made = []
        for urn in urns:
            if not urn.startswith("do:") or urn.count(":") < 2:
                raise Unprocessable(f"resources: {urn!r} is not a resource URN such as do:droplet:123")
        for urn in urns:
            kind, resource_id = urn.split(":")[1:3]
            entry = {"id": self.ids.uuid(), "rule_uuid": rule.uuid, "rule_name": rule.name,
                     "resource_id": resource_id, "resource_type": kind.capitalize(), "urn": urn}
            self.data["suppressions"][entry["id"]] = entry
            made.append({k: entry[k] for k in ("id", "rule_uuid", "rule_name", "resource_id", "resource_type")})
        return made

    def unsuppress(self, suppression_id: str) -> None:
        if self.data["suppressions"].pop(suppression_id, None) is None:
            raise not_found("suppression", suppression_id)

    def suppressions(self) -> list[dict]:
        return [{k: s[k] for k in ("id", "rule_uuid", "rule_name", "resource_id", "resource_type")}
                for s in self.data["suppressions"].values()]

    def set_coverage(self, body: dict) -> dict:
        raw = body.get("tier_coverage")
        if not isinstance(raw, dict):
            raise Unprocessable("tier_coverage is required: {tier: {resources: [urn], tags: [tag]}}")
        coverage = {}
        for tier, entry in raw.items():
            if not isinstance(entry, dict):
                raise Unprocessable(f"tier_coverage.{tier} must be an object with resources and tags")
            coverage[tier] = {"resources": v.string_list(entry, "resources", where=f"tier_coverage.{tier}"),
                              "tags": v.string_list(entry, "tags", where=f"tier_coverage.{tier}")}
        self.data["tier_coverage"] = coverage
        return {tier: {k: list(val) for k, val in entry.items()} for tier, entry in coverage.items()}
