"""Each guardrail with a compliant and a violating resource; enforcement from stack config."""

from __future__ import annotations

import pytest

from do_platform import guardrails as g
from do_platform.config import Environment, PolicyEnforcement
from do_platform.errors import ConfigError

DEV = g.StackContext("dev")
PROD = g.StackContext("prod", Environment.production, PolicyEnforcement.mandatory)


def rules_hit(resource_type, props, ctx=DEV, protect=None):
    return {v.rule for v in g.check_resource(resource_type, props, ctx, protect=protect)}


def fw(*rules):
    return {"inboundRules": list(rules)}


@pytest.mark.parametrize("port_range,source", [("22", "0.0.0.0/0"), ("3389", "::/0"), ("5432", "0.0.0.0/0"),
                                               ("20-30", "0.0.0.0/0"), ("25060", "::/0"), ("25061", "0.0.0.0/0")])


def test_public_admin_port_is_a_violation(port_range, source):
    props = fw({"protocol": "tcp", "portRange": port_range, "sourceAddresses": [source]})
    assert "no-public-admin-ports" in rules_hit(g.FIREWALL, props)


def test_admin_port_from_a_specific_cidr_and_public_https_are_fine():
    props = fw({"protocol": "tcp", "portRange": "22", "sourceAddresses": ["203.0.113.4/32", "10.10.0.0/16"]},
               {"protocol": "tcp", "portRange": "443", "sourceAddresses": ["0.0.0.0/0", "::/0"]},
               {"protocol": "icmp", "sourceAddresses": ["0.0.0.0/0"]})
    assert rules_hit(g.FIREWALL, props) == set()


@pytest.mark.parametrize("port_range", ["all", "1-65535", "0", "0-65535"])


def test_all_ports_inbound_from_public_addresses_is_a_violation(port_range):
    props = fw({"protocol": "tcp", "portRange": port_range, "sourceAddresses": ["198.51.100.0/24"]})
    assert rules_hit(g.FIREWALL, props) == {"no-all-ports-inbound"}


def test_all_ports_inside_the_vpc_or_from_named_resources_are_fine():
    props = fw({"protocol": "tcp", "portRange": "1-65535", "sourceAddresses": ["10.110.0.0/20"]},
               {"protocol": "udp", "portRange": "all", "sourceTags": ["dev-network-member"]})
    assert rules_hit(g.FIREWALL, props) == set()


def test_all_ports_from_anywhere_breaks_both_firewall_rules():
    props = fw({"protocol": "udp", "portRange": "all", "sourceAddresses": ["0.0.0.0/0"]})
    assert rules_hit(g.FIREWALL, props) == {"no-all-ports-inbound", "no-public-admin-ports"}


def test_snake_case_props_are_read_too():
    props = {"inbound_rules": [{"protocol": "tcp", "port_range": "22", "source_addresses": ["0.0.0.0/0"]}]}
    assert "no-public-admin-ports" in rules_hit(g.FIREWALL, props)


K8S_OK = {"version": "1.33.5-do.0", "ha": True, "tags": ["env:prod"],
          "controlPlaneFirewall": {"enabled": True, "allowedAddresses": ["203.0.113.10/32"]}}
STAGING = g.StackContext("staging", Environment.staging, PolicyEnforcement.advisory)


@pytest.mark.parametrize("version", ["latest", "", None])


def test_kubernetes_version_must_be_pinned(version):
    assert "kubernetes-version-pinned" in rules_hit(g.KUBERNETES_CLUSTER, {**K8S_OK, "version": version}, PROD)
    assert "kubernetes-version-pinned" not in rules_hit(g.KUBERNETES_CLUSTER, K8S_OK, PROD)


def test_kubernetes_ha_is_required_in_production_only():
    no_ha = {**K8S_OK, "ha": False}
    assert "kubernetes-ha-in-production" in rules_hit(g.KUBERNETES_CLUSTER, no_ha, PROD)
    assert "kubernetes-ha-in-production" not in rules_hit(g.KUBERNETES_CLUSTER, {**no_ha, "tags": ["env:dev"]}, DEV)
    assert rules_hit(g.KUBERNETES_CLUSTER, K8S_OK, PROD) == set()


