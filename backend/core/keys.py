"""Signing keys (Ed25519, with key ids) kept as files under DATA_DIR/keys — never in the
database, so a database dump holds no private key. Published as a JWKS."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from webauthn.helpers import bytes_to_base64url

from .private import private_dir, write_private


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def jwk(self) -> dict[str, str]:
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": bytes_to_base64url(raw),
            "kid": self.kid,
            "use": "sig",
            "alg": "EdDSA",
        }


def kid_for(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return bytes_to_base64url(hashlib.sha256(raw).digest()[:8])


DEFAULT_PUBLISH_LEAD = 48 * 3600  # a new key is in the JWKS this long before it signs


def create_key(keys_dir: Path, *, signs_from: int | None = None) -> SigningKey:
    """A new key, published at once. Without `signs_from` it signs at once (the first key);
    with it, the previous key keeps signing until then, so offline verifiers that refresh
    on schedule know the key before any pass carries it (docs/pass-format.md)."""
    private_dir(keys_dir)
    private = Ed25519PrivateKey.generate()
    key = SigningKey(kid_for(private.public_key()), private)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = keys_dir / f"{key.kid}.pem"
    write_private(path, pem)  # 0600 from the first byte
    if signs_from is None:
        (keys_dir / "active").write_text(key.kid)
    at = int(time.time()) if signs_from is None else int(signs_from)
    (keys_dir / f"{key.kid}.signs_from").write_text(str(at))
    return key


def signing_schedule(keys_dir: Path) -> dict[str, int]:
    """kid → Unix time from which it signs, for keys added with a lead time."""
    found: dict[str, int] = {}
    for path in keys_dir.glob("*.signs_from"):
        try:
            found[path.name.removesuffix(".signs_from")] = int(path.read_text().strip())
        except ValueError:
            continue
    return found


def load_keys(keys_dir: Path) -> list[SigningKey]:
    keys = []
    for path in sorted(keys_dir.glob("*.pem")):
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(private, Ed25519PrivateKey):
            keys.append(SigningKey(path.stem, private))
    return keys


def ensure_keys(keys_dir: Path) -> list[SigningKey]:
    return load_keys(keys_dir) or [create_key(keys_dir)]


def jwks(keys: list[SigningKey]) -> str:
    return json.dumps({"keys": [k.jwk() for k in keys]})


class KeyRing:
    """The signing keys of this deployment: one active key signs, all keys verify (so a
    rotation does not break passes in flight). Re-read when the key folder changes."""

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir
        self._stamp = -1.0
        self._keys: dict[str, SigningKey] = {}
        self._public: dict[str, Ed25519PublicKey] = {}
        self._active = ""
        self._schedule: dict[str, int] = {}
        self._next_check = 0.0
        self.reload_if_changed()

    def _folder_stamp(self) -> float:
        active = self.keys_dir / "active"
        return max(
            self.keys_dir.stat().st_mtime, active.stat().st_mtime if active.exists() else 0.0
        )

    def reload_if_changed(self) -> None:
        now = time.monotonic()
        if self._keys and now < self._next_check:
            return
        self._next_check = now + 1.0  # look at the folder at most once a second
        stamp = self._folder_stamp() if self.keys_dir.exists() else -1.0
        if stamp == self._stamp and self._keys:
            return
        keys = ensure_keys(self.keys_dir)
        self._keys = {k.kid: k for k in keys}
        # Derived once per reload: deriving a public key costs ~50 µs, every verification
        # needs them all.
        self._public = {k.kid: k.public for k in keys}
        active_file = self.keys_dir / "active"
        active = active_file.read_text().strip() if active_file.exists() else ""
        self._active = active if active in self._keys else keys[-1].kid
        self._schedule = {
            kid: at for kid, at in signing_schedule(self.keys_dir).items() if kid in self._keys
        }
        self._stamp = self._folder_stamp()

    @property
    def active(self) -> SigningKey:
        """The key named in `active`, or the latest scheduled key whose time has come."""
        self.reload_if_changed()
        now = time.time()
        kid, since = self._active, 0
        for scheduled, at in self._schedule.items():
            if since <= at <= now:
                kid, since = scheduled, at
        return self._keys[kid]

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        self.reload_if_changed()
        return dict(self._public)

    def jwks(self) -> str:
        self.reload_if_changed()
        return jwks(list(self._keys.values()))
