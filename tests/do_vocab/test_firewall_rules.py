"""Firewall rules as values: explicit port ranges, a stable order, CIDR parsing that names the field."""

from __future__ import annotations

import random

import pytest

from do_vocab.firewall_rules import (
    ALL_PORTS,
    FirewallRule,
    admin_port_findings,
    baseline_inbound,
    baseline_outbound,
    normalise_ports,
    parse_cidr,
    sort_rules,
)


@pytest.mark.parametrize(("protocol", "given", "expected"), [
    ("tcp", "all", ALL_PORTS), ("udp", "0", ALL_PORTS), ("tcp", None, ALL_PORTS), ("tcp", "443", "443"),
    ("tcp", "8000-8100", "8000-8100"), ("tcp", "22-22", "22"), ("icmp", "all", None),
])
def test_ports_are_never_all(protocol, given, expected):
    assert normalise_ports(protocol, given) == expected


@pytest.mark.parametrize("bad", ["70000", "ssh", "10-5"])
def test_bad_ports_name_the_field(bad):
    with pytest.raises(ValueError, match=r"\[ports\]"):
        normalise_ports("tcp", bad)


def test_rule_order_is_deterministic():
    rules = [*baseline_inbound("10.0.0.0/16", ["198.51.100.0/24", "203.0.113.1/32"]),
             FirewallRule("tcp", "all", ("10.1.0.0/16",)), FirewallRule("udp", "53", ("10.0.0.0/16",))]
    expected = sort_rules(rules)
    for seed in range(5):
        shuffled = rules[:]
        random.Random(seed).shuffle(shuffled)
        assert sort_rules(shuffled) == expected
    assert all(r.ports != "all" for r in expected)


def test_parse_cidr_names_the_field():
    assert str(parse_cidr("trusted.ip_ranges", "10.1.2.3/16")) == "10.1.0.0/16"  # host bits tolerated
    with pytest.raises(ValueError, match=r"^\[trusted.ip_ranges\] 'nope' is not a CIDR"):
        parse_cidr("trusted.ip_ranges", "nope")


def test_admin_port_findings_join_sources_across_rules():
    halves = [FirewallRule("tcp", "22", ("0.0.0.0/1",)), FirewallRule("tcp", "1-100", ("128.0.0.0/1",))]
    assert sorted(admin_port_findings(halves)[22]) == ["0.0.0.0/1", "128.0.0.0/1"]
    assert admin_port_findings([FirewallRule("tcp", "22", ("198.51.7.4/32",)), FirewallRule("tcp", "80", ("0.0.0.0/0",))
                                ]) == {}  # a specific SSH source; the world reaches only a non-admin port


def test_baselines_keep_the_vpc_open_and_egress_only_where_asked():
    inbound = baseline_inbound("10.0.0.0/16", ())
    assert all(r.addresses == ("10.0.0.0/16",) for r in inbound)  # no SSH rule without admin CIDRs
    assert len(baseline_outbound("10.0.0.0/16", ())) == 3
    assert {r.ports for r in baseline_outbound("10.0.0.0/16", ("0.0.0.0/0",))} >= {"53", "80", "443", "123"}
