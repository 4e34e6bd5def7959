"""Cases across both workflows: a department's queue, the credit office's view of every open
case (overdue first), the public look-up by case number and name, and the figures."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from ..auth import throttle
from ..auth.enrolment import normalise_name
from ..core import clock
from ..core.casenumbers import looks_like_case_no
from ..core.errors import NotFound, TooManyRequests
from ..core.principal import Principal
from ..core.workdays import WorkCalendar
from ..credit.catalog import department_for, load_catalog
from ..objections.models import OPEN as OBJECTION_OPEN
from ..objections.models import Objection, ObjectionStatus
from ..repairs.models import OPEN as REPAIR_OPEN
from ..repairs.models import RepairRequest, RepairStatus
from ..residents.models import Person

CLOSED_REPAIR = (RepairStatus.APPROVED, RepairStatus.REJECTED)
ANSWERED = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED, ObjectionStatus.REVIEW_REQUESTED,
            ObjectionStatus.REVIEW_UPHELD, ObjectionStatus.REVIEW_REJECTED)  # fmt: skip


def _repair_row(r: RepairRequest, today: dt.date) -> dict[str, Any]:
    due = r.decision_due or r.feedback_due
    return {
        "kind": "repair", "id": r.id, "case_no": r.case_no, "state": r.status,
        "department": r.department, "record_id": r.record_id,
        "submitted_at": r.submitted_at.isoformat(), "due": due.isoformat(),
        "decision_due": r.decision_due.isoformat() if r.decision_due else None,
        "feedback_due": r.feedback_due.isoformat(),
        "overdue": r.status in REPAIR_OPEN and due < today,
    }  # fmt: skip


def _objection_row(o: Objection, today: dt.date) -> dict[str, Any]:
    return {
        "kind": "objection", "id": o.id, "case_no": o.case_no, "state": o.status,
        "department": o.department, "record_id": o.record_id, "subject": o.subject,
        "submitted_at": o.submitted_at.isoformat(), "due": o.answer_due.isoformat(),
        "answer_due": o.answer_due.isoformat(),
        "overdue": o.status == ObjectionStatus.SUBMITTED and o.answer_due < today,
        "suspended": o.suspended_at is not None and o.status in OBJECTION_OPEN,
    }  # fmt: skip


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Overdue first, then by the nearest deadline."""
    return sorted(rows, key=lambda r: (not r["overdue"], r["due"], r["case_no"]))


async def department_queue(*, actor: Principal, open_only: bool = True) -> list[dict[str, Any]]:
    """listDepartmentCases: my department's repair and objection cases, most urgent first
    (no personal data in the list; opening a case is a logged look)."""
    department = department_for(actor)
    today = clock.today()
    repairs = RepairRequest.filter(department=department)
    objection_query = Objection.filter(department=department)
    if open_only:
        repairs = repairs.filter(status__in=[s.value for s in REPAIR_OPEN])
        objection_query = objection_query.filter(
            status=ObjectionStatus.SUBMITTED.value  # a review is the office's, not theirs
        )
    rows = [_repair_row(r, today) for r in await repairs.limit(500)]
    rows += [_objection_row(o, today) for o in await objection_query.limit(500)]
    return _ordered(rows)


async def open_cases() -> list[dict[str, Any]]:
    """listOpenCases: every open case of every department, overdue first (the credit office)."""
    today = clock.today()
    repairs = await RepairRequest.filter(status__in=[s.value for s in REPAIR_OPEN]).limit(2000)
    objection_rows = await Objection.filter(status__in=[s.value for s in OBJECTION_OPEN]).limit(
        2000
    )
    rows = [_repair_row(r, today) for r in repairs]
    rows += [_objection_row(o, today) for o in objection_rows]
    return _ordered(rows)


# ---- the public look-up -------------------------------------------------------------------


async def look_up(*, case_no: str, name: str, client_key: str) -> dict[str, Any]:
    """lookUpCase: a case's state and dates for whoever holds its number and the resident's
    name (family, or a resident without the app). Throttled like enrolment: per client and
    per case number, free tries, then waits, then a lock; the answer never says which of the
    two was wrong."""
    number = case_no.strip().upper()
    keys = [f"case:{client_key}", f"case-no:{number}"]
    verdict = await throttle.attempt(keys, clock.now())
    if not verdict.allowed:
        raise TooManyRequests(
            "too many failed attempts: wait and try again",
            headers={"Retry-After": str(verdict.retry_after)},
            retry_after=verdict.retry_after,
        )
    found: RepairRequest | Objection | None = None
    if looks_like_case_no(number):
        model = RepairRequest if number.startswith("R") else Objection
        found = await model.get_or_none(case_no=number)
    person = await Person.get_or_none(id=found.person_id) if found else None
    if found is None or person is None or normalise_name(person.name) != normalise_name(name):
        raise NotFound("no case with this number and name", reason="no_such_case")
    await throttle.succeeded(undo=keys, clear=[])
    today = clock.today()
    row = (
        _repair_row(found, today)
        if isinstance(found, RepairRequest)
        else _objection_row(found, today)
    )
    names = load_catalog().departments.get(found.department, {})
    return {k: row[k] for k in ("kind", "case_no", "state", "submitted_at", "due", "overdue")} | {
        "department_name": names or {"zh-CN": found.department, "en": found.department},
        "timeline": [{"status": s["status"], "at": s["at"]} for s in found.history],
    }


# ---- figures for the office dashboard -------------------------------------------------------


@dataclass(frozen=True)
class DepartmentFigures:
    department: str
    filed: int
    decided: int
    median_days: float | None  # working days from filing to the decision or answer
    in_time_share: float | None  # decided within the deadline
    open_overdue: int


async def figures(*, calendar: WorkCalendar) -> list[DepartmentFigures]:
    """Per department: cases filed, decided, median working days to decide, share decided
    in time, and open cases past their deadline."""
    today = clock.today()
    by_department: dict[str, dict[str, Any]] = {}

    def bucket(department: str) -> dict[str, Any]:
        return by_department.setdefault(
            department, {"filed": 0, "decided": 0, "days": [], "in_time": 0, "overdue": 0}
        )

    for r in await RepairRequest.all():
        b = bucket(r.department)
        b["filed"] += 1
        if r.status in CLOSED_REPAIR and r.decided_at:
            b["decided"] += 1
            decided = r.decided_at.astimezone(clock.zone()).date()
            started = r.submitted_at.astimezone(clock.zone()).date()
            b["days"].append(calendar.working_days_between(started, decided))
            b["in_time"] += decided <= (r.decision_due or r.feedback_due)
        elif r.status in REPAIR_OPEN and (r.decision_due or r.feedback_due) < today:
            b["overdue"] += 1
    for o in await Objection.all():
        b = bucket(o.department)
        b["filed"] += 1
        if o.status in ANSWERED and o.answered_at:
            b["decided"] += 1
            answered = o.answered_at.astimezone(clock.zone()).date()
            started = o.submitted_at.astimezone(clock.zone()).date()
            b["days"].append(calendar.working_days_between(started, answered))
            b["in_time"] += answered <= o.answer_due
        elif o.status == ObjectionStatus.SUBMITTED and o.answer_due < today:
            b["overdue"] += 1
    return [
        DepartmentFigures(
            department=d,
            filed=b["filed"],
            decided=b["decided"],
            median_days=float(statistics.median(b["days"])) if b["days"] else None,
            in_time_share=b["in_time"] / b["decided"] if b["decided"] else None,
            open_overdue=b["overdue"],
        )
        for d, b in sorted(by_department.items())
    ]
