"""CDN endpoints in front of Spaces origins: create, TTL and custom domain (with its certificate), purge.

The origin must be a Space (``<bucket>.<region>.digitaloceanspaces.com``) and can have one endpoint;
the endpoint is the origin's CDN name. A custom domain needs a certificate of this account (looked up
through core/links). A purge is accepted and forgotten: there is no cache.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend, public

SPACES_ORIGIN = re.compile(r"^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.([a-z]{3}\d)\.digitaloceanspaces\.com$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
TTLS = (60, 600, 3600, 86400, 604800)


def _without_zero_ttl(body: dict) -> dict:
    """A create's ``ttl: 0`` means no TTL chosen: godo's create request always sends the field (no omitempty), so
    a caller that sets none sends 0, and the API gives such an endpoint its default (3600)."""
    return {k: val for k, val in body.items() if not (k == "ttl" and val == 0)}


class CdnBackend(Backend):
    name = "cdn"

    def reset(self) -> None:
        self.data = {"endpoints": {}}

    def get(self, endpoint_id: str) -> dict:
        return self.get_or_404("endpoints", endpoint_id, "CDN endpoint")

    def list(self) -> list[dict]:
        return sorted(self.data["endpoints"].values(), key=lambda e: e["created_at"])

    def create(self, body: dict) -> dict:
        origin = v.string(body, "origin", required=True).lower()
        match = SPACES_ORIGIN.match(origin)
        if match is None:
            raise Unprocessable(f"origin must be a Space, <bucket>.<region>.digitaloceanspaces.com; got {origin!r}")
        links.require_region(self.state, match.group(2), "origin region")
        if any(e["origin"] == origin for e in self.data["endpoints"].values()):
            raise Unprocessable(f"origin {origin!r} already has a CDN endpoint")
        record = {"id": self.ids.uuid(), "origin": origin, "endpoint": origin.replace(
            ".digitaloceanspaces.com", ".cdn.digitaloceanspaces.com"), "created_at": self.now(),
            **self._settings(_without_zero_ttl(body), {"ttl": 3600})}
        self.data["endpoints"][record["id"]] = record
        return record

    def update(self, endpoint_id: str, body: dict) -> dict:
        record = self.get(endpoint_id)
        record.update(self._settings(body, record))
        return record

    def _settings(self, body: dict, current: dict) -> dict:
        ttl = v.choice(body, "ttl", TTLS, default=current.get("ttl", 3600))
        certificate_id = v.string(body, "certificate_id", default=current.get("certificate_id"))
        domain = v.string(body, "custom_domain", default=current.get("custom_domain"))
        if domain is not None and not HOSTNAME.match(domain.lower()):
            raise Unprocessable(f"custom_domain must be a fully qualified domain name; got {domain!r}")
        if domain and not certificate_id:
            raise Unprocessable("custom_domain needs certificate_id (a certificate covering that domain)")
        if certificate_id:
            links.reference(self.state, "certificates", certificate_id, "certificate_id")
        out = {"ttl": ttl}
        if certificate_id:
            out["certificate_id"] = certificate_id
        if domain:
            out["custom_domain"] = domain.lower()
        return out

    def delete(self, endpoint_id: str) -> None:
        del self.data["endpoints"][self.get(endpoint_id)["id"]]

    def purge(self, endpoint_id: str, body: dict) -> None:
        self.get(endpoint_id)
        files = v.string_list(body, "files", required=True)
        if not files:
            raise Unprocessable('files must list at least one path ("*" purges everything)')

    @staticmethod
    def view(record: dict) -> dict:
        return public(record)
