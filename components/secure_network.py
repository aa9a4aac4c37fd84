"""SecureNetwork: a VPC with an explicit range and a baseline Cloud Firewall applied by tag.

Inbound is closed except SSH from admin CIDRs (none by default), traffic from inside the VPC, and what
callers open explicitly (``extra_inbound``). Outbound allows DNS, HTTP/HTTPS, NTP and the VPC. The rules
themselves (explicit port ranges, stable order, the baseline) live in :mod:`do_vocab.firewall_rules`.
Droplets join by carrying :attr:`SecureNetwork.member_tag`.

``nat_gateway`` adds a VPC NAT gateway as the VPC's default gateway, the way out for droplets created
without public networking (DigitalOcean marks VPC NAT gateways as a preview product). The bastion then
gets a reserved IP, so admins reach the private network through one address that outlives the droplet.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pulumi
import pulumi_digitalocean as do

from components.firewall import to_inbound_args, to_outbound_args
from components.naming import check_pinned_image, child_name, do_name, do_urn
from components.tagging import standard_tags
from components.tokens import TYPE_TOKENS
from do_vocab.addresses import describe_share
from do_vocab.firewall_rules import (
    ANYWHERE,
    PORTS_NEVER_PUBLIC,
    FirewallRule,
    admin_port_findings,
    baseline_inbound,
    baseline_outbound,
    normalise_ports,
    opens_to_internet,
    parse_cidr,
)
from do_vocab.names import DEFAULT_IMAGE

KIND = "secure-network"


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
    bastion_image: str = DEFAULT_IMAGE
    ssh_keys: tuple[str, ...] = ()
    protect: bool = False
    extra_tags: tuple[str, ...] = field(default_factory=tuple)
    nat_gateway: bool = False
    nat_gateway_size: int = 1
    bastion_reserved_ip: bool = False


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
    if args.bastion_reserved_ip and not args.bastion:
        raise ValueError("[bastion_reserved_ip] True without a bastion; allowed: False, or bastion True")
    if args.nat_gateway and args.nat_gateway_size < 1:
        raise ValueError(f"[nat_gateway_size] {args.nat_gateway_size}; allowed: 1 or more")
    for cidr in args.admin_cidrs:
        parse_cidr("admin_cidrs", cidr)
    if admin_port_findings(baseline_inbound(args.ip_range, args.admin_cidrs)):
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
    findings = admin_port_findings([*baseline_inbound(args.ip_range, args.admin_cidrs), *args.extra_inbound])
    for port, sources in findings.items():
        raise ValueError(f"[extra_inbound] rules together open port {port} to {sorted(set(sources))} "
                         f"({describe_share(sources)}): the whole internet; allowed: admin or database ports only "
                         "from specific CIDRs, tags or load balancers")


class SecureNetwork(pulumi.ComponentResource):
    """VPC + member tag + baseline firewall (+ optional bastion droplet)."""

    vpc: do.Vpc
    member_tag: do.Tag
    firewall: do.Firewall
    bastion: do.Droplet | None
    nat_gateway: do.VpcNatGateway | None
    bastion_ip: do.ReservedIp | None

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

        self.nat_gateway = None
        if args.nat_gateway:
            # The VPC's default gateway: droplets without public networking send internet traffic through it.
            self.nat_gateway = do.VpcNatGateway(
                child_name(name, "nat"), name=do_name(args.env, name, "nat"), type="PUBLIC", region=args.region,
                size=args.nat_gateway_size,
                vpcs=[do.VpcNatGatewayVpcArgs(vpc_uuid=self.vpc.id, default_gateway=True)],
                udp_timeout_seconds=30, icmp_timeout_seconds=30, tcp_timeout_seconds=300,
                opts=pulumi.ResourceOptions(parent=self.vpc, protect=False))
        self.bastion_ip = None
        if self.bastion is not None and args.bastion_reserved_ip:
            self.bastion_ip = do.ReservedIp(child_name(name, "bastion-ip"), region=args.region,
                                            opts=pulumi.ResourceOptions(parent=self.bastion))
            do.ReservedIpAssignment(child_name(name, "bastion-ip", "assign"), ip_address=self.bastion_ip.ip_address,
                                    droplet_id=self.bastion.id.apply(int),
                                    opts=pulumi.ResourceOptions(parent=self.bastion_ip))

        self.vpc_id = self.vpc.id
        self.ip_range = args.ip_range
        self.project_resources: list[pulumi.Output[str]] = (
            [self.bastion.id.apply(lambda i: do_urn("droplet", i))] if self.bastion else [])
        if self.bastion_ip is not None:
            self.project_resources.append(self.bastion_ip.ip_address.apply(lambda ip: do_urn("floatingip", ip)))
        self.register_outputs({"vpc_id": self.vpc.id, "member_tag": self.member_tag.name,
                               "firewall_id": self.firewall.id,
                               **({"nat_gateway_id": self.nat_gateway.id} if self.nat_gateway else {}),
                               **({"bastion_ip": self.bastion_ip.ip_address} if self.bastion_ip else {})})
