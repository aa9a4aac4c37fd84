"""Load balancers through PyDo: 202 create, new→active, API defaults, forwarding rules, targets."""

import pytest
from azure.core.exceptions import HttpResponseError

HTTP_RULE = {"entry_protocol": "http", "entry_port": 80, "target_protocol": "http", "target_port": 8080}


def _create(client, **extra):
    body = {"name": "web-lb", "region": "nyc3", "forwarding_rules": [HTTP_RULE], **extra}
    return client.load_balancers.create(body)["load_balancer"]


def test_create_fills_defaults_and_goes_active(client):
    lb = _create(client, tag="web")
    assert lb["status"] == "new" and lb["ip"] == ""
    assert lb["health_check"] == {"protocol": "http", "port": 80, "path": "/", "check_interval_seconds": 10,
                                  "response_timeout_seconds": 5, "unhealthy_threshold": 5, "healthy_threshold": 3}
    assert lb["sticky_sessions"] == {"type": "none"}
    assert lb["size_unit"] == 1 and lb["region"]["slug"] == "nyc3"
    assert lb["firewall"] == {"allow": [], "deny": []} and lb["redirect_http_to_https"] is False
    assert lb["forwarding_rules"][0]["target_port"] == 8080
    got = client.load_balancers.get(lb["id"])["load_balancer"]
    assert got["status"] == "active" and got["ip"].count(".") == 3
    assert got["tag"] == "web" and got["droplet_ids"] == []


def test_vpc_uuid_defaults_to_region_default_vpc(emulator, client):
    lb = _create(client)
    if "vpcs" not in emulator.state.families:
        pytest.skip("vpcs family not installed")
    default = [v for v in client.vpcs.list()["vpcs"] if v["region"] == "nyc3" and v["default"]][0]
    assert lb["vpc_uuid"] == default["id"]
    other = client.vpcs.create({"name": "elsewhere", "region": "sfo3"})["vpc"]
    with pytest.raises(HttpResponseError) as err:
        _create(client, vpc_uuid=other["id"])
    assert err.value.status_code == 422 and "vpc_uuid" in err.value.response.json()["message"]


def test_lifecycle_delay_keeps_new(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=60)
    lb = _create(client)
    assert client.load_balancers.get(lb["id"])["load_balancer"]["status"] == "new"
    emulator.state.clock.advance(61)
    assert client.load_balancers.get(lb["id"])["load_balancer"]["status"] == "active"


def test_update_is_full_replace_and_delete_404s(client):
    lb = _create(client, health_check={"protocol": "tcp", "port": 22}, redirect_http_to_https=True)
    assert lb["health_check"]["protocol"] == "tcp" and lb["health_check"]["check_interval_seconds"] == 10
    updated = client.load_balancers.update(lb["id"], {
        "name": "web-lb-2", "region": "nyc3", "forwarding_rules": [HTTP_RULE],
        "sticky_sessions": {"type": "cookies", "cookie_name": "DO-LB", "cookie_ttl_seconds": 300},
        "firewall": {"deny": ["ip:198.51.100.7", "cidr:203.0.113.0/24"]}, "size_unit": 3})["load_balancer"]
    assert updated["name"] == "web-lb-2" and updated["size_unit"] == 3
    assert updated["redirect_http_to_https"] is False and updated["health_check"]["protocol"] == "http"
    assert updated["sticky_sessions"]["cookie_name"] == "DO-LB"
    assert updated["firewall"] == {"allow": [], "deny": ["ip:198.51.100.7", "cidr:203.0.113.0/24"]}
    assert updated["id"] == lb["id"] and updated["created_at"] == lb["created_at"]
    assert [x["name"] for x in client.load_balancers.list()["load_balancers"]] == ["web-lb-2"]
    client.load_balancers.delete(lb["id"])
    assert client.load_balancers.get(lb["id"])["id"] == "not_found"


