"""Destroying a droplet with its associated resources, and the droplet's read-only neighbours."""

import httpx
import pytest


def _droplet_with_resources(client):
    volume = client.volumes.create({"name": "data", "region": "nyc3", "size_gigabytes": 100})["volume"]
    droplet = client.droplets.create({"name": "web", "region": "nyc3", "size": "s-1vcpu-1gb",
                                      "image": "ubuntu-24-04-x64", "volumes": [volume["id"]]})["droplet"]
    snapshot = client.volume_snapshots.create(volume["id"], {"name": "data-snap"})["snapshot"]
    client.droplet_actions.post(droplet["id"], {"type": "snapshot", "name": "web-snap"})
    ip = client.reserved_ips.create({"droplet_id": droplet["id"]})["reserved_ip"]["ip"]
    return droplet["id"], volume["id"], snapshot["id"], ip


def test_listing_names_every_associated_resource_with_its_cost(client):
    droplet_id, volume_id, snapshot_id, ip = _droplet_with_resources(client)
    listed = client.droplets.list_associated_resources(droplet_id)
    assert [(v["id"], v["cost"]) for v in listed["volumes"]] == [(volume_id, "10.00")]
    assert [s["id"] for s in listed["volume_snapshots"]] == [snapshot_id]
    assert [r["id"] for r in listed["reserved_ips"]] == [ip] and listed["floating_ips"] == listed["reserved_ips"]
    assert [s["name"] for s in listed["snapshots"]] == ["web-snap"]


def test_selective_destroy_keeps_what_was_not_named(client):
    droplet_id, volume_id, snapshot_id, ip = _droplet_with_resources(client)
    client.droplets.destroy_with_associated_resources_selective(droplet_id, {"reserved_ips": [ip],
                                                                             "volume_snapshots": [snapshot_id]})
    assert client.droplets.get(droplet_id)["id"] == "not_found"
    assert client.reserved_ips.get(ip)["id"] == "not_found"
    assert client.volumes.get(volume_id)["volume"]["droplet_ids"] == []  # kept, detached
    status = client.droplets.get_destroy_associated_resources_status(droplet_id)
    assert status["failures"] == 0 and status["droplet"]["id"] == str(droplet_id)
    assert status["resources"]["reserved_ips"][0]["destroyed_at"].endswith("Z")
    assert status["resources"]["volumes"] == []


def test_dangerous_destroy_takes_everything_and_needs_its_header(emulator, client):
    droplet_id, volume_id, _snapshot_id, ip = _droplet_with_resources(client)
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    path = f"/v2/droplets/{droplet_id}/destroy_with_associated_resources/dangerous"
    assert http.delete(path).status_code == 400
    assert http.delete(path, headers={"X-Dangerous": "true"}).status_code == 202
    assert client.volumes.get(volume_id)["id"] == "not_found" and client.reserved_ips.get(ip)["id"] == "not_found"
    assert client.snapshots.list(resource_type="droplet")["snapshots"] == []
    retry = http.post(f"/v2/droplets/{droplet_id}/destroy_with_associated_resources/retry")
    assert retry.status_code == 409  # nothing failed


def test_a_resource_of_another_droplet_is_refused(client):
    droplet_id, *_ = _droplet_with_resources(client)
    with pytest.raises(Exception) as err:
        client.droplets.destroy_with_associated_resources_selective(droplet_id, {"volumes": ["nope"]})
    assert "not associated with droplet" in err.value.response.json()["message"]
    assert client.droplets.get(droplet_id)["droplet"]["id"] == droplet_id


def test_kernels_neighbors_and_backups_are_truthfully_empty(client):
    droplet_id = client.droplets.create({"name": "x", "region": "nyc3", "size": "s-1vcpu-1gb",
                                         "image": "ubuntu-24-04-x64"})["droplet"]["id"]
    assert client.droplets.list_kernels(droplet_id)["kernels"] == []
    assert client.droplets.list_neighbors(droplet_id)["droplets"] == []
    assert client.droplets.list_backups(droplet_id)["backups"] == []
    assert client.droplets.list_neighbors_ids()["neighbor_ids"] == []
    assert client.droplets.list_kernels(99999)["id"] == "not_found"
