"""Real X.509 certificates for what the emulator serves (clients parse them): a self-signed CA per resource
and the client certificates it issues.

Every key is derived from a label (a resource id in it), so the same resource always has the same CA key and
subject, and a certificate issued later verifies against a CA made earlier; nothing secret is stored.
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


def _ca_subject(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DigitalOcean API emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])


def _serial(label: str) -> int:
    return int(hashlib.sha256(label.encode()).hexdigest()[:30], 16)


def ca_certificate(key_label: str, serial_label: str, common_name: str, not_before: datetime.datetime) -> str:
    """A self-signed CA certificate (PEM) valid VALID_YEARS from ``not_before``, its key derived from
    ``key_label``."""
    key = _key(key_label)
    subject = _ca_subject(common_name)
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(_serial(serial_label))
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def issued_certificate(ca_key_label: str, ca_common_name: str, key_label: str, common_name: str,
                       not_before: datetime.datetime) -> tuple[str, str]:
    """(certificate PEM, private key PEM) for ``common_name``, issued by the CA of ``ca_certificate``
    (same ``ca_key_label`` and ``ca_common_name``), so a client that trusts that CA accepts it."""
    key = _key(key_label)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]))
            .issuer_name(_ca_subject(ca_common_name)).public_key(key.public_key())
            .serial_number(_serial(key_label))
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(_key(ca_key_label), hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()