def test_forwarding_rules_add_and_remove(client):
    lb = _create(client)
    tcp = {"entry_protocol": "tcp", "entry_port": 5432, "target_protocol": "tcp", "target_port": 5432}
    client.load_balancers.add_forwarding_rules(lb["id"], {"forwarding_rules": [tcp]})
    assert len(client.load_balancers.get(lb["id"])["load_balancer"]["forwarding_rules"]) == 2
    client.load_balancers.remove_forwarding_rules(lb["id"], {"forwarding_rules": [HTTP_RULE]})
    rules = client.load_balancers.get(lb["id"])["load_balancer"]["forwarding_rules"]
    assert [r["entry_port"] for r in rules] == [5432]
    with pytest.raises(HttpResponseError) as err:
        client.load_balancers.remove_forwarding_rules(lb["id"], {"forwarding_rules": [tcp]})
    assert err.value.status_code == 422


def test_https_rule_with_certificate(client):
    client.domains.create({"name": "example.com"})
    cert = client.certificates.create({"name": "c", "type": "lets_encrypt", "dns_names": ["example.com"]})
    rule = {"entry_protocol": "https", "entry_port": 443, "target_protocol": "http", "target_port": 80,
            "certificate_id": cert["certificate"]["id"]}
    lb = _create(client, forwarding_rules=[rule], redirect_http_to_https=True)
    assert lb["forwarding_rules"][0]["certificate_id"] == cert["certificate"]["id"]
    assert lb["redirect_http_to_https"] is True


def test_pagination(client):
    for i in range(3):
        _create(client, name=f"lb-{i}")
    page = client.load_balancers.list(per_page=2, page=2)
    assert [x["name"] for x in page["load_balancers"]] == ["lb-2"] and page["meta"]["total"] == 3
    assert "prev" in page["links"]["pages"]


@pytest.mark.parametrize("extra, needle", [
    ({"forwarding_rules": []}, "forwarding_rules is required"),
    ({"forwarding_rules": [{**HTTP_RULE, "entry_protocol": "ftp"}]},
     "forwarding_rules[0].entry_protocol must be one of"),
    ({"forwarding_rules": [{**HTTP_RULE, "entry_protocol": "https"}]}, "needs certificate_id"),
    ({"forwarding_rules": [{**HTTP_RULE, "certificate_id": "missing"}]}, "certificate 'missing' not found"),
    ({"region": "atlantis"}, "region"),
    ({"droplet_ids": [1], "tag": "web"}, "mutually exclusive"),
    ({"size": "lb-huge"}, "size must be one of"),
    ({"firewall": {"allow": ["1.2.3.4"]}}, "firewall.allow"),
    ({"health_check": {"protocol": "icmp"}}, "health_check.protocol must be one of"),
    ({"algorithm": "random"}, "algorithm must be one of"),
])
def test_invalid_bodies_get_422(client, extra, needle):
    with pytest.raises(HttpResponseError) as err:
        _create(client, **extra)
    assert err.value.status_code == 422
    assert err.value.response.json()["id"] == "unprocessable_entity" and needle in err.value.response.json()["message"]


def _droplet(client, name, **extra):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", **extra}
    return client.droplets.create(body)["droplet"]["id"]


def test_droplet_targets_are_checked_and_follow_deletes(client):
    first, second = _droplet(client, "a"), _droplet(client, "b")
    lb = _create(client, droplet_ids=[first])
    client.load_balancers.add_droplets(lb["id"], {"droplet_ids": [second]})
    assert client.load_balancers.get(lb["id"])["load_balancer"]["droplet_ids"] == [first, second]
    client.load_balancers.remove_droplets(lb["id"], {"droplet_ids": [first]})
    client.droplets.destroy(second)
    assert client.load_balancers.get(lb["id"])["load_balancer"]["droplet_ids"] == []
    with pytest.raises(HttpResponseError) as err:
        client.load_balancers.add_droplets(lb["id"], {"droplet_ids": [424242]})
    assert err.value.status_code == 422 and "droplet 424242" in err.value.response.json()["message"]


def test_without_a_tag_the_tag_field_is_empty_not_absent(client):
    """The API always sends ``tag`` ("" when the LB targets droplet_ids); create, get, list and update."""
    lb = _create(client)
    assert lb["tag"] == ""
    assert client.load_balancers.get(lb["id"])["load_balancer"]["tag"] == ""
    assert [b["tag"] for b in client.load_balancers.list()["load_balancers"]] == [""]
    body = {"name": "web-lb", "region": "nyc3", "forwarding_rules": [HTTP_RULE]}
    assert client.load_balancers.update(lb["id"], body)["load_balancer"]["tag"] == ""


