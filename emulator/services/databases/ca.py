"""A cluster's CA certificate: a real X.509 PEM (clients parse it), self-signed, one per cluster.

The key is derived from the cluster id, so the same cluster always has the same CA key and subject; the
certificate is made once per cluster and kept in its record.
"""

from __future__ import annotations

import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_CURVE = ec.SECP256R1()
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # of P-256
VALID_YEARS = 10


def ca_pem(cluster_id: str, name: str, not_before: datetime.datetime) -> str:
    """A self-signed CA certificate for the cluster, valid VALID_YEARS from ``not_before``."""
    secret = int.from_bytes(hashlib.sha256(f"emulator-ca:{cluster_id}".encode()).digest()) % (_ORDER - 1) + 1
    key = ec.derive_private_key(secret, _CURVE)
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DigitalOcean API emulator"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA"[:64])])
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(int(hashlib.sha256(cluster_id.encode()).hexdigest()[:30], 16))
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()
