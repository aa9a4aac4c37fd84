"""The droplet metadata service: JSON document, text tree, droplet choice, no auth."""

import httpx

from tests.helpers.emulator import make_key


def create(client, name="web-1", **extra):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", **extra}
    return client.droplets.create(body)["droplet"]


def test_no_droplet_is_404(emulator):
    response = httpx.get(f"{emulator.url}/metadata/v1.json")
    assert response.status_code == 404 and response.json()["id"] == "not_found"


def test_json_document_of_latest_droplet_without_auth(emulator, client):
    key = client.ssh_keys.create({"name": "k", "public_key": make_key(7)})["ssh_key"]
    create(client, name="first")
    d = create(client, name="second", tags=["web"], user_data="#!/bin/sh\necho hi\n", ssh_keys=[key["id"]],
               ipv6=True)
    doc = httpx.get(f"{emulator.url}/metadata/v1.json").json()
    assert (doc["droplet_id"], doc["hostname"], doc["region"]) == (d["id"], "second", "nyc3")
    assert doc["user_data"] == "#!/bin/sh\necho hi\n" and doc["public_keys"] == [key["public_key"]]
    assert doc["tags"] == ["web"] and doc["dns"]["nameservers"]
    public = doc["interfaces"]["public"][0]
    network = {n["type"]: n for n in d["networks"]["v4"]}
    assert public["ipv4"]["ip_address"] == network["public"]["ip_address"]
    assert public["ipv6"]["cidr"] == 64
    assert doc["interfaces"]["private"][0]["ipv4"]["netmask"] == network["private"]["netmask"]


def test_droplet_chosen_by_header_or_query(emulator, client):
    first = create(client, name="first")
    create(client, name="second")
    by_header = httpx.get(f"{emulator.url}/metadata/v1/hostname", headers={"X-Emulator-Droplet-Id": str(first["id"])})
    assert by_header.text == "first" and by_header.headers["content-type"].startswith("text/plain")
    by_query = httpx.get(f"{emulator.url}/metadata/v1/id", params={"droplet_id": first["id"]})
    assert by_query.text == str(first["id"])
    assert httpx.get(f"{emulator.url}/metadata/v1/id", params={"droplet_id": 424242}).status_code == 404


def test_text_tree_indexes_and_leaves(emulator, client):
    d = create(client, tags=["a", "b"])
    url = f"{emulator.url}/metadata/v1"
    index = httpx.get(f"{url}/").text.splitlines()
    assert {"id", "hostname", "user-data", "vendor-data", "public-keys", "region", "interfaces/", "dns/",
            "tags/", "features/"} <= set(index)
    assert httpx.get(f"{url}/interfaces/").text.splitlines() == ["private/", "public/"]
    assert "ipv4/" in httpx.get(f"{url}/interfaces/public/0/").text.splitlines()
    public_ip = next(n["ip_address"] for n in d["networks"]["v4"] if n["type"] == "public")
    assert httpx.get(f"{url}/interfaces/public/0/ipv4/address").text == public_ip
    assert httpx.get(f"{url}/tags/").text.splitlines() == ["a", "b"]
    assert httpx.get(f"{url}/user-data").text == ""
    assert httpx.get(f"{url}/no-such-thing").status_code == 404


def test_deleted_droplet_is_no_longer_served(emulator, client):
    d = create(client)
    client.droplets.destroy(d["id"])
    assert httpx.get(f"{emulator.url}/metadata/v1/id").status_code == 404
