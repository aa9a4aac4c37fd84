"""Pulumi firewall rule arguments from :class:`do_vocab.firewall_rules.FirewallRule` values (sorted, explicit ports)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi_digitalocean as do

from do_vocab.firewall_rules import FirewallRule, sort_rules


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
