"""At-rest protection of ID numbers: AES-256-GCM encryption plus a keyed hash for lookup,
and hashing of bearer secrets (session tokens, one-time and recovery codes).

The ciphertext of an ID number is bound to its row: the associated data names the row's
lookup hash, so a ciphertext copied into another person's row does not decrypt there."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .settings import Settings

_AAD_V1 = b"xinyi:id-number:v1"  # before binding to the row: only the migration reads it
_AAD_PREFIX = b"xinyi:id-number:v2:"


class UnboundCiphertext(ValueError):
    """A ciphertext that does not decrypt for the row it is read from (moved, edited, or
    encrypted under another key)."""


class IdCipher:
    def __init__(self, encryption_key: str, hash_key: str) -> None:
        key = base64.urlsafe_b64decode(encryption_key.encode())
        if len(key) != 32:
            raise ValueError("ID_ENCRYPTION_KEY must be 32 bytes, url-safe base64")
        self._aead = AESGCM(key)
        self._hash_key = hash_key.encode()

    @classmethod
    def from_settings(cls, settings: Settings) -> IdCipher:
        return cls(settings.id_encryption_key, settings.id_hash_key)

    def lookup_hash(self, id_number: str) -> str:
        return hmac.new(self._hash_key, id_number.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, id_number: str, *, bound_to: str) -> bytes:
        """`bound_to` is the row's lookup hash (`lookup_hash(id_number)`)."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(
            nonce, id_number.encode(), _AAD_PREFIX + bound_to.encode()
        )

    def seal(self, id_number: str) -> tuple[str, bytes]:
        """The lookup hash and the ciphertext bound to it, for a new register row."""
        row = self.lookup_hash(id_number)
        return row, self.encrypt(id_number, bound_to=row)

    def decrypt(self, blob: bytes, *, bound_to: str) -> str:
        try:
            return self._aead.decrypt(
                blob[:12], blob[12:], _AAD_PREFIX + bound_to.encode()
            ).decode()
        except InvalidTag as exc:
            raise UnboundCiphertext("the ID number does not decrypt for this row") from exc

    def decrypt_unbound(self, blob: bytes) -> str:
        """A ciphertext written before row binding (migration 0006 re-encrypts them)."""
        try:
            return self._aead.decrypt(blob[:12], blob[12:], _AAD_V1).decode()
        except InvalidTag as exc:
            raise UnboundCiphertext("not a v1 ciphertext under this key") from exc


def secret_hash(secret: str) -> str:
    """Hash of a high-entropy bearer secret (tokens, codes): SHA-256 is enough for those."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


# Codes a person types or reads aloud: no 0/O, 1/I/L confusion.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(groups: int = 4, size: int = 4) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(groups * size))
    return "-".join(raw[i : i + size] for i in range(0, len(raw), size))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))
