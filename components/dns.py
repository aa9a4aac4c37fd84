"""Dns: a domain, its records with normalised values, and a CAA record allowing Let's Encrypt.

The provider appends a trailing dot to CNAME/MX/NS/SRV/CAA data it reads back, so a value written
without one diffs on every preview; names are made relative to the zone (``@`` for the apex).
Both are normalised here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_digitalocean as do

from components.naming import child_name, do_urn
from components.tokens import TYPE_TOKENS
from do_vocab.names import DOMAIN

KIND = "dns"
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT")
FQDN_TYPES = ("CNAME", "MX", "NS", "SRV", "CAA")


@dataclass(frozen=True)
class DnsRecordSpec:
    type: str
    name: str
    value: str
    ttl: int = 1800
    priority: int | None = None
    flags: int | None = None
    tag: str | None = None
    port: int | None = None
    weight: int | None = None


@dataclass(frozen=True)
class DnsArgs:
    env: str
    domain: str
    records: tuple[DnsRecordSpec, ...] = ()
    caa_issuers: tuple[str, ...] = ("letsencrypt.org",)
    protect: bool = False


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def normalise_name(name: str, domain: str) -> str:
    """``www.example.com.`` / ``WWW`` -> ``www``; the zone itself -> ``@``."""
    zone = normalise_domain(domain)
    text = name.strip().lower().rstrip(".")
    if text in ("", "@", zone):
        return "@"
    if text.endswith("." + zone):
        text = text[: -len(zone) - 1]
    return text


def normalise_value(record_type: str, value: str, tag: str | None = None) -> str:
    """Host-valued data gets exactly one trailing dot (as the provider reads it back); others are trimmed."""
    text = value.strip()
    if record_type in FQDN_TYPES and text != "@" and not (record_type == "CAA" and tag == "iodef"):
        return text.rstrip(".").lower() + "."
    return text


def record_key(spec: DnsRecordSpec, domain: str) -> str:
    """A stable logical-name suffix for a record, from its type and normalised name."""
    name = normalise_name(spec.name, domain)
    return f"{spec.type.lower()}-{'apex' if name == '@' else name.replace('.', '-')}"


def validate_dns_args(args: DnsArgs) -> None:
    if not DOMAIN.match(normalise_domain(args.domain)):
        raise ValueError(f"[domain] {args.domain!r} is not a domain name; allowed: e.g. example.com")
    seen: set[tuple[str, str, str]] = set()
    for spec in args.records:
        if spec.type not in RECORD_TYPES:
            raise ValueError(f"[records] type {spec.type!r} is not allowed; allowed: {', '.join(RECORD_TYPES)}")
        if spec.type == "CAA" and spec.tag not in ("issue", "issuewild", "iodef"):
            raise ValueError(f"[records] CAA tag {spec.tag!r} is not allowed; allowed: issue, issuewild, iodef")
        needed = {"MX": ("priority",), "SRV": ("priority", "port", "weight")}.get(spec.type, ())
        missing = [f for f in needed if getattr(spec, f) is None]
        if missing:  # the API refuses these records without them
            raise ValueError(f"[records] {spec.type} {spec.name!r} lacks {', '.join(missing)}; allowed: "
                             f"{spec.type} records with {', '.join(needed)} set")
        key = (spec.type, normalise_name(spec.name, args.domain), normalise_value(spec.type, spec.value, spec.tag))
        if key in seen:
            raise ValueError(f"[records] duplicate record {key}; allowed: each record once")
        seen.add(key)
        if not 30 <= spec.ttl <= 86400:
            raise ValueError(f"[records] ttl {spec.ttl} is out of range; allowed: 30 to 86400")


def all_records(args: DnsArgs) -> list[DnsRecordSpec]:
    """Configured records plus one CAA ``issue`` per allowed certificate authority, in a stable order."""
    caa = [DnsRecordSpec("CAA", "@", issuer, flags=0, tag="issue") for issuer in args.caa_issuers]
    return sorted([*args.records, *caa], key=lambda s: (s.type, normalise_name(s.name, args.domain), s.value))


class Dns(pulumi.ComponentResource):
    """A DigitalOcean domain and its records."""

    domain: do.Domain
    records: dict[str, do.DnsRecord]

    def __init__(self, name: str, args: DnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["Dns"], name, None, opts)
        validate_dns_args(args)
        zone = normalise_domain(args.domain)
        self.domain = do.Domain(child_name(name, "domain"), name=zone,
                                opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.records = {}
        counts: dict[str, int] = {}
        for spec in all_records(args):
            key = record_key(spec, zone)
            counts[key] = counts.get(key, 0) + 1
            suffix = key if counts[key] == 1 else f"{key}-{counts[key]}"
            self.records[suffix] = do.DnsRecord(
                child_name(name, suffix), domain=self.domain.id, type=spec.type,
                name=normalise_name(spec.name, zone), value=normalise_value(spec.type, spec.value, spec.tag),
                ttl=spec.ttl, priority=spec.priority, flags=spec.flags, tag=spec.tag, port=spec.port,
                weight=spec.weight,
                opts=pulumi.ResourceOptions(parent=self.domain, protect=False))
        self.zone = zone
        self.domain_name = self.domain.name
        self.project_resources: list[pulumi.Output[str]] = [self.domain.name.apply(lambda n: do_urn("domain", n))]
        self.register_outputs({"domain": self.domain.name, "records": len(self.records)})
