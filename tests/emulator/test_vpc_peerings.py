"""VPC peerings through PyDo: PROVISIONING → ACTIVE, the nested /v2/vpcs/{id}/peerings view, rename,
and the provider's delete (202 DELETING, then 404)."""

import pytest
from azure.core.exceptions import HttpResponseError


def _vpc(client, name, region="nyc3"):
    return client.vpcs.create({"name": name, "region": region})["vpc"]["id"]


def test_round_trip_and_the_delete_the_provider_waits_for(client):
    first, second = _vpc(client, "a-net"), _vpc(client, "b-net", "fra1")
    peering = client.vpc_peerings.create({"name": "a-b", "vpc_ids": [first, second]})["vpc_peering"]
    assert peering["status"] == "PROVISIONING"
    assert client.vpc_peerings.get(peering["id"])["vpc_peering"]["status"] == "ACTIVE"
    assert [p["id"] for p in client.vpcs.list_peerings(first)["peerings"]] == [peering["id"]]
    assert [p["id"] for p in client.vpc_peerings.list(region="fra1")["vpc_peerings"]] == [peering["id"]]
    renamed = client.vpcs.patch_peerings(first, peering["id"], {"name": "a-to-b"})["peering"]
    assert renamed["name"] == "a-to-b"
    deleting = client.vpc_peerings.delete(peering["id"])["vpc_peering"]
    assert deleting["status"] == "DELETING"
    assert client.vpc_peerings.get(peering["id"])["id"] == "not_found"


def test_nested_create_and_its_checks(client):
    first, second = _vpc(client, "a-net"), _vpc(client, "b-net")
    made = client.vpcs.create_peerings(first, {"name": "nested", "vpc_id": second})["peering"]
    assert set(made["vpc_ids"]) == {first, second}
    with pytest.raises(HttpResponseError) as err:
        client.vpc_peerings.create({"name": "again", "vpc_ids": [second, first]})
    assert "already peered" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.vpc_peerings.create({"name": "bad name!", "vpc_ids": [first, second]})
    assert "letters, digits and dashes" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.vpc_peerings.create({"name": "x", "vpc_ids": [first, "00000000-0000-4000-8000-000000000000"]})
    assert err.value.status_code == 422 and "vpc_ids[1]" in err.value.response.json()["message"]
