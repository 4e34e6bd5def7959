"""Credit repair (信用修复), as a resident and as the recording department see it.

A resident may apply for a negative, repairable record once its minimum disclosure period
has passed, with evidence that the obligation is fulfilled and a credit commitment signed with
their passkey. The department that recorded it decides ("谁认定、谁修复"): it accepts or returns
the request, then approves or rejects it within its working days. Approval repairs the record
at once (it stops counting and showing, its list effects lift, passes are renewed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..commitments import service as commitments
from ..commitments.templates import current as current_commitment
from ..core import clock
from ..core.casenumbers import new_case_no
from ..core.context import RelyingParty
from ..core.deadlines import Deadlines
from ..core.errors import Conflict, NotFound, invalid
from ..core.principal import Principal
from ..core.transitions import apply, step
from ..credit import effects
from ..credit.catalog import load_catalog
from ..credit.models import CreditRecord, RecordStatus
from ..evidence import service as evidence
from ..evidence.models import CaseKind
from ..notices.models import NoticeKind
from ..notices.service import notify
from .models import OPEN, REPAIR_WORKFLOW, RepairRequest, RepairStatus

COMMITMENT = "repair"
S = RepairStatus


def person_of(principal: Principal) -> int:
    if principal.person_id is None:
        raise NotFound("only residents in the population register have records to repair")
    return principal.person_id


# ---- eligibility --------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One negative record and whether it can be repaired now (and if not, why and when)."""

    record: CreditRecord
    eligible: bool
    reason: str | None  # not_repairable | too_early | not_active | expired | already_open
    eligible_from: dt.date | None
    open_case: str | None


def option_for(record: CreditRecord, open_cases: dict[int, str], today: dt.date) -> Option:
    record_type = load_catalog().types.get(record.type_code)
    open_case = open_cases.get(record.id)
    reason: str | None = None
    if record_type is None or not record_type.repairable:
        reason = "not_repairable"
    elif record.status != RecordStatus.ACTIVE:
        reason = "not_active"
    elif record.expires_on <= today:
        reason = "expired"
    elif open_case is not None:
        reason = "already_open"
    elif record.repairable_from > today:
        reason = "too_early"
    return Option(record, reason is None, reason, record.repairable_from, open_case)


async def options(*, principal: Principal) -> list[Option]:
    """listMyRepairOptions: every negative record of mine, eligible or not, with why."""
    return await person_options(person_id=person_of(principal))


async def person_options(*, person_id: int) -> list[Option]:
    """A person's negative records with whether each can be repaired now (the counter reads
    them for a resident it has identified in person)."""
    records = await CreditRecord.filter(person_id=person_id, points__lt=0).order_by(
        "-decision_date", "-id"
    )
    open_cases = await _open_cases(person_id)
    today = clock.today()
    return [option_for(r, open_cases, today) for r in records]


async def _open_cases(person_id: int) -> dict[int, str]:
    rows = await RepairRequest.filter(person_id=person_id, status__in=list(OPEN)).values(
        "record_id", "case_no"
    )
    return {int(r["record_id"]): str(r["case_no"]) for r in rows}


async def eligible_record(*, person_id: int, record_id: int) -> CreditRecord:
    """The record, if this person may apply for its repair today; a 404 for another
    person's record, a 409 naming why otherwise."""
    record = await effects.record_of(record_id=record_id, person_id=person_id)
    if record.points >= 0:
        raise Conflict("only a negative record can be repaired", reason="not_negative")
    option = option_for(record, await _open_cases(person_id), clock.today())
    if not option.eligible:
        detail = "this record cannot be repaired now"
        if option.reason == "too_early":
            detail = f"this record can be repaired from {record.repairable_from.isoformat()}"
        raise Conflict(
            detail,
            reason=option.reason,
            eligible_from=record.repairable_from.isoformat(),
            case_no=option.open_case,
        )
    return record


# ---- the resident applies -----------------------------------------------------------------


async def start(
    *, principal: Principal, rp: RelyingParty, record_id: int, locale: str
) -> commitments.Started:
    """startRepairRequest: the commitment text and passkey options that bind it."""
    await eligible_record(person_id=person_of(principal), record_id=record_id)
    return await commitments.start_signing(
        principal=principal,
        rp=rp,
        code=COMMITMENT,
        locale=locale,
        context={"record_id": record_id},
    )


async def create(
    *,
    principal: Principal,
    rp: RelyingParty,
    deadlines: Deadlines,
    record_id: int,
    statement: str,
    credential: dict[str, Any],
    uploads: list[evidence.Upload],
) -> RepairRequest:
    """createRepairRequest: check eligibility again, verify the signed commitment, store the
    request with its evidence — all or nothing — and tell the resident the case number."""
    person_id = person_of(principal)
    record = await eligible_record(person_id=person_id, record_id=record_id)
    if not uploads:
        raise invalid("evidence", "add evidence that the obligation is fulfilled", "missing")
    for upload in uploads:
        evidence.check(upload)
    try:
        async with in_transaction():
            signature = await commitments.sign(
                principal=principal,
                rp=rp,
                credential=credential,
                purpose=COMMITMENT,
                context={"record_id": record_id},
            )
            return await _store(
                actor=principal, deadlines=deadlines, record=record, statement=statement,
                uploads=uploads, commitment_id=signature.id, filed_by=None,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            "this record already has an open repair request", reason="already_open"
        ) from None


