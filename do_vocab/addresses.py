"""Address space, not strings: how much of the public internet a set of sources covers.

The one mechanism behind "world-open" (the guardrail rules of the policy pack and offline plan, the config
checks and the components' own validation all call it): ``0.0.0.0/1`` + ``128.0.0.0/1`` is the
whole internet written as two strings, and is judged as such. It lives here because components are
usable without the platform package.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

# Ports that must never be reachable from the whole internet.
ADMIN_PORTS = {22: "SSH", 3389: "RDP", 5432: "PostgreSQL", 25060: "managed database",
               25061: "managed database pool", 3306: "MySQL", 6379: "Redis", 27017: "MongoDB", 1433: "SQL Server"}
# Address space nobody on the internet connects from: what is left of IPv4 is "public space".
NON_PUBLIC_V4 = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"))
PUBLIC_V6 = ipaddress.ip_network("2000::/3")  # global unicast
# Sources whose union covers more than this share of public IPv4 or IPv6 space are world-open.
# 0.1% is about a /10 of IPv4: far more than any admin network, far less than "everyone".
WORLD_OPEN_SHARE = 0.001


def networks(sources: Iterable[Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The sources that parse as addresses or CIDRs (anything else names no address space)."""
    out = []
    for source in sources:
        try:
            out.append(ipaddress.ip_network(str(source).strip(), strict=False))
        except ValueError:
            continue
    return out


# IPv6 prefixes that carry IPv4 addresses in their last 32 bits: ::ffff:0.0.0.0/96 reaches all of IPv4.
V4_EMBEDDING = (ipaddress.ip_network("::ffff:0:0/96"), ipaddress.ip_network("64:ff9b::/96"))


def _with_embedded_v4(net) -> list:
    """The range, plus the IPv4 range it reaches through IPv4-mapped or NAT64 addresses, if any."""
    if net.version == 6:
        for prefix in V4_EMBEDDING:
            if net.subnet_of(prefix):
                return [ipaddress.ip_network((int(net.network_address) & 0xFFFFFFFF, net.prefixlen - 96))]
            if prefix.subnet_of(net):  # wider than the embedding: all of IPv4, and its own IPv6 space
                return [net, ipaddress.ip_network("0.0.0.0/0")]
    return [net]


def _overlap(a, b) -> int:
    """Addresses two CIDRs share (CIDRs either nest or are disjoint)."""
    if a.version != b.version or not a.overlaps(b):
        return 0
    return min(a.num_addresses, b.num_addresses)


def public_share(sources: Iterable[Any]) -> dict[int, float]:
    """{4: share of public IPv4 space, 6: share of public IPv6 space} the union of ``sources`` covers.

    Private, loopback, shared, documentation, multicast and reserved ranges do not count as public.
    """
    nets = [m for n in networks(sources) for m in _with_embedded_v4(n)]
    v4 = list(ipaddress.collapse_addresses(n for n in nets if n.version == 4))
    v6 = list(ipaddress.collapse_addresses(n for n in nets if n.version == 6))
    non_public = list(ipaddress.collapse_addresses(NON_PUBLIC_V4))
    public_v4 = 2 ** 32 - sum(n.num_addresses for n in non_public)
    covered_v4 = sum(n.num_addresses - sum(_overlap(n, p) for p in non_public) for n in v4)
    covered_v6 = sum(_overlap(n, PUBLIC_V6) for n in v6)
    return {4: covered_v4 / public_v4, 6: covered_v6 / PUBLIC_V6.num_addresses}


def world_open(sources: Iterable[Any], share: float = WORLD_OPEN_SHARE) -> bool:
    """Do these sources, together, cover more than ``share`` of public IPv4 or IPv6 space?"""
    return any(value > share for value in public_share(sources).values())


def describe_share(sources: Iterable[Any]) -> str:
    """``"100.000% of public IPv4"``: what the sources cover, for messages."""
    shares = public_share(sources)
    return ", ".join(f"{shares[v]:.3%} of public IPv{v}" for v in (4, 6) if shares[v]) or "no public space"


def world_open_ports(rules: Iterable[tuple[str, tuple[int, int] | None, Iterable[Any]]],
                     share: float = WORLD_OPEN_SHARE) -> dict[int, list[str]]:
    """{admin port: its sources} for each admin port that inbound ``rules`` open to the world together.

    ``rules`` are ``(protocol, (low, high) port span or None, sources)``; ICMP and unknown spans are
    skipped. Per port, the sources of every rule whose span includes it are joined before judging.
    """
    sources_of: dict[int, list[str]] = {}
    for protocol, span, sources in rules:
        if str(protocol).lower() == "icmp" or span is None:
            continue
        addresses = [str(a) for a in sources or ()]
        for port in ADMIN_PORTS:
            if span[0] <= port <= span[1]:
                sources_of.setdefault(port, []).extend(addresses)
    return {port: sources for port, sources in sources_of.items() if world_open(sources, share)}
