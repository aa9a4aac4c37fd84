"""NFS shares through PyDo: CREATING → ACTIVE in a VPC, the default access point, actions, snapshots,
access points pinned to a VPC."""

import pytest
from azure.core.exceptions import HttpResponseError

POLICY = {"anonuid": 65534, "anongid": 65534, "protocols": ["NFS4"], "squash_config": "ROOT_SQUASH",
          "identity_enforcement_enabled": False}


def _vpc(client, name="storage-net", region="atl1"):
    return client.vpcs.create({"name": name, "region": region})["vpc"]["id"]


def test_share_lifecycle_actions_and_snapshots(client):
    vpc = _vpc(client)
    share = client.nfs.create({"name": "data", "size_gib": 100, "region": "atl1", "vpc_ids": [vpc]})["share"]
    assert share["status"] == "CREATING" and share["host"].startswith("10.")
    assert [p["path"] for p in share["access_points"]] == ["/"]
    got = client.nfs.get(share["id"])["share"]
    assert got["status"] == "ACTIVE" and got["performance_tier"] == "standard"
    resized = client.nfs.create_action(share["id"], {"type": "resize", "params": {"size_gib": 200}})["action"]
    assert resized["type"] == "RESIZE_SHARE" and resized["resource_type"] == "SHARE"
    assert client.nfs.get(share["id"])["share"]["size_gib"] == 200
    snap = client.nfs.create_action(share["id"], {"type": "snapshot", "params": {"name": "nightly"}})["action"]
    snapshots = client.nfs.list_snapshot(share_id=share["id"])["snapshots"]
    assert [s["id"] for s in snapshots] == [snap["resource_id"]] and snapshots[0]["status"] == "ACTIVE"
    client.nfs.create_action(share["id"], {"type": "detach", "params": {"vpc_id": vpc}})
    assert client.nfs.get(share["id"])["share"]["status"] == "INACTIVE"
    client.nfs.delete_snapshot(snap["resource_id"])
    client.nfs.delete(share["id"])
    assert client.nfs.list()["shares"] == []


def test_access_points(client):
    vpc = _vpc(client)
    share = client.nfs.create({"name": "data", "size_gib": 50, "region": "atl1", "vpc_ids": [vpc]})["share"]
    other = _vpc(client, "other-net")
    made = client.nfs.create_access_point(share["id"], {"name": "other-vpc", "path": "/other", "vpc_id": other,
                                                        "access_policy": POLICY})
    assert made["access_point"]["status"] == "ACCESS_POINT_CREATING"
    assert made["action"]["type"] == "CREATE_ACCESS_POINT"
    points = client.nfs.list_access_points(share["id"])["access_points"]
    assert [p["name"] for p in points] == ["default", "other-vpc"] and points[1]["status"] == "ACCESS_POINT_ACTIVE"
    deleted = client.nfs.delete_access_point(points[1]["id"])
    assert deleted["access_point"]["status"] == "ACCESS_POINT_DELETED"


@pytest.mark.parametrize("body, needle", [
    ({"size_gib": 10}, "size_gib must be between 50"),
    ({"vpc_ids": ["nope"]}, "vpc_ids[0] 'nope'"),
    ({"performance_tier": "turbo"}, "performance_tier must be one of")])
def test_bad_shares_name_the_field(client, body, needle):
    vpc = _vpc(client)
    with pytest.raises(HttpResponseError) as err:
        client.nfs.create({"name": "data", "size_gib": 100, "region": "atl1", "vpc_ids": [vpc], **body})
    assert needle in err.value.response.json()["message"]


def test_a_vpc_holds_one_share(client):
    """Attaching, reassigning or creating a second share in a VPC that has one is refused, naming the field."""
    first_vpc, second_vpc = _vpc(client, "first-net"), _vpc(client, "second-net")
    first = client.nfs.create({"name": "first", "size_gib": 50, "region": "atl1", "vpc_ids": [first_vpc]})["share"]
    second = client.nfs.create({"name": "second", "size_gib": 50, "region": "atl1", "vpc_ids": [second_vpc]})["share"]
    client.nfs.create_action(first["id"], {"type": "attach", "params": {"vpc_id": first_vpc}})  # its own: fine
    with pytest.raises(HttpResponseError) as err:
        client.nfs.create_action(second["id"], {"type": "attach", "params": {"vpc_id": first_vpc}})
    assert f"params.vpc_id '{first_vpc}' already has share {first['id']} attached" in err.value.response.json()[
        "message"]
    with pytest.raises(HttpResponseError) as err:
        client.nfs.create_action(second["id"], {"type": "reassign", "params": {"old_vpc_id": second_vpc,
                                                                               "new_vpc_id": first_vpc}})
    assert "only one share" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.nfs.create({"name": "third", "size_gib": 50, "region": "atl1", "vpc_ids": [first_vpc]})
    assert "vpc_ids[0]" in err.value.response.json()["message"]
    assert client.nfs.get(second["id"])["share"]["vpc_ids"] == [second_vpc]
