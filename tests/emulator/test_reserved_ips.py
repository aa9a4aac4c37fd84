"""Reserved IPs (and their old name, floating IPs) and reserved IPv6 through PyDo: reserve, assign, move,
unassign, delete; actions; the droplet looked up at every read; the account's limit."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError


def _droplet(client, name="web", region="nyc3"):
    body = {"name": name, "region": region, "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    return client.droplets.create(body)["droplet"]["id"]


def test_reserve_to_a_region_then_assign_move_and_unassign(client):
    reserved = client.reserved_ips.create({"region": "nyc3"})["reserved_ip"]
    ip = reserved["ip"]
    assert reserved["droplet"] is None and reserved["region"]["slug"] == "nyc3" and reserved["locked"] is False
    first, second = _droplet(client, "a"), _droplet(client, "b")
    action = client.reserved_ips_actions.post(ip, {"type": "assign", "droplet_id": first})["action"]
    assert action["type"] == "assign_ip" and action["resource_type"] == "reserved_ip"
    assert client.reserved_ips.get(ip)["reserved_ip"]["droplet"]["id"] == first
    client.reserved_ips_actions.post(ip, {"type": "assign", "droplet_id": second})
    assert client.reserved_ips.get(ip)["reserved_ip"]["droplet"]["id"] == second
    client.reserved_ips_actions.post(ip, {"type": "unassign"})
    assert client.reserved_ips.get(ip)["reserved_ip"]["droplet"] is None
    actions = client.reserved_ips_actions.list(ip)["actions"]
    assert [a["type"] for a in actions] == ["unassign_ip", "assign_ip", "assign_ip"]
    assert client.reserved_ips_actions.get(ip, actions[0]["id"])["action"]["status"] == "completed"
    with pytest.raises(HttpResponseError) as err:
        client.reserved_ips_actions.post(ip, {"type": "unassign"})
    assert err.value.status_code == 422 and "not assigned" in err.value.response.json()["message"]
    client.reserved_ips.delete(ip)
    assert client.reserved_ips.get(ip)["id"] == "not_found"


def test_reserve_to_a_droplet_and_the_droplet_going_away(client):
    droplet_id = _droplet(client, region="fra1")
    created = client.reserved_ips.create({"droplet_id": droplet_id})
    ip = created["reserved_ip"]["ip"]
    assert created["reserved_ip"]["region"]["slug"] == "fra1" and created["reserved_ip"]["droplet"]["id"] == droplet_id
    assert created["links"]["actions"][0]["href"].startswith("https://api.digitalocean.com/v2/actions/")
    client.droplets.destroy(droplet_id)
    assert client.reserved_ips.get(ip)["reserved_ip"]["droplet"] is None


def test_floating_ips_are_the_same_addresses_under_their_old_name(emulator, client):
    """PyDo dropped the old name; godo (the provider) still calls /v2/floating_ips."""
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    created = http.post("/v2/floating_ips", json={"region": "ams3"})
    assert created.status_code == 202
    ip = created.json()["floating_ip"]["ip"]
    assert client.reserved_ips.get(ip)["reserved_ip"]["region"]["slug"] == "ams3"
    assert [f["ip"] for f in http.get("/v2/floating_ips").json()["floating_ips"]] == [ip]
    droplet_id = _droplet(client, region="ams3")
    action = http.post(f"/v2/floating_ips/{ip}/actions", json={"type": "assign", "droplet_id": droplet_id})
    assert action.status_code == 201 and action.json()["action"]["resource_type"] == "floating_ip"
    assert http.get(f"/v2/floating_ips/{ip}").json()["floating_ip"]["droplet"]["id"] == droplet_id
    listed = http.get(f"/v2/floating_ips/{ip}/actions").json()["actions"]
    assert http.get(f"/v2/floating_ips/{ip}/actions/{listed[0]['id']}").json()["action"]["type"] == "assign_ip"
    assert http.delete(f"/v2/floating_ips/{ip}").status_code == 204


@pytest.mark.parametrize("body, needle", [
    ({}, "either droplet_id"), ({"region": "nyc3", "droplet_id": 1}, "either droplet_id"),
    ({"region": "mars1"}, "region 'mars1'"), ({"droplet_id": 424242}, "droplet_id 424242"),
    ({"region": "nyc3", "project_id": "00000000-0000-4000-8000-000000000000"}, "project_id")])
def test_bad_creates_name_the_field(client, body, needle):
    with pytest.raises(HttpResponseError) as err:
        client.reserved_ips.create(body)
    assert err.value.status_code in (404, 422) and needle in err.value.response.json()["message"]


def test_assign_checks_the_region_and_the_limit(emulator, client):
    ip = client.reserved_ips.create({"region": "nyc3"})["reserved_ip"]["ip"]
    elsewhere = _droplet(client, region="sfo3")
    with pytest.raises(HttpResponseError) as err:
        client.reserved_ips_actions.post(ip, {"type": "assign", "droplet_id": elsewhere})
    assert err.value.status_code == 422 and "reserved to nyc3" in err.value.response.json()["message"]
    emulator.control.seed("account", {"floating_ip_limit": 1})
    with pytest.raises(HttpResponseError) as err:
        client.reserved_ips.create({"region": "nyc3"})
    assert "limit of 1" in err.value.response.json()["message"]


def test_reserved_ipv6_round_trip(client):
    created = client.reserved_ipv6.create({"region_slug": "nyc3"})["reserved_ipv6"]
    ip = created["ip"]
    assert created["region_slug"] == "nyc3" and created["reserved_at"].endswith("Z")
    droplet_id = _droplet(client)
    action = client.reserved_ipv6_actions.post(ip, {"type": "assign", "droplet_id": droplet_id})["action"]
    assert action["resource_type"] == "reserved_ipv6"
    assert client.reserved_ipv6.get(ip)["reserved_ipv6"]["droplet"]["id"] == droplet_id
    refused = client.reserved_ipv6.delete(ip)  # PyDo hands the documented 422 back as the body
    assert refused["id"] == "unprocessable_entity" and "unassign it first" in refused["message"]
    client.reserved_ipv6_actions.post(ip, {"type": "unassign"})
    client.reserved_ipv6.delete(ip)
    assert client.reserved_ipv6.list()["reserved_ipv6s"] == []
