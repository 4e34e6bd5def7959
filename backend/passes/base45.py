"""Base45 (RFC 9285): bytes as QR alphanumeric characters, so the QR uses the compact
alphanumeric mode and a USB barcode scanner can type it into any text field."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += [ALPHABET[c], ALPHABET[d], ALPHABET[e]]
    if len(data) % 2:
        n = data[-1]
        out += [ALPHABET[n % 45], ALPHABET[n // 45]]
    return "".join(out)


def decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise ValueError("base45: bad length")
    try:
        values = [_INDEX[c] for c in text]
    except KeyError as exc:
        raise ValueError(f"base45: invalid character {exc.args[0]!r}") from None
    out = bytearray()
    for i in range(0, len(values) - 2, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise ValueError("base45: value out of range")
        out += bytes((n // 256, n % 256))
    if len(values) % 3 == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise ValueError("base45: value out of range")
        out.append(n)
    return bytes(out)
