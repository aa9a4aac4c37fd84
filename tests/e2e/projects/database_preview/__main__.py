"""A database behind a firewall whose rules depend on a droplet that does not exist yet (preview only).

``mode: named`` trusts the VPC range (a literal) and the new droplet by id (unknown at preview, but an
id names a resource, not an address): the guardrail runs and passes. ``mode: address`` trusts the new
droplet's IP address, which no preview can know: a mandatory stack must fail closed.
"""

import pulumi
import pulumi_digitalocean as do

config = pulumi.Config()
provider = do.Provider("do", api_endpoint=config.require("endpoint"))
opts = pulumi.ResourceOptions(provider=provider)
tags = [f"env:{pulumi.get_stack()}"]
vpc = do.Vpc("vpc", region="nyc3", ip_range="10.150.0.0/20", opts=opts)
droplet = do.Droplet("app", size="s-1vcpu-1gb", image="ubuntu-24-04-x64", region="nyc3", vpc_uuid=vpc.id,
                     monitoring=True, tags=tags, opts=opts)
db = do.DatabaseCluster("db", engine="pg", version="17", size="db-s-1vcpu-1gb", region="nyc3", node_count=1,
                        private_network_uuid=vpc.id, tags=tags,
                        opts=pulumi.ResourceOptions(provider=provider, protect=True))
if config.require("mode") == "address":
    rules = [do.DatabaseFirewallRuleArgs(type="ip_addr", value=droplet.ipv4_address)]
else:
    rules = [do.DatabaseFirewallRuleArgs(type="ip_addr", value="10.150.0.0/20"),
             do.DatabaseFirewallRuleArgs(type="droplet", value=droplet.id)]
do.DatabaseFirewall("db-firewall", cluster_id=db.id, rules=rules, opts=opts)
