"""Byte layout of the pass (see docs/pass-format.md; keep the two in step).

Certificate (signed by the server, Ed25519):
    0   1  version (1)
    1   8  key id (raw 8 bytes; base64url in the JWKS)
    9  12  pass id (random, pseudonymous)
   21   4  issued at (uint32, Unix seconds, big-endian)
   25   4  expires at (uint32)
   29   1  tier (index into TIERS)
   30   1  flags (bit 0 red list, 1 black list, 2 gray list, 3 paper pass: check the ID card)
   31   4  status-list index (uint32)
   35  33  device public key (P-256, SEC1 compressed; all zero for a paper pass)
   68  64  Ed25519 signature over bytes 0..67
  = 132 bytes

Presentation (signed by the device key, ECDSA P-256 / SHA-256, raw r||s):
    0 132  certificate
  132   4  time step (uint32, Unix seconds // 30)
  136  64  signature over bytes 0..135  (a paper pass has no presentation)
  = 200 bytes

Text: "XY1:" + Base45(presentation) — 304 characters, QR version 11 at level M.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import base45

PREFIX = "XY1:"
VERSION = 1
TIERS = ("excellent", "very_good", "good", "fair", "improve", "none")
FLAG_RED, FLAG_BLACK, FLAG_GRAY, FLAG_PAPER = 1, 2, 4, 8
STEP_SECONDS = 30
_BODY = struct.Struct(">B8s12sIIBBI33s")
BODY_LEN = _BODY.size  # 68
CERT_LEN = BODY_LEN + 64
PRESENTATION_BODY = CERT_LEN + 4
PRESENTATION_LEN = PRESENTATION_BODY + 64
NO_DEVICE = bytes(33)


class FormatError(ValueError):
    """The scanned text is not a pass (truncated, garbage, wrong version)."""


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
    cleaned = text.strip().upper()
    if not cleaned.startswith(PREFIX):
        raise FormatError("not a Xinyi pass")
    try:
        data = base45.decode(cleaned[len(PREFIX) :])
    except ValueError as exc:
        raise FormatError(str(exc)) from None
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
