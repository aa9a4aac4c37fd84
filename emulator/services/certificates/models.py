"""TLS certificates: Let's Encrypt (``pending`` until issued, then ``verified``) and custom uploads.

Let's Encrypt names must belong to a domain managed in the emulator's DNS, as on the real API.
A certificate cannot be deleted while a load balancer uses it (403, text the provider retries on).
Custom certificates are checked to be PEM; their validity dates are not read from the certificate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import timedelta

from emulator.core import links
from emulator.core import validate as v
from emulator.core.clock import rfc3339
from emulator.core.errors import Forbidden, Unprocessable
from emulator.core.state import Backend, public, schedule

TYPES = ("custom", "lets_encrypt")
LETS_ENCRYPT_DAYS = 90
CUSTOM_DAYS = 365
_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")
IN_USE = ("The certificate is being used by one or more load balancers. "
          "Make sure the certificate is not in use before deleting it.")


def pem_blocks(text: str, field: str, kinds: tuple[str, ...]) -> list[bytes]:
    """DER bytes of every PEM block of ``text``; 422 naming ``field`` when there is none or one is bad."""
    blocks = []
    for kind, body in _PEM.findall(text):
        if not any(kind.endswith(k) for k in kinds):
            raise Unprocessable(f"{field} must hold {' or '.join(kinds)} PEM blocks; found {kind}")
        try:
            blocks.append(base64.b64decode("".join(body.split()), validate=True))
        except binascii.Error:
            raise Unprocessable(f"{field} has a PEM block that is not valid base64") from None
    if not blocks:
        raise Unprocessable(f"{field} must be PEM encoded (-----BEGIN {kinds[0]}-----)")
    return blocks


class CertificatesBackend(Backend):
    name = "certificates"

    def reset(self) -> None:
        self.data = {"certificates": {}}

    def create(self, body: dict) -> dict:
        name = v.string(body, "name", required=True)
        if any(c["name"] == name for c in self.table("certificates").values()):
            raise Unprocessable(f"name {name!r} is already used by another certificate")
        kind = v.choice(body, "type", TYPES,
                        default="custom" if not v.unset(body.get("private_key")) else "lets_encrypt")
        now = self.clock.now()
        record = {"id": self.ids.uuid(), "name": name, "type": kind, "created_at": self.now()}
        if kind == "lets_encrypt":
            dns_names = v.string_list(body, "dns_names", required=True)
            if not dns_names:
                raise Unprocessable("dns_names is required for lets_encrypt certificates")
            domains = links.optional_neighbour(self.state, "domains")
            for dns_name in dns_names:
                if domains is not None and domains.owner_of(dns_name) is None:
                    raise Unprocessable(f"dns_names: {dns_name!r} is not in a domain managed by DigitalOcean DNS; "
                                        "add the domain first")
            record.update(dns_names=dns_names, state="pending", not_after=rfc3339(now + timedelta(LETS_ENCRYPT_DAYS)),
                          sha1_fingerprint=self.ids.hex(20))
            schedule(self.state, record, {"state": "verified"})
        else:
            pem_blocks(v.string(body, "private_key", required=True), "private_key", ("PRIVATE KEY",))
            leaf = pem_blocks(v.string(body, "leaf_certificate", required=True), "leaf_certificate",
                              ("CERTIFICATE",))[0]
            chain = v.string(body, "certificate_chain")
            if chain is not None:
                pem_blocks(chain, "certificate_chain", ("CERTIFICATE",))
            record.update(dns_names=[], state="verified", not_after=rfc3339(now + timedelta(CUSTOM_DAYS)),
                          sha1_fingerprint=hashlib.sha1(leaf).hexdigest())  # noqa: S324 - a fingerprint, not security
        self.table("certificates")[record["id"]] = record
        return record

    def get(self, certificate_id: str) -> dict:
        return self.get_or_404("certificates", certificate_id, "certificate")

    def list(self, name: str | None = None) -> list[dict]:
        records = [self.get(cid) for cid in list(self.table("certificates"))]
        if name is not None:
            records = [r for r in records if r["name"] == name]
        return list(records)

    def users(self, certificate_id: str) -> list[str]:
        """Ids of the load balancers whose forwarding rules use this certificate."""
        lbs = links.optional_neighbour(self.state, "load_balancers")
        return [] if lbs is None else lbs.using_certificate(certificate_id)

    def delete(self, certificate_id: str) -> None:
        self.get(certificate_id)
        if self.users(certificate_id):
            raise Forbidden(IN_USE)
        del self.table("certificates")[certificate_id]

    def view(self, record: dict) -> dict:
        return public(record)
