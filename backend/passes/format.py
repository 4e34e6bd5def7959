"""Byte layout of the pass, version 2 (docs/pass-format.md; keep the two in step).

Certificate (signed by the server, Ed25519):
    0   1  version (2)
    1   8  signing key id (raw 8 bytes; base64url in the JWKS)
    9   2  eligibility key id (uint16: the UTC day number whose key sealed it)
   11  12  pass id (random per certificate; also the AES-CTR nonce)
   23   n  sealed: AES-256-CTR(eligibility key, counter = pass id || 0x00000000) of
              phone (n = 47): issued 4, expires 4, tier 1, flags 1, status index 4, device key 33
              paper (n = 17 + m): issued 4, expires 4, tier 1, flags 1, status index 4,
                                  birth year 2, m 1, clerk-facing name m (UTF-8, m <= 48)
 23+n  64  Ed25519 signature over bytes 0 .. 22+n
  phone certificate = 134 bytes; paper certificate = 104 + m bytes (104 .. 152)

Presentation (phone only; ECDSA P-256 / SHA-256 by the device key, raw r||s):
    0 134  certificate
  134   4  time step (uint32, Unix seconds // 30)
  138  64  signature over bytes 0..137
  = 202 bytes

Text: "XY2:" + Base45 — a phone pass is 307 characters: QR version 10 at level M.
Version 1 (see `format_v1.py`) is still read until `V1_REFUSED_FROM`.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from . import base45

PREFIX = "XY2:"
VERSION = 2
TIERS = ("excellent", "very_good", "good", "fair", "improve", "none")
FLAG_RED, FLAG_BLACK, FLAG_GRAY, FLAG_PAPER = 1, 2, 4, 8
KNOWN_FLAGS = FLAG_RED | FLAG_BLACK | FLAG_GRAY | FLAG_PAPER
STEP_SECONDS = 30
STATUS_LIST_SIZE = 1 << 27  # bits; an index is below this, and a status list has this size
MAX_NAME_BYTES = 48

HEADER = struct.Struct(">B8sH12s")  # version, kid, ekid, pass id
HEADER_LEN = HEADER.size  # 23
_COMMON = struct.Struct(">IIBBI")  # issued, expires, tier, flags, status index
COMMON_LEN = _COMMON.size  # 14
DEVICE_KEY_LEN = 33
PHONE_SEALED_LEN = COMMON_LEN + DEVICE_KEY_LEN  # 47
PAPER_FIXED_LEN = COMMON_LEN + 3  # + birth year (2) + name length (1)
SIG_LEN = 64
CERT_LEN = HEADER_LEN + PHONE_SEALED_LEN + SIG_LEN  # 134
PAPER_MIN = HEADER_LEN + PAPER_FIXED_LEN + SIG_LEN  # 104
PAPER_MAX = PAPER_MIN + MAX_NAME_BYTES  # 152
PRESENTATION_BODY = CERT_LEN + 4  # 138
PRESENTATION_LEN = PRESENTATION_BODY + 64  # 202
NO_DEVICE = bytes(DEVICE_KEY_LEN)

# Scanned text: ASCII white space around it is dropped and a–z read as A–Z (a USB scanner
# with caps lock); nothing else is normalised. str.strip()/upper() would also accept U+3000,
# no-break spaces, "ı" and "ſ", so a second implementation could disagree.
_EDGE = " \t\r\n"
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class FormatError(ValueError):
    """The scanned text is not a pass (truncated, garbage, wrong version, not ASCII)."""


def canonical_text(text: str) -> str:
    if not text.isascii():
        raise FormatError("a pass is ASCII only")
    return text.strip(_EDGE).translate(_UPPER)


def keystream_cipher(key: bytes, pass_id: bytes) -> Cipher[modes.CTR]:
    """AES-256-CTR, initial counter block = pass id (12 bytes) || 00 00 00 00."""
    return Cipher(algorithms.AES(key), modes.CTR(pass_id + bytes(4)))


def crypt(key: bytes, pass_id: bytes, data: bytes) -> bytes:
    """CTR is its own inverse: the same call seals and opens."""
    worker = keystream_cipher(key, pass_id).encryptor()
    return worker.update(data) + worker.finalize()


@dataclass(frozen=True)
class Header:
    """What anyone can read: version, which keys, a random per-certificate id."""

    kid: bytes
    ekid: int
    pass_id: bytes

    def pack(self) -> bytes:
        return HEADER.pack(VERSION, self.kid, self.ekid, self.pass_id)


@dataclass(frozen=True)
class Certificate:
    """The opened (decrypted) certificate."""

    kid: bytes
    ekid: int
    pass_id: bytes
    issued_at: int
    expires_at: int
    tier: str
    flags: int
    status_index: int
    device_key: bytes = NO_DEVICE  # 33 bytes compressed P-256; NO_DEVICE on paper
    birth_year: int = 0  # paper only (0: unknown)
    holder_name: str = ""  # paper only: the clerk-facing name for the ID-card check

    @property
    def paper(self) -> bool:
        return bool(self.flags & FLAG_PAPER)

    @property
    def lists(self) -> tuple[str, ...]:
        names = ((FLAG_RED, "red"), (FLAG_GRAY, "gray"), (FLAG_BLACK, "black"))
        return tuple(name for bit, name in names if self.flags & bit)

    @property
    def header(self) -> Header:
        return Header(self.kid, self.ekid, self.pass_id)

    def plaintext(self) -> bytes:
        common = _COMMON.pack(
            self.issued_at,
            self.expires_at,
            TIERS.index(self.tier),
            self.flags,
            self.status_index,
        )
        if not self.paper:
            return common + self.device_key
        name = self.holder_name.encode("utf-8")
        return common + struct.pack(">HB", self.birth_year, len(name)) + name


def clip_name(name: str) -> str:
    """At most MAX_NAME_BYTES of UTF-8, cut at a character boundary."""
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name


@dataclass(frozen=True)
class Sealed:
    """A certificate as scanned: the clear header, the sealed bytes and the signature."""

    header: Header
    raw: bytes  # header || sealed || signature
    sealed: bytes
    signature: bytes

    @property
    def signed_part(self) -> bytes:
        return self.raw[: -len(self.signature)]


@dataclass(frozen=True)
class Presentation:
    """A scanned pass: the sealed certificate, and for a phone the step and device signature.
    `certificate` is filled in once the signature checked and the sealed part opened."""

    sealed: Sealed
    step: int
    signature: bytes  # empty for a paper pass
    certificate: Certificate | None = None

    @property
    def paper_layout(self) -> bool:
        return not self.signature

    def signed_bytes(self) -> bytes:
        return self.sealed.raw + struct.pack(">I", self.step)


def to_text(payload: bytes) -> str:
    return PREFIX + base45.encode(payload)


def seal(cert: Certificate, key: bytes) -> bytes:
    """Header || AES-CTR(plaintext): the bytes the server signs."""
    return cert.header.pack() + crypt(key, cert.pass_id, cert.plaintext())


def _sealed_of(data: bytes) -> Sealed:
    version, kid, ekid, pass_id = HEADER.unpack(data[:HEADER_LEN])
    if version != VERSION:
        raise FormatError(f"unsupported pass version {version}")
    return Sealed(Header(kid, ekid, pass_id), data, data[HEADER_LEN:-SIG_LEN], data[-SIG_LEN:])


def parse_bytes(data: bytes) -> Presentation:
    """Decoded bytes → a phone presentation (202 bytes) or a paper certificate (104..152)."""
    if len(data) == PRESENTATION_LEN:
        cert = _sealed_of(data[:CERT_LEN])
        (step,) = struct.unpack(">I", data[CERT_LEN:PRESENTATION_BODY])
        return Presentation(cert, step, data[PRESENTATION_BODY:])
    if PAPER_MIN <= len(data) <= PAPER_MAX:
        return Presentation(_sealed_of(data), 0, b"")
    raise FormatError("truncated or padded pass")


def payload_of(text: str, prefix: str, refusal: str) -> bytes:
    """The bytes of a scanned text of one format version: canonical ASCII, its prefix, Base45
    (both versions read their text this way; `refusal` says which version was expected)."""
    cleaned = canonical_text(text)
    if not cleaned.startswith(prefix):
        raise FormatError(refusal)
    try:
        return base45.decode(cleaned[len(prefix) :])
    except ValueError as exc:
        raise FormatError(str(exc)) from None


def parse_text(text: str) -> Presentation:
    """Scanned text → presentation, before any key is used (check 1 of the order)."""
    return parse_bytes(payload_of(text, PREFIX, "not a Xinyi pass of version 2"))


def open_sealed(p: Presentation, key: bytes) -> Certificate:
    """Decrypt and check the sealed content (check 4: after the signature verified)."""
    header = p.sealed.header
    plain = crypt(key, header.pass_id, p.sealed.sealed)
    issued, expires, tier, flags, index = _COMMON.unpack(plain[:COMMON_LEN])
    if tier >= len(TIERS):
        raise FormatError("unknown tier")
    if flags & ~KNOWN_FLAGS:
        raise FormatError("unknown flag bits")
    if bool(flags & FLAG_PAPER) != p.paper_layout:
        raise FormatError("the paper flag does not match the layout")
    if index >= STATUS_LIST_SIZE:
        raise FormatError("status index beyond the status list")
    if issued >= expires:
        raise FormatError("expires before it was issued")
    rest = plain[COMMON_LEN:]
    common = (header.kid, header.ekid, header.pass_id, issued, expires, TIERS[tier], flags, index)
    if p.paper_layout:
        birth_year, length = struct.unpack(">HB", rest[:3])
        name = rest[3:]
        if length != len(name) or length > MAX_NAME_BYTES:
            raise FormatError("name length does not match")
        try:
            holder = name.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("name is not UTF-8") from None
        return Certificate(*common, birth_year=birth_year, holder_name=holder)
    if not is_curve_point(rest):
        raise FormatError("device key is not a P-256 point")
    return Certificate(*common, device_key=rest)


def is_curve_point(point: bytes) -> bool:
    if len(point) != DEVICE_KEY_LEN or point[0] not in (2, 3):
        return False
    return curve_point(point) is not None


@functools.lru_cache(maxsize=4096)
def curve_point(point: bytes) -> ec.EllipticCurvePublicKey | None:
    """The P-256 key of a SEC 1 point, or None; cached because decompressing costs as much as
    the signature check, and check 4 and check 9 both need it."""
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return None
