"""Certificates through PyDo: Let's Encrypt pending→verified, custom PEM uploads, ?name= filter, 403 in use."""

import base64

import pytest
from azure.core.exceptions import HttpResponseError

PEM_CERT = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"leaf-der-bytes").decode() + \
    "\n-----END CERTIFICATE-----\n"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(b"key-der-bytes").decode() + \
    "\n-----END PRIVATE KEY-----\n"


def _lets_encrypt(client, name="web-cert"):
    client.domains.create({"name": "example.com"})
    return client.certificates.create({"name": name, "type": "lets_encrypt",
                                       "dns_names": ["example.com", "www.example.com"]})["certificate"]


def test_lets_encrypt_goes_pending_then_verified(client):
    cert = _lets_encrypt(client)
    assert cert["state"] == "pending" and cert["type"] == "lets_encrypt"
    assert cert["dns_names"] == ["example.com", "www.example.com"]
    got = client.certificates.get(cert["id"])["certificate"]
    assert got["state"] == "verified"
    assert got["not_after"].endswith("Z") and len(got["sha1_fingerprint"]) == 40


def test_lifecycle_delay_holds_pending(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=10)
    cert = _lets_encrypt(client)
    assert client.certificates.get(cert["id"])["certificate"]["state"] == "pending"
    emulator.state.clock.advance(11)
    assert client.certificates.get(cert["id"])["certificate"]["state"] == "verified"


def test_list_filters_on_name_and_empty_means_gone(client):
    first = _lets_encrypt(client, "alpha")
    client.certificates.create({"name": "beta", "type": "lets_encrypt", "dns_names": ["example.com"]})
    assert [c["name"] for c in client.certificates.list()["certificates"]] == ["alpha", "beta"]
    only = client.certificates.list(name="alpha")
    assert [c["id"] for c in only["certificates"]] == [first["id"]] and only["meta"]["total"] == 1
    client.certificates.delete(first["id"])
    assert client.certificates.list(name="alpha")["certificates"] == []
    assert client.certificates.get(first["id"])["id"] == "not_found"


def test_custom_certificate_upload(client):
    cert = client.certificates.create({"name": "custom", "type": "custom", "private_key": PEM_KEY,
                                       "leaf_certificate": PEM_CERT, "certificate_chain": PEM_CERT})["certificate"]
    assert (cert["type"], cert["state"]) == ("custom", "verified")
    import hashlib
    assert cert["sha1_fingerprint"] == hashlib.sha1(b"leaf-der-bytes").hexdigest()  # noqa: S324


def test_pagination(client):
    client.domains.create({"name": "example.com"})
    for i in range(3):
        client.certificates.create({"name": f"c{i}", "type": "lets_encrypt", "dns_names": ["example.com"]})
    page2 = client.certificates.list(per_page=2, page=2)
    assert [c["name"] for c in page2["certificates"]] == ["c2"]
    assert "prev" in page2["links"]["pages"] and "next" not in page2["links"]["pages"]


@pytest.mark.parametrize("body, needle", [
    ({"type": "lets_encrypt", "dns_names": ["example.com"]}, "name is required"),
    ({"name": "x", "type": "lets_encrypt", "dns_names": ["unmanaged.net"]}, "not in a domain managed"),
    ({"name": "x", "type": "lets_encrypt"}, "dns_names is required"),
    ({"name": "x", "type": "custom", "private_key": "nope", "leaf_certificate": PEM_CERT}, "private_key"),
    ({"name": "x", "type": "wildcard", "dns_names": ["example.com"]}, "type must be one of"),
])
def test_invalid_certificates_get_422(client, body, needle):
    client.domains.create({"name": "example.com"})
    with pytest.raises(HttpResponseError) as err:
        client.certificates.create(body)
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]


def test_delete_while_used_by_load_balancer_is_403(client):
    cert = _lets_encrypt(client)
    lb = client.load_balancers.create({"name": "lb", "region": "nyc3", "forwarding_rules": [
        {"entry_protocol": "https", "entry_port": 443, "target_protocol": "http", "target_port": 80,
         "certificate_id": cert["id"]}]})["load_balancer"]
    with pytest.raises(HttpResponseError) as err:
        client.certificates.delete(cert["id"])
    assert err.value.status_code == 403
    message = err.value.response.json()["message"]
    assert "not in use before deleting it" in message and "being used by one or more load balancers" in message
    client.load_balancers.delete(lb["id"])
    client.certificates.delete(cert["id"])
    assert client.certificates.list(name="web-cert")["certificates"] == []
