"""Droplets: create (single and multi), lifecycle, networks, actions, filters, pagination and delete."""

import ipaddress

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

BASE = {"region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
REQUIRED = {"id", "name", "memory", "vcpus", "disk", "locked", "status", "created_at", "features", "backup_ids",
            "next_backup_window", "snapshot_ids", "image", "volume_ids", "size", "size_slug", "networks", "region",
            "tags"}


def create(client, name="web-1", **extra):
    return client.droplets.create({"name": name, **BASE, **extra})


def test_round_trip(client):
    created = create(client, tags=["web"], ipv6=True, monitoring=True)
    droplet = created["droplet"]
    assert set(droplet) >= REQUIRED and droplet["status"] == "new" and droplet["id"] >= 1
    assert created["links"]["actions"][0]["rel"] == "create"
    got = client.droplets.get(droplet["id"])["droplet"]
    assert got["status"] == "active" and got["locked"] is False
    assert (got["region"]["slug"], got["size"]["slug"], got["image"]["slug"]) == ("nyc3", "s-1vcpu-1gb",
                                                                                   "ubuntu-24-04-x64")
    assert {"ipv6", "monitoring", "private_networking"} <= set(got["features"])
    assert got["tags"] == ["web"] and got["created_at"].endswith("Z")
    assert [d["id"] for d in client.droplets.list()["droplets"]] == [droplet["id"]]
    client.droplet_actions.post(droplet["id"], {"type": "rename", "name": "web-renamed"})
    assert client.droplets.get(droplet["id"])["droplet"]["name"] == "web-renamed"
    client.droplets.destroy(droplet["id"])
    assert client.droplets.get(droplet["id"])["id"] == "not_found"


def test_networks_are_filled_in_and_parse(client):
    vpc = client.vpcs.create({"name": "net", "region": "nyc3", "ip_range": "10.50.0.0/24"})["vpc"]
    droplet = create(client, vpc_uuid=vpc["id"], ipv6=True)["droplet"]
    v4 = {n["type"]: n for n in droplet["networks"]["v4"]}
    assert ipaddress.ip_address(v4["private"]["ip_address"]) in ipaddress.ip_network("10.50.0.0/24")
    assert v4["private"]["netmask"] == "255.255.255.0"
    assert ipaddress.ip_address(v4["public"]["ip_address"]).is_global
    v6 = droplet["networks"]["v6"][0]
    assert ipaddress.ip_address(v6["ip_address"]).version == 6 and v6["netmask"] == 64
    second = create(client, name="web-2", vpc_uuid=vpc["id"], public_networking=False)["droplet"]
    assert [n["type"] for n in second["networks"]["v4"]] == ["private"]
    assert second["networks"]["v4"][0]["ip_address"] != v4["private"]["ip_address"]


def test_lifecycle_polling_with_a_delay(emulator, client):
    emulator.state.clock.freeze()
    emulator.state.settings.lifecycle_delay = 10
    droplet_id = create(client)["droplet"]["id"]
    assert client.droplets.get(droplet_id)["droplet"]["status"] == "new"
    with pytest.raises(HttpResponseError) as err:
        client.droplet_actions.post(droplet_id, {"type": "power_off"})
    assert err.value.response.json()["message"] == "Droplet already has a pending event."
    emulator.state.clock.advance(10)
    assert client.droplets.get(droplet_id)["droplet"]["status"] == "active"


def test_image_by_int_and_multi_create(client):
    image_id = client.images.get("debian-12-x64")["image"]["id"]
    created = client.droplets.create({"names": ["a-1", "a-2", "a-3"], **BASE, "image": image_id, "tags": ["batch"]})
    assert [d["name"] for d in created["droplets"]] == ["a-1", "a-2", "a-3"]
    assert len(created["links"]["actions"]) == 3
    assert all(d["image"]["slug"] == "debian-12-x64" for d in created["droplets"])
    assert client.tags.get("batch")["tag"]["resources"]["droplets"]["count"] == 3


def test_list_filters_by_tag_and_name(client):
    create(client, name="a", tags=["front"])
    create(client, name="b", tags=["back"])
    assert [d["name"] for d in client.droplets.list(tag_name="front")["droplets"]] == ["a"]
    assert [d["name"] for d in client.droplets.list(name="b")["droplets"]] == ["b"]
    assert client.droplets.list(name="zzz")["droplets"] == []


def test_pagination_across_pages(emulator, client):
    emulator.control.seed("droplets", {"count": 45, "name_prefix": "bulk", "tags": ["bulk"]})
    seen, page = [], 1
    while True:
        body = client.droplets.list(per_page=20, page=page)
        seen += [d["name"] for d in body["droplets"]]
        pages = body["links"].get("pages", {})
        if page > 1:
            assert f"page={page - 1}" in pages["prev"]
        if "next" not in pages:
            break
        page += 1
    assert page == 3 and len(seen) == 45 and seen[0] == "bulk-1" and seen[-1] == "bulk-45"
    assert client.droplets.list(per_page=20)["meta"]["total"] == 45


def test_power_actions_and_already_off_message(client):
    droplet_id = create(client)["droplet"]["id"]
    action = client.droplet_actions.post(droplet_id, {"type": "power_off"})["action"]
    assert (action["type"], action["status"], action["resource_id"]) == ("power_off", "in-progress", droplet_id)
    assert client.droplets.get(droplet_id)["droplet"]["status"] == "off"
    with pytest.raises(HttpResponseError) as err:
        client.droplet_actions.post(droplet_id, {"type": "power_off"})
    assert err.value.status_code == 422
    assert "Droplet is already powered off" in err.value.response.json()["message"]
    client.droplet_actions.post(droplet_id, {"type": "power_on"})
    assert client.droplets.get(droplet_id)["droplet"]["status"] == "active"
    listed = client.droplet_actions.list(droplet_id)["actions"]
    assert [a["type"] for a in listed] == ["power_on", "power_off", "create"]
    assert client.droplet_actions.get(droplet_id, listed[0]["id"])["action"]["status"] == "completed"


def test_resize_requires_power_off_and_changes_size(client):
    droplet_id = create(client)["droplet"]["id"]
    with pytest.raises(HttpResponseError) as err:
        client.droplet_actions.post(droplet_id, {"type": "resize", "size": "s-2vcpu-4gb"})
    assert "power it off" in err.value.response.json()["message"]
    client.droplet_actions.post(droplet_id, {"type": "power_off"})
    client.droplet_actions.post(droplet_id, {"type": "resize", "size": "s-2vcpu-4gb", "disk": False})
    droplet = client.droplets.get(droplet_id)["droplet"]
    assert (droplet["size_slug"], droplet["memory"], droplet["vcpus"], droplet["disk"]) == ("s-2vcpu-4gb", 4096, 2, 25)
    client.droplet_actions.post(droplet_id, {"type": "resize", "size": "s-4vcpu-8gb", "disk": True})
    assert client.droplets.get(droplet_id)["droplet"]["disk"] == 160
    with pytest.raises(HttpResponseError) as err:
        client.droplet_actions.post(droplet_id, {"type": "resize", "size": "s-1vcpu-1gb"})
    assert "cannot shrink their disk" in err.value.response.json()["message"]


def test_backups_snapshot_and_ipv6_actions(client):
    droplet_id = create(client)["droplet"]["id"]
    client.droplet_actions.post(droplet_id, {"type": "enable_backups",
                                             "backup_policy": {"plan": "daily", "hour": 4}})
    droplet = client.droplets.get(droplet_id)["droplet"]
    assert "backups" in droplet["features"] and droplet["next_backup_window"]["start"].endswith("04:00:00Z")
    client.droplet_actions.post(droplet_id, {"type": "change_backup_policy",
                                             "backup_policy": {"plan": "weekly", "weekday": "TUE", "hour": 8}})
    policy = client.droplets.get_backup_policy(droplet_id)["policy"]
    assert policy["backup_enabled"] is True
    assert policy["backup_policy"] == {"plan": "weekly", "weekday": "TUE", "hour": 8, "window_length_hours": 4,
                                       "retention_period_days": 28}
    policies = client.droplets.list_backup_policies()["policies"]
    assert policies[str(droplet_id)]["backup_policy"]["weekday"] == "TUE"
    supported = client.droplets.list_supported_backup_policies()["supported_policies"]
    assert [p["name"] for p in supported] == ["weekly", "daily"]
    client.droplet_actions.post(droplet_id, {"type": "disable_backups"})
    assert client.droplets.get(droplet_id)["droplet"]["next_backup_window"] is None
    assert client.droplets.get_backup_policy(droplet_id)["policy"] == {"droplet_id": droplet_id,
                                                                       "backup_enabled": False}
    client.droplet_actions.post(droplet_id, {"type": "enable_ipv6"})
    assert client.droplets.get(droplet_id)["droplet"]["networks"]["v6"]
    client.droplet_actions.post(droplet_id, {"type": "snapshot", "name": "before-upgrade"})
    snapshots = client.droplets.list_snapshots(droplet_id)["snapshots"]
    assert [s["name"] for s in snapshots] == ["before-upgrade"]
    assert client.droplets.get(droplet_id)["droplet"]["snapshot_ids"] == [snapshots[0]["id"]]
    assert [i["name"] for i in client.images.list(private=True)["images"]] == ["before-upgrade"]


def test_validation_errors_name_the_field(client):
    cases = [({"name": "x", **BASE, "size": "s-99"}, "size 's-99' is not a valid size slug"),
             ({"name": "x", **BASE, "image": "nope"}, "image 'nope' is not a valid image"),
             ({"name": "bad_name!", **BASE}, "name 'bad_name!' is invalid"),
             ({**BASE}, "name is required"),
             ({"name": "x", **BASE, "region": "mars1"}, "region 'mars1' is not a valid region"),
             ({"name": "x", **BASE, "tags": ["ok", "not ok"]}, "tag 'not ok' is invalid")]
    for body, needle in cases:
        with pytest.raises(HttpResponseError) as err:
            client.droplets.create(body)
        assert err.value.status_code == 422 and needle in err.value.response.json()["message"], body
    with pytest.raises(HttpResponseError) as err:
        client.droplet_actions.post(create(client)["droplet"]["id"], {"type": "explode"})
    assert "type must be one of" in err.value.response.json()["message"]
    assert client.droplets.list()["meta"]["total"] == 1  # nothing half-created by the failures


def test_droplet_limit_from_account(emulator, client):
    emulator.control.seed("account", {"droplet_limit": 2})
    create(client, name="a")
    with pytest.raises(HttpResponseError) as err:
        client.droplets.create({"names": ["b", "c"], **BASE})
    assert "exceed your droplet limit of 2" in err.value.response.json()["message"]


def test_actions_and_delete_by_tag(client):
    for name in ("a", "b"):
        create(client, name=name, tags=["fleet"])
    actions = client.droplet_actions.post_by_tag({"type": "power_off"}, tag_name="fleet")["actions"]
    assert len(actions) == 2
    assert {d["status"] for d in client.droplets.list(tag_name="fleet")["droplets"]} == {"off"}
    client.droplets.destroy_by_tag(tag_name="fleet")
    assert client.droplets.list()["droplets"] == []


def test_provider_resize_sequence(emulator):
    """The provider's size update: power_off, poll off, resize, WaitForAction, power_on, poll active."""
    emulator.state.clock.freeze()
    emulator.state.settings.lifecycle_delay = 3
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    body = {"name": "app", "ssh_keys": None, "backups": False, "ipv6": False, "private_networking": False,
            "monitoring": False, "tags": [], "volumes": [], **BASE}
    response = http.post("/v2/droplets", json=body)
    assert response.status_code == 202
    droplet_id = response.json()["droplet"]["id"]

    def poll(target: str) -> None:
        for _ in range(5):
            droplet = http.get(f"/v2/droplets/{droplet_id}").json()["droplet"]
            if droplet["status"] == target and not droplet["locked"]:
                return
            emulator.state.clock.advance(1)
        raise AssertionError(f"droplet never reached {target}")

    def wait_action(action_id: int) -> None:
        for _ in range(5):
            if http.get(f"/v2/actions/{action_id}").json()["action"]["completed_at"] is not None:
                return
            emulator.state.clock.advance(1)
        raise AssertionError(f"action {action_id} never completed")

    poll("active")
    off = http.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "power_off"})
    assert off.status_code == 201
    poll("off")
    resize = http.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "resize", "size": "s-2vcpu-2gb",
                                                                  "disk": True})
    wait_action(resize.json()["action"]["id"])
    http.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "power_on"})
    poll("active")
    droplet = http.get(f"/v2/droplets/{droplet_id}").json()["droplet"]
    assert (droplet["size"]["slug"], droplet["disk"], droplet["size"]["price_monthly"]) == ("s-2vcpu-2gb", 60, 18.0)
    assert http.delete(f"/v2/droplets/{droplet_id}").status_code == 204
    assert http.get(f"/v2/droplets/{droplet_id}").status_code == 404


