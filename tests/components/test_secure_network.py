"""SecureNetwork: explicit VPC range, baseline firewall by tag, no world-open admin ports, stable rules."""

from __future__ import annotations

import pytest

from components import FirewallRule, SecureNetwork, SecureNetworkArgs
from components.secure_network import validate_secure_network_args
from do_vocab.firewall_rules import opens_to_internet

from .conftest import TAGGABLE

ARGS = SecureNetworkArgs(env="dev", region="nyc3", ip_range="10.110.0.0/20", admin_cidrs=("203.0.113.10/32",),
                         bastion=True)


def build(args: SecureNetworkArgs = ARGS, opts=None):
    def program():
        net = SecureNetwork("net", args, opts)
        return {"vpc_id": net.vpc_id, "member_tag": net.member_tag.name}
    return program


@pytest.mark.parametrize(("field", "args"), [
    ("ip_range", SecureNetworkArgs(env="d", region="nyc3", ip_range="8.8.8.0/24")),
    ("ip_range", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.0.0.0/8")),
    ("admin_cidrs", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16", admin_cidrs=("0.0.0.0/0",))),
    ("admin_cidrs", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16", admin_cidrs=("office",))),
    ("bastion_image", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16", bastion=True,
                                        bastion_image="latest")),
    ("extra_inbound", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                        extra_inbound=(FirewallRule("tcp", "443", ("anywhere",)),))),
    ("extra_inbound", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                        extra_inbound=(FirewallRule("tcp", "5432", ("::/0",)),))),
    ("extra_inbound", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                        extra_inbound=(FirewallRule("tcp", "all", ("0.0.0.0/0",)),))),
    ("admin_cidrs", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                      admin_cidrs=("0.0.0.0/1", "128.0.0.0/1"))),
    ("admin_cidrs", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                      admin_cidrs=("::/1", "8000::/1"))),
    ("extra_inbound", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                        extra_inbound=(FirewallRule("tcp", "1-65534", ("0.0.0.0/1",)),))),
    ("extra_inbound", SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16", admin_cidrs=("64.0.0.0/11",),
                                        extra_inbound=(FirewallRule("tcp", "20-30", ("64.32.0.0/11",)),))),
])
def test_validation_names_the_field(field, args):
    with pytest.raises(ValueError, match=rf"\[{field}\]"):
        validate_secure_network_args(args)


def test_no_inbound_admin_or_database_port_from_anywhere(run_component):
    run = run_component(build())
    firewall = run.one("Firewall")
    rules = firewall.inputs["inboundRules"]
    assert rules, "baseline firewall has inbound rules"
    for rule in rules:
        parsed = FirewallRule(rule["protocol"], rule.get("portRange"), tuple(rule.get("sourceAddresses", ())))
        for port in (22, 3389, 5432, 25060):
            assert not opens_to_internet(parsed, port), rule
    ssh = [r for r in rules if r.get("portRange") == "22"]
    assert ssh == [{"protocol": "tcp", "portRange": "22", "sourceAddresses": ["203.0.113.10/32"]}]


def test_no_ssh_rule_without_admin_cidrs(run_component):
    run = run_component(build(SecureNetworkArgs(env="dev", region="nyc3", ip_range="10.110.0.0/20")))
    assert not [r for r in run.one("Firewall").inputs["inboundRules"] if r.get("portRange") == "22"]
    assert run.of_type("Droplet") == []  # bastion is opt-in


def test_rules_explicit_and_sorted(run_component):
    run = run_component(build())
    firewall = run.one("Firewall").inputs
    for direction in ("inboundRules", "outboundRules"):
        rules = firewall[direction]
        assert all(r.get("portRange") != "all" for r in rules)
        assert all("portRange" not in r for r in rules if r["protocol"] == "icmp")
        keys = [(r["protocol"], r.get("portRange", "")) for r in rules]
        assert keys == sorted(keys, key=lambda k: (k[0], [int(p) for p in (k[1] or "0").split("-")]))
    outbound_ports = {(r["protocol"], r.get("portRange")) for r in firewall["outboundRules"]}
    assert {("udp", "53"), ("tcp", "443"), ("tcp", "80"), ("udp", "123")} <= outbound_ports


