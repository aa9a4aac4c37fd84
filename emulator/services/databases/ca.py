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


def _key(label: str) -> ec.EllipticCurvePrivateKey:
    secret = int.from_bytes(hashlib.sha256(label.encode()).digest()) % (_ORDER - 1) + 1
    return ec.derive_private_key(secret, _CURVE)


def _ca_subject(name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DigitalOcean API emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA"[:64])])


def _serial(label: str) -> int:
    return int(hashlib.sha256(label.encode()).hexdigest()[:30], 16)


def ca_pem(cluster_id: str, name: str, not_before: datetime.datetime) -> str:
    """A self-signed CA certificate for the cluster, valid VALID_YEARS from ``not_before``."""
    key = _key(f"emulator-ca:{cluster_id}")
    subject = _ca_subject(name)
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(_serial(cluster_id))
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def client_credentials(cluster_id: str, name: str, user: str, not_before: datetime.datetime) -> tuple[str, str]:
    """(certificate PEM, private key PEM) a Kafka user authenticates with over TLS: issued by the cluster's CA
    (``ca_pem``), so a client that trusts the CA accepts it."""
    key = _key(f"emulator-kafka-user:{cluster_id}:{user}")
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user[:64])]))
            .issuer_name(_ca_subject(name)).public_key(key.public_key())
            .serial_number(_serial(f"{cluster_id}:{user}"))
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(_key(f"emulator-ca:{cluster_id}"), hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()
