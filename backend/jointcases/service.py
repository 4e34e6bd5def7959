"""Joint cases: a department reports one (`reportJointCase`, 向市信用办反馈报送) and sees its
own; the credit office counts them by list × measure × department × month and reads them for
the export. Counter uses are added by `rollup.py`.

A report is idempotent on the department and its own `external_id`: the same report again
answers with the stored case; a different report under the same id is refused (409
`external_id_reused`). A person is named by ID number (looked up under the department's daily
register budget, as record batches are) or only by the department's case reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tortoise import functions
from tortoise.exceptions import IntegrityError

from ..audit import service as audit
from ..core import clock
from ..core.crypto import IdCipher
from ..core.errors import Conflict, XinyiError, invalid
from ..core.principal import Principal
from ..core.redact import scrub_id_numbers
from ..credit import register_budget
from ..credit.catalog import department_for
from ..residents import idnumber
from ..residents.models import Person
from . import measures
from .models import CaseSource, JointCase

EARLIEST = dt.date(2014, 1, 1)  # 社会信用体系建设规划纲要 (2014–2020): nothing older is a case
PAGE = 50
ID_MAX = 2**63 - 1  # a partner id beyond a BigIntField matches nothing (not a driver error)
EXPORT_CHUNK = 1000


class ExternalIdReused(Conflict):
    """This department already reported a different case under the same external id."""

    code = "conflict"


@dataclass(frozen=True)
class Report:
    external_id: str
    list_kind: str
    measure: str
    occurred_on: dt.date
    summary: str
    id_number: str | None = None
    case_reference: str = ""


@dataclass(frozen=True)
class Filters:
    """The office's filters; empty means all."""

    list_kind: str = ""
    measure: str = ""
    organisation: str = ""  # a department code, or "partner:<id>"
    month: str = ""  # YYYY-MM

    def query(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.list_kind:
            out["list_kind"] = self.list_kind
        if self.measure:
            out["measure"] = self.measure
        if self.month:
            out["month"] = self.month
        if self.organisation.startswith("partner:"):
            ref = self.organisation.removeprefix("partner:")
            out["partner_id"] = int(ref) if ref.isdigit() and int(ref) <= ID_MAX else -1
        elif self.organisation:
            out["department"] = self.organisation
        return out


def filters_of(*, list_kind: str, measure: str, organisation: str, month: str) -> Filters:
    """The office's filters, each checked against its declared set."""
    if list_kind and list_kind not in measures.LISTS:
        raise invalid("list", "red, gray or black", "enum")
    if measure and measure not in measures.MEASURES:
        raise invalid("measure", "a measure code of the declared set", "enum")
    return Filters(list_kind, measure, organisation, month)


def check_report(report: Report, *, today: dt.date) -> None:
    """Every field of a report, before anything is looked up."""
    if report.list_kind not in measures.LISTS:
        raise invalid("list", "red, gray or black", "enum")
    if report.measure not in measures.MEASURES:
        raise invalid("measure", "a measure code of the declared set (docs/programme.md)", "enum")
    if not measures.fits(report.measure, report.list_kind):
        raise invalid(
            "measure", f"{report.measure} is not a measure of the {report.list_kind} list"
        )
    if not EARLIEST <= report.occurred_on <= today:
        raise invalid("date", "a date from 2014-01-01 to today")
    if (report.id_number is None) == (not report.case_reference):
        raise invalid("id_number", "name the person by id_number or by case_reference (one)")


async def _person(actor: Principal, cipher: IdCipher, number: str, budget: int) -> int:
    """The person, under the caller's daily budget of unknown ID numbers (never a free way of
    testing the register: an unknown number costs the same as in a record batch)."""
    number = idnumber.normalise(number)
    problem = idnumber.problem_with(number)
    if problem is not None:
        raise invalid("id_number", f"invalid ID number ({problem.value})")
    row = await register_budget.ensure_open(actor)
    person = await Person.get_or_none(id_hash=cipher.lookup_hash(number)).only("id")
    await register_budget.charge(
        row=row, actor=actor, checked=1, unknown=0 if person else 1, budget=budget
    )
    if person is None:
        raise invalid("id_number", "nobody with this ID number is in the population register")
    return int(person.id)


def _same(case: JointCase, report: Report, department: str, person_id: int | None) -> bool:
    return (
        case.department == department
        and case.list_kind == report.list_kind
        and case.measure == report.measure
        and case.occurred_on == report.occurred_on
        and case.person_id == person_id
        and case.case_reference == report.case_reference
        and case.summary == scrub_id_numbers(report.summary)
    )


async def report_case(
    *, actor: Principal, cipher: IdCipher, report: Report, unknown_budget: int
) -> tuple[JointCase, bool]:
    """reportJointCase: (the case, whether it is new). Audited with the person as subject."""
    department = department_for(actor)
    check_report(report, today=clock.today())
    person_id = (
        await _person(actor, cipher, report.id_number, unknown_budget)
        if report.id_number is not None
        else None
    )
    origin = f"department:{department}"
    previous = await JointCase.get_or_none(origin=origin, external_id=report.external_id)
    if previous is None:
        try:
            case = await JointCase.create(
                origin=origin,
                external_id=report.external_id,
                source=CaseSource.REPORTED,
                list_kind=report.list_kind,
                measure=report.measure,
                department=department,
                person_id=person_id,
                case_reference=report.case_reference,
                occurred_on=report.occurred_on,
                month=report.occurred_on.isoformat()[:7],
                summary=scrub_id_numbers(report.summary),
                reported_by_id=actor.account_id,
                created_at=clock.now(),
            )
        except IntegrityError:  # the same report, sent twice at once: the first one stands
            previous = await JointCase.get(origin=origin, external_id=report.external_id)
        else:
            await audit.record(
                action="joint_case.reported",
                actor=actor,
                subject_person_id=person_id,
                details={"case": case.id, "department": department, "list": case.list_kind,
                         "measure": case.measure},
            )  # fmt: skip
            return case, True
    if not _same(previous, report, department, person_id):
        raise ExternalIdReused(
            "this external_id was already used for a different case; use a new one",
            reason="external_id_reused",
        )
    return previous, False


async def department_cases(*, actor: Principal, offset: int = 0) -> tuple[list[JointCase], int]:
    """A department's own reported cases, newest first (another department's never)."""
    department = department_for(actor)
    query = JointCase.filter(origin=f"department:{department}")
    total = await query.count()
    rows = await query.order_by("-occurred_on", "-id").offset(offset).limit(PAGE)
    return list(rows), total


@dataclass(frozen=True)
class Count:
    list_kind: str
    measure: str
    organisation: str  # department code or partner:<id>
    month: str
    cases: int


def organisation_of(case: JointCase) -> str:
    return f"partner:{case.partner_id}" if case.partner_id is not None else case.department


async def counts(*, filters: Filters) -> list[Count]:
    """Cases per list × measure × organisation × month (the office's table and totals)."""
    rows = (
        await JointCase.filter(**filters.query())
        .annotate(n=functions.Count("id"))
        .group_by("list_kind", "measure", "department", "partner_id", "month")
        .values("list_kind", "measure", "department", "partner_id", "month", "n")
    )
    out = [
        Count(
            row["list_kind"],
            row["measure"],
            f"partner:{row['partner_id']}" if row["partner_id"] is not None else row["department"],
            row["month"],
            int(row["n"]),
        )
        for row in rows
    ]
    return sorted(out, key=lambda c: (c.month, c.list_kind, c.measure, c.organisation))


async def page_of(*, filters: Filters, offset: int) -> tuple[list[JointCase], int]:
    query = JointCase.filter(**filters.query())
    total = await query.count()
    rows = await query.order_by("-occurred_on", "-id").offset(offset).limit(PAGE)
    return list(rows), total


async def each_case(*, filters: Filters) -> AsyncIterator[list[JointCase]]:
    """Every matching case in chunks by id (bounded memory for the export)."""
    last = 0
    while True:
        chunk = (
            await JointCase.filter(**filters.query(), id__gt=last)
            .order_by("id")
            .limit(EXPORT_CHUNK)
        )
        if not chunk:
            return
        yield list(chunk)
        last = chunk[-1].id


# The refusals a department's form names in its own words (catalog `jointcase.error.<key>`).
FORM_REASONS = frozenset(
    {"external_id_reused", "validation_failed", "invalid_id_number", "no_department",
     "register_budget", "conflict"}
)  # fmt: skip


def reason_of(error: XinyiError) -> str:
    for key in (str(error.extra.get("reason", "")), error.code):
        if key in FORM_REASONS:
            return key
    return "validation_failed" if error.status == 422 else "conflict"