def test_load_balancer_must_redirect_http():
    http = {"forwardingRules": [{"entryProtocol": "http", "entryPort": 80},
                                {"entryProtocol": "https", "entryPort": 443}]}
    assert rules_hit(g.LOAD_BALANCER, http) == {"load-balancer-https-redirect"}
    assert rules_hit(g.LOAD_BALANCER, {**http, "redirectHttpToHttps": True}) == set()
    tcp_only = {"forwardingRules": [{"entryProtocol": "tcp", "entryPort": 5000}]}
    assert rules_hit(g.LOAD_BALANCER, tcp_only) == set()


def test_taggable_resources_need_the_env_tag():
    assert rules_hit(g.VOLUME, {"tags": ["team:web"]}) == {"env-tag"}
    assert rules_hit(g.VOLUME, {"tags": ["env:dev", "team:web"]}) == set()
    # A firewall's tags pick its targets: not subject to the rule.
    assert "env-tag" not in rules_hit(g.FIREWALL, {"tags": []})


def test_production_database_must_be_protected():
    db = {"tags": ["env:prod"], "privateNetworkUuid": "vpc-1"}
    assert rules_hit(g.DATABASE_CLUSTER, db, PROD, protect=False) == {"production-database-protected"}
    assert rules_hit(g.DATABASE_CLUSTER, db, PROD, protect=True) == set()
    assert rules_hit(g.DATABASE_CLUSTER, {**db, "tags": ["env:dev"]}, DEV, protect=False) == set()


def test_droplets_must_be_monitored():
    assert rules_hit(g.DROPLET, {"tags": ["env:dev"], "monitoring": False}) == {"droplet-monitoring"}
    assert rules_hit(g.DROPLET, {"tags": ["env:dev"], "monitoring": True}) == set()


WEB_TAGS = ["component:web-cluster", "env:prod", "prod-web-web"]


def test_production_web_droplets_have_no_public_address_unless_allowed():
    public = {"tags": WEB_TAGS, "monitoring": True}  # publicNetworking unset: the API's default is public
    assert rules_hit(g.DROPLET, public, PROD) == {"web-droplets-private-in-production"}
    assert rules_hit(g.DROPLET, {**public, "publicNetworking": True}, PROD) == {"web-droplets-private-in-production"}
    assert rules_hit(g.DROPLET, {**public, "publicNetworking": False}, PROD) == set()
    allowed = g.StackContext("prod", Environment.production, PolicyEnforcement.mandatory, public_web_allowed=True)
    assert rules_hit(g.DROPLET, public, allowed) == set()
    # Not a web droplet (the bastion), or not production: not this rule's business.
    assert rules_hit(g.DROPLET, {"tags": ["env:prod", "component:secure-network"], "monitoring": True}, PROD) == set()
    assert rules_hit(g.DROPLET, {**public, "tags": ["component:web-cluster", "env:dev"]}) == set()
    message = g.check_resource(g.DROPLET, public, PROD)[0].message
    assert "web.privateEgress: true" in message and "web.allowPublicAddress: true" in message


def test_an_autoscale_pool_template_is_judged_like_a_web_droplet():
    template = {"tags": WEB_TAGS, "size": "s-1vcpu-1gb", "publicNetworking": True}
    hit = rules_hit(g.DROPLET_AUTOSCALE, {"dropletTemplate": template}, PROD)
    assert hit == {"web-droplets-private-in-production"}
    assert rules_hit(g.DROPLET_AUTOSCALE, {"dropletTemplate": {**template, "publicNetworking": False}}, PROD) == set()
    snake = {"tags": WEB_TAGS, "public_networking": False}
    assert rules_hit(g.DROPLET_AUTOSCALE, {"droplet_template": snake}, PROD) == set()


@pytest.mark.parametrize("web", [{"allowPublicAddress": True}, '{"allowPublicAddress": true}'])
def test_the_allowance_is_read_from_the_stack_config_as_yaml_or_the_clis_json(web):
    ctx = g.StackContext.from_config("prod", {"do-platform:environment": "production", "do-platform:web": web})
    assert ctx.public_web_allowed is True
    assert g.StackContext.from_config("prod", {"do-platform:environment": "production"}).public_web_allowed is False


def _db(urn="urn:db", parent="urn:comp", **props):
    return g.StackResource(urn=urn, type=g.DATABASE_CLUSTER, props={"privateNetworkUuid": "vpc-1", **props},
                           parent=parent)


