"""SecureNetwork: a VPC with an explicit range and a baseline Cloud Firewall applied by tag.

Inbound is closed except SSH from admin CIDRs (none by default), traffic from inside the VPC, and what
callers open explicitly (``extra_inbound``). Outbound allows DNS, HTTP/HTTPS, NTP and the VPC. Port
ranges are always explicit (``1-65535``, never ``all``: the API echoes ``all`` as ``0`` and the
provider then reports a diff forever) and rules are sorted so previews never show phantom changes.
Droplets join by carrying :attr:`SecureNetwork.member_tag`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_digitalocean as do

from components.addresses import ADMIN_PORTS, describe_share, world_open, world_open_ports
from components.naming import check_pinned_image, child_name, do_name, do_urn
from components.tagging import standard_tags
from components.tokens import TYPE_TOKENS

KIND = "secure-network"
ALL_PORTS = "1-65535"
ANYWHERE = ("0.0.0.0/0", "::/0")
PORTS_NEVER_PUBLIC = tuple(ADMIN_PORTS)


@dataclass(frozen=True)
class FirewallRule:
    """One firewall rule: ``addresses`` and ``tags`` are its sources (inbound) or destinations (outbound);
    ``load_balancer_uids`` only apply inbound."""

    protocol: str
    ports: str | None = None
    addresses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    load_balancer_uids: tuple[pulumi.Input[str], ...] = ()


@dataclass(frozen=True)
class SecureNetworkArgs:
    env: str
    region: str
    ip_range: str
    admin_cidrs: tuple[str, ...] = ()
    egress_cidrs: tuple[str, ...] = ANYWHERE
    extra_inbound: tuple[FirewallRule, ...] = ()
    bastion: bool = False
    bastion_size: str = "s-1vcpu-512mb-10gb"
    bastion_image: str = "ubuntu-24-04-x64"
    ssh_keys: tuple[str, ...] = ()
    protect: bool = False
    extra_tags: tuple[str, ...] = field(default_factory=tuple)


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
    (:func:`components.addresses.world_open`), so split ranges such as 0.0.0.0/1 + 128.0.0.0/1 count."""
    lo, hi = port_span(rule.ports)
    covers = rule.protocol != "icmp" and lo <= port <= hi
    return covers and world_open(rule.addresses)


def _admin_port_findings(rules: Sequence[FirewallRule]) -> dict[int, list[str]]:
    """Admin ports these inbound rules open to the world together (sources joined across rules)."""
    return world_open_ports((r.protocol, port_span(normalise_ports(r.protocol, r.ports)), r.addresses)
                            for r in rules)


def validate_secure_network_args(args: SecureNetworkArgs) -> None:
    """Raise ValueError naming the field before any child exists."""
    try:
        net = ipaddress.ip_network(args.ip_range, strict=True)
    except ValueError:
        raise ValueError(f"[ip_range] {args.ip_range!r} is not a CIDR; allowed: an RFC 1918 range such as "
                         "10.110.0.0/20") from None
    if net.version != 4 or not net.is_private or not 16 <= net.prefixlen <= 24:
        raise ValueError(f"[ip_range] {args.ip_range!r} is not allowed; allowed: an RFC 1918 range from /16 to /24")
    if args.bastion:
        check_pinned_image("bastion_image", args.bastion_image)
    for cidr in args.admin_cidrs:
        parse_cidr("admin_cidrs", cidr)
    if _admin_port_findings(baseline_inbound(args.ip_range, args.admin_cidrs)):
        raise ValueError(f"[admin_cidrs] {list(args.admin_cidrs)} together open SSH to the internet; allowed: "
                         "specific CIDRs such as 203.0.113.4/32")
    for rule in args.extra_inbound:
        normalise_ports(rule.protocol, rule.ports)
        for cidr in rule.addresses:
            parse_cidr("extra_inbound", cidr)
        for port in PORTS_NEVER_PUBLIC:
            if opens_to_internet(FirewallRule(rule.protocol, normalise_ports(rule.protocol, rule.ports),
                                              rule.addresses), port):
                raise ValueError(f"[extra_inbound] a rule opens port {port} to {list(rule.addresses)}; allowed: "
                                 "admin or database ports only from specific CIDRs, tags or load balancers")
    findings = _admin_port_findings([*baseline_inbound(args.ip_range, args.admin_cidrs), *args.extra_inbound])
    for port, sources in findings.items():
        raise ValueError(f"[extra_inbound] rules together open port {port} to {sorted(set(sources))} "
                         f"({describe_share(sources)}): the whole internet; allowed: admin or database ports only "
                         "from specific CIDRs, tags or load balancers")


