"""Verifying the audit trail: links, MACs, the head and the signed checkpoints.

What each problem means to whoever reads the report (`ChainProblem`):
- an entry whose content no longer matches its hash was **edited** in place;
- content and hash agree but the MAC does not: the entry was **rewritten** and re-chained by
  someone without the audit key (an edit or a deletion with every later hash recomputed);
- a link that does not hold (`prev_hash` is not the entry before): an entry was **deleted**
  (or moved) without re-chaining;
- the people an entry about many people is about (`audit.subjects`) no longer match the digest
  its details chained: the **index** of that entry was edited;
- the chain ends before the head's count, or before a signed checkpoint's count: the trail
  was **truncated**; a different hash where a checkpoint pinned one: history was rewritten
  after that checkpoint was signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..core import bulk
from .chain import GENESIS, HEAD_ID, entry_hash, trail
from .checkpoints import Checkpoint, load_all, public_keys
from .keys import AuditKeyMissing, entry_mac, head_mac, same
from .models import AuditEntry, AuditHead


class ChainProblem(StrEnum):
    """What a failed verification found (the `problem` of a report)."""

    NONE = ""
    EDITED = "edited"  # an entry's content does not match its hash
    REWRITTEN = "rewritten"  # hash and links recomputed without the key: the MAC fails
    DELETED = "deleted"  # a link does not hold: an entry before this one is missing
    UNAUTHENTICATED = "unauthenticated"  # an entry without a MAC
    UNKNOWN_KEY = "unknown_key"  # an entry or the head names an audit key we do not have
    TRUNCATED = "truncated"  # entries missing at the end (behind the head or a checkpoint)
    HEAD_FORGED = "head_forged"  # the head's MAC does not hold, or the head is missing
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"  # not the hash a checkpoint signed there
    CHECKPOINT_FORGED = "checkpoint_forged"  # a checkpoint's signature does not hold
    INDEX_ALTERED = "index_altered"  # the people indexed for an entry are not those it chained


# The details of an entry about many people: how many, and a SHA-256 over their sorted ids.
DIGEST_KEY = "people_sha256"
COUNT_KEY = "people"


def people_digest(person_ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(person_ids))).encode()).hexdigest()


async def altered_index(digests: dict[int, str]) -> int | None:
    """The first entry whose indexed people (audit_subject) no longer match the digest it was
    chained with, or that has index rows but no digest; None if all agree. `digests`: entry
    id → the digest in its details."""
    indexed = await bulk.fetch_rows('SELECT DISTINCT "entry_id" FROM "audit_subject"', [])
    strays = sorted({int(r[0]) for r in indexed} - digests.keys())
    for entry_id in sorted(digests):
        if strays and strays[0] < entry_id:
            return strays[0]
        rows = await bulk.fetch_rows(
            'SELECT "person_id" FROM "audit_subject" WHERE "entry_id" = ?', [entry_id]
        )
        if people_digest(int(r[0]) for r in rows) != digests[entry_id]:
            return entry_id
    return strays[0] if strays else None


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken_id: int | None = None
    reason: str = ""
    problem: ChainProblem = ChainProblem.NONE
    checkpoints: int = 0  # signed checkpoints the chain agreed with


def _broken(
    seen: int, entry_id: int | None, problem: ChainProblem, reason: str, checkpoints: int = 0
) -> ChainReport:
    return ChainReport(False, seen, entry_id, reason, problem, checkpoints)


def _checkpoints(pins: Sequence[Checkpoint]) -> tuple[dict[int, list[Checkpoint]], str]:
    """The server's checkpoints (each must verify) and the auditor's pins (trusted as pinned;
    their signature is checked when we have the key), by count."""
    keys = public_keys()
    by_count: dict[int, list[Checkpoint]] = {}
    for item in load_all():
        if not item.verifies(keys):
            return {}, f"checkpoint of {item.count} entries at {item.at} is not signed by our key"
        by_count.setdefault(item.count, []).append(item)
    for item in pins:
        if item.kid in keys and item.sig and not item.verifies(keys):
            return {}, f"pinned checkpoint of {item.count} entries has a bad signature"
        by_count.setdefault(item.count, []).append(item)
    return by_count, ""


async def verify_chain(batch: int = 5000, pins: Sequence[Checkpoint] = ()) -> ChainReport:
    """Walk every entry in order: link, content hash, MAC; compare each checkpoint's position;
    then the head (its MAC and count) and the furthest checkpoint. The first problem is named."""
    keys = trail().keys
    by_count, forged = _checkpoints(pins)
    if forged:
        return _broken(0, None, ChainProblem.CHECKPOINT_FORGED, forged)
    agreed = sum(
        len(v) for k, v in by_count.items() if k == 0 and all(c.hash == GENESIS for c in v)
    )
    prev = GENESIS
    seen = 0
    last_id = 0
    digests: dict[int, str] = {}
    while True:
        rows = await AuditEntry.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            break
        for row in rows:
            if row.prev_hash != prev:
                return _broken(seen, row.id, ChainProblem.DELETED,
                               "prev_hash does not match the entry before: an entry was deleted",
                               agreed)  # fmt: skip
            expected = entry_hash(
                prev_hash=row.prev_hash,
                at=row.at,
                actor_account_id=row.actor_account_id,
                actor_label=row.actor_label,
                organisation=row.organisation,
                action=row.action,
                subject_person_id=row.subject_person_id,
                purpose=row.purpose,
                details=row.details,
            )
            if expected != row.hash:
                return _broken(seen, row.id, ChainProblem.EDITED,
                               "entry content does not match its hash: edited", agreed)  # fmt: skip
            if not row.mac:
                return _broken(seen, row.id, ChainProblem.UNAUTHENTICATED,
                               "entry has no MAC", agreed)  # fmt: skip
            try:
                key = keys.get(row.key_id)
            except AuditKeyMissing:
                return _broken(seen, row.id, ChainProblem.UNKNOWN_KEY,
                               f"entry names an unknown audit key {row.key_id!r}", agreed)  # fmt: skip
            if not same(row.mac, entry_mac(key, row.hash)):
                return _broken(seen, row.id, ChainProblem.REWRITTEN,
                               "entry MAC does not hold: rewritten and re-chained without the "
                               "audit key", agreed)  # fmt: skip
            if isinstance(row.details, dict) and isinstance(row.details.get(DIGEST_KEY), str):
                digests[row.id] = row.details[DIGEST_KEY]
            prev = row.hash
            seen += 1
            last_id = row.id
            for pinned in by_count.get(seen, ()):
                if pinned.hash != row.hash or pinned.last_id != row.id:
                    return _broken(seen, row.id, ChainProblem.CHECKPOINT_MISMATCH,
                                   f"the checkpoint of {pinned.at} signed another entry here: "
                                   "history was rewritten after it", agreed)  # fmt: skip
                agreed += 1
    altered = await altered_index(digests)
    if altered is not None:
        return _broken(seen, altered, ChainProblem.INDEX_ALTERED,
                       "the people indexed for this entry are not those it was chained with: "
                       "the index was edited", agreed)  # fmt: skip
    furthest = max(by_count, default=0)
    if furthest > seen:
        when = by_count[furthest][-1].at
        return _broken(seen, None, ChainProblem.TRUNCATED,
                       f"entries are missing at the end of the chain: {seen} found, the "
                       f"checkpoint of {when} signed {furthest}", agreed)  # fmt: skip
    head = await AuditHead.get_or_none(id=HEAD_ID)
    if head is None:
        if seen:
            return _broken(seen, None, ChainProblem.HEAD_FORGED, "the head row is missing", agreed)
        return ChainReport(True, seen, checkpoints=agreed)
    if head.count or head.mac:
        try:
            key = keys.get(head.key_id)
        except AuditKeyMissing:
            return _broken(seen, None, ChainProblem.UNKNOWN_KEY,
                           f"the head names an unknown audit key {head.key_id!r}", agreed)  # fmt: skip
        if not same(head.mac, head_mac(key, head.count, head.last_hash)):
            return _broken(seen, None, ChainProblem.HEAD_FORGED,
                           "the head's MAC does not hold: it was set by hand", agreed)  # fmt: skip
    if head.count != seen or head.last_hash != prev:
        return _broken(seen, None, ChainProblem.TRUNCATED,
                       f"entries are missing at the end of the chain: {seen} found, the head "
                       f"counts {head.count}", agreed)  # fmt: skip
    return ChainReport(True, seen, checkpoints=agreed)
