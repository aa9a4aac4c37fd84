"""Cloud Firewall rules as values: explicit port ranges, stable order, the baseline, CIDR parsing.

Port ranges are always explicit (``1-65535``, never ``all``: the API echoes ``all`` as ``0`` and the
provider then reports a diff forever) and rules are sorted so previews never show phantom changes.
SecureNetwork builds its baseline firewall from these; other components (the web cluster's firewall, the
database's and the cluster's allowlists) use the same rules and parsing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from do_vocab.addresses import ADMIN_PORTS, world_open, world_open_ports

ALL_PORTS = "1-65535"
ANYWHERE = ("0.0.0.0/0", "::/0")
PORTS_NEVER_PUBLIC = tuple(ADMIN_PORTS)
RFC1918 = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("172.16.0.0/12"),
           ipaddress.ip_network("192.168.0.0/16"))
# DOKS reserves these for pods and services by default; a VPC overlapping them cannot host a cluster.
DOKS_RESERVED = (ipaddress.ip_network("10.244.0.0/16"), ipaddress.ip_network("10.245.0.0/16"),
                 ipaddress.ip_network("10.246.0.0/24"))


@dataclass(frozen=True)
class FirewallRule:
    """One firewall rule: ``addresses`` and ``tags`` are its sources (inbound) or destinations (outbound);
    ``load_balancer_uids`` only apply inbound."""

    protocol: str
    ports: str | None = None
    addresses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    load_balancer_uids: tuple[Any, ...] = ()  # each a pulumi.Input[str]


def normalise_ports(protocol: str, ports: str | int | None) -> str | None:
    """``all``/``0``/empty become ``1-65535`` for tcp/udp; icmp has no ports; ``80`` stays ``80``."""
    if protocol == "icmp":
        return None
    text = "" if ports is None else str(ports).strip().lower()
    if text in ("", "all", "0", "0-0", "0-65535"):
        return ALL_PORTS
    lo, _, hi = text.partition("-")
    if not lo.isdigit() or (hi and not hi.isdigit()):
        raise ValueError(f"[ports] {ports!r} is not a port or range; allowed: 1-65535, e.g. 443 or 8000-8100")
    lo_i, hi_i = int(lo), int(hi or lo)
    if not 1 <= lo_i <= hi_i <= 65535:
        raise ValueError(f"[ports] {ports!r} is out of range; allowed: 1-65535")
    return str(lo_i) if lo_i == hi_i else f"{lo_i}-{hi_i}"


def port_span(ports: str | None) -> tuple[int, int]:
    if ports is None:
        return (0, 0)
    lo, _, hi = ports.partition("-")
    return int(lo), int(hi or lo)


def sort_rules(rules: Sequence[FirewallRule]) -> list[FirewallRule]:
    """Normalised ports, sorted and de-duplicated addresses/tags, rules in a stable order."""
    out = []
    for r in rules:
        out.append(FirewallRule(protocol=r.protocol, ports=normalise_ports(r.protocol, r.ports),
                                addresses=tuple(sorted(set(r.addresses))), tags=tuple(sorted(set(r.tags))),
                                load_balancer_uids=r.load_balancer_uids))
    return sorted(out, key=lambda r: (r.protocol, port_span(r.ports), r.addresses, r.tags,
                                      len(r.load_balancer_uids)))


def baseline_inbound(ip_range: str, admin_cidrs: Sequence[str]) -> list[FirewallRule]:
    rules = [FirewallRule("tcp", ALL_PORTS, (ip_range,)), FirewallRule("udp", ALL_PORTS, (ip_range,)),
             FirewallRule("icmp", None, (ip_range,))]
    if admin_cidrs:
        rules.append(FirewallRule("tcp", "22", tuple(admin_cidrs)))
    return rules


def baseline_outbound(ip_range: str, egress_cidrs: Sequence[str]) -> list[FirewallRule]:
    out = tuple(egress_cidrs)
    rules = [FirewallRule("tcp", ALL_PORTS, (ip_range,)), FirewallRule("udp", ALL_PORTS, (ip_range,)),
             FirewallRule("icmp", None, (ip_range,))]
    if out:
        rules += [FirewallRule("udp", "53", out), FirewallRule("tcp", "53", out), FirewallRule("tcp", "80", out),
                  FirewallRule("tcp", "443", out), FirewallRule("udp", "123", out)]
    return rules


def parse_cidr(field_name: str, cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``cidr`` as a network, or a ValueError naming ``field_name`` (``ipaddress`` alone names neither)."""
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise ValueError(f"[{field_name}] {cidr!r} is not a CIDR; allowed: an address or range such as "
                         "203.0.113.4/32 or 10.110.0.0/20") from None


def opens_to_internet(rule: FirewallRule, port: int) -> bool:
    """True when an inbound rule lets (nearly) the whole internet reach ``port``, judged on address space
    (:func:`do_vocab.addresses.world_open`), so split ranges such as 0.0.0.0/1 + 128.0.0.0/1 count."""
    lo, hi = port_span(rule.ports)
    covers = rule.protocol != "icmp" and lo <= port <= hi
    return covers and world_open(rule.addresses)


def admin_port_findings(rules: Sequence[FirewallRule]) -> dict[int, list[str]]:
    """Admin ports these inbound rules open to the world together (sources joined across rules)."""
    return world_open_ports((r.protocol, port_span(normalise_ports(r.protocol, r.ports)), r.addresses)
                            for r in rules)
