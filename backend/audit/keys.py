"""The audit trail's HMAC keys (审计密钥): files under DATA_DIR/keys/audit/, never in the database.

Each entry's hash is authenticated with the active key (`<kid>.key`, 32 random bytes in
url-safe base64; `active` names it). Whoever holds only the database can recompute SHA-256
links but not these MACs, so an edited and re-chained trail no longer verifies. Rotation adds a
key and makes it active; older keys stay to verify the entries they authenticated (each entry
stores its key id). Every app process of a deployment reads the same folder, like the signing
keys beside it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from pathlib import Path

from ..core.private import create_private, write_private

ENTRY_CONTEXT = b"xinyi:audit-entry:v1:"
HEAD_CONTEXT = b"xinyi:audit-head:v1:"


class AuditKeyMissing(RuntimeError):
    """An entry names an audit key this deployment does not have (removed, or never ours)."""


def _kid(key: bytes) -> str:
    return hashlib.sha256(b"xinyi:audit-kid:" + key).hexdigest()[:12]


def create_key(folder: Path) -> str:
    """A new active key, written owner-only; returns its id."""
    key = secrets.token_bytes(32)
    kid = _kid(key)
    create_private(folder / f"{kid}.key", base64.urlsafe_b64encode(key))
    active = folder / "active.tmp"
    write_private(active, kid)
    active.replace(folder / "active")  # atomic: a reader sees the old or the new id
    return kid


def load_keys(folder: Path) -> dict[str, bytes]:
    keys = {}
    for path in sorted(folder.glob("*.key")) if folder.exists() else []:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
        if len(key) != 32 or _kid(key) != path.stem:
            raise ValueError(f"{path} is not an audit key of this format")
        keys[path.stem] = key
    return keys


class AuditKeys:
    """The keys of one deployment: the active one authenticates, all of them verify. A key is
    created on the first write, never by a verification (which must not invent a key)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._keys: dict[str, bytes] = {}
        self._active = ""
        self._next_check = 0.0

    def _reload(self) -> None:
        self._keys = load_keys(self.folder)
        active = self.folder / "active"
        kid = active.read_text().strip() if active.exists() else ""
        self._active = kid if kid in self._keys else ""

    def active(self) -> tuple[str, bytes]:
        now = time.monotonic()
        if now >= self._next_check:  # rotated by another process? look at most every 5 s
            self._next_check = now + 5.0
            active = self.folder / "active"
            if active.exists() and active.read_text().strip() != self._active:
                self._reload()
        if not self._active:
            self._reload()
            if not self._active:
                create_key(self.folder)
                self._reload()
        return self._active, self._keys[self._active]

    def get(self, kid: str) -> bytes:
        if kid not in self._keys:
            self._reload()  # rotated by another process since we last looked
        try:
            return self._keys[kid]
        except KeyError:
            raise AuditKeyMissing(kid) from None

    def known(self) -> list[str]:
        self._reload()
        return sorted(self._keys)

    def rotate(self) -> str:
        kid = create_key(self.folder)
        self._reload()
        return kid


def entry_mac(key: bytes, entry_hash: str) -> str:
    # hmac.digest is the one-shot C path: a fraction of hmac.new's cost on the hot path.
    return hmac.digest(key, ENTRY_CONTEXT + entry_hash.encode(), "sha256").hex()


def head_mac(key: bytes, count: int, last_hash: str) -> str:
    return hmac.digest(key, HEAD_CONTEXT + f"{count}:{last_hash}".encode(), "sha256").hex()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
