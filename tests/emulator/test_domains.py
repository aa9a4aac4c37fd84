"""Domains and records through PyDo: auto NS/SOA/A records, trailing dots, filters, int ids."""

import pytest
from azure.core.exceptions import HttpResponseError


def test_domain_create_adds_ns_soa_and_apex_a_record(client):
    domain = client.domains.create({"name": "example.com", "ip_address": "192.0.2.10"})["domain"]
    assert domain["name"] == "example.com" and domain["ttl"] == 1800
    assert "ns1.digitalocean.com." in domain["zone_file"]
    records = client.domains.list_records("example.com")["domain_records"]
    assert sorted(r["type"] for r in records) == ["A", "NS", "NS", "NS", "SOA"]
    apex = [r for r in records if r["type"] == "A"][0]
    assert (apex["name"], apex["data"], apex["ttl"]) == ("@", "192.0.2.10", 1800)
    assert all(isinstance(r["id"], int) and r["id"] >= 1 for r in records)


def test_domain_get_list_delete_then_404(client):
    client.domains.create({"name": "example.org"})
    assert client.domains.get("example.org")["domain"]["name"] == "example.org"
    assert [d["name"] for d in client.domains.list()["domains"]] == ["example.org"]
    assert sorted(r["type"] for r in client.domains.list_records("example.org")["domain_records"]) == \
        ["NS", "NS", "NS", "SOA"]
    client.domains.delete("example.org")
    assert client.domains.get("example.org")["id"] == "not_found"
    assert client.domains.list_records("example.org")["id"] == "not_found"


def test_record_round_trip_strips_trailing_dot_and_defaults_ttl(client):
    client.domains.create({"name": "example.com"})
    created = client.domains.create_record("example.com", {
        "type": "CNAME", "name": "www", "data": "example.com.", "priority": 0, "port": 0, "weight": 0,
        "flags": 0})["domain_record"]
    assert created["data"] == "example.com" and created["ttl"] == 1800
    assert isinstance(created["id"], int)
    got = client.domains.get_record("example.com", created["id"])["domain_record"]
    assert got == created
    updated = client.domains.update_record("example.com", created["id"], {
        "name": "www", "data": "other.example.net.", "ttl": 300})["domain_record"]
    assert (updated["data"], updated["ttl"], updated["type"]) == ("other.example.net", 300, "CNAME")
    patched = client.domains.patch_record("example.com", created["id"], {"ttl": 600})["domain_record"]
    assert (patched["data"], patched["ttl"]) == ("other.example.net", 600)
    client.domains.delete_record("example.com", created["id"])
    assert client.domains.get_record("example.com", created["id"])["id"] == "not_found"


@pytest.mark.parametrize("record, data", [
    ({"type": "MX", "name": "@", "data": "mail.example.com.", "priority": 10}, "mail.example.com"),
    ({"type": "SRV", "name": "_sip._tcp", "data": "sip.example.com.", "priority": 1, "port": 5060,
      "weight": 5}, "sip.example.com"),
    ({"type": "CAA", "name": "@", "data": "letsencrypt.org.", "flags": 0, "tag": "issue"}, "letsencrypt.org"),
    ({"type": "TXT", "name": "@", "data": "v=spf1 -all."}, "v=spf1 -all."),
    ({"type": "AAAA", "name": "v6", "data": "2001:db8::1"}, "2001:db8::1"),
])
def test_record_types_store_data_as_the_api_does(client, record, data):
    client.domains.create({"name": "example.com"})
    assert client.domains.create_record("example.com", record)["domain_record"]["data"] == data


def test_record_filters_by_type_and_fully_qualified_name(client):
    client.domains.create({"name": "example.com", "ip_address": "192.0.2.1"})
    client.domains.create_record("example.com", {"type": "A", "name": "api", "data": "192.0.2.2"})
    client.domains.create_record("example.com", {"type": "TXT", "name": "api", "data": "hello"})
    a_records = client.domains.list_records("example.com", type="A")["domain_records"]
    assert sorted(r["name"] for r in a_records) == ["@", "api"]
    api = client.domains.list_records("example.com", name="api.example.com")["domain_records"]
    assert sorted(r["type"] for r in api) == ["A", "TXT"]
    both = client.domains.list_records("example.com", name="api.example.com", type="TXT")["domain_records"]
    assert [r["data"] for r in both] == ["hello"]


def test_record_pagination(client):
    client.domains.create({"name": "example.com"})
    for i in range(6):
        client.domains.create_record("example.com", {"type": "A", "name": f"h{i}", "data": f"192.0.2.{i + 1}"})
    page2 = client.domains.list_records("example.com", per_page=4, page=2)
    assert page2["meta"]["total"] == 10 and len(page2["domain_records"]) == 4
    assert "prev" in page2["links"]["pages"] and "next" in page2["links"]["pages"]
    last = client.domains.list_records("example.com", per_page=4, page=3)
    assert len(last["domain_records"]) == 2 and "next" not in last["links"]["pages"]


@pytest.mark.parametrize("body, needle", [
    ({"type": "A", "name": "x", "data": "not-an-ip"}, "data must be an IPv4"),
    ({"type": "MX", "name": "@", "data": "mail.example.com"}, "priority is required"),
    ({"type": "BOGUS", "name": "x", "data": "y"}, "type must be one of"),
    ({"type": "SOA", "name": "@", "data": "1800"}, "SOA"),
    ({"type": "CAA", "name": "@", "data": "ca.example", "flags": 0, "tag": "nope"}, "tag must be one of"),
    ({"type": "A", "name": "x", "data": "192.0.2.1", "ttl": 5}, "ttl must be between"),
])
def test_invalid_records_get_422(client, body, needle):
    client.domains.create({"name": "example.com"})
    with pytest.raises(HttpResponseError) as err:
        client.domains.create_record("example.com", body)
    assert err.value.status_code == 422
    assert err.value.response.json()["id"] == "unprocessable_entity"
    assert needle in err.value.response.json()["message"]


def test_duplicate_and_invalid_domains_are_rejected(client):
    client.domains.create({"name": "example.com"})
    for body in ({"name": "example.com"}, {"name": "not a domain"}, {"name": "ok.example", "ip_address": "x"}):
        with pytest.raises(HttpResponseError) as err:
            client.domains.create(body)
        assert err.value.status_code == 422


def test_seed_domains_with_records(emulator, client):
    emulator.control.seed("domains", {"domains": [{"name": "seeded.io", "records": [
        {"type": "A", "name": "www", "data": "192.0.2.9"}]}]})
    names = [r["name"] for r in client.domains.list_records("seeded.io", type="A")["domain_records"]]
    assert names == ["www"]


def test_host_data_naming_the_apex_is_stored_as_at(client):
    """An MX record pointing at the zone itself comes back as "@" (the provider's Record_MX_at acceptance test
    sends `example.com.` and reads "@"); other hosts, and other types, keep their names without the dot."""
    client.domains.create({"name": "apex.example"})
    mx = client.domains.create_record("apex.example", {"type": "MX", "name": "mail", "data": "APEX.example.",
                                                       "priority": 10})["domain_record"]
    assert mx["data"] == "@"
    other = client.domains.create_record("apex.example", {"type": "MX", "name": "m2", "data": "mx.apex.example.",
                                                          "priority": 20})["domain_record"]
    assert other["data"] == "mx.apex.example"
    caa = client.domains.create_record("apex.example", {"type": "CAA", "name": "@", "data": "apex.example.",
                                                        "tag": "issue", "flags": 0})["domain_record"]
    assert caa["data"] == "apex.example"
