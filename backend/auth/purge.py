"""Anonymous callers cannot grow the database without bound: what they leave behind expires
and is purged by a periodic job (`app.periodic_jobs`). Safe in several processes at once: each
run deletes what is due, a second run finds nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q

from ..core import clock
from .models import Challenge, Throttle
from .throttle import LOCK_FOR, WINDOW

EVERY_SECONDS = 600
# Quota windows are at most a day (`quota.SAME_PERSON`); keep counters a little longer.
QUOTA_KEEP = dt.timedelta(days=2)


@dataclass(frozen=True)
class Purged:
    challenges: int
    throttles: int


async def purge_expired(now: dt.datetime | None = None) -> Purged:
    """Delete expired or used WebAuthn challenges (every anonymous `login/start` makes one)
    and failure or quota counters whose window and lock are over."""
    moment = now or clock.now()
    challenges = await Challenge.filter(
        Q(expires_at__lte=moment) | Q(used_at__isnull=False)
    ).delete()
    stale = moment - max(WINDOW, LOCK_FOR)
    quotas = await Throttle.filter(
        key__startswith="quota:", last_failure_at__lte=moment - QUOTA_KEEP
    ).delete()
    failures = await Throttle.filter(
        ~Q(key__startswith="quota:"),
        Q(last_failure_at__lte=stale),
        Q(locked_until__isnull=True) | Q(locked_until__lte=moment),
    ).delete()
    throttles = quotas + failures
    return Purged(challenges, throttles)
