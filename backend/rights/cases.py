"""Cases residents open in the credit office's queue: "this wasn't me" (reportMisuse) from an
entry of who viewed my data, and a human review of an automated decision (requestHumanReview,
PIPL Art. 24) of the score or a rule-derived list entry. An officer answers; the answer is
recorded, shown to the resident and sent to their inbox."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..audit.models import AuditEntry
from ..core import clock, transitions
from ..core.casenumbers import new_case_no
from ..core.errors import Conflict, NotFound, invalid
from ..core.principal import Principal
from ..core.transitions import Workflow, step
from ..credit.models import ListEntry, ListSource, Score
from ..notices.models import NoticeKind
from ..notices.service import notify
from .confirm import person_of
from .models import RightsCase, RightsCaseKind, RightsCaseStatus

S = RightsCaseStatus
RIGHTS_WORKFLOW = Workflow[RightsCaseStatus](
    name="rights case",
    moves={S.OPEN: frozenset({S.ANSWERED})},
    conflict_reason="already_answered",
    closed_reason="case_closed",
)
PREFIX = {RightsCaseKind.MISUSE: "M", RightsCaseKind.REVIEW: "H"}
# The audit actions, written out (audit/present.py names each for the resident).
OPENED = {RightsCaseKind.MISUSE: "misuse.requested", RightsCaseKind.REVIEW: "review.requested"}
ANSWERED = {RightsCaseKind.MISUSE: "misuse.answered", RightsCaseKind.REVIEW: "review.answered"}


class ReviewSubject(StrEnum):
    SCORE = "score"  # the score as computed by the model
    LIST_ENTRY = "list_entry"  # an entry a list rule derived from records


async def _open(
    *, principal: Principal, person_id: int, kind: RightsCaseKind, subject: str,
    subject_id: int | None, snapshot: dict[str, Any], statement: str,
    filed_by: Principal | None = None,
) -> RightsCase:  # fmt: skip
    try:
        async with in_transaction():
            case = await RightsCase.create(
                case_no=new_case_no(PREFIX[kind]), kind=kind.value, person_id=person_id,
                subject=subject, subject_id=subject_id,
                open_subject=f"{kind.value}:{subject}:{subject_id or 0}:{person_id}",
                snapshot=snapshot, statement=statement,
                filed_by_id=filed_by.account_id if filed_by else None,
                status=S.OPEN.value, created_at=clock.now(), history=step([], S.OPEN),
            )  # fmt: skip
            await audit.record(
                action=OPENED[kind], actor=filed_by or principal,
                subject_person_id=person_id,
                details={"case": case.case_no, "subject": subject, "id": subject_id},
            )  # fmt: skip
    except IntegrityError:
        raise Conflict("you already have an open case about this", reason="already_open") from None
    return case


async def report_misuse(*, principal: Principal, entry_id: int, statement: str) -> RightsCase:
    """reportMisuse: one entry of my access log (a look by someone else) I did not expect."""
    person_id = person_of(principal)
    entry = await AuditEntry.get_or_none(id=entry_id, subject_person_id=person_id)
    if entry is None or entry.actor_account_id == principal.account_id:
        raise NotFound("no such entry in your access log")
    snapshot = {"id": entry.id, "at": entry.at.isoformat(), "who": entry.actor_label,
                "organisation": entry.organisation, "action": entry.action,
                "purpose": entry.purpose, "hash": entry.hash}  # fmt: skip
    return await _open(principal=principal, person_id=person_id, kind=RightsCaseKind.MISUSE,
                       subject="audit_entry", subject_id=entry.id, snapshot=snapshot,
                       statement=statement)  # fmt: skip


async def request_review(
    *, principal: Principal, subject: ReviewSubject, subject_id: int | None, statement: str,
    filed_by: Principal | None = None,
) -> RightsCase:  # fmt: skip
    """requestHumanReview: my score, or a list entry a rule derived (a manual entry was decided
    by two people already and is contested by objection)."""
    person_id = person_of(principal)
    if subject is ReviewSubject.SCORE:
        score = await Score.get_or_none(person_id=person_id)
        if score is None:
            raise NotFound("you have no score to review")
        snapshot: dict[str, Any] = {"score": score.score, "tier": score.tier,
                                    "model_version": score.model_version}  # fmt: skip
        subject_id = None
    else:
        if subject_id is None:
            raise invalid("subject_id", "the list entry to review", "missing")
        entry = await ListEntry.get_or_none(id=subject_id, person_id=person_id)
        if entry is None:
            raise NotFound("no such list entry of yours")
        if entry.source != ListSource.RULE:
            raise Conflict("only an entry made by a rule is an automated decision: object to "
                           "a manual one", reason="not_automated")  # fmt: skip
        snapshot = {"list": entry.kind, "rule": entry.rule_code, "start": entry.start.isoformat(),
                    "record_ids": list(entry.record_ids)}  # fmt: skip
    return await _open(principal=principal, person_id=person_id, kind=RightsCaseKind.REVIEW,
                       subject=subject.value, subject_id=subject_id, snapshot=snapshot,
                       statement=statement, filed_by=filed_by)  # fmt: skip


async def mine(*, principal: Principal) -> list[RightsCase]:
    return await RightsCase.filter(person_id=person_of(principal)).order_by("-id")


async def queue(*, open_only: bool = True) -> list[RightsCase]:
    query = RightsCase.all()
    if open_only:
        query = query.filter(status=S.OPEN.value)
    return await query.order_by("id").limit(500)


async def answer(*, officer: Principal, case_id: int, answer_text: str) -> RightsCase:
    """An officer's answer: recorded with who gave it, shown and sent to the resident."""
    now = clock.now()
    case = await RightsCase.get_or_none(id=case_id)
    if case is None:
        raise NotFound("no such case")

    async def record(item: RightsCase, _from: RightsCaseStatus) -> None:
        await audit.record(action=ANSWERED[RightsCaseKind(item.kind)], actor=officer,
                           subject_person_id=item.person_id, details={"case": item.case_no})  # fmt: skip
        await notify(
            person_id=item.person_id, kind=NoticeKind.CASE_STATUS,
            key=f"rights:{item.id}:answered",
            params={"case_no": item.case_no, "workflow": item.kind, "status": S.ANSWERED.value,
                    "step": "answered"},
            link="#/rights-cases",
        )  # fmt: skip

    return await transitions.apply(
        RIGHTS_WORKFLOW, RightsCase, item_id=case_id, to=S.ANSWERED, record=record,
        changes={"answer": answer_text, "answered_by": officer.display_name[:200],
                 "answered_at": now, "open_subject": None,
                 "history": step(case.history, S.ANSWERED, by=officer.display_name)},
    )  # fmt: skip


def describe(case: RightsCase) -> dict[str, Any]:
    return {
        "id": case.id, "case_no": case.case_no, "kind": case.kind, "subject": case.subject,
        "subject_id": case.subject_id, "snapshot": case.snapshot, "statement": case.statement,
        "status": case.status, "answer": case.answer, "answered_by": case.answered_by,
        "answered_at": case.answered_at.isoformat() if case.answered_at else None,
        "created_at": case.created_at.isoformat(), "by_helper": case.filed_by_id is not None,
        "timeline": case.history,
    }  # fmt: skip
