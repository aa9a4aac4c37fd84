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


def test_the_gateway_echoes_its_ingress_subnet_and_lands_in_a_project(emulator, client):
    """What the Terraform provider reads back: vpcs[].subnet_uuid as sent (absent when not) and project_id (the
    default project unless one is given)."""
    vpc = _vpc(client)
    gateway = client.vpcnatgateways.create({"name": "egress", "type": "PUBLIC", "region": "nyc3", "size": 1, "vpcs": [
        {"vpc_uuid": vpc["id"], "subnet_uuid": vpc["id"]}]})["vpc_nat_gateway"]
    assert gateway["vpcs"][0]["subnet_uuid"] == vpc["id"]
    default = next(p for p in client.projects.list()["projects"] if p["is_default"])
    assert client.vpcnatgateways.get(gateway["id"])["vpc_nat_gateway"]["project_id"] == default["id"]
    with pytest.raises(HttpResponseError) as err:
        _gateway(client, [vpc["id"]], name="second", project_id="nope")
    assert "project_id 'nope' is not a project" in err.value.response.json()["message"]
    plain = _gateway(client, [vpc["id"]], name="third")
    assert "subnet_uuid" not in plain["vpcs"][0]


def test_a_missing_gateway_is_a_404_with_the_apis_message(emulator, client):
    """The provider's destroy check looks for `nat gateway with id <id> not found`."""
    import httpx

    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    answer = http.get("/v2/vpc_nat_gateways/4f0b3c2e-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert answer.json()["message"] == "nat gateway with id 4f0b3c2e-0000-4000-8000-000000000000 not found"
