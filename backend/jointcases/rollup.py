"""The roll-up: every use of a list at a counter becomes a joint case, read afterwards from
what the counter already wrote — the redemptions and the audit trail's `pass.verified`
entries — so the verification path writes nothing more (it is the hot path).

- A redemption by a resident on the red list that day is an incentive case (联合激励): the
  measure is the offer's kind (免押金, 先享后付, 优先, 优惠).
- A check where the counter was given a handling hint (绿色通道 for the red list, 审慎办理 for the
  gray list, at government counters only) is a case of that measure, once per partner, person,
  day and hint.
- A 容缺受理 the resident signed (commitments.DeferredAcceptance) is a red-list case
  (`deferred_acceptance`) at its government counter.
- A check where a gray or black list withheld an offer (`restriction_applied`) is a
  restriction case (约束/惩戒: `benefit_withheld`, the normal deposit or procedure applied),
  once per partner, person, day and list: a clerk scanning the same pass five times is one use.

Each source keeps a cursor (the last row read); cases are inserted ignoring ones already
there, so two processes rolling up at once, or a crash between insert and cursor, only ever
add a case once. It runs as a periodic job and before the office's page reads the cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from tortoise.transactions import in_transaction

from ..audit.models import AuditEntry
from ..commitments.deferrals import DeferralStatus
from ..commitments.models import DeferredAcceptance
from ..core import clock
from ..credit.handling import load_handling
from ..credit.models import ListEntry, ListStatus
from ..partners.models import Offer, Redemption
from . import measures
from .models import CaseSource, JointCase, RollupCursor

CHUNK = 1000
EVERY_SECONDS = 300


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.zone()).date()


class ListsOn:
    """The lists each of some people was on, day by day (entries active that day, including
    ones lifted or ended since)."""

    def __init__(self, entries: Iterable[ListEntry]) -> None:
        self.entries: dict[int, list[ListEntry]] = {}
        for entry in entries:
            self.entries.setdefault(entry.person_id, []).append(entry)

    @classmethod
    async def of(cls, person_ids: set[int]) -> ListsOn:
        if not person_ids:
            return cls([])
        rows = await ListEntry.filter(
            person_id__in=sorted(person_ids), status__in=[ListStatus.ACTIVE, ListStatus.LIFTED]
        )
        return cls(rows)

    def on(self, person_id: int, day: dt.date) -> set[str]:
        return {
            e.kind
            for e in self.entries.get(person_id, [])
            if e.start <= day
            and (e.end is None or e.end > day)
            and (e.lifted_at is None or local_day(e.lifted_at) > day)
        }


async def _cursor(source: CaseSource) -> int:
    row, _ = await RollupCursor.get_or_create(source=source.value, defaults={"last_id": 0})
    return int(row.last_id)


async def _store(source: CaseSource, cases: list[JointCase], last_id: int) -> None:
    async with in_transaction():
        if cases:
            await JointCase.bulk_create(cases, ignore_conflicts=True)
        await RollupCursor.filter(source=source.value, last_id__lt=last_id).update(last_id=last_id)


def _case(source: CaseSource, external_id: str, list_kind: str, measure: str, *,
          partner_id: int, person_id: int, day: dt.date) -> JointCase:  # fmt: skip
    return JointCase(
        origin=source.value, external_id=external_id, source=source.value, list_kind=list_kind,
        measure=measure, partner_id=partner_id, person_id=person_id, occurred_on=day,
        month=day.isoformat()[:7], created_at=clock.now(),
    )  # fmt: skip


async def _redemptions() -> int:
    added = 0
    while True:
        last = await _cursor(CaseSource.REDEMPTION)
        rows = await Redemption.filter(id__gt=last).order_by("id").limit(CHUNK)
        if not rows:
            return added
        kinds = dict(
            await Offer.filter(id__in=sorted({r.offer_id for r in rows})).values_list("id", "kind")
        )
        lists = await ListsOn.of({r.person_id for r in rows})
        cases = []
        for r in rows:
            day = local_day(r.created_at)
            measure = measures.OFFER_KIND_MEASURE.get(str(kinds.get(r.offer_id, "")))
            if measure and "red" in lists.on(r.person_id, day):
                cases.append(_case(CaseSource.REDEMPTION, str(r.id), "red", measure,
                                   partner_id=r.partner_id, person_id=r.person_id, day=day))  # fmt: skip
        await _store(CaseSource.REDEMPTION, cases, rows[-1].id)
        added += len(cases)


def _hint_cases(checks: list[dict[str, Any]]) -> dict[str, JointCase]:
    """The handling hints a government counter was given (绿色通道, 审慎办理), once per partner,
    person, day and hint. 容缺受理 counts when an application is accepted, not when offered."""
    lists = {h.code.value: h.list.value for h in load_handling().hints}
    cases: dict[str, JointCase] = {}
    for r in checks:
        person, partner, day = (
            int(r["subject_person_id"]),
            r["details"]["partner"],
            local_day(r["at"]),
        )
        codes = r["details"].get("handling")
        for code in codes if isinstance(codes, list) else []:
            if code in lists and code in measures.MEASURES and code != "deferred_acceptance":
                key = f"{partner}:{person}:{day.isoformat()}:{code}"
                cases[key] = _case(CaseSource.HINT, key, lists[code], code,
                                   partner_id=partner, person_id=person, day=day)  # fmt: skip
    return cases


async def _restrictions() -> int:
    added = 0
    while True:
        last = await _cursor(CaseSource.RESTRICTION)
        rows = (
            await AuditEntry.filter(id__gt=last).order_by("id").limit(CHUNK)
            .values("id", "at", "action", "subject_person_id", "details")
        )  # fmt: skip
        if not rows:
            return added
        checks = [
            r for r in rows
            if r["action"] == "pass.verified" and r["subject_person_id"] is not None
            and isinstance(r["details"], dict) and isinstance(r["details"].get("partner"), int)
        ]  # fmt: skip
        cases = _hint_cases(checks)
        checks = [r for r in checks if r["details"].get("restriction_applied")]
        lists = await ListsOn.of({int(r["subject_person_id"]) for r in checks})
        for r in checks:
            person, partner, day = (
                int(r["subject_person_id"]),
                r["details"]["partner"],
                local_day(r["at"]),
            )
            for kind in sorted(lists.on(person, day) & {"gray", "black"}):
                key = f"{partner}:{person}:{day.isoformat()}:{kind}"
                cases[key] = _case(CaseSource.RESTRICTION, key, kind, "benefit_withheld",
                                   partner_id=partner, person_id=person, day=day)  # fmt: skip
        await _store(CaseSource.RESTRICTION, list(cases.values()), int(rows[-1]["id"]))
        added += len(cases)


async def _deferrals() -> int:
    """容缺受理: an acceptance the resident signed (committed, then fulfilled or breached) is a
    red-list case at its counter. One still waiting for the signature holds the cursor there:
    it is signed or lapses the same day, and only then is it counted (or not)."""
    added = 0
    while True:
        last = await _cursor(CaseSource.DEFERRED)
        rows = await DeferredAcceptance.filter(id__gt=last).order_by("id").limit(CHUNK)
        settled = []
        for row in rows:
            if row.status == DeferralStatus.AWAITING_SIGNATURE:
                break
            settled.append(row)
        if not settled:
            return added
        cases = [
            _case(CaseSource.DEFERRED, str(r.id), "red", "deferred_acceptance",
                  partner_id=r.partner_id, person_id=r.person_id, day=local_day(r.created_at))
            for r in settled if r.status != DeferralStatus.LAPSED
        ]  # fmt: skip
        await _store(CaseSource.DEFERRED, cases, settled[-1].id)
        added += len(cases)
        if len(settled) < len(rows):
            return added


async def roll_up() -> int:
    """Turn the counter uses since the last run into cases; the number of new cases (at most:
    ones another process added at the same time are not added twice)."""
    return await _redemptions() + await _restrictions() + await _deferrals()
