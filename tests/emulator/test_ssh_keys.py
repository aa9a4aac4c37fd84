"""SSH keys: by id or fingerprint, MD5 fingerprint of the key blob, 422 on a duplicate."""

import base64
import hashlib

import pytest
from azure.core.exceptions import HttpResponseError

from tests.helpers.emulator import make_key


def md5_fingerprint(line: str) -> str:
    digest = hashlib.md5(base64.b64decode(line.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def test_round_trip_by_id_and_fingerprint(client):
    line = make_key(1)
    created = client.ssh_keys.create({"name": "laptop", "public_key": line})["ssh_key"]
    assert created["id"] >= 1
    assert created["fingerprint"] == md5_fingerprint(line)
    assert client.ssh_keys.get(created["id"])["ssh_key"]["name"] == "laptop"
    assert client.ssh_keys.get(created["fingerprint"])["ssh_key"]["id"] == created["id"]
    renamed = client.ssh_keys.update(created["fingerprint"], {"name": "work"})["ssh_key"]
    assert renamed["name"] == "work" and renamed["public_key"] == line
    assert [k["name"] for k in client.ssh_keys.list()["ssh_keys"]] == ["work"]
    client.ssh_keys.delete(created["id"])
    assert client.ssh_keys.get(created["id"])["id"] == "not_found"


def test_duplicate_key_is_422(client):
    client.ssh_keys.create({"name": "a", "public_key": make_key(2)})
    with pytest.raises(HttpResponseError) as err:
        client.ssh_keys.create({"name": "b", "public_key": make_key(2, "other comment")})
    assert err.value.status_code == 422
    assert err.value.response.json()["message"] == "SSH Key is already in use on your account"


@pytest.mark.parametrize("bad", ["ssh-rsa", "ssh-foo AAAA", "ssh-rsa not*base64",
                                 make_key(3).replace("ssh-ed25519", "ssh-rsa")])
def test_malformed_keys_are_422(client, bad):
    with pytest.raises(HttpResponseError) as err:
        client.ssh_keys.create({"name": "bad", "public_key": bad})
    assert err.value.status_code == 422
    assert err.value.response.json()["id"] == "unprocessable_entity"
    assert "public_key" in err.value.response.json()["message"]


def test_missing_name_is_422_naming_the_field(client):
    with pytest.raises(HttpResponseError) as err:
        client.ssh_keys.create({"public_key": make_key(4)})
    assert err.value.response.json()["message"] == "name is required"


def test_list_paginates(client):
    for i in range(5):
        client.ssh_keys.create({"name": f"k{i}", "public_key": make_key(100 + i)})
    page2 = client.ssh_keys.list(per_page=2, page=2)
    assert [k["name"] for k in page2["ssh_keys"]] == ["k2", "k3"]
    assert page2["meta"]["total"] == 5
    assert {"prev", "next", "first", "last"} == set(page2["links"]["pages"])


def test_droplet_accepts_keys_by_id_and_fingerprint(client):
    a = client.ssh_keys.create({"name": "a", "public_key": make_key(5)})["ssh_key"]
    b = client.ssh_keys.create({"name": "b", "public_key": make_key(6)})["ssh_key"]
    body = {"name": "web", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
            "ssh_keys": [a["id"], b["fingerprint"]]}
    assert client.droplets.create(body)["droplet"]["name"] == "web"
    with pytest.raises(HttpResponseError) as err:
        client.droplets.create({**body, "ssh_keys": ["00:11"]})
    assert "ssh_keys: '00:11'" in err.value.response.json()["message"]
