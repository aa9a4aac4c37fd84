"""Firewalls through PyDo: 202 create, full-replace update, droplets/tags/rules with DELETE bodies."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

RULES = {
    "inbound_rules": [
        {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0", "::/0"]}},
        {"protocol": "icmp", "sources": {"tags": ["web"]}},
    ],
    "outbound_rules": [{"protocol": "tcp", "ports": "all", "destinations": {"addresses": ["0.0.0.0/0"]}}],
}


def _create(client, **extra):
    return client.firewalls.create({"name": "fw-web", **RULES, **extra})["firewall"]


def test_create_get_list_update_delete(client):
    created = _create(client, tags=["web"])
    assert created["status"] == "waiting"
    assert created["inbound_rules"][1] == {"protocol": "icmp", "ports": "0", "sources": {"tags": ["web"]}}
    assert created["outbound_rules"][0]["destinations"] == {"addresses": ["0.0.0.0/0"]}

    fetched = client.firewalls.get(created["id"])["firewall"]
    assert fetched["status"] == "succeeded" and fetched["pending_changes"] == []
    assert fetched["tags"] == ["web"]
    assert [f["id"] for f in client.firewalls.list()["firewalls"]] == [created["id"]]

    updated = client.firewalls.update(created["id"], {"name": "fw-renamed", "inbound_rules": [
        {"protocol": "udp", "ports": "53"}]})["firewall"]
    assert updated["name"] == "fw-renamed"
    # full replace: outbound rules and tags not sent are gone; missing sources become {}
    assert updated["outbound_rules"] == [] and updated["tags"] == []
    assert updated["inbound_rules"] == [{"protocol": "udp", "ports": "53", "sources": {}}]

    client.firewalls.delete(created["id"])
    gone = client.firewalls.get(created["id"])
    assert gone["id"] == "not_found"


def test_add_and_remove_tags_and_rules_with_delete_bodies(client):
    fw = _create(client)
    client.firewalls.add_tags(fw["id"], {"tags": ["api", "db"]})
    client.firewalls.delete_tags(fw["id"], {"tags": ["db"]})
    extra = {"protocol": "tcp", "ports": "8000-9000", "sources": {"load_balancer_uids": ["lb-1"]}}
    client.firewalls.add_rules(fw["id"], {"inbound_rules": [extra]})
    client.firewalls.delete_rules(fw["id"], {"inbound_rules": [RULES["inbound_rules"][0]]})
    got = client.firewalls.get(fw["id"])["firewall"]
    assert got["tags"] == ["api"]
    assert [r["ports"] for r in got["inbound_rules"]] == ["0", "8000-9000"]


def _droplet(client, name):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    return client.droplets.create(body)["droplet"]["id"]


def test_droplet_membership_goes_through_pending_changes(emulator, client):
    fw = _create(client)
    first, second = _droplet(client, "web-1"), _droplet(client, "web-2")
    client.firewalls.assign_droplets(fw["id"], {"droplet_ids": [first, second]})
    raw = emulator.state.backend("firewalls").data["firewalls"][fw["id"]]
    assert [c["droplet_id"] for c in raw["pending_changes"]] == [first, second]
    got = client.firewalls.get(fw["id"])["firewall"]
    assert got["droplet_ids"] == [first, second] and got["status"] == "succeeded"
    client.firewalls.delete_droplets(fw["id"], {"droplet_ids": [first]})
    assert client.firewalls.get(fw["id"])["firewall"]["droplet_ids"] == [second]
    client.droplets.destroy(second)
    assert client.firewalls.get(fw["id"])["firewall"]["droplet_ids"] == []  # deleted droplets drop out


def test_unknown_droplet_is_422(client):
    fw = _create(client)
    with pytest.raises(HttpResponseError) as err:
        client.firewalls.assign_droplets(fw["id"], {"droplet_ids": [999999]})
    assert err.value.status_code == 422 and "droplet 999999" in err.value.response.json()["message"]


def test_tags_are_created_on_use(client):
    _create(client, tags=["edge"])
    assert client.tags.get("edge")["tag"]["name"] == "edge"


def test_lifecycle_delay_keeps_waiting_until_due(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=30)
    fw = _create(client)
    assert client.firewalls.get(fw["id"])["firewall"]["status"] == "waiting"
    emulator.state.clock.advance(31)
    assert client.firewalls.get(fw["id"])["firewall"]["status"] == "succeeded"


def test_pagination_across_pages(client):
    ids = [client.firewalls.create({"name": f"fw-{i}"})["firewall"]["id"] for i in range(5)]
    page1 = client.firewalls.list(per_page=2, page=1)
    page3 = client.firewalls.list(per_page=2, page=3)
    assert page1["meta"]["total"] == 5 and "next" in page1["links"]["pages"]
    assert "prev" in page3["links"]["pages"] and "next" not in page3["links"]["pages"]
    seen = [f["id"] for p in (1, 2, 3) for f in client.firewalls.list(per_page=2, page=p)["firewalls"]]
    assert seen == ids


@pytest.mark.parametrize("body, needle", [
    ({}, "name is required"),
    ({"name": "x", "inbound_rules": [{"protocol": "sctp", "ports": "1"}]}, "inbound_rules[0].protocol"),
    ({"name": "x", "inbound_rules": [{"protocol": "tcp"}]}, "inbound_rules[0].ports is required"),
    ({"name": "x", "inbound_rules": [{"protocol": "tcp", "ports": "70000"}]}, "1-65535"),
    ({"name": "x", "inbound_rules": [{"protocol": "tcp", "ports": "22", "sources": {"addresses": ["nope"]}}]},
     "addresses"),
    ({"name": "x", "droplet_ids": ["12"]}, "droplet_ids"),
])
def test_invalid_bodies_get_422_naming_the_field(client, body, needle):
    with pytest.raises(HttpResponseError) as err:
        client.firewalls.create(body)
    assert err.value.status_code == 422
    payload = err.value.response.json()
    assert payload["id"] == "unprocessable_entity" and needle in payload["message"]


def test_delete_unknown_firewall_is_404(emulator):
    response = httpx.delete(f"{emulator.url}/v2/firewalls/nope", headers={"Authorization": "Bearer t"})
    assert response.status_code == 404 and response.json()["id"] == "not_found"


def test_icmp_rule_echoes_the_ports_it_was_given(client):
    """An icmp rule sent with ports comes back with them (the provider's Firewall_icmp acceptance test sends
    `port_range = "1-65535"` and plans no change afterwards); without ports it comes back as "0"."""
    created = client.firewalls.create({
        "name": "fw-icmp",
        "inbound_rules": [{"protocol": "icmp", "sources": {"addresses": ["192.168.1.1/32"]}}],
        "outbound_rules": [{"protocol": "icmp", "ports": "1-65535",
                            "destinations": {"addresses": ["192.168.1.2/32"]}}],
    })["firewall"]
    assert created["inbound_rules"][0]["ports"] == "0"
    assert client.firewalls.get(created["id"])["firewall"]["outbound_rules"][0]["ports"] == "1-65535"
    with pytest.raises(HttpResponseError) as err:
        client.firewalls.create({"name": "fw-bad", "outbound_rules": [
            {"protocol": "icmp", "ports": "99999", "destinations": {"addresses": ["0.0.0.0/0"]}}]})
    assert "outbound_rules[0].ports must be within 1-65535" in err.value.response.json()["message"]
