"""VPC NAT gateways through PyDo: NEW → ACTIVE, VPC membership and gateway addresses, update, delete."""

import pytest
from azure.core.exceptions import HttpResponseError


def _vpc(client, name="app-net", region="nyc3"):
    return client.vpcs.create({"name": name, "region": region})["vpc"]


def _gateway(client, vpcs, **extra):
    body = {"name": "egress", "type": "PUBLIC", "region": "nyc3", "size": 1,
            "vpcs": [{"vpc_uuid": v, "default_gateway": True} for v in vpcs], **extra}
    return client.vpcnatgateways.create(body)["vpc_nat_gateway"]


def test_round_trip_holds_its_vpcs(client):
    vpc = _vpc(client)
    gateway = _gateway(client, [vpc["id"]])
    assert gateway["state"] == "NEW" and gateway["udp_timeout_seconds"] == 30
    assert gateway["vpcs"][0]["vpc_uuid"] == vpc["id"] and gateway["vpcs"][0]["default_gateway"] is True
    assert gateway["egresses"]["public_gateways"][0]["ipv4"].count(".") == 3
    got = client.vpcnatgateways.get(gateway["id"])["vpc_nat_gateway"]
    assert got["state"] == "ACTIVE"
    members = client.vpcs.list_members(vpc["id"])["members"]
    assert [m["urn"] for m in members] == [f"do:natgateway:{gateway['id']}"]
    with pytest.raises(HttpResponseError) as err:
        client.vpcs.delete(vpc["id"])
    assert err.value.status_code == 409
    other = _vpc(client, "other-net")
    updated = client.vpcnatgateways.update(gateway["id"], {"name": "egress-2", "size": 2,
                                                           "vpcs": [{"vpc_uuid": other["id"]}]})["vpc_nat_gateway"]
    assert updated["size"] == 2 and [v["vpc_uuid"] for v in updated["vpcs"]] == [other["id"]]
    client.vpcs.delete(vpc["id"])  # no longer served: deletable
    assert [g["name"] for g in client.vpcnatgateways.list(region="nyc3")["vpc_nat_gateways"]] == ["egress-2"]
    client.vpcnatgateways.delete(gateway["id"])
    assert client.vpcnatgateways.get(gateway["id"])["id"] == "not_found"
    client.vpcs.delete(other["id"])


@pytest.mark.parametrize("extra, needle", [
    ({"type": "PRIVATE"}, "type must be one of PUBLIC"), ({"size": 0}, "size must be between"),
    ({"vpcs": []}, "vpcs is required"), ({"vpcs": [{"vpc_uuid": "nope"}]}, "vpcs[0].vpc_uuid 'nope'")])
def test_bad_bodies_name_the_field(client, extra, needle):
    vpc = _vpc(client)
    body = {"name": "egress", "type": "PUBLIC", "region": "nyc3", "size": 1, "vpcs": [{"vpc_uuid": vpc["id"]}],
            **extra}
    with pytest.raises(HttpResponseError) as err:
        client.vpcnatgateways.create(body)
    assert err.value.status_code in (404, 422) and needle in err.value.response.json()["message"]


def test_a_vpc_of_another_region_is_refused(client):
    elsewhere = _vpc(client, region="fra1")
    with pytest.raises(HttpResponseError) as err:
        _gateway(client, [elsewhere["id"]])
    assert "is in fra1, not nyc3" in err.value.response.json()["message"]


def test_a_deleted_gateway_is_a_404_in_the_words_the_provider_waits_for(client):
    """The provider's delete waits until the 404 says "nat gateway with id <id> not found"; other text fails it."""
    gateway = _gateway(client, [_vpc(client)["id"]])
    client.vpcnatgateways.delete(gateway["id"])
    body = client.vpcnatgateways.get(gateway["id"])  # PyDo hands a 404 back as its body
    assert body["id"] == "not_found"
    assert f"nat gateway with id {gateway['id']} not found" in body["message"]
