"""Objections (异议): a resident disputes a record, a list entry or a partner-reported default.

It shows as "under objection" at once wherever the subject is shown. The source answers within
its working days: upheld → the record is withdrawn (or was corrected) and the person re-scored;
rejected → with reasons, and the resident may ask the credit office for a human review (PIPL
Art. 24). An answer that is late suspends the subject's effect until it comes
(`cases.sweep`); a city may suspend at filing instead (OBJECTION_SUSPENDS_AT_FILING)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.casenumbers import new_case_no
from ..core.deadlines import Deadlines
from ..core.errors import Conflict, NotFound
from ..core.principal import Principal
from ..core.transitions import apply, step
from ..credit import effects
from ..credit import lists as lists_service
from ..credit.models import ListSource, ListStatus, RecordStatus
from ..credit.service import rescore_person
from ..evidence import service as evidence
from ..evidence.models import CaseKind
from ..notices.models import NoticeKind
from ..notices.service import notify
from .models import OBJECTION_WORKFLOW, Objection, ObjectionStatus, ObjectionSubject

S = ObjectionStatus
CREDIT_OFFICE = "credit_office"  # answers objections to manual list entries


def person_of(principal: Principal) -> int:
    if principal.person_id is None:
        raise NotFound("only residents in the population register can object")
    return principal.person_id


@dataclass(frozen=True)
class Target:
    """What an objection is about, and who answers it."""

    record_id: int | None
    entry_id: int | None
    department: str


async def target_of(*, person_id: int, subject: ObjectionSubject, subject_id: int) -> Target:
    """Resolve the subject among this person's own data (another person's id is a 404)."""
    if subject == ObjectionSubject.RECORD:
        record = await effects.record_of(record_id=subject_id, person_id=person_id)
        if record.status == RecordStatus.WITHDRAWN:
            raise Conflict("a withdrawn record has no effect to object to", reason="not_active")
        return Target(record.id, None, record.department)
    if subject == ObjectionSubject.DEFAULT:
        record = await effects.default_record(redemption_id=subject_id, person_id=person_id)
        return Target(record.id, None, record.department)
    entry = await effects.entry_of(entry_id=subject_id, person_id=person_id)
    if entry.status != ListStatus.ACTIVE:
        raise Conflict("only an entry in force can be objected to", reason="not_active")
    if entry.source == ListSource.RULE and entry.record_ids:
        # A rule entry follows from records: the department of the record that made it answers.
        record = await effects.record_of(record_id=int(entry.record_ids[0]))
        return Target(record.id, entry.id, record.department)
    return Target(None, entry.id, CREDIT_OFFICE)


async def _notify(objection: Objection, step: str) -> None:
    await notify(
        person_id=objection.person_id,
        kind=NoticeKind.CASE_STATUS,
        key=f"objection:{objection.id}:{step}:{clock.now().isoformat()}",
        params={"case_no": objection.case_no, "workflow": "objection",
                "status": objection.status, "step": step},
        link=f"#/objections/{objection.id}",
    )  # fmt: skip


async def create(
    *,
    principal: Principal,
    deadlines: Deadlines,
    subject: ObjectionSubject,
    subject_id: int,
    reason: str,
    uploads: list[evidence.Upload],
    filed_by: Principal | None = None,
    person_id: int | None = None,
) -> Objection:
    """createObjection: one open objection per subject; marks it "under objection" at once
    (and pauses its effect at once where the city says so)."""
    person = person_id if person_id is not None else person_of(principal)
    target = await target_of(person_id=person, subject=subject, subject_id=subject_id)
    for upload in uploads:
        evidence.check(upload)
    try:
        async with in_transaction():
            objection = await Objection.create(
                case_no=new_case_no("O"),
                person_id=person,
                subject=subject.value,
                subject_id=subject_id,
                record_id=target.record_id,
                department=target.department,
                open_subject=f"{subject.value}:{subject_id}",
                status=S.SUBMITTED.value,
                reason=reason,
                filed_by_id=filed_by.account_id if filed_by else None,
                submitted_at=clock.now(),
                answer_due=deadlines.objection_answer_due(clock.today()),
                history=step([], S.SUBMITTED),
            )
            if uploads:
                await evidence.store(
                    case_kind=CaseKind.OBJECTION,
                    case_id=objection.id,
                    person_id=person,
                    uploads=uploads,
                    uploaded_by=(filed_by or principal).account_id,
                )
            await effects.set_disputed(
                record_id=target.record_id, entry_id=target.entry_id, disputed=True
            )
            await audit.record(
                action="objection.submitted",
                actor=filed_by or principal,
                subject_person_id=person,
                details={"case": objection.case_no, "subject": subject.value, "id": subject_id},
            )
            await _notify(objection, "submitted")
    except IntegrityError:
        raise Conflict("this already has an open objection", reason="already_open") from None
    if deadlines.objection_suspends_at_filing:
        await _suspend(objection, target)
    return objection


async def _suspend(objection: Objection, target: Target) -> None:
    await effects.set_suspended(
        record_id=target.record_id,
        entry_id=target.entry_id if target.record_id is None else None,
        suspended=True,
        case_no=objection.case_no,
    )
    await Objection.filter(id=objection.id, suspended_at=None).update(suspended_at=clock.now())


async def _target(objection: Objection) -> Target:
    entry_id = objection.subject_id if objection.subject == ObjectionSubject.LIST_ENTRY else None
    return Target(objection.record_id, entry_id, objection.department)


async def _settle(objection: Objection, *, withdrawn: bool) -> None:
    """After an answer: no longer under objection; the effect resumes unless the record was
    withdrawn (then the person is re-scored without it)."""
    target = await _target(objection)
    await effects.set_disputed(record_id=target.record_id, entry_id=target.entry_id, disputed=False)
    if withdrawn:
        await rescore_person(person_id=objection.person_id, cause="objection")
    else:  # re-scores when the effect was paused
        await effects.set_suspended(
            record_id=target.record_id,
            entry_id=target.entry_id if target.record_id is None else None,
            suspended=False,
            case_no=objection.case_no,
        )


async def mine(*, principal: Principal) -> list[Objection]:
    return await Objection.filter(person_id=person_of(principal)).order_by("-id")


async def my_objection(*, principal: Principal, objection_id: int) -> Objection:
    found = await Objection.get_or_none(id=objection_id, person_id=person_of(principal))
    if found is None:
        raise NotFound("no such objection of yours")
    return found


async def withdraw(*, principal: Principal, objection_id: int) -> Objection:
    objection = await my_objection(principal=principal, objection_id=objection_id)

    withdrawn = audit.case_step("objection.withdrawn", actor=principal)
    objection = await apply(
        OBJECTION_WORKFLOW,
        Objection,
        item_id=objection.id,
        to=S.WITHDRAWN,
        record=withdrawn,
        changes={"open_subject": None, "history": step(objection.history, S.WITHDRAWN)},
    )
    await _settle(objection, withdrawn=False)
    await _notify(objection, "withdrawn")
    return objection


async def request_review(*, principal: Principal, objection_id: int, reason: str) -> Objection:
    """requestObjectionReview: a rejected objection goes to a person at the credit office."""
    objection = await my_objection(principal=principal, objection_id=objection_id)

    requested = audit.case_step("objection.review_requested", actor=principal)
    try:
        objection = await apply(
            OBJECTION_WORKFLOW,
            Objection,
            item_id=objection.id,
            to=S.REVIEW_REQUESTED,
            record=requested,
            changes={"review_reason": reason,
                     "open_subject": f"{objection.subject}:{objection.subject_id}",
                     "history": step(objection.history, S.REVIEW_REQUESTED)},
        )  # fmt: skip
    except IntegrityError:  # a newer objection about the same subject is open
        raise Conflict("this already has an open objection", reason="already_open") from None
    await _notify(objection, "review_requested")
    return objection


async def _uphold_effect(objection: Objection, actor: Principal, reason: str) -> bool:
    """What upholding does to the subject; answers whether the record was withdrawn."""
    if objection.record_id is not None:
        await effects.withdraw_for_objection(
            record_id=objection.record_id, actor_label=actor.label, case_no=objection.case_no
        )
        return True
    # A manual list entry: lifting still needs a second, independent officer (four eyes).
    await lists_service.propose_lift(officer=actor, entry_id=objection.subject_id, reason=reason)
    return False


async def answer(
    *,
    actor: Principal,
    department: str,
    objection_id: int,
    upheld: bool,
    answer_text: str,
    corrected: bool = False,
) -> Objection:
    """answerObjection: upheld (the record is withdrawn — or, with `corrected`, the
    department corrected it with correctRecord first) or rejected with reasons."""
    found = await Objection.get_or_none(id=objection_id, department=department)
    if found is None:
        raise NotFound("no such objection for your department")
    withdrawn = False

    async def answered(item: Objection, _from: ObjectionStatus) -> None:
        nonlocal withdrawn
        if upheld and not corrected:
            withdrawn = await _uphold_effect(item, actor, answer_text)
        await audit.record(
            action="objection.upheld" if upheld else "objection.rejected",
            actor=actor,
            subject_person_id=item.person_id,
            purpose=answer_text,
            details={"case": item.case_no, "corrected": corrected},
        )

    objection = await apply(
        OBJECTION_WORKFLOW,
        Objection,
        item_id=objection_id,
        where={"department": department},
        to=S.UPHELD if upheld else S.REJECTED,
        record=answered,
        changes={"answer": answer_text, "answered_at": clock.now(), "answered_by": actor.display_name[:200],
                 "open_subject": None,
                 "history": step(found.history, S.UPHELD if upheld else S.REJECTED, actor.display_name)},
    )  # fmt: skip
    await _settle(objection, withdrawn=withdrawn)
    if upheld and corrected and objection.record_id is not None:
        await rescore_person(person_id=objection.person_id, cause="objection")
    await _notify(objection, objection.status)
    return objection


async def decide_review(
    *, officer: Principal, objection_id: int, upheld: bool, answer_text: str
) -> Objection:
    """decideObjectionReview: a credit officer decides the human review."""
    found = await Objection.get_or_none(id=objection_id)
    if found is None:
        raise NotFound("no such objection")
    target = S.REVIEW_UPHELD if upheld else S.REVIEW_REJECTED
    withdrawn = False

    async def reviewed(item: Objection, _from: ObjectionStatus) -> None:
        nonlocal withdrawn
        if upheld:
            withdrawn = await _uphold_effect(item, officer, answer_text)
        await audit.record(
            action="objection.review_upheld" if upheld else "objection.review_rejected",
            actor=officer,
            subject_person_id=item.person_id,
            purpose=answer_text,
            details={"case": item.case_no},
        )

    objection = await apply(
        OBJECTION_WORKFLOW,
        Objection,
        item_id=objection_id,
        to=target,
        record=reviewed,
        changes={"review_answer": answer_text, "reviewed_at": clock.now(),
                 "reviewed_by": officer.display_name[:200], "open_subject": None,
                 "history": step(found.history, target, officer.display_name)},
    )  # fmt: skip
    if upheld:
        await _settle(objection, withdrawn=withdrawn)
    await _notify(objection, objection.status)
    return objection


async def suspend_overdue(objection: Objection) -> bool:
    """The source did not answer in time: pause the subject's effect until it does. Safe to
    run in several processes: the overdue mark is a conditional update, done once."""
    marked = await Objection.filter(
        id=objection.id, status=S.SUBMITTED.value, overdue_at=None
    ).update(overdue_at=clock.now())
    if marked != 1:
        return False
    target = await _target(objection)
    if objection.suspended_at is None:
        await _suspend(objection, target)
    await audit.record(
        action="objection.overdue",
        actor_label="deadline sweep",
        subject_person_id=objection.person_id,
        details={"case": objection.case_no, "answer_due": objection.answer_due.isoformat()},
    )
    await notify(
        person_id=objection.person_id,
        kind=NoticeKind.DEADLINE_PASSED,
        key=f"objection:{objection.id}:overdue",
        params={"case_no": objection.case_no, "workflow": "objection",
                "due": objection.answer_due.isoformat()},
        link=f"#/objections/{objection.id}",
    )  # fmt: skip
    return True


async def department_case(*, department: str, objection_id: int) -> Objection:
    found = await Objection.get_or_none(id=objection_id, department=department)
    if found is None:
        raise NotFound("no such objection for your department")
    return found
