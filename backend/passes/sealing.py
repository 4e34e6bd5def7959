"""The keys that keep a pass unreadable to strangers (docs/pass-format.md, "Eligibility keys").

One secret file under DATA_DIR/keys (never in the database) gives, by HKDF, one AES-256
*offline eligibility key* per UTC day: certificates issued that day are sealed with it.
Partners receive the keys of the days whose certificates may still be valid, plus tomorrow's,
in their offline bundle — never the secret, so a partner that leaves cannot read passes
issued two days later. The same secret keys the permutation that turns certificate numbers
into status indexes that look random, so consecutive certificates (one person's renewals)
have unrelated indexes."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..core.private import create_private
from .format import STATUS_LIST_SIZE

SECRET_FILE = "eligibility.secret"
DAY = 86_400
# A key is handed out while a certificate it sealed may be valid (paper: 7 days) and one
# day ahead, so a bundle fetched yesterday still opens passes issued today.
KEY_DAYS_BACK = 7
KEY_DAYS_AHEAD = 1
_INDEX_BITS = 28  # Feistel over 2 × 14 bits, cycle-walked down to STATUS_LIST_SIZE (2^27)
_HALF = _INDEX_BITS // 2
_MASK = (1 << _HALF) - 1


def day_of(unix_seconds: int) -> int:
    return unix_seconds // DAY


def load_secret(keys_dir: Path) -> bytes:
    """The 32-byte secret, created owner-only on first use."""
    path = keys_dir / SECRET_FILE
    if not path.exists():
        create_private(path, os.urandom(32))
    secret = path.read_bytes()
    if len(secret) != 32:
        raise ValueError(f"{path} must hold 32 bytes")
    return secret


def derive_key(secret: bytes, day: int) -> bytes:
    """HKDF-SHA256(secret, salt = none, info = "xinyi pass eligibility key" || uint16 day)."""
    info = b"xinyi pass eligibility key" + day.to_bytes(2, "big")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


@dataclass(frozen=True)
class Sealer:
    """The server's side: a key for any day, and the status-index permutation."""

    secret: bytes

    @classmethod
    def of(cls, keys_dir: Path) -> Sealer:
        return cls(load_secret(keys_dir))

    def key_for(self, day: int) -> bytes:
        return derive_key(self.secret, day)

    def keys_around(self, now: int) -> dict[int, bytes]:
        """The keys a verifier needs at `now` (what the offline bundle carries)."""
        today = day_of(now)
        return {
            d: self.key_for(d) for d in range(today - KEY_DAYS_BACK, today + KEY_DAYS_AHEAD + 1)
        }

    def status_index(self, number: int) -> int:
        """Certificate number → status index: a keyed permutation of [0, 2^27), so indexes
        stay unique while numbers are, and reveal nothing about the order of issue."""
        x = number % STATUS_LIST_SIZE
        while True:
            x = self._feistel(x)
            if x < STATUS_LIST_SIZE:
                return x

    def _feistel(self, x: int) -> int:
        left, right = x >> _HALF, x & _MASK
        key = hashlib.sha256(b"xinyi status index" + self.secret).digest()
        for round_no in range(4):
            mac = hmac.new(key, bytes((round_no,)) + right.to_bytes(2, "big"), hashlib.sha256)
            left, right = right, left ^ (int.from_bytes(mac.digest()[:4], "big") & _MASK)
        return (left << _HALF) | right