def test_tag_target_lists_tagged_droplets(client):
    tagged = _droplet(client, "t", tags=["web"])
    _droplet(client, "u")
    lb = _create(client, tag="web")
    assert client.load_balancers.get(lb["id"])["load_balancer"]["droplet_ids"] == [tagged]


def test_lands_in_default_project_or_the_one_given(client):
    default = client.projects.get_default()["project"]
    lb = _create(client)
    assert client.load_balancers.get(lb["id"])["load_balancer"]["project_id"] == default["id"]
    urns = [r["urn"] for r in client.projects.list_resources(default["id"])["resources"]]
    assert f"do:loadbalancer:{lb['id']}" in urns
    other = client.projects.create({"name": "shop", "purpose": "Web Application"})["project"]
    moved = _create(client, name="lb2", project_id=other["id"])
    assert moved["project_id"] == other["id"]
    client.load_balancers.delete(moved["id"])
    assert client.projects.list_resources(other["id"])["resources"] == []


def test_global_load_balancer_with_domains_and_cache(client):
    client.domains.create({"name": "example.com"})
    cert = client.certificates.create({"name": "g", "type": "lets_encrypt", "dns_names": ["example.com"]})
    cert_id = cert["certificate"]["id"]
    regional = _create(client, name="origin")
    glb = client.load_balancers.create({
        "name": "edge", "type": "GLOBAL", "forwarding_rules": [HTTP_RULE],
        "glb_settings": {"target_protocol": "https", "target_port": 443, "cdn": {"is_enabled": True},
                         "region_priorities": {"nyc3": 1}},
        "domains": [{"name": "example.com", "is_managed": True, "certificate_id": cert_id}],
        "target_load_balancer_ids": [regional["id"]]})["load_balancer"]
    assert "region" not in glb and glb["glb_settings"]["cdn"] == {"is_enabled": True}
    assert glb["domains"][0]["certificate_id"] == cert_id
    assert glb["target_load_balancer_ids"] == [regional["id"]]
    client.load_balancers.delete_cache(glb["id"])
    with pytest.raises(HttpResponseError) as err:
        client.load_balancers.delete_cache(regional["id"])
    assert err.value.status_code == 422
    with pytest.raises(HttpResponseError) as err:
        client.certificates.delete(cert_id)
    assert err.value.status_code == 403


def test_global_load_balancer_needs_no_forwarding_rules(client):
    """A GLOBAL load balancer routes by glb_settings; the provider's GlobalLoadbalancer acceptance test sends no
    forwarding rule. A regional one still requires them."""
    regional = _create(client, name="origin")
    glb = client.load_balancers.create({
        "name": "edge", "type": "GLOBAL", "glb_settings": {"target_protocol": "http", "target_port": 80},
        "target_load_balancer_ids": [regional["id"]]})["load_balancer"]
    assert glb["forwarding_rules"] == []
    assert client.load_balancers.get(glb["id"])["load_balancer"]["type"] == "GLOBAL"
    with pytest.raises(HttpResponseError) as err:
        client.load_balancers.create({"name": "no-rules", "region": "nyc3"})
    assert err.value.status_code == 422 and "forwarding_rules is required" in err.value.response.json()["message"]


def test_global_load_balancer_has_no_network(client):
    """A GLOBAL load balancer answers no `network` (the provider's GlobalLoadBalancer data source test reads it
    empty); a regional one defaults to EXTERNAL."""
    regional = _create(client, name="origin")
    assert regional["network"] == "EXTERNAL"
    glb = client.load_balancers.create({
        "name": "edge", "type": "GLOBAL", "glb_settings": {"target_protocol": "http", "target_port": 80},
        "target_load_balancer_ids": [regional["id"]]})["load_balancer"]
    assert "network" not in glb and "network" not in client.load_balancers.get(glb["id"])["load_balancer"]
