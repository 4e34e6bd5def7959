"""At-rest protection of ID numbers: AES-256-GCM encryption plus a keyed hash for lookup,
and hashing of bearer secrets (session tokens, one-time and recovery codes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .settings import Settings

_AAD = b"xinyi:id-number:v1"


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

    def encrypt(self, id_number: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, id_number.encode(), _AAD)

    def decrypt(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:12], blob[12:], _AAD).decode()


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
