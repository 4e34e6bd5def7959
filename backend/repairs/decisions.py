"""The recording department decides a repair request ("谁认定、谁修复"): accept it (the
decision is then due within its working days), return it for more material, approve it (the
record is repaired at once: it stops counting and showing, lists follow, passes renew) or
reject it with reasons. Exactly one of two concurrent decisions wins."""

from __future__ import annotations

from ..audit import service as audit
from ..core import clock
from ..core.deadlines import Deadlines
from ..core.errors import NotFound
from ..core.principal import Principal
from ..core.transitions import apply, step
from ..credit import effects
from ..credit.service import rescore_person
from .models import REPAIR_WORKFLOW, RepairRequest, RepairStatus
from .service import notify_step

S = RepairStatus


async def _department_case(department: str, request_id: int) -> RepairRequest:
    found = await RepairRequest.get_or_none(id=request_id, department=department)
    if found is None:  # another department's case is not found, not forbidden: no leak
        raise NotFound("no such repair request for your department")
    return found


def _decided_by(actor: Principal) -> str:
    """Who decided, as a case's timeline names them (the audit entry keeps the full label)."""
    return actor.display_name[:200]


async def accept(
    *, actor: Principal, department: str, deadlines: Deadlines, request_id: int
) -> RepairRequest:
    """acceptRepairRequest (受理): the decision is due within its working days from today."""
    case = await _department_case(department, request_id)

    accepted = audit.case_step("repair.accepted", actor=actor)
    request = await apply(
        REPAIR_WORKFLOW,
        RepairRequest,
        item_id=request_id,
        where={"department": department},
        to=S.ACCEPTED,
        record=accepted,
        changes={
            "accepted_at": clock.now(),
            "decision_due": deadlines.repair_decision_due(clock.today()),
            "history": step(case.history, S.ACCEPTED, _decided_by(actor)),
        },
    )
    await notify_step(request, "accepted")
    return request


async def return_for_more(
    *, actor: Principal, department: str, request_id: int, missing: str
) -> RepairRequest:
    """returnRepairRequest (退回补正): say what is missing; the resident adds it."""
    case = await _department_case(department, request_id)

    returned = audit.case_step("repair.returned", actor=actor)
    request = await apply(
        REPAIR_WORKFLOW,
        RepairRequest,
        item_id=request_id,
        where={"department": department},
        to=S.RETURNED,
        record=returned,
        changes={"missing": missing, "history": step(case.history, S.RETURNED, _decided_by(actor))},
    )
    await notify_step(request, "returned")
    return request


async def decide(
    *,
    actor: Principal,
    department: str,
    request_id: int,
    approve: bool,
    reason: str,
    legal_basis: str,
) -> RepairRequest:
    """decideRepairRequest: approve (the record is repaired at once) or reject, with reasons
    and the legal basis. Exactly one of two concurrent decisions wins."""
    case = await _department_case(department, request_id)
    target = S.APPROVED if approve else S.REJECTED

    async def decided(item: RepairRequest, _from: RepairStatus) -> None:
        if approve:
            await effects.repair_record(
                record_id=item.record_id, actor_label=_decided_by(actor), case_no=item.case_no
            )
        await audit.record(
            action="repair.approved" if approve else "repair.rejected",
            actor=actor,
            subject_person_id=item.person_id,
            purpose=reason,
            details={"case": item.case_no, "record": item.record_id},
        )

    request = await apply(
        REPAIR_WORKFLOW,
        RepairRequest,
        item_id=request_id,
        where={"department": department},
        to=target,
        record=decided,
        changes={
            "decision_reason": reason,
            "legal_basis": legal_basis,
            "decided_at": clock.now(),
            "decided_by": _decided_by(actor),
            "open_record_id": None,
            "history": step(case.history, target, _decided_by(actor)),
        },
    )
    if approve:  # re-score now: the score, lists and pass change at once
        await rescore_person(person_id=request.person_id, cause="repair")
    await notify_step(request, request.status)
    return request


async def department_case(*, department: str, request_id: int) -> RepairRequest:
    return await _department_case(department, request_id)