def _dbfw(rules, urn="urn:dbfw", parent="urn:comp", refs=()):
    return g.StackResource(urn=urn, type=g.DATABASE_FIREWALL, props={"rules": rules}, parent=parent,
                           refs=frozenset(refs))


def test_database_in_vpc_behind_a_private_firewall_is_compliant():
    firewall = _dbfw([{"type": "k8s", "value": "cluster-1"}, {"type": "ip_addr", "value": "10.10.0.0/16"}],
                     refs=["urn:db"])
    assert g.database_network([_db(), firewall], DEV) == []


def test_database_firewall_matched_by_owner_when_ids_are_unknown():
    assert g.database_network([_db(), _dbfw([{"type": "tag", "value": "env:dev"}])], DEV) == []


def test_database_outside_vpc_without_firewall_and_public_source_are_violations():
    no_vpc = g.StackResource(urn="urn:db", type=g.DATABASE_CLUSTER, props={}, parent="urn:comp")
    messages = [v.message for v in g.database_network([no_vpc], DEV)]
    assert any("outside a VPC" in m for m in messages) and any("without a database firewall" in m for m in messages)
    public = _dbfw([{"type": "ip_addr", "value": "0.0.0.0/0"}], refs=["urn:db"])
    found = g.database_network([_db(), public], DEV)
    assert [(v.rule, v.urn) for v in found] == [("database-network", "urn:dbfw")]


def test_a_public_address_is_not_a_trusted_database_source():
    public = _dbfw([{"type": "ip_addr", "value": "198.51.100.7/32"}, {"type": "ip_addr", "value": "10.1.0.0/16"}],
                   refs=["urn:db"])
    found = g.database_network([_db(), public], DEV)
    assert [(v.urn, "198.51.100.7/32 (a public address)" in v.message) for v in found] == [("urn:dbfw", True)]


def test_firewall_of_another_cluster_does_not_count():
    other = _dbfw([{"type": "tag", "value": "x"}], refs=["urn:other-db"])
    assert [v.urn for v in g.database_network([_db(), other], DEV)] == ["urn:db"]


def test_enforcement_from_config_with_production_default_mandatory(monkeypatch):
    monkeypatch.delenv("DO_PLATFORM_POLICY_OVERRIDE", raising=False)
    assert g.StackContext.from_config("dev", {"do-platform:environment": "development"}).enforcement.value == "advisory"
    prod = g.StackContext.from_config("prod", {"do-platform:environment": "production"})
    assert prod.production and prod.enforcement.value == "mandatory"
    lowered = {"do-platform:environment": "production", "do-platform:policyEnforcement": "advisory"}
    # the stack file alone cannot lower production (fail closed); the reviewed override outside it can
    assert g.StackContext.from_config("prod", lowered).enforcement.value == "mandatory"
    monkeypatch.setenv("DO_PLATFORM_POLICY_OVERRIDE", "prod:advisory")
    assert g.StackContext.from_config("prod", lowered).enforcement.value == "advisory"
    monkeypatch.setenv("DO_PLATFORM_POLICY_OVERRIDE", "staging:advisory,prod:disabled")  # names another level
    assert g.StackContext.from_config("prod", lowered).enforcement.value == "mandatory"


def test_bad_enforcement_names_the_key_and_allowed_values():
    with pytest.raises(ConfigError) as err:
        g.StackContext.from_config("dev", {"do-platform:policyEnforcement": "strict"})
    assert "do-platform:policyEnforcement" in err.value.message and "mandatory" in err.value.message


SPLIT_WORLD = [
    (["0.0.0.0/1", "128.0.0.0/1"], "22"),
    (["::/1", "8000::/1"], "22"),
    (["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"], "3389"),
    (["0.0.0.0/1"], "1-65534"),  # half the internet, every port but one: SSH included
    (["1.0.0.0/8"], "5432"),  # a /8 is far more than any admin network
    (["2000::/3"], "20-30"),
]


@pytest.mark.parametrize(("sources", "ports"), SPLIT_WORLD)


def test_split_ranges_that_cover_the_internet_are_world_open(sources, ports):
    props = fw({"protocol": "tcp", "portRange": ports, "sourceAddresses": sources})
    assert "no-public-admin-ports" in rules_hit(g.FIREWALL, props, PROD)