def to_inbound_args(rules: Sequence[FirewallRule]) -> list[do.FirewallInboundRuleArgs]:
    return [do.FirewallInboundRuleArgs(protocol=r.protocol, port_range=r.ports,
                                       source_addresses=list(r.addresses) or None,
                                       source_tags=list(r.tags) or None,
                                       source_load_balancer_uids=list(r.load_balancer_uids) or None)
            for r in sort_rules(rules)]


def to_outbound_args(rules: Sequence[FirewallRule]) -> list[do.FirewallOutboundRuleArgs]:
    return [do.FirewallOutboundRuleArgs(protocol=r.protocol, port_range=r.ports,
                                        destination_addresses=list(r.addresses) or None,
                                        destination_tags=list(r.tags) or None)
            for r in sort_rules(rules)]


class SecureNetwork(pulumi.ComponentResource):
    """VPC + member tag + baseline firewall (+ optional bastion droplet)."""

    vpc: do.Vpc
    member_tag: do.Tag
    firewall: do.Firewall
    bastion: do.Droplet | None

    def __init__(self, name: str, args: SecureNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["SecureNetwork"], name, None, opts)
        validate_secure_network_args(args)
        child = pulumi.ResourceOptions(parent=self)

        # VPC names are unique per account and a new ip_range replaces the VPC (new one first), so the
        # range is part of the name: dev-network-vpc-10-110-0-0-20.
        self.vpc = do.Vpc(child_name(name, "vpc"), name=do_name(args.env, name, "vpc", args.ip_range),
                          region=args.region,
                          ip_range=args.ip_range, description=f"{args.env}: {name} ({KIND})",
                          opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.member_tag = do.Tag(child_name(name, "member"), name=do_name(args.env, name, "member"), opts=child)
        self.firewall = do.Firewall(
            child_name(name, "baseline"), name=do_name(args.env, name, "baseline"),
            tags=[self.member_tag.name],
            inbound_rules=to_inbound_args([*baseline_inbound(args.ip_range, args.admin_cidrs),
                                           *args.extra_inbound]),
            outbound_rules=to_outbound_args(baseline_outbound(args.ip_range, args.egress_cidrs)),
            opts=pulumi.ResourceOptions(parent=self.vpc, protect=False))

        self.bastion = None
        if args.bastion:
            self.bastion = do.Droplet(
                child_name(name, "bastion"), name=do_name(args.env, name, "bastion"), region=args.region,
                size=args.bastion_size, image=args.bastion_image, vpc_uuid=self.vpc.id, monitoring=True,
                ssh_keys=list(args.ssh_keys) or None, droplet_agent=True,
                tags=pulumi.Output.all(self.member_tag.name).apply(
                    lambda t: standard_tags(args.env, KIND, [*args.extra_tags, *t])),
                opts=pulumi.ResourceOptions(parent=self.vpc, protect=False))

        self.vpc_id = self.vpc.id
        self.ip_range = args.ip_range
        self.project_resources: list[pulumi.Output[str]] = (
            [self.bastion.id.apply(lambda i: do_urn("droplet", i))] if self.bastion else [])
        self.register_outputs({"vpc_id": self.vpc.id, "member_tag": self.member_tag.name,
                               "firewall_id": self.firewall.id})
