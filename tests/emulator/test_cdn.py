"""CDN endpoints through PyDo: Spaces origins only, TTL choices, custom domains with a certificate, purge."""

import pytest
from azure.core.exceptions import HttpResponseError

ORIGIN = "assets.nyc3.digitaloceanspaces.com"


def test_round_trip(client):
    created = client.cdn.create_endpoint({"origin": ORIGIN})["endpoint"]
    assert created["endpoint"] == "assets.nyc3.cdn.digitaloceanspaces.com" and created["ttl"] == 3600
    assert created["created_at"].endswith("Z")
    updated = client.cdn.update_endpoints(created["id"], {"ttl": 600})["endpoint"]
    assert updated["ttl"] == 600 and client.cdn.get_endpoint(created["id"])["endpoint"]["ttl"] == 600
    assert [e["id"] for e in client.cdn.list_endpoints()["endpoints"]] == [created["id"]]
    client.cdn.purge_cache(created["id"], {"files": ["assets/*"]})
    client.cdn.delete_endpoint(created["id"])
    assert client.cdn.get_endpoint(created["id"])["id"] == "not_found"


@pytest.mark.parametrize("body, needle", [
    ({"origin": "example.com"}, "origin must be a Space"),
    ({"origin": ORIGIN, "ttl": 5}, "ttl must be one of 60, 600, 3600, 86400, 604800"),
    ({"origin": ORIGIN, "custom_domain": "static.example.com"}, "custom_domain needs certificate_id"),
    ({"origin": ORIGIN, "custom_domain": "static.example.com", "certificate_id": "nope"}, "certificate_id 'nope'")])
def test_bad_bodies_name_the_field(client, body, needle):
    with pytest.raises(HttpResponseError) as err:
        client.cdn.create_endpoint(body)
    assert err.value.status_code in (404, 422) and needle in err.value.response.json()["message"]


def test_one_endpoint_per_origin_and_purge_needs_files(client):
    endpoint = client.cdn.create_endpoint({"origin": ORIGIN})["endpoint"]
    with pytest.raises(HttpResponseError) as err:
        client.cdn.create_endpoint({"origin": ORIGIN})
    assert "already has a CDN endpoint" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.cdn.purge_cache(endpoint["id"], {"files": []})
    assert "files" in err.value.response.json()["message"]


def test_a_create_with_ttl_zero_gets_the_default_ttl(client):
    """godo's create request always carries ttl (0 when the caller chose none): the API answers its default."""
    created = client.cdn.create_endpoint({"origin": ORIGIN, "ttl": 0})["endpoint"]
    assert created["ttl"] == 3600
    with pytest.raises(HttpResponseError) as err:
        client.cdn.update_endpoints(created["id"], {"ttl": 0})
    assert "ttl must be one of" in err.value.response.json()["message"]