def test_state_file_keeps_droplets_tags_vpcs_and_projects(tmp_path):
    from do_platform.api.client import make_client
    from emulator import EmulatorServer

    state_file = str(tmp_path / "state.json")
    with EmulatorServer(state_file=state_file) as first:
        client = make_client(token="t", endpoint=first.url, retry_total=0)
        droplet = client.droplets.create({"name": "keep", **BASE, "tags": ["kept"]})["droplet"]
    with EmulatorServer(state_file=state_file) as second:
        client = make_client(token="t", endpoint=second.url, retry_total=0)
        again = client.droplets.get(droplet["id"])["droplet"]
        assert (again["name"], again["status"], again["tags"]) == ("keep", "active", ["kept"])
        assert client.tags.get("kept")["tag"]["resources"]["droplets"]["count"] == 1
        urns = [r["urn"] for r in client.projects.list_resources_default()["resources"]]
        assert urns == [f"do:droplet:{droplet['id']}"]
        assert client.droplets.create({"name": "next", **BASE})["droplet"]["id"] == droplet["id"] + 1


@pytest.mark.parametrize("action, before, after", [("shutdown", "active", "off"), ("reboot", "active", "active"),
                                                   ("power_cycle", "off", "active")])
def test_power_transitions(client, action, before, after):
    droplet_id = create(client)["droplet"]["id"]
    if before == "off":
        client.droplet_actions.post(droplet_id, {"type": "power_off"})
    assert client.droplets.get(droplet_id)["droplet"]["status"] == before
    assert client.droplet_actions.post(droplet_id, {"type": action})["action"]["type"] == action
    assert client.droplets.get(droplet_id)["droplet"]["status"] == after