def test_halves_in_separate_rules_are_judged_together():
    props = fw({"protocol": "tcp", "portRange": "22", "sourceAddresses": ["0.0.0.0/1"]},
               {"protocol": "tcp", "portRange": "20-25", "sourceAddresses": ["128.0.0.0/1"]})
    (message,) = g.no_public_admin_ports(g.FIREWALL, props, PROD)
    assert "port 22 (SSH)" in message and "100.000% of public IPv4" in message


def test_the_world_open_share_is_configurable_and_private_space_never_counts():
    props = fw({"protocol": "tcp", "portRange": "22", "sourceAddresses": ["198.51.0.0/16"]})
    assert "no-public-admin-ports" not in rules_hit(g.FIREWALL, props, PROD)
    strict = g.StackContext("prod", Environment.production, PolicyEnforcement.mandatory, world_open_share=1e-6)
    assert "no-public-admin-ports" in rules_hit(g.FIREWALL, props, strict)
    private = fw({"protocol": "tcp", "portRange": "22",
                  "sourceAddresses": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]})
    assert "no-public-admin-ports" not in rules_hit(g.FIREWALL, private, PROD)
    assert g.public_share(["0.0.0.0/1", "128.0.0.0/1"]) == g.public_share(["0.0.0.0/0"]) == {4: 1.0, 6: 0.0}


@pytest.mark.parametrize("firewall", [None, {"enabled": False, "allowedAddresses": ["203.0.113.10/32"]},
                                      {"enabled": True, "allowedAddresses": []},
                                      {"enabled": True, "allowedAddresses": ["0.0.0.0/0"]},
                                      {"enabled": True, "allowedAddresses": ["0.0.0.0/1", "128.0.0.0/1"]}])


def test_kubernetes_api_open_to_the_internet_is_reported_in_staging_and_production(firewall):
    props = {**K8S_OK, "tags": ["env:staging"], "controlPlaneFirewall": firewall}
    assert "kubernetes-control-plane-allowlist" in rules_hit(g.KUBERNETES_CLUSTER, props, STAGING)
    assert "kubernetes-control-plane-allowlist" in rules_hit(g.KUBERNETES_CLUSTER, {**props, "tags": ["env:prod"]},
                                                             PROD)
    assert "kubernetes-control-plane-allowlist" not in rules_hit(g.KUBERNETES_CLUSTER, {**props, "tags": ["env:dev"]},
                                                                 DEV)
    assert "kubernetes-control-plane-allowlist" not in rules_hit(g.KUBERNETES_CLUSTER, K8S_OK, PROD)


@pytest.mark.parametrize("sources", [["::ffff:0.0.0.0/96"], ["::ffff:0:0/97", "::ffff:128.0.0.0/97"], ["64:ff9b::/96"]])


def test_ipv4_written_as_ipv6_counts_as_ipv4(sources):
    """IPv4-mapped and NAT64 ranges reach IPv4 addresses: judged as the IPv4 range they carry."""
    props = fw({"protocol": "tcp", "portRange": "22", "sourceAddresses": sources})
    assert "no-public-admin-ports" in rules_hit(g.FIREWALL, props, PROD)
    assert g.public_share(["::/0"]) == {4: 1.0, 6: 1.0}


# --- no-public-bucket: one rule (config.public_bucket_problem) for the config and the guardrail ----------------

PUBLIC_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, ' \
                '"Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::site/*"]}]}'


@pytest.mark.parametrize(("resource_type", "props"), [
    (g.SPACES_BUCKET, {"name": "site", "acl": "public-read"}),
    (g.SPACES_BUCKET_OBJECT, {"bucket": "site", "key": "index.html", "acl": "public-read"}),
    (g.SPACES_BUCKET_POLICY, {"bucket": "site", "region": "nyc3", "policy": PUBLIC_POLICY}),
])


def test_a_public_bucket_in_production_is_a_violation_unless_declared_a_public_site(resource_type, props):
    [violation] = g.check_resource(resource_type, props, PROD)
    assert violation.rule == "no-public-bucket" and "bucket site" in violation.message
    assert "objectStore.publicSite: true" in violation.message
    declared = g.StackContext("prod", Environment.production, PolicyEnforcement.mandatory,
                              public_buckets=frozenset({"site"}))
    assert rules_hit(resource_type, props, declared) == set()
    other = g.StackContext("prod", Environment.production, PolicyEnforcement.mandatory,
                           public_buckets=frozenset({"another-bucket"}))
    assert rules_hit(resource_type, props, other) == {"no-public-bucket"}  # the declaration names the bucket
    assert rules_hit(resource_type, props, DEV) == set()  # development may share files publicly


