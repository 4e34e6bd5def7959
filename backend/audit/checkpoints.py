"""Signed checkpoints of the audit trail's head (审计检查点), kept outside the database.

Every minute (a periodic job) the head — how many entries, the last one's id and hash — is
signed with the server's Ed25519 signing key (the key that signs passes, published in the
JWKS) and appended as one JSON line to DATA_DIR/audit-checkpoints/<UTC day>.jsonl. A file
is only ever appended to; each line stands alone (its own signature), so several app processes
may append to the same file. `scripts/verify_audit` checks the chain against every line: a
chain shorter than a checkpoint has been truncated, a different hash at a checkpoint's position
has been rewritten. An auditor pins a checkpoint (`GET /api/v1/audit/checkpoint`) and later
verifies against the pinned copy, which nobody at the server can change.

The job signs only a head it can authenticate (its HMAC, `keys.head_mac`) and that has not
gone backwards since the last checkpoint; otherwise it writes nothing and logs an error, so the
server never vouches for a truncated or forged trail.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tortoise.transactions import in_transaction

from ..core import clock
from ..core.keys import KeyRing, load_keys
from ..core.private import private_dir
from .chain import GENESIS, HEAD_ID, trail
from .keys import AuditKeyMissing, entry_mac, head_mac, same
from .models import AuditEntry, AuditHead

log = logging.getLogger("xinyi.audit")
SIGNED_CONTEXT = b"xinyi:audit-checkpoint:v1\n"
EVERY_SECONDS = 60
IDLE_RESIGN_SECONDS = 3600


@dataclass(frozen=True)
class Checkpoint:
    """The head at one moment: `count` entries, the last with `last_id` and `hash`."""

    count: int
    last_id: int
    hash: str
    at: str
    kid: str
    sig: str = ""

    def signed_part(self) -> dict[str, Any]:
        return {
            "v": 1,
            "count": self.count,
            "last_id": self.last_id,
            "hash": self.hash,
            "at": self.at,
            "kid": self.kid,
        }

    def message(self) -> bytes:
        body = json.dumps(self.signed_part(), sort_keys=True, separators=(",", ":"))
        return SIGNED_CONTEXT + body.encode()

    def line(self) -> dict[str, Any]:
        return {**self.signed_part(), "sig": self.sig}

    def verifies(self, public_keys: dict[str, Ed25519PublicKey]) -> bool:
        public = public_keys.get(self.kid)
        if public is None:
            return False
        try:
            public.verify(_b64decode(self.sig), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse(item: Any) -> Checkpoint:
    """A checkpoint from one JSON line (as written, or as an auditor pinned it)."""
    if not isinstance(item, dict):
        raise ValueError("a checkpoint is a JSON object")
    try:
        return Checkpoint(
            count=int(item["count"]),
            last_id=int(item["last_id"]),
            hash=str(item["hash"]),
            at=str(item["at"]),
            kid=str(item["kid"]),
            sig=str(item.get("sig", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a checkpoint: {exc}") from None


def read_lines(lines: Iterable[str], source: str) -> list[Checkpoint]:
    found = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            found.append(parse(json.loads(raw)))
        except (json.JSONDecodeError, ValueError) as exc:
            raise ValueError(f"{source}:{number}: {exc}") from None
    return found


def load_all(folder: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint this server wrote, oldest first."""
    folder = folder or trail().checkpoint_dir
    found: list[Checkpoint] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
        with path.open(encoding="utf-8") as handle:
            found += read_lines(handle, path.name)
    return sorted(found, key=lambda c: (c.count, c.at))


def latest(folder: Path | None = None) -> Checkpoint | None:
    """The newest checkpoint: the last line of the newest file (no need to read them all)."""
    folder = folder or trail().checkpoint_dir
    files = sorted(folder.glob("*.jsonl")) if folder.exists() else []
    for path in reversed(files):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if lines:
            return max(read_lines(lines, path.name), key=lambda c: (c.count, c.at))
    return None