def test_snapshot_image_update_and_delete(client):
    droplet_id = create(client)["droplet"]["id"]
    client.droplet_actions.post(droplet_id, {"type": "snapshot", "name": "s1"})
    image_id = client.droplets.list_snapshots(droplet_id)["snapshots"][0]["id"]
    updated = client.images.update(image_id, {"name": "s1-renamed", "distribution": "Ubuntu"})["image"]
    assert updated["name"] == "s1-renamed" and updated["public"] is False
    with pytest.raises(HttpResponseError) as err:
        client.images.delete(client.images.get("debian-12-x64")["image"]["id"])
    assert "is a public image" in err.value.response.json()["message"]
    client.images.delete(image_id)
    assert client.images.get(image_id)["id"] == "not_found"
    assert client.droplets.list_snapshots(droplet_id)["snapshots"] == []
    assert client.droplets.get(droplet_id)["droplet"]["snapshot_ids"] == []


def test_firewalls_of_a_droplet_by_id_or_tag(client):
    tagged = create(client, name="tagged", tags=["web"])["droplet"]
    direct = create(client, name="direct")["droplet"]
    rule = {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0"]}}
    by_tag = client.firewalls.create({"name": "web-fw", "inbound_rules": [rule], "tags": ["web"]})["firewall"]
    by_id = client.firewalls.create({"name": "ssh-fw", "inbound_rules": [rule], "droplet_ids": [direct["id"]]})
    assert [f["id"] for f in client.droplets.list_firewalls(tagged["id"])["firewalls"]] == [by_tag["id"]]
    assert [f["name"] for f in client.droplets.list_firewalls(direct["id"])["firewalls"]] == [by_id["firewall"]["name"]]


def test_region_may_be_omitted_or_a_prefix(client):
    """The API places a droplet without a region anywhere, and one with a region prefix (`nyc`) in one of its
    data centers (the provider's Droplet_Regionless acceptance test omits the region)."""
    body = {"size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    anywhere = client.droplets.create({"name": "anywhere", **body})["droplet"]
    assert anywhere["region"]["slug"] and anywhere["region"]["available"]
    assert "s-1vcpu-1gb" in anywhere["region"]["sizes"]
    nyc = client.droplets.create({"name": "in-nyc", "region": "nyc", **body})["droplet"]
    assert nyc["region"]["slug"].startswith("nyc") and nyc["region"]["available"]
    for region, needle in [("xyz", "region 'xyz' is not a valid region"), ("sfo1", "is not available")]:
        with pytest.raises(HttpResponseError) as err:
            client.droplets.create({"name": "bad", "region": region, **body})
        assert err.value.status_code == 422 and needle in err.value.response.json()["message"]


def test_a_missing_droplet_is_the_apis_generic_404(emulator):
    """The API answers a missing droplet with its generic message, which the provider's Droplet_importBasic
    acceptance test matches when importing droplet 123."""
    with httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"}) as http:
        answer = http.get("/v2/droplets/123")
    assert answer.status_code == 404
    assert answer.json()["id"] == "not_found"
    assert answer.json()["message"] == "The resource you were accessing could not be found."
