"""Keys and certificates for a signing setup: a CA, a document signer, a timestamp authority.

`flask demo` makes a DEMO CA and signer with this code, and the tests make their own; a real
office uses the PKCS#12 its certification authority (BSrE) issued instead. Keys are EC P-256:
fast to make, and pyHanko signs and validates them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Issued:
    """A private key and its certificate."""

    key: Any  # EC P-256, or RSA-2048 for a timestamp authority
    cert: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _name(common_name: str, organization: str, country: str = "ID") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def make_ca(common_name: str, organization: str, days: int = 3650) -> Issued:
    """A self-signed root CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organization)
    cert = (
        _builder(name, name, key.public_key(), days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def _leaf(
    ca: Issued,
    common_name: str,
    organization: str,
    days: int,
    usage: x509.ExtendedKeyUsage | None,
    rsa_key: bool = False,
) -> Issued:
    key: Any = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if rsa_key
        else ec.generate_private_key(ec.SECP256R1())
    )
    builder = (
        _builder(_name(common_name, organization), ca.cert.subject, key.public_key(), days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=usage is None,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def make_signer(ca: Issued, common_name: str, organization: str, days: int = 1825) -> Issued:
    """A document-signing certificate issued by `ca` (digital signature and non-repudiation)."""
    return _leaf(ca, common_name, organization, days, None)


def make_tsa(ca: Issued, common_name: str, organization: str, days: int = 1825) -> Issued:
    """A timestamp authority's certificate issued by `ca` (extended key usage timeStamping, critical).
    RSA-2048: pyHanko's DummyTimeStamper, which the tests serve as a TSA, signs with RSA only."""
    usage = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
    return _leaf(ca, common_name, organization, days, usage, rsa_key=True)


def pkcs12_bytes(signer: Issued, ca: Issued, passphrase: bytes, friendly_name: bytes = b"signer") -> bytes:
    """The signer's key, certificate and CA chain as a PKCS#12 file protected by `passphrase`."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name,
        signer.key,
        signer.cert,
        [ca.cert],
        serialization.BestAvailableEncryption(passphrase),
    )


def write_private(path: Path, data: bytes) -> None:
    """Write a file only the owner may read (mode 0600), replacing an older one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


@dataclass(frozen=True)
class SigningFiles:
    """Where a signing setup keeps its files."""

    folder: Path

    @property
    def pkcs12(self) -> Path:
        return self.folder / "signer.p12"

    @property
    def passphrase(self) -> Path:
        return self.folder / "signer-passphrase.txt"

    @property
    def trust_roots(self) -> Path:
        return self.folder / "ca.pem"

    def exist(self) -> bool:
        return self.pkcs12.exists() and self.passphrase.exists() and self.trust_roots.exists()

    def config(self) -> dict[str, str]:
        """The SIGNING_* settings that sign with these files."""
        return {
            "SIGNING_BACKEND": "local",
            "SIGNING_PKCS12": str(self.pkcs12),
            "SIGNING_PASSPHRASE_FILE": str(self.passphrase),
            "SIGNING_TRUST_ROOTS": str(self.trust_roots),
        }


def create_signing_files(folder: Path, organization: str, ca_name: str, signer_name: str) -> SigningFiles:
    """A new CA and signer under `folder`: ca.pem, signer.p12 and its random passphrase (both 0600)."""
    files = SigningFiles(folder)
    ca = make_ca(ca_name, organization)
    signer = make_signer(ca, signer_name, organization)
    passphrase = secrets.token_urlsafe(24)
    folder.mkdir(parents=True, exist_ok=True)
    write_private(files.passphrase, (passphrase + "\n").encode())
    write_private(files.pkcs12, pkcs12_bytes(signer, ca, passphrase.encode()))
    files.trust_roots.write_bytes(ca.cert_pem)
    return files