def test_vpc_range_firewall_by_tag_and_children_parented(run_component):
    run = run_component(build())
    vpc = run.one("Vpc")
    assert vpc.inputs["ipRange"] == "10.110.0.0/20" and vpc.inputs["region"] == "nyc3"
    assert vpc.inputs["name"] == "dev-net-vpc-10-110-0-0-20"  # a new range is a new name: no clash on replace
    assert run.one("Firewall").inputs["tags"] == [run.returned["member_tag"].value]
    component = run.one("SecureNetwork")
    assert component.type == "do-platform:index:SecureNetwork" and not component.custom
    for record in run.records:
        if record is not component:
            assert record.parent_urn in {component.urn, vpc.urn}, record.name
    assert run.returned["vpc_id"].value == "net-vpc-id"


def test_bastion_in_vpc_tagged_and_member(run_component):
    run = run_component(build())
    bastion = run.one("Droplet")
    assert bastion.inputs["vpcUuid"] == "net-vpc-id"
    assert {"env:dev", "component:secure-network", run.returned["member_tag"].value} <= set(bastion.inputs["tags"])
    for record in run.records:
        if record.type.rsplit(":", 1)[-1] in TAGGABLE:
            assert "env:dev" in record.inputs["tags"]


def test_protect_applies_to_vpc_only(run_component):
    args = SecureNetworkArgs(env="prod", region="nyc3", ip_range="10.130.0.0/20", bastion=True, protect=True)
    run = run_component(build(args))
    assert run.one("Vpc").protect
    assert not run.one("Firewall").protect and not run.one("Droplet").protect


def test_explicit_provider_reaches_every_child(run_component, provider_opts):
    run = run_component(lambda: build(opts=provider_opts())())
    customs = [r for r in run.records if r.custom and not r.type.startswith("pulumi:providers:")]
    assert customs
    assert all("pulumi:providers:digitalocean::test-provider::" in run.provider_of(r) for r in customs)


def test_nat_gateway_is_the_vpcs_default_gateway_and_the_bastion_keeps_a_reserved_ip(run_component):
    args = SecureNetworkArgs(env="prod", region="nyc3", ip_range="10.130.0.0/20", bastion=True, protect=True,
                             nat_gateway=True, bastion_reserved_ip=True)

    def program():
        net = SecureNetwork("net", args)
        return {"nat": net.nat_gateway.id, "ip": net.bastion_ip.ip_address, "members": net.project_resources}
    run = run_component(program)
    nat = run.one("VpcNatGateway")
    assert nat.inputs == {"name": "prod-net-nat", "type": "PUBLIC", "region": "nyc3", "size": 1,
                          "vpcs": [{"vpcUuid": "net-vpc-id", "defaultGateway": True}], "udpTimeoutSeconds": 30,
                          "icmpTimeoutSeconds": 30, "tcpTimeoutSeconds": 300}
    assert nat.parent_urn == run.one("Vpc").urn and not nat.protect  # protect applies to the VPC only
    reserved, assignment = run.one("ReservedIp"), run.one("ReservedIpAssignment")
    assert reserved.inputs == {"region": "nyc3"} and reserved.parent_urn == run.one("Droplet").urn
    ip = run.returned["ip"].value
    assert ip.startswith("203.0.113.") and assignment.inputs["ipAddress"] == ip
    assert assignment.parent_urn == reserved.urn and "dropletId" in assignment.inputs
    assert f"do:floatingip:{ip}" in run.returned["members"].value
    assert "publicNetworking" not in run.one("Droplet").inputs  # the bastion keeps its public address


def test_no_gateway_or_reserved_ip_unless_asked_and_no_reserved_ip_without_a_bastion(run_component):
    run = run_component(build())
    assert run.of_type("VpcNatGateway") == [] and run.of_type("ReservedIp") == []
    with pytest.raises(ValueError, match=r"\[bastion_reserved_ip\]"):
        validate_secure_network_args(SecureNetworkArgs(env="d", region="nyc3", ip_range="10.1.0.0/16",
                                                       bastion_reserved_ip=True))
