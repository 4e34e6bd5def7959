"""How much of the population register a department may test (人口库比对额度).

A department submits records by ID number, and an answer "line 7: not in the population
register" tells it whether someone is a resident. Without a bound, one token could test every
candidate ID number of the city. So each caller (an API token, or a submitter's account) has a
daily budget of unknown ID numbers answered line by line (`REGISTER_UNKNOWN_BUDGET`, default
200): a batch whose unknown lines fit in what is left is answered as before; a batch that would
go past it is refused whole with 429 `register_budget` (no line says which ID numbers were
unknown), and from then on every batch and every ID-number correction of that caller is refused
until the day ends in the city's time zone. Refusing everything, not only batches with unknown
lines, is deliberate: refusing only those would answer "is one of these unknown?" for free.

Every charge is one conditional `UPDATE … WHERE unknown <= budget - n` on the caller's row for
the day, so two processes cannot both spend the last of a budget. The office sees the callers
whose unknown share is unusual, and those over budget, on its dashboard (`unusual_callers`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from ..audit import service as audit
from ..core import clock
from ..core.errors import TooManyRequests
from ..core.principal import Principal
from .models import RegisterTally
from .states import Refusal

log = logging.getLogger("xinyi.register")

# The dashboard lists a caller whose unknown share over the last days is at least this, once it
# has tested enough ID numbers for a share to mean something. A department's own typos that
# still pass the check digit are about 1 line in 11 of its typos, far below this.
UNUSUAL_SHARE = 0.05
UNUSUAL_MIN_CHECKED = 20
WINDOW_DAYS = 7


def caller_key(actor: Principal) -> str:
    """The budget is per API token; a department submitter signed in has their own."""
    if actor.token_id is not None:
        return f"token:{actor.token_id}"
    return f"account:{actor.account_id}"


class OverBudget(TooManyRequests):
    """429: this caller has used up today's budget of unknown ID numbers answered line by line."""

    def __init__(self) -> None:
        super().__init__(
            "too many ID numbers not in the population register today: the batch is refused "
            "and the credit office has been told; unknown lines are answered again tomorrow",
            reason=Refusal.REGISTER_BUDGET,
            headers={"Retry-After": str(_seconds_to_midnight())},
        )


def _seconds_to_midnight() -> int:
    now = clock.now().astimezone(clock.zone())
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), now.tzinfo)
    return max(1, int((midnight - now).total_seconds()))


async def _row(actor: Principal, day: dt.date) -> RegisterTally:
    key = caller_key(actor)
    row = await RegisterTally.get_or_none(caller=key, day=day)
    if row is not None:
        return row
    try:
        return await RegisterTally.create(
            caller=key, day=day, organisation=actor.organisation[:32], label=actor.label[:200]
        )
    except IntegrityError:  # another process made it first
        return await RegisterTally.get(caller=key, day=day)


async def ensure_open(actor: Principal) -> RegisterTally:
    """Refuse (429) a caller whose budget ran out today, before anything is looked up."""
    row = await _row(actor, clock.today())
    if row.exhausted_at is not None:
        await RegisterTally.filter(id=row.id).update(refused=F("refused") + 1)
        raise OverBudget()
    return row


async def charge(*, row: RegisterTally, actor: Principal, checked: int, unknown: int,
                 budget: int) -> None:  # fmt: skip
    """Count `checked` look-ups, `unknown` of them answered line by line; refuse (429) and
    alert the office if that goes past the budget. The charge stays even though the batch is
    then rejected: those ID numbers were tested."""
    spent = await RegisterTally.filter(
        id=row.id, exhausted_at__isnull=True, unknown__lte=budget - unknown
    ).update(checked=F("checked") + checked, unknown=F("unknown") + unknown)
    if spent == 1:
        return
    first = await RegisterTally.filter(id=row.id, exhausted_at__isnull=True).update(
        exhausted_at=clock.now()
    )
    await RegisterTally.filter(id=row.id).update(
        checked=F("checked") + checked, refused=F("refused") + 1
    )
    if first:
        # The alert: a warning for the operators' log watch, an audit entry, and the flag on
        # the office dashboard (`unusual_callers`). The ID numbers themselves go nowhere.
        log.warning(
            "register budget exhausted: %s (%s), %d unknown ID numbers in one request",
            caller_key(actor),
            actor.organisation,
            unknown,
        )
        await audit.record(
            action="register.budget_exhausted",
            actor=actor,
            details={
                "caller": caller_key(actor),
                "department": actor.organisation,
                "budget": budget,
                "unknown_in_request": unknown,
                "checked_in_request": checked,
            },
        )
    raise OverBudget()


async def record_rejection(actor: Principal, *, action: str, details: dict[str, Any]) -> None:
    """Count a rejected batch or correction for the caller and audit it with its counts. If
    the database itself is failing (the usual reason both writes fail), the refusal the caller
    gets must stay the original one: the failure is logged instead."""
    try:
        row = await _row(actor, clock.today())
        await RegisterTally.filter(id=row.id).update(rejected=F("rejected") + 1)
        await audit.record(action=action, actor=actor, details=details)
    except Exception:
        log.exception("could not audit a rejected request (%s, %s)", action, caller_key(actor))


@dataclass(frozen=True)
class UnusualCaller:
    """A caller the office should look at: a high unknown share, or over budget today."""

    caller: str
    organisation: str
    label: str
    checked: int
    unknown: int
    rejected: int
    refused: int
    exhausted_today: bool

    @property
    def share(self) -> float:
        return self.unknown / self.checked if self.checked else 0.0


async def unusual_callers(*, days: int = WINDOW_DAYS) -> list[UnusualCaller]:
    """Callers over the last `days` days whose unknown share is unusual, or whose budget ran
    out today; the over-budget ones first, then by share."""
    today_ = clock.today()
    rows = await RegisterTally.filter(day__gt=today_ - dt.timedelta(days=days)).order_by("day")
    totals: dict[str, list[RegisterTally]] = {}
    for row in rows:
        totals.setdefault(row.caller, []).append(row)
    found = []
    for caller, items in totals.items():
        latest = items[-1]
        item = UnusualCaller(
            caller=caller,
            organisation=latest.organisation,
            label=latest.label,
            checked=sum(r.checked for r in items),
            unknown=sum(r.unknown for r in items),
            rejected=sum(r.rejected for r in items),
            refused=sum(r.refused for r in items),
            exhausted_today=any(r.day == today_ and r.exhausted_at is not None for r in items),
        )
        if (
            item.exhausted_today
            or item.refused
            or (item.checked >= UNUSUAL_MIN_CHECKED and item.share >= UNUSUAL_SHARE)
        ):
            found.append(item)
    return sorted(found, key=lambda c: (not c.exhausted_today, -c.share, c.caller))
