"""Partner Network Connect through PyDo: attachments to VPCs of a metro, redundant pairs, BGP key, service key,
and the delete the provider waits for."""

import pytest

BGP = {"local_router_ip": "169.254.0.1/29", "peer_router_ip": "169.254.0.6/29", "peer_router_asn": 64532,
       "auth_key": "0xsNnb1pwQlowdoMySEfWwk4I"}


def _body(vpc_id, **extra):
    return {"name": "prod-link", "connection_bandwidth_in_mbps": 1000, "region": "nyc", "naas_provider": "megaport",
            "vpc_ids": [vpc_id], **extra}


def test_attachment_round_trip(client):
    vpc = client.vpcs.create({"name": "pnc-net", "region": "nyc3"})["vpc"]["id"]
    made = client.partner_attachments.create(_body(vpc, bgp=BGP))["partner_attachment"]
    assert made["state"] == "CREATING" and made["bgp"]["peer_asn"] == 64532 and "auth_key" not in made["bgp"]
    assert client.partner_attachments.get(made["id"])["partner_attachment"]["state"] == "ACTIVE"
    assert client.partner_attachments.get_bgp_auth_key(made["id"])["bgp_auth_key"]["value"] == BGP["auth_key"]
    pair = client.partner_attachments.create({**_body(vpc), "name": "prod-link-2", "parent_uuid": made["id"]})
    assert client.partner_attachments.get(made["id"])["partner_attachment"]["children"] == [
        pair["partner_attachment"]["id"]]
    assert client.partner_attachments.get_service_key(made["id"])["id"] == "not_found"
    client.partner_attachments.create_service_key(made["id"])
    assert client.partner_attachments.get_service_key(made["id"])["service_key"]["state"] == "CREATED"
    assert client.partner_attachments.list_remote_routes(made["id"])["remote_routes"] == []
    renamed = client.partner_attachments.patch(made["id"], {"name": "prod-link-a"})["partner_attachment"]
    assert renamed["name"] == "prod-link-a"
    assert client.partner_attachments.delete(made["id"])["partner_attachment"]["state"] == "DELETING"
    assert client.partner_attachments.get(made["id"])["id"] == "not_found"


@pytest.mark.parametrize("extra, needle", [
    ({"connection_bandwidth_in_mbps": 3000}, "connection_bandwidth_in_mbps must be one of"),
    ({"region": "lon"}, "region must be one of"), ({"vpc_ids": ["nope"]}, "vpc_ids[0] 'nope'"),
    ({"bgp": {**BGP, "local_router_ip": "x"}}, "bgp.local_router_ip")])
def test_bad_attachments_name_the_field(client, extra, needle):
    vpc = client.vpcs.create({"name": "pnc-net", "region": "nyc3"})["vpc"]["id"]
    refused = client.partner_attachments.create(_body(vpc, **extra))  # PyDo returns a documented 4xx body
    assert refused["id"] == "unprocessable_entity" and needle in refused["message"]


def test_vpcs_must_be_in_the_metro(client):
    elsewhere = client.vpcs.create({"name": "far-net", "region": "fra1"})["vpc"]["id"]
    refused = client.partner_attachments.create(_body(elsewhere))
    assert "outside the nyc metro" in refused["message"]
