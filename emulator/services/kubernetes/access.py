"""Reaching a Kubernetes cluster: registry integration, credentials and kubeconfig, the cluster user.

Every credential request mints a new token (as the API does), valid for ``expiry_seconds`` (7 days by
default).
"""

from __future__ import annotations

import base64
from datetime import timedelta

from emulator.core import certs, links
from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.errors import Unprocessable

DEFAULT_EXPIRY = 7 * 24 * 3600


class Access:
    """The access part of the Kubernetes backend (see the module)."""

    def set_registry(self, body: dict, enabled: bool, *, named: bool = False) -> None:
        """Registry integration on/off for ``cluster_uuids``; ``named`` (the plural route) also takes
        ``registries``, names that must exist in the registry family."""
        ids = body.get("cluster_uuids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise Unprocessable("cluster_uuids is required: a list of cluster ids")
        names: list[str] = []
        if named:
            names = body.get("registries") or []
            if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
                raise Unprocessable("registries is required: a list of registry names")
            registry = links.optional_neighbour(self.state, "registry")
            known = registry.data.get("registries", {}) if registry is not None else {}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise Unprocessable(f"registries: {', '.join(unknown)} are not registries of this account; "
                                    f"known: {', '.join(known) or 'none'}")
        records = [self.cluster(i) for i in ids]  # 404 before anything changes
        for record in records:
            current = record.setdefault("_registries", [])
            if named:
                record["_registries"] = ([*current, *[n for n in names if n not in current]] if enabled
                                         else [n for n in current if n not in names])
                record["registry_enabled"] = bool(record["_registries"])
            else:
                record["registry_enabled"] = enabled

    def credentials(self, cluster_id: str, expiry_seconds: int) -> dict:
        record = self.cluster(cluster_id)
        if expiry_seconds < 0:
            raise Unprocessable(f"expiry_seconds must be >= 0; got {expiry_seconds}")
        lifetime = expiry_seconds or DEFAULT_EXPIRY
        return {
            "server": record["endpoint"],
            "certificate_authority_data": base64.b64encode(self._ca_pem(record)).decode(),
            "client_certificate_data": None,
            "client_key_data": None,
            "token": "doks_" + self.ids.hex(24),
            "expires_at": rfc3339(self.clock.now() + timedelta(seconds=lifetime)),
        }

    def kubeconfig(self, cluster_id: str, expiry_seconds: int) -> str:
        record = self.cluster(cluster_id)
        creds = self.credentials(cluster_id, expiry_seconds)
        context = f"do-{record['region']}-{record['name']}"
        return (
            "apiVersion: v1\n"
            "kind: Config\n"
            "clusters:\n"
            "- cluster:\n"
            f"    certificate-authority-data: {creds['certificate_authority_data']}\n"
            f"    server: {creds['server']}\n"
            f"  name: {context}\n"
            "contexts:\n"
            "- context:\n"
            f"    cluster: {context}\n"
            f"    user: {context}-admin\n"
            f"  name: {context}\n"
            f"current-context: {context}\n"
            "users:\n"
            f"- name: {context}-admin\n"
            "  user:\n"
            f"    token: {creds['token']}\n"
        )

    def cluster_user(self, cluster_id: str) -> dict:
        self.cluster(cluster_id)
        account = links.optional_neighbour(self.state, "account")
        email = account.get()["email"] if account is not None else "emulator@example.com"
        return {"username": email, "groups": ["k8saas:authenticated"]}

    @staticmethod
    def _ca_pem(record: dict) -> bytes:
        """The cluster's CA: a real X.509 certificate (kubectl and the Kubernetes providers parse it), made once
        and kept, so every credentials request answers the same one."""
        if not record.get("_ca_pem"):
            record["_ca_pem"] = certs.ca_certificate(f"emulator-doks-ca:{record['id']}", record["id"],
                                                     f"{record['name']} DOKS CA", parse_rfc3339(record["created_at"]))
        return record["_ca_pem"].encode()