@pytest.mark.parametrize("props", [
    {"name": "site", "acl": "private"}, {"name": "site"},
    {"bucket": "site", "policy": PUBLIC_POLICY.replace('"Allow"', '"Deny"')},
    {"bucket": "site", "policy": PUBLIC_POLICY.replace('["*"]', '["arn:aws:iam::123:user/ci"]')},
    {"bucket": "site", "policy": PUBLIC_POLICY.replace('"Resource"', '"Condition": {"IpAddress": {"aws:SourceIp": '
                                                       '"203.0.113.0/24"}}, "Resource"')},
])


def test_a_private_bucket_or_a_policy_that_names_its_readers_is_fine(props):
    resource_type = g.SPACES_BUCKET_POLICY if "policy" in props else g.SPACES_BUCKET
    assert rules_hit(resource_type, props, PROD) == set()


def test_an_unknown_acl_or_policy_fails_closed_in_production():
    unknown = g.UNKNOWN_VALUES.__iter__().__next__()
    [violation] = g.check_resource(g.SPACES_BUCKET_POLICY, {"bucket": "site", "policy": unknown}, PROD)
    assert "can't be known before `up`" in violation.message
    assert rules_hit(g.SPACES_BUCKET, {"name": unknown, "acl": "public-read"}, PROD) == {"no-public-bucket"}


def test_the_public_site_declaration_is_read_from_the_stack_config():
    raw = {"do-platform:environment": "production",
           "do-platform:objectStore": {"enabled": True, "bucket": "acme-site", "acl": "public-read",
                                       "publicSite": True}}
    assert g.StackContext.from_config("prod", raw).public_buckets == {"acme-site"}
    as_pulumi_sees_it = {**raw, "do-platform:objectStore": '{"enabled": true, "publicSite": true}'}
    assert g.StackContext.from_config("prod", as_pulumi_sees_it).public_buckets == {"do-platform-prod-objects"}
    for store in ({"enabled": True, "bucket": "acme-site"}, {"enabled": False, "publicSite": True},
                  {"enabled": True, "publicSite": True, "acl": "public-read-write"}, "{not json"):
        assert g.StackContext.from_config("prod", {**raw, "do-platform:objectStore": store}).public_buckets == set()


def _replica(urn="urn:replica", parent="urn:db", **props):
    return g.StackResource(urn=urn, type=g.DATABASE_REPLICA, props={"privateNetworkUuid": "vpc-1", **props},
                           parent=parent)


PROD = g.StackContext("prod", g.Environment.production, g.PolicyEnforcement.mandatory)


def test_a_replica_needs_a_firewall_of_its_own():
    cluster_fw = _dbfw([{"type": "tag", "value": "web"}], refs=["urn:db"])
    found = g.database_network([_db(), cluster_fw, _replica()], DEV)
    assert [(v.urn, "replica without a database firewall" in v.message) for v in found] == [("urn:replica", True)]
    own = _dbfw([{"type": "tag", "value": "web"}], urn="urn:replica-fw", parent="urn:replica", refs=["urn:replica"])
    assert g.database_network([_db(), cluster_fw, _replica(), own], DEV) == []


def test_a_production_replica_stays_in_its_clusters_vpc():
    fws = [_dbfw([{"type": "tag", "value": "web"}], refs=["urn:db"]),
           _dbfw([{"type": "tag", "value": "web"}], urn="urn:rfw", parent="urn:replica", refs=["urn:replica"])]
    assert g.database_network([_db(), *fws, _replica()], PROD) == []
    elsewhere = _replica(privateNetworkUuid="vpc-2")
    assert ["not its cluster's (vpc-1)" in v.message for v in g.database_network([_db(), *fws, elsewhere], PROD)] \
        == [True]
    outside = g.StackResource(urn="urn:replica", type=g.DATABASE_REPLICA, props={}, parent="urn:db")
    assert ["replica outside a VPC" in v.message for v in g.database_network([_db(), *fws, outside], PROD)] == [True]
    assert g.database_network([_db(), *fws, outside], DEV) == []  # another region's default VPC, outside production