def for_auditors() -> dict[str, Any]:
    """The latest checkpoint as written (to pin: keep the JSON line as it is) and the public
    key that signed it, as a JWK (also in /.well-known/jwks.json)."""
    latest_one = latest()
    if latest_one is None:
        return {"checkpoint": None, "key": None, "every_seconds": EVERY_SECONDS}
    keys = {k.kid: k for k in load_keys(trail().signing_keys_dir)}
    key = keys.get(latest_one.kid)
    return {
        "checkpoint": latest_one.line(),
        "key": key.jwk() if key else None,
        "every_seconds": EVERY_SECONDS,
    }


def public_keys() -> dict[str, Ed25519PublicKey]:
    return {k.kid: k.public for k in load_keys(trail().signing_keys_dir)}


def _append_line(folder: Path, checkpoint: Checkpoint) -> None:
    private_dir(folder)
    path = folder / f"{checkpoint.at[:10]}.jsonl"
    data = (json.dumps(checkpoint.line(), sort_keys=True, separators=(",", ":")) + "\n").encode()
    # One write() of a short line with O_APPEND: lines from several processes never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


async def seal_legacy() -> int:
    """Entries written before audit keys existed have no MAC: authenticate them once, when
    this deployment has no checkpoint yet (afterwards an entry without a MAC is reported)."""
    kid, key = trail().keys.active()
    sealed = 0
    async with in_transaction():
        head = await AuditHead.select_for_update().get_or_none(id=HEAD_ID)
        rows = await AuditEntry.filter(mac="").order_by("id")
        for row in rows:
            await AuditEntry.filter(id=row.id).update(key_id=kid, mac=entry_mac(key, row.hash))
            sealed += 1
        if head is not None and not head.mac and head.count:
            head.key_id, head.mac = kid, head_mac(key, head.count, head.last_hash)
            await head.save(update_fields=["key_id", "mac"])
    if sealed:
        log.warning("audit: %d entries written before audit keys were sealed", sealed)
    return sealed


class CheckpointRefused(RuntimeError):
    """The head could not be authenticated or went backwards: nothing was signed."""


async def write_checkpoint() -> Checkpoint:
    """Sign the current head and append it to today's file (the periodic job); an unchanged
    head is signed again only once an hour."""
    config = trail()
    previous = latest(config.checkpoint_dir)
    if previous is None:
        await seal_legacy()
    head = await AuditHead.get_or_none(id=HEAD_ID)
    count, last_hash = (head.count, head.last_hash) if head else (0, GENESIS)
    last_id = 0
    if count:
        assert head is not None
        try:
            key = config.keys.get(head.key_id)
        except AuditKeyMissing:
            raise CheckpointRefused(
                f"the head names an unknown audit key {head.key_id!r}"
            ) from None
        if not same(head.mac, head_mac(key, count, last_hash)):
            raise CheckpointRefused("the head's MAC does not hold: not signing it")
        last = await AuditEntry.get_or_none(hash=last_hash)
        if last is None or not same(last.mac, entry_mac(config.keys.get(last.key_id), last.hash)):
            raise CheckpointRefused("the head's last entry is missing or not authenticated")
        last_id = last.id
    if previous is not None and (
        count < previous.count or (count == previous.count and last_hash != previous.hash)
    ):
        raise CheckpointRefused(
            f"the head went back from {previous.count} to {count} entries: not signing it"
        )
    now = clock.now().astimezone(dt.UTC)
    if previous is not None and (previous.count, previous.hash) == (count, last_hash):
        # Nothing was appended: the last checkpoint still covers the head. Re-sign it hourly
        # only, as a sign of life, so an idle city does not write 1,440 identical lines a day.
        signed_at = dt.datetime.strptime(previous.at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=dt.UTC
        )
        if now - signed_at < dt.timedelta(seconds=IDLE_RESIGN_SECONDS):
            return previous
    signing = KeyRing(config.signing_keys_dir).active
    at = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    unsigned = Checkpoint(count=count, last_id=last_id, hash=last_hash, at=at, kid=signing.kid)
    sig = base64.urlsafe_b64encode(signing.private.sign(unsigned.message())).rstrip(b"=")
    checkpoint = replace(unsigned, sig=sig.decode())
    _append_line(config.checkpoint_dir, checkpoint)
    return checkpoint


async def checkpoint_job() -> None:
    try:
        await write_checkpoint()
    except CheckpointRefused as exc:
        log.error("audit checkpoint refused: %s", exc)
