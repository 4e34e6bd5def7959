"""Per-account quotas (配额): how many times one signed-in account may do something in a window.

Unlike `throttle` (which slows failures of anonymous callers), a quota counts every use by a
known account: an officer's person look-ups, a counter's pass verifications. The counters live
in the database (the `throttle` table, under their own key prefix) so every app process shares
them, and each use is counted atomically (one upsert that counts and answers the count).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core import bulk, clock
from ..core.errors import TooManyRequests
from .models import Throttle


@dataclass(frozen=True)
class Quota:
    name: str
    limit: int
    window: dt.timedelta
    message: str


# An officer looks people up one at a time, each with a stated purpose: two a minute for an
# hour is far above a working desk's pace and far below what testing the register would need.
LOOKUPS = Quota(
    "lookup", 120, dt.timedelta(hours=1), "too many look-ups from this account: wait and try again"
)
# A busy counter scans one pass every few seconds; a script scanning faster is stopped.
VERIFICATIONS = Quota(
    "verify", 1200, dt.timedelta(hours=1), "too many verifications from this account: slow down"
)
# One verifier and one resident: more looks in a day than any real visit needs fill the
# resident's access log; past this the verification is refused and the flood is recorded.
SAME_PERSON = Quota(
    "same-person", 20, dt.timedelta(days=1), "this pass was checked too often today by this desk"
)


# An organisation applies once; a few retries from one address a day are plenty.
PARTNER_APPLICATIONS = Quota(
    "partner-apply", 5, dt.timedelta(days=1), "too many applications from this address today"
)


def _key(quota: Quota, subject: str) -> str:
    return f"quota:{quota.name}:{subject}"[:100]


# One statement counts a use and answers the count: no read-then-write, so no row lock to
# hold and nothing to retry, and it can run inside another transaction (the audit append of a
# verification, `partners.verifylimits`) without a savepoint. A refused use is not counted:
# the count stops one past the limit, which is what says "refused".
_TAKE = (
    'INSERT INTO "throttle" ("key", "failures", "first_failure_at", "last_failure_at") '
    "VALUES (?, 1, ?, ?) "
    'ON CONFLICT ("key") DO UPDATE SET '
    '"failures" = CASE WHEN "throttle"."first_failure_at" <= ? THEN 1 '
    'WHEN "throttle"."failures" >= ? THEN ? ELSE "throttle"."failures" + 1 END, '
    '"first_failure_at" = CASE WHEN "throttle"."first_failure_at" <= ? '
    'THEN excluded."first_failure_at" ELSE "throttle"."first_failure_at" END, '
    '"last_failure_at" = excluded."last_failure_at" '
    'RETURNING "failures", "first_failure_at"'
)


def _instant(value: object) -> dt.datetime:
    """A timestamp as the driver returns it (SQLite: ISO text; PostgreSQL: a datetime)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


async def take(quota: Quota, subject: str, now: dt.datetime | None = None) -> int:
    """Count one use of `quota` by `subject`; refuse (429, `Retry-After`) past its limit.
    Answers the number of uses in the current window, this one included."""
    moment = (now or clock.now()).astimezone(dt.UTC)  # stored in UTC: compared as text on SQLite
    expired = moment - quota.window
    rows = await bulk.write_returning(
        _TAKE,
        [_key(quota, subject), moment, moment, expired, quota.limit, quota.limit + 1, expired],
    )
    failures, first = int(rows[0][0]), _instant(rows[0][1])
    if failures > quota.limit:
        wait = int((first + quota.window - moment).total_seconds()) + 1
        raise TooManyRequests(quota.message, headers={"Retry-After": str(wait)}, retry_after=wait)
    return failures


async def used(quota: Quota, subject: str) -> int:
    """How many uses the current window holds (0 when it has passed)."""
    row = await Throttle.get_or_none(key=_key(quota, subject))
    if row is None or clock.now() - row.first_failure_at >= quota.window:
        return 0
    return min(int(row.failures), quota.limit)  # a refused use is one past the limit
