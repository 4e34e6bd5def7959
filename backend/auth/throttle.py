"""Slow, then lock, repeated failures (e.g. real-name matches) so the register cannot be
enumerated. Counters live in the database so every app process shares them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Throttle

FREE_FAILURES = 3  # the first failures cost nothing
LOCK_AFTER = 10  # then the key is locked
LOCK_FOR = dt.timedelta(hours=1)
WINDOW = dt.timedelta(hours=1)  # failures older than this are forgotten
MAX_DELAY = 300


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
) -> Verdict:
    """Pure rule: free tries, then an exponential wait between tries, then a lock."""
    if locked_until and now < locked_until:
        return Verdict(False, int((locked_until - now).total_seconds()) + 1)
    if failures < FREE_FAILURES or last_failure_at is None:
        return Verdict(True)
    delay = min(MAX_DELAY, 2 ** (failures - FREE_FAILURES + 1))
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


async def check(keys: list[str], now: dt.datetime) -> Verdict:
    worst = Verdict(True)
    for row in await Throttle.filter(key__in=keys):
        current = _fresh(row, now)
        if current is None:
            continue
        verdict = assess(
            failures=current.failures,
            last_failure_at=current.last_failure_at,
            locked_until=current.locked_until,
            now=now,
        )
        if not verdict.allowed and verdict.retry_after > worst.retry_after:
            worst = verdict
    return worst


async def fail(keys: list[str], now: dt.datetime) -> None:
    for key in keys:
        row = _fresh(await Throttle.get_or_none(key=key), now)
        if row is None:
            await Throttle.update_or_create(
                key=key,
                defaults={
                    "failures": 1,
                    "first_failure_at": now,
                    "last_failure_at": now,
                    "locked_until": None,
                },
            )
            continue
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= LOCK_AFTER:
            row.locked_until = now + LOCK_FOR
        await row.save()


async def clear(keys: list[str]) -> None:
    await Throttle.filter(key__in=keys).delete()
