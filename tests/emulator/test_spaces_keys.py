"""Spaces keys through PyDo: grants, the secret shown once, filters and sorting, update and patch."""

import pytest
from azure.core.exceptions import HttpResponseError


def test_create_shows_the_secret_once(client):
    created = client.spaces_key.create({"name": "ci", "grants": [{"bucket": "assets", "permission": "readwrite"}]})
    key = created["key"]
    assert key["access_key"].startswith("DO") and len(key["access_key"]) == 20 and len(key["secret_key"]) == 43
    got = client.spaces_key.get(key["access_key"])["key"]
    assert "secret_key" not in got and got["grants"] == [{"bucket": "assets", "permission": "readwrite"}]
    patched = client.spaces_key.patch(key["access_key"], {"name": "ci-2"})["key"]
    assert patched["name"] == "ci-2" and patched["grants"] == got["grants"]
    full = client.spaces_key.update(key["access_key"], {"name": "all", "grants": [
        {"bucket": "", "permission": "fullaccess"}]})["key"]
    assert full["grants"] == [{"bucket": "", "permission": "fullaccess"}]
    client.spaces_key.delete(key["access_key"])
    assert client.spaces_key.get(key["access_key"])["id"] == "not_found"


def test_list_filters_and_sorts(client):
    for name, bucket in [("b", "logs"), ("a", "assets"), ("c", "assets")]:
        client.spaces_key.create({"name": name, "grants": [{"bucket": bucket, "permission": "read"}]})
    assert [k["name"] for k in client.spaces_key.list(bucket="assets")["keys"]] == ["a", "c"]
    assert [k["name"] for k in client.spaces_key.list(sort="name", sort_direction="desc")["keys"]] == ["c", "b", "a"]
    assert all("secret_key" not in k for k in client.spaces_key.list()["keys"])


@pytest.mark.parametrize("body, needle", [
    ({"grants": [{"bucket": "a", "permission": "read"}]}, "name is required"),
    ({"name": "k"}, "grants is required"),
    ({"name": "k", "grants": [{"bucket": "a", "permission": "write"}]}, "grants[0].permission must be one of"),
    ({"name": "k", "grants": [{"bucket": "a", "permission": "fullaccess"}]}, "fullaccess goes with bucket"),
    ({"name": "k", "grants": "a"}, "grants must be a non-empty list")])
def test_bad_bodies_name_the_field(client, body, needle):
    with pytest.raises(HttpResponseError) as err:
        client.spaces_key.create(body)
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]
