"""Per-account quotas (配额): how many times one signed-in account may do something in a window.

Unlike `throttle` (which slows failures of anonymous callers), a quota counts every use by a
known account: an officer's person look-ups, a counter's pass verifications. The counters live
in the database (the `throttle` table, under their own key prefix) so every app process shares
them, and each use is counted atomically (one upsert that counts and answers the count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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


# One statement counts uses and answers the counts: no read-then-write, so no row lock to
# hold and nothing to retry, and it can run inside another transaction (the audit append of
# verifications, `partners.verifylimits`) without a savepoint. A refused use is not counted:
# the count stops one past the limit, which is what says "refused".
_INTO = 'INSERT INTO "throttle" ("key", "failures", "first_failure_at", "last_failure_at") VALUES '
_ON_CONFLICT = (
    ' ON CONFLICT ("key") DO UPDATE SET '
    '"failures" = CASE WHEN "throttle"."first_failure_at" <= ? THEN 1 '
    'WHEN "throttle"."failures" >= ? THEN ? ELSE "throttle"."failures" + 1 END, '
    '"first_failure_at" = CASE WHEN "throttle"."first_failure_at" <= ? '
    'THEN excluded."first_failure_at" ELSE "throttle"."first_failure_at" END, '
    '"last_failure_at" = excluded."last_failure_at" '
    'RETURNING "key", "failures", "first_failure_at"'
)


def _instant(value: object) -> dt.datetime:
    """A timestamp as the driver returns it (SQLite: ISO text; PostgreSQL: a datetime)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


Use = tuple[int, TooManyRequests | None]  # the count in the window, and the refusal if any


async def take_many(
    quota: Quota, subjects: Sequence[str], now: dt.datetime | None = None
) -> list[TooManyRequests | None]:
    """Count one use of `quota` by each subject, in order (a subject may come more than once),
    in as few statements as the repeats allow (one when none repeats: PostgreSQL updates a
    row once per statement). Answers, per use, None (counted) or its refusal."""
    return [refused for _, refused in await _uses(quota, subjects, now)]


Statement = tuple[str, list[Any]]  # SQL with `?` placeholders, and its parameters
Reading = Callable[[list[Sequence[Sequence[Any]]]], list[TooManyRequests | None]]


def plan_many(
    quota: Quota, subjects: Sequence[str], now: dt.datetime | None = None
) -> tuple[list[Statement], Reading]:
    """`take_many` as statements to run in order and the reading of their returned rows (one
    list per statement): the audit append runs them on its own transaction's connection
    (`audit.Guard.plan`)."""
    statements, reading = _plan(quota, subjects, now)
    return statements, lambda results: [refused for _, refused in reading(results)]


async def _uses(quota: Quota, subjects: Sequence[str], now: dt.datetime | None) -> list[Use]:
    statements, reading = _plan(quota, subjects, now)
    return reading([await bulk.write_returning(sql, params) for sql, params in statements])


def _plan(
    quota: Quota, subjects: Sequence[str], now: dt.datetime | None
) -> tuple[list[Statement], Callable[[list[Sequence[Sequence[Any]]]], list[Use]]]:
    moment = (now or clock.now()).astimezone(dt.UTC)  # stored in UTC: compared as text on SQLite
    expired = moment - quota.window
    statements: list[Statement] = []
    rounds: list[dict[str, int]] = []  # per statement: the position of each key's use
    pending = [(i, _key(quota, s)) for i, s in enumerate(subjects)]
    while pending:
        now_round: dict[str, int] = {}
        later = []
        for i, key in pending:
            if key in now_round:
                later.append((i, key))
            else:
                now_round[key] = i
        params: list[Any] = []
        for key in now_round:
            params += [key, 1, moment, moment]
        params += [expired, quota.limit, quota.limit + 1, expired]
        marks = ", ".join(["(?, ?, ?, ?)"] * len(now_round))
        statements.append((_INTO + marks + _ON_CONFLICT, params))
        rounds.append(now_round)
        pending = later

    def reading(results: list[Sequence[Sequence[Any]]]) -> list[Use]:
        answers: list[Use] = [(0, None)] * len(subjects)
        for positions, rows in zip(rounds, results, strict=True):
            for key, failures, first in rows:
                refused = None
                if int(failures) > quota.limit:
                    wait = int((_instant(first) + quota.window - moment).total_seconds()) + 1
                    refused = TooManyRequests(
                        quota.message, headers={"Retry-After": str(wait)}, retry_after=wait
                    )
                answers[positions[str(key)]] = (int(failures), refused)
        return answers

    return statements, reading


async def take(quota: Quota, subject: str, now: dt.datetime | None = None) -> int:
    """Count one use of `quota` by `subject`; refuse (429, `Retry-After`) past its limit.
    Answers the number of uses in the current window, this one included."""
    count, refused = (await _uses(quota, [subject], now))[0]
    if refused is not None:
        raise refused
    return count


async def used(quota: Quota, subject: str) -> int:
    """How many uses the current window holds (0 when it has passed)."""
    row = await Throttle.get_or_none(key=_key(quota, subject))
    if row is None or clock.now() - row.first_failure_at >= quota.window:
        return 0
    return min(int(row.failures), quota.limit)  # a refused use is one past the limit
