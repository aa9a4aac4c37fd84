"""Dns: normalised names and values (no trailing-dot diffs), CAA for Let's Encrypt."""

from __future__ import annotations

import pytest

from components import Dns, DnsArgs, DnsRecordSpec
from components.dns import normalise_name, normalise_value, validate_dns_args

ARGS = DnsArgs(env="dev", domain="Dev.Example.com.", records=(
    DnsRecordSpec("CNAME", "docs.dev.example.com.", "Pages.Example.NET"),
    DnsRecordSpec("MX", "@", "mail.example.com", priority=10),
    DnsRecordSpec("TXT", "@", "v=spf1 -all"),
))


@pytest.mark.parametrize(("name", "expected"), [
    ("www", "www"), ("WWW.dev.example.com.", "www"), ("dev.example.com", "@"), ("@", "@"), ("", "@"),
    ("a.b.dev.example.com", "a.b"),
])
def test_names_relative_to_zone(name, expected):
    assert normalise_name(name, "dev.example.com.") == expected


@pytest.mark.parametrize(("rtype", "value", "expected"), [
    ("CNAME", "target.example.com", "target.example.com."), ("CNAME", "target.example.com.", "target.example.com."),
    ("MX", "Mail.Example.com..", "mail.example.com."), ("CAA", "letsencrypt.org", "letsencrypt.org."),
    ("A", " 192.0.2.1 ", "192.0.2.1"), ("TXT", "v=spf1 -all", "v=spf1 -all"), ("CNAME", "@", "@"),
])
def test_values_normalised_once(rtype, value, expected):
    assert normalise_value(rtype, value) == expected
    assert normalise_value(rtype, normalise_value(rtype, value)) == expected


def test_domain_records_and_caa(run_component):
    run = run_component(lambda: Dns("dns", ARGS) and {})
    domain = run.one("Domain")
    assert domain.inputs["name"] == "dev.example.com"
    records = {(r.inputs["type"], r.inputs["name"]): r.inputs for r in run.of_type("DnsRecord")}
    assert records[("CAA", "@")] == {"domain": "dns-domain-id", "type": "CAA", "name": "@", "value": "letsencrypt.org.",
                                     "flags": 0, "tag": "issue", "ttl": 1800}
    assert records[("CNAME", "docs")]["value"] == "pages.example.net."
    assert records[("MX", "@")]["value"] == "mail.example.com." and records[("MX", "@")]["priority"] == 10
    assert all(r.parent_urn == domain.urn for r in run.of_type("DnsRecord"))
    assert run.one("Dns").type == "do-platform:index:Dns"


def test_srv_records_carry_port_and_weight(run_component):
    srv = DnsRecordSpec("SRV", "_sip._tcp", "sip.example.com", priority=10, port=5060, weight=5)
    run = run_component(lambda: Dns("dns", DnsArgs(env="dev", domain="example.com", records=(srv,))) and {})
    record = next(r.inputs for r in run.of_type("DnsRecord") if r.inputs["type"] == "SRV")
    assert (record["port"], record["weight"], record["priority"]) == (5060, 5, 10)
    assert record["value"] == "sip.example.com." and record["name"] == "_sip._tcp"


def test_protected_zone_records_stay_editable(run_component):
    run = run_component(lambda: Dns("dns", DnsArgs(env="prod", domain="example.com", protect=True)) and {})
    assert run.one("Domain").protect
    assert not any(r.protect for r in run.of_type("DnsRecord"))


@pytest.mark.parametrize(("args", "match"), [
    (DnsArgs(env="d", domain="not a domain"), r"\[domain\]"),
    (DnsArgs(env="d", domain="example.com", records=(DnsRecordSpec("PTR", "x", "y"),)), r"\[records\]"),
    (DnsArgs(env="d", domain="example.com", records=(DnsRecordSpec("CAA", "@", "x.org", tag="bad"),)), r"\[records\]"),
    (DnsArgs(env="d", domain="example.com", records=(DnsRecordSpec("A", "www", "192.0.2.1"),
                                                     DnsRecordSpec("A", "WWW.example.com.", "192.0.2.1"))),
     r"duplicate"),
    (DnsArgs(env="d", domain="example.com", records=(DnsRecordSpec("A", "www", "192.0.2.1", ttl=5),)), r"ttl"),
    (DnsArgs(env="d", domain="example.com", records=(DnsRecordSpec("MX", "@", "mail.example.com"),)),
     r"\[records\] MX '@' lacks priority"),
    (DnsArgs(env="d", domain="example.com", records=(DnsRecordSpec("SRV", "_sip._tcp", "sip.example.com",
                                                                   priority=10),)),
     r"\[records\] SRV '_sip._tcp' lacks port, weight"),
])
def test_validation_names_the_field(args, match):
    with pytest.raises(ValueError, match=match):
        validate_dns_args(args)
