"""What links the audit trail: the canonical hash of an entry, and where this deployment keeps
what must not be in the database (the HMAC keys and the signed checkpoints of the head).

`configure` is called once per process by `app.wire` (the app and the command line alike),
like the city's clock: every `audit.record` anywhere in the code authenticates its entry with
the same keys without each caller carrying them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .keys import AuditKeys

GENESIS = "0" * 64
HEAD_ID = 1


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    prev_hash: str,
    at: dt.datetime,
    actor_account_id: int | None,
    actor_label: str,
    organisation: str,
    action: str,
    subject_person_id: int | None,
    purpose: str,
    details: dict[str, Any],
) -> str:
    """SHA-256 over the previous hash and a canonical JSON form of every field."""
    canonical = json.dumps(
        {
            "prev": prev_hash,
            "at": _stamp(at),
            "actor": actor_account_id,
            "label": actor_label,
            "org": organisation,
            "action": action,
            "subject": subject_person_id,
            "purpose": purpose,
            "details": details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Trail:
    keys: AuditKeys
    signing_keys_dir: Path  # the Ed25519 keys that sign passes sign checkpoints too
    checkpoint_dir: Path


_trail: Trail | None = None


def configure(*, keys_dir: Path, data_dir: Path) -> Trail:
    """HMAC keys in DATA_DIR/keys/audit, checkpoints in DATA_DIR/audit-checkpoints."""
    global _trail
    _trail = Trail(
        keys=AuditKeys(keys_dir / "audit"),
        signing_keys_dir=keys_dir,
        checkpoint_dir=data_dir / "audit-checkpoints",
    )
    return _trail


def trail() -> Trail:
    if _trail is None:
        raise RuntimeError("the audit trail is not configured: app.wire(settings) sets it up")
    return _trail