async def file_in_person(
    *,
    officer: Principal,
    deadlines: Deadlines,
    person_id: int,
    record_id: int,
    statement: str,
    uploads: list[evidence.Upload],
    paper_commitment: bool,
) -> RepairRequest:
    """A repair request filed at a counter for a resident without a smartphone, after the
    officer checked the ID card in person: the same request as `create`, except that the
    resident signs the credit commitment on paper and the officer takes it — so there is no
    passkey signature (`commitment_id` None) and `filed_by_id` names the officer."""
    if not paper_commitment:
        raise invalid("paper_commitment", "take the signed paper commitment first", "missing")
    record = await eligible_record(person_id=person_id, record_id=record_id)
    if not uploads:
        raise invalid("evidence", "add evidence that the obligation is fulfilled", "missing")
    for upload in uploads:
        evidence.check(upload)
    try:
        async with in_transaction():
            return await _store(
                actor=officer, deadlines=deadlines, record=record, statement=statement,
                uploads=uploads, commitment_id=None, filed_by=officer,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            "this record already has an open repair request", reason="already_open"
        ) from None


async def _store(
    *,
    actor: Principal,
    deadlines: Deadlines,
    record: CreditRecord,
    statement: str,
    uploads: list[evidence.Upload],
    commitment_id: int | None,
    filed_by: Principal | None,
) -> RepairRequest:
    """The request with its evidence, its audit entry and the resident's notice (inside the
    caller's transaction; the open-record unique key refuses a second open request)."""
    request = await RepairRequest.create(
        case_no=new_case_no("R"),
        person_id=record.person_id,
        record_id=record.id,
        department=record.department,
        open_record_id=record.id,
        status=S.SUBMITTED.value,
        statement=statement,
        commitment_id=commitment_id,
        filed_by_id=filed_by.account_id if filed_by else None,
        submitted_at=clock.now(),
        feedback_due=deadlines.repair_feedback_due(clock.today()),
        history=step([], S.SUBMITTED),
    )
    await evidence.store(
        case_kind=CaseKind.REPAIR,
        case_id=request.id,
        person_id=record.person_id,
        uploads=uploads,
        uploaded_by=actor.account_id,
    )
    details: dict[str, Any] = {"case": request.case_no, "record": record.id, "files": len(uploads)}
    if filed_by is not None:  # which text the resident signed on paper, for the file
        text = current_commitment(COMMITMENT)
        details["commitment"] = f"paper, taken in person: {text.code} {text.version}"
    await audit.record(
        action="repair.submitted",
        actor=actor,
        subject_person_id=record.person_id,
        details=details,
    )
    await notify_step(request, "submitted")
    return request


async def notify_step(request: RepairRequest, step: str) -> None:
    await notify(
        person_id=request.person_id,
        kind=NoticeKind.CASE_STATUS,
        key=f"repair:{request.id}:{step}:{clock.now().isoformat()}",
        params={"case_no": request.case_no, "workflow": "repair", "status": request.status,
                "step": step},
        link=f"#/repairs/{request.id}",
    )  # fmt: skip


async def mine(*, principal: Principal) -> list[RepairRequest]:
    return await RepairRequest.filter(person_id=person_of(principal)).order_by("-id")


async def my_request(*, principal: Principal, request_id: int) -> RepairRequest:
    found = await RepairRequest.get_or_none(id=request_id, person_id=person_of(principal))
    if found is None:
        raise NotFound("no such repair request of yours")
    return found


async def add_evidence(
    *,
    principal: Principal,
    deadlines: Deadlines,
    request_id: int,
    uploads: list[evidence.Upload],
    statement: str | None,
) -> RepairRequest:
    """addRepairEvidence: more material while the request is open; a returned request goes
    back to the department with it (its answer is due 10 working days from then)."""
    request = await my_request(principal=principal, request_id=request_id)
    if request.status not in (S.SUBMITTED, S.RETURNED):
        raise Conflict("material can be added only before the department decides",
                       reason="case_closed")  # fmt: skip
    for upload in uploads:
        evidence.check(upload)
    async with in_transaction():
        await evidence.store(
            case_kind=CaseKind.REPAIR,
            case_id=request.id,
            person_id=request.person_id,
            uploads=uploads,
            uploaded_by=principal.account_id,
        )
        if request.status == S.RETURNED:
            resubmitted = audit.case_step("repair.resubmitted", actor=principal, files=len(uploads))
            changes: dict[str, Any] = {
                "feedback_due": deadlines.repair_feedback_due(clock.today()),
                "submitted_at": clock.now(),
                "overdue_at": None,
                "history": step(request.history, S.SUBMITTED),
            }
            if statement:
                changes["statement"] = statement
            request = await apply(
                REPAIR_WORKFLOW,
                RepairRequest,
                item_id=request.id,
                to=S.SUBMITTED,
                record=resubmitted,
                changes=changes,
            )
            await notify_step(request, "resubmitted")
        else:
            await audit.record(
                action="repair.evidence_added",
                actor=principal,
                subject_person_id=request.person_id,
                details={"case": request.case_no, "files": len(uploads)},
            )
    return request


async def withdraw(*, principal: Principal, request_id: int) -> RepairRequest:
    """withdrawRepairRequest: while it is open; the record stays as it is."""
    request = await my_request(principal=principal, request_id=request_id)

    withdrawn = audit.case_step("repair.withdrawn", actor=principal)
    request = await apply(
        REPAIR_WORKFLOW,
        RepairRequest,
        item_id=request.id,
        to=S.WITHDRAWN,
        record=withdrawn,
        changes={
            "open_record_id": None,
            "decided_at": clock.now(),
            "history": step(request.history, S.WITHDRAWN),
        },
    )
    await notify_step(request, "withdrawn")
    return request
