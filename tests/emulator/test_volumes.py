"""Volumes: create/get/list/delete, attach/detach/resize actions that update both sides."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError


def droplet(client, name="web", region="nyc3", **extra):
    body = {"name": name, "region": region, "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", **extra}
    return client.droplets.create(body)["droplet"]


def volume(client, name="data", region="nyc3", size=10, **extra):
    return client.volumes.create({"name": name, "region": region, "size_gigabytes": size, **extra})["volume"]


def test_round_trip(client):
    created = volume(client, description="db files", filesystem_type="ext4", filesystem_label="db", tags=["db"])
    assert created["region"]["slug"] == "nyc3" and created["droplet_ids"] == []
    assert (created["filesystem_type"], created["filesystem_label"], created["tags"]) == ("ext4", "db", ["db"])
    assert client.volumes.get(created["id"])["volume"]["name"] == "data"
    assert [v["id"] for v in client.volumes.list(region="nyc3")["volumes"]] == [created["id"]]
    assert client.volumes.list(name="other")["volumes"] == []
    client.volumes.delete(created["id"])
    assert client.volumes.get(created["id"])["id"] == "not_found"


def test_attach_detach_update_both_sides(client):
    d = droplet(client)
    v = volume(client)
    action = client.volume_actions.post_by_id(v["id"], {"type": "attach", "droplet_id": d["id"]})["action"]
    assert (action["type"], action["resource_type"]) == ("attach_volume", "volume")
    assert client.volumes.get(v["id"])["volume"]["droplet_ids"] == [d["id"]]
    assert client.droplets.get(d["id"])["droplet"]["volume_ids"] == [v["id"]]
    assert client.actions.get(action["id"])["action"]["completed_at"] is not None
    listed = client.volume_actions.list(v["id"])["actions"]
    assert [a["id"] for a in listed] == [action["id"]]
    assert client.volume_actions.get(v["id"], action["id"])["action"]["type"] == "attach_volume"
    with pytest.raises(HttpResponseError) as err:
        client.volumes.delete(v["id"])
    assert "detach it before deleting" in err.value.response.json()["message"]
    client.volume_actions.post_by_id(v["id"], {"type": "detach", "droplet_id": d["id"]})
    assert client.volumes.get(v["id"])["volume"]["droplet_ids"] == []
    assert client.droplets.get(d["id"])["droplet"]["volume_ids"] == []


def test_actions_by_name_and_resize(client):
    d = droplet(client)
    volume(client, name="logs")
    client.volume_actions.post({"type": "attach", "volume_name": "logs", "region": "nyc3", "droplet_id": d["id"]})
    assert len(client.droplets.get(d["id"])["droplet"]["volume_ids"]) == 1
    v = client.volumes.list(name="logs")["volumes"][0]
    client.volume_actions.post_by_id(v["id"], {"type": "resize", "size_gigabytes": 50, "region": "nyc3"})
    assert client.volumes.get(v["id"])["volume"]["size_gigabytes"] == 50
    with pytest.raises(HttpResponseError) as err:
        client.volume_actions.post_by_id(v["id"], {"type": "resize", "size_gigabytes": 20})
    assert "volumes cannot shrink" in err.value.response.json()["message"]


def test_attach_rules(client):
    d1, d2 = droplet(client, "a"), droplet(client, "b")
    far = droplet(client, "c", region="fra1")
    v = volume(client)
    with pytest.raises(HttpResponseError) as err:
        client.volume_actions.post_by_id(v["id"], {"type": "attach", "droplet_id": far["id"]})
    assert "must share a region" in err.value.response.json()["message"]
    client.volume_actions.post_by_id(v["id"], {"type": "attach", "droplet_id": d1["id"]})
    with pytest.raises(HttpResponseError) as err:
        client.volume_actions.post_by_id(v["id"], {"type": "attach", "droplet_id": d2["id"]})
    assert "already attached to droplet" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.volume_actions.post_by_id(v["id"], {"type": "detach", "droplet_id": d2["id"]})
    assert "is not attached to droplet" in err.value.response.json()["message"]


def test_droplet_create_with_volumes_as_objects_or_strings_and_delete_detaches(client):
    a, b, c = volume(client, "a"), volume(client, "b"), volume(client, "c")
    d = droplet(client, volumes=[{"id": a["id"]}, b["id"], {"name": "c"}])
    assert d["volume_ids"] == [a["id"], b["id"], c["id"]]
    assert client.volumes.get(a["id"])["volume"]["droplet_ids"] == [d["id"]]
    client.droplets.destroy(d["id"])
    assert client.volumes.get(b["id"])["volume"]["droplet_ids"] == []


def test_validation_and_delete_by_name(client):
    for body, needle in [({"name": "x", "region": "nyc3", "size_gigabytes": 0}, "size_gigabytes must be"),
                         ({"name": "Upper", "region": "nyc3", "size_gigabytes": 1}, "name 'Upper'"),
                         ({"name": "x", "region": "nyc3", "size_gigabytes": 1, "filesystem_type": "zfs"},
                          "filesystem_type must be one of ext4, xfs"),
                         ({"name": "x", "size_gigabytes": 1}, "region is required")]:
        with pytest.raises(HttpResponseError) as err:
            client.volumes.create(body)
        assert err.value.status_code == 422 and needle in err.value.response.json()["message"]
    volume(client, "gone")
    client.volumes.delete_by_name(name="gone", region="nyc3")
    assert client.volumes.list()["volumes"] == []


def test_list_paginates(client):
    for i in range(5):
        volume(client, f"v{i}")
    page = client.volumes.list(per_page=2, page=3)
    assert [v["name"] for v in page["volumes"]] == ["v4"] and "prev" in page["links"]["pages"]


def test_provider_attachment_flow_with_wait_for_action(emulator):
    """Attachment create: GET volume, POST attach (202), WaitForAction on /v2/actions/{id}."""
    emulator.state.clock.freeze()
    emulator.state.settings.lifecycle_delay = 2
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    body = {"name": "db", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    droplet_id = http.post("/v2/droplets", json=body).json()["droplet"]["id"]
    godo_body = {"name": "pg", "region": "nyc3", "size_gigabytes": 5, "snapshot_id": "", "filesystem_type": "",
                 "tags": []}
    volume_id = http.post("/v2/volumes", json=godo_body).json()["volume"]["id"]
    pending = http.post(f"/v2/volumes/{volume_id}/actions", json={"type": "attach", "droplet_id": droplet_id})
    assert pending.status_code == 422 and pending.json()["message"] == "Droplet already has a pending event."
    emulator.state.clock.advance(2)
    response = http.post(f"/v2/volumes/{volume_id}/actions", json={"type": "attach", "droplet_id": droplet_id})
    assert response.status_code == 202
    action_id = response.json()["action"]["id"]
    assert http.get(f"/v2/actions/{action_id}").json()["action"]["completed_at"] is None
    emulator.state.clock.advance(2)
    assert http.get(f"/v2/actions/{action_id}").json()["action"]["status"] == "completed"
    assert http.get(f"/v2/volumes/{volume_id}").json()["volume"]["droplet_ids"] == [droplet_id]


def test_volume_snapshots_round_trip_and_restore(client):
    v = volume(client, size=20)
    snap = client.volume_snapshots.create(v["id"], {"name": "nightly", "tags": ["backup"]})["snapshot"]
    assert (snap["resource_id"], snap["resource_type"], snap["min_disk_size"]) == (v["id"], "volume", 20)
    assert client.volume_snapshots.get_by_id(snap["id"])["snapshot"]["name"] == "nightly"
    assert [s["id"] for s in client.volume_snapshots.list(v["id"])["snapshots"]] == [snap["id"]]
    assert client.tags.get("backup")["tag"]["resources"]["volume_snapshots"]["count"] == 1
    with pytest.raises(HttpResponseError) as err:
        volume(client, "small", size=10, snapshot_id=snap["id"])
    assert "at least the snapshot's 20" in err.value.response.json()["message"]
    restored = volume(client, "restored", size=30, snapshot_id=snap["id"])
    assert restored["size_gigabytes"] == 30
    client.volume_snapshots.delete_by_id(snap["id"])
    assert client.volume_snapshots.get_by_id(snap["id"])["id"] == "not_found"
    assert client.tags.get("backup")["tag"]["resources"]["count"] == 0


def test_snapshots_endpoint_lists_droplet_and_volume_snapshots(client):
    d = droplet(client)
    client.droplet_actions.post(d["id"], {"type": "snapshot", "name": "drop-snap"})
    v = volume(client)
    client.volume_snapshots.create(v["id"], {"name": "vol-snap"})
    everything = client.snapshots.list()["snapshots"]
    assert [(s["name"], s["resource_type"]) for s in everything] == [("drop-snap", "droplet"), ("vol-snap", "volume")]
    droplet_only = client.snapshots.list(resource_type="droplet")["snapshots"]
    assert droplet_only[0]["resource_id"] == str(d["id"])
    assert client.snapshots.get(droplet_only[0]["id"])["snapshot"]["name"] == "drop-snap"
    client.snapshots.delete(droplet_only[0]["id"])
    assert client.droplets.get(d["id"])["droplet"]["snapshot_ids"] == []
    assert [s["name"] for s in client.snapshots.list()["snapshots"]] == ["vol-snap"]


def test_volume_limit_from_account(emulator, client):
    emulator.control.seed("account", {"volume_limit": 1})
    volume(client, "one")
    with pytest.raises(HttpResponseError) as err:
        volume(client, "two")
    assert "exceed your volume limit of 1" in err.value.response.json()["message"]
