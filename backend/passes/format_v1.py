"""Version 1 of the pass (docs/pass-format.md, "Version 1"): tier and flags in clear, one
device key per phone. No longer issued; read only until `V1_REFUSED_FROM`, when the last
version-1 certificate (a 30-day paper pass printed on release day) has expired.

Certificate 132 bytes: version 1, kid 8, pass id 12, issued 4, expires 4, tier 1, flags 1,
status index 4, device key 33, Ed25519 signature 64 over bytes 0..67. Presentation 200 bytes:
certificate, step 4, ECDSA P-256 r||s 64.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import base45
from .format import (
    FLAG_BLACK,
    FLAG_GRAY,
    FLAG_PAPER,
    FLAG_RED,
    KNOWN_FLAGS,
    TIERS,
    FormatError,
    payload_of,
)

PREFIX = "XY1:"
VERSION = 1
# 2027-01-02T00:00:00Z: version 2 shipped on 2026-12-02; a version-1 paper pass printed that
# day lived 30 days. From this instant every version-1 text is `malformed`.
V1_REFUSED_FROM = 1_798_848_000
_BODY = struct.Struct(">B8s12sIIBBI33s")
BODY_LEN = _BODY.size  # 68
CERT_LEN = BODY_LEN + 64
PRESENTATION_BODY = CERT_LEN + 4
PRESENTATION_LEN = PRESENTATION_BODY + 64


@dataclass(frozen=True)
class Certificate:
    kid: bytes
    pass_id: bytes
    issued_at: int
    expires_at: int
    tier: str
    flags: int
    status_index: int
    device_key: bytes  # 33 bytes compressed P-256, or NO_DEVICE
    signature: bytes = b""

    def body(self) -> bytes:
        return _BODY.pack(
            VERSION,
            self.kid,
            self.pass_id,
            self.issued_at,
            self.expires_at,
            TIERS.index(self.tier),
            self.flags,
            self.status_index,
            self.device_key,
        )

    def pack(self) -> bytes:
        if len(self.signature) != 64:
            raise FormatError("certificate is not signed")
        return self.body() + self.signature

    @property
    def paper(self) -> bool:
        return bool(self.flags & FLAG_PAPER)

    @property
    def lists(self) -> tuple[str, ...]:
        names = ((FLAG_RED, "red"), (FLAG_GRAY, "gray"), (FLAG_BLACK, "black"))
        return tuple(name for bit, name in names if self.flags & bit)


def unpack_certificate(data: bytes) -> Certificate:
    if len(data) != CERT_LEN:
        raise FormatError("certificate has the wrong length")
    version, kid, pass_id, issued, expires, tier, flags, index, device = _BODY.unpack(
        data[:BODY_LEN]
    )
    if version != VERSION:
        raise FormatError(f"unsupported pass version {version}")
    if tier >= len(TIERS):
        raise FormatError("unknown tier")
    if flags & ~KNOWN_FLAGS:
        raise FormatError("unknown flag bits")
    return Certificate(
        kid, pass_id, issued, expires, TIERS[tier], flags, index, device, data[BODY_LEN:]
    )


@dataclass(frozen=True)
class Presentation:
    certificate: Certificate
    certificate_bytes: bytes
    step: int
    signature: bytes  # empty for a paper pass

    def signed_bytes(self) -> bytes:
        return self.certificate_bytes + struct.pack(">I", self.step)


def to_text(payload: bytes) -> str:
    return PREFIX + base45.encode(payload)


def parse_text(text: str) -> Presentation:
    """Scanned text → presentation (or a bare paper-pass certificate)."""
    data = payload_of(text, PREFIX, "not a Xinyi pass")
    if len(data) == CERT_LEN:
        cert = unpack_certificate(data)
        if not cert.paper:
            raise FormatError("a phone pass must carry a fresh presentation")
        return Presentation(cert, data, 0, b"")
    if len(data) != PRESENTATION_LEN:
        raise FormatError("truncated or padded pass")
    cert_bytes = data[:CERT_LEN]
    cert = unpack_certificate(cert_bytes)
    if cert.paper:
        raise FormatError("a paper pass has no presentation")
    (step,) = struct.unpack(">I", data[CERT_LEN:PRESENTATION_BODY])
    return Presentation(cert, cert_bytes, step, data[PRESENTATION_BODY:])
