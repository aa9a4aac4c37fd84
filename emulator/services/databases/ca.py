"""A cluster's CA certificate and the client certificates it issues to Kafka users: real X.509 (clients parse
them), made by ``emulator.core.certs`` with keys derived from the cluster id, so the same cluster always has
the same CA key and subject; the CA certificate is made once per cluster and kept in its record.
"""

from __future__ import annotations

import datetime

from emulator.core import certs


def _ca_label(cluster_id: str) -> str:
    return f"emulator-ca:{cluster_id}"


def ca_pem(cluster_id: str, name: str, not_before: datetime.datetime) -> str:
    """A self-signed CA certificate for the cluster, valid ``certs.VALID_YEARS`` from ``not_before``."""
    return certs.ca_certificate(_ca_label(cluster_id), cluster_id, f"{name} CA", not_before)


def client_credentials(cluster_id: str, name: str, user: str, not_before: datetime.datetime) -> tuple[str, str]:
    """(certificate PEM, private key PEM) a Kafka user authenticates with over TLS: issued by the cluster's CA
    (``ca_pem``), so a client that trusts the CA accepts it."""
    return certs.issued_certificate(_ca_label(cluster_id), f"{name} CA", f"emulator-kafka-user:{cluster_id}:{user}",
                                    user, not_before)
