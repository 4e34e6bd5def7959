"""Slow, then lock, repeated failures (e.g. real-name matches) so the register cannot be
enumerated. Counters live in the database so every app process shares them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ..core import bulk
from .models import Throttle

FREE_FAILURES = 3  # the first failures cost nothing
LOCK_AFTER = 10  # then the key is locked
LOCK_FOR = dt.timedelta(hours=1)
WINDOW = dt.timedelta(hours=1)  # failures older than this are forgotten
MAX_DELAY = 300
# A key per ID number (`…:id:…`) is shared by everyone who types that number, so a stranger
# could use it to lock the resident out: it only slows (at most a minute between tries) and
# never locks. Per-client keys lock; recovery codes (80 bits) count on keys of their own.
ID_MAX_DELAY = 60


def locks(key: str) -> bool:
    """Whether repeated failures lock this key (client keys) or only slow it (ID keys)."""
    return ":id:" not in key


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def assess(
    *,
    failures: int,
    last_failure_at: dt.datetime | None,
    locked_until: dt.datetime | None,
    now: dt.datetime,
    max_delay: int = MAX_DELAY,
) -> Verdict:
    """Pure rule: free tries, then an exponential wait between tries, then a lock."""
    if locked_until and now < locked_until:
        return Verdict(False, int((locked_until - now).total_seconds()) + 1)
    if failures < FREE_FAILURES or last_failure_at is None:
        return Verdict(True)
    delay = min(max_delay, 2 ** min(failures - FREE_FAILURES + 1, 20))
    ready_at = last_failure_at + dt.timedelta(seconds=delay)
    if now < ready_at:
        return Verdict(False, int((ready_at - now).total_seconds()) + 1)
    return Verdict(True)


def _fresh(row: Throttle | None, now: dt.datetime) -> Throttle | None:
    if row is None or (
        now - row.last_failure_at > WINDOW and not (row.locked_until and now < row.locked_until)
    ):
        return None
    return row


async def attempt(keys: list[str], now: dt.datetime) -> Verdict:
    """Count this attempt up front, atomically, as if it will fail (a success is undone by
    `succeeded`). Rows are locked while checked, so requests sent in parallel cannot all pass
    the check before any failure is recorded: at most the free tries get through."""
    await bulk.ensure_rows(
        "throttle",
        ("key", "failures", "first_failure_at", "last_failure_at"),
        [(key, 0, now, now) for key in keys],
    )
    async with in_transaction():
        rows = await Throttle.select_for_update().filter(key__in=keys)
        worst = Verdict(True)
        for row in rows:
            if _fresh(row, now) is None:  # an old run of failures is forgotten
                row.failures, row.first_failure_at, row.locked_until = 0, now, None
            verdict = assess(
                failures=row.failures,
                last_failure_at=row.last_failure_at if row.failures else None,
                locked_until=row.locked_until if locks(row.key) else None,
                now=now,
                max_delay=MAX_DELAY if locks(row.key) else ID_MAX_DELAY,
            )
            if not verdict.allowed and verdict.retry_after >= worst.retry_after:
                worst = verdict
        if not worst.allowed:
            return worst
        for row in rows:
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= LOCK_AFTER and locks(row.key):
                row.locked_until = now + LOCK_FOR
            await row.save()
    return worst


async def succeeded(*, undo: list[str], clear: list[str]) -> None:
    """The attempt matched: take back its count on `undo` keys, forget `clear` keys."""
    if undo:
        await Throttle.filter(key__in=undo, failures__gt=0).update(failures=F("failures") - 1)
    if clear:
        await Throttle.filter(key__in=clear).delete()
