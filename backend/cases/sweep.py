"""The deadline sweep, run with the app's periodic jobs:

- a repair request not answered in time is flagged and escalated to the credit office;
- an objection not answered in time has its subject's effect suspended until the answer comes;
- a benefit past its due date gets the system's own reminder (催告).

In several processes each due change happens once (conditional updates); tests run it with
the clock moved forward."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.expressions import Q

from ..audit import service as audit
from ..core import clock
from ..notices.models import NoticeKind
from ..notices.service import notify
from ..objections import service as objections
from ..objections.models import Objection, ObjectionStatus
from ..partners.reminders import send_due_reminders
from ..repairs.models import OPEN, RepairRequest, RepairStatus

log = logging.getLogger("xinyi.cases")


@dataclass(frozen=True)
class Swept:
    repairs_overdue: int
    objections_suspended: int
    reminders_sent: int = 0


async def _flag_repair(request: RepairRequest) -> bool:
    marked = await RepairRequest.filter(id=request.id, overdue_at=None).update(
        overdue_at=clock.now()
    )
    if marked != 1:  # another process flagged it first
        return False
    due = request.decision_due or request.feedback_due
    await audit.record(
        action="repair.overdue",
        actor_label="deadline sweep",
        subject_person_id=request.person_id,
        details={"case": request.case_no, "department": request.department,
                 "due": due.isoformat()},
    )  # fmt: skip
    await notify(
        person_id=request.person_id,
        kind=NoticeKind.DEADLINE_PASSED,
        key=f"repair:{request.id}:overdue",
        params={"case_no": request.case_no, "workflow": "repair", "due": due.isoformat()},
        link=f"#/repairs/{request.id}",
    )
    return True


async def sweep() -> Swept:
    """Flag every case whose deadline passed (the end of its due day, in the city)."""
    today = clock.today()
    late_repairs = await RepairRequest.filter(
        Q(status=RepairStatus.ACCEPTED.value, decision_due__lt=today)
        | Q(status__in=[s.value for s in OPEN], feedback_due__lt=today),
        overdue_at=None,
    )
    flagged = sum([await _flag_repair(r) for r in late_repairs])
    late_objections = await Objection.filter(
        status=ObjectionStatus.SUBMITTED.value, answer_due__lt=today, overdue_at=None
    )
    suspended = sum([await objections.suspend_overdue(o) for o in late_objections])
    reminded = await send_due_reminders()
    if flagged or suspended or reminded:
        log.info("deadline sweep: %d repairs overdue, %d objections suspended, %d reminders",
                 flagged, suspended, reminded)  # fmt: skip
    return Swept(flagged, suspended, reminded)
