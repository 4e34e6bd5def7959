"""What the due-process workflows do to a record or a list entry: a repair stops a record
counting and showing; an objection marks it disputed and, when its answer is late (or at
filing, where the city says so), suspends its effect until the answer comes.

The workflows (repairs, objections) sit above credit and call these; credit never reads
their tables. Each change is a conditional update with its audit entry in one transaction,
and the person is re-scored at once (lists follow, and passes are revoked and renewed)."""

from __future__ import annotations

from ..audit import service as audit
from ..core import clock, events
from ..core.errors import NotFound
from ..core.transitions import apply
from .models import CreditRecord, ListEntry, RecordStatus
from .service import rescore_person
from .states import RECORD
from .system import redemption_external_id


async def record_of(*, record_id: int, person_id: int | None = None) -> CreditRecord:
    """One record (of this person, when given), or 404 — never another person's."""
    query = CreditRecord.filter(id=record_id)
    if person_id is not None:
        query = query.filter(person_id=person_id)
    record = await query.first()
    if record is None:
        raise NotFound("no such record of yours" if person_id is not None else "no such record")
    return record


async def default_record(*, redemption_id: int, person_id: int) -> CreditRecord:
    """The record a partner's default report made for this person's redemption."""
    record = await CreditRecord.get_or_none(
        external_id=redemption_external_id(redemption_id), person_id=person_id
    )
    if record is None:
        raise NotFound("no reported default of yours with this id")
    return record


async def withdraw_for_objection(*, record_id: int, actor_label: str, case_no: str) -> None:
    """An upheld objection withdraws the record (call inside the answer's transaction)."""

    async def audited(item: CreditRecord, _from: RecordStatus) -> None:
        await audit.record(
            action="record.withdrawn",
            actor_label=actor_label,
            subject_person_id=item.person_id,
            purpose="objection upheld",
            details={"record": item.id, "case": case_no},
        )

    await apply(
        RECORD,
        CreditRecord,
        item_id=record_id,
        to=RecordStatus.WITHDRAWN,
        record=audited,
        changes={"updated_at": clock.now(), "suspended": False, "disputed": False},
    )


async def entry_of(*, entry_id: int, person_id: int) -> ListEntry:
    entry = await ListEntry.get_or_none(id=entry_id, person_id=person_id)
    if entry is None:
        raise NotFound("no such list entry of yours")
    return entry


async def repair_record(*, record_id: int, actor_label: str, case_no: str) -> CreditRecord:
    """信用修复 approved: the record stops counting and is shown only to its person, as
    repaired. Call inside the repair decision's transaction."""

    async def audited(item: CreditRecord, _from: RecordStatus) -> None:
        await audit.record(
            action="record.repaired",
            actor_label=actor_label,
            subject_person_id=item.person_id,
            details={"record": item.id, "case": case_no},
        )

    return await apply(
        RECORD,
        CreditRecord,
        item_id=record_id,
        to=RecordStatus.REPAIRED,
        record=audited,
        changes={"updated_at": clock.now()},
    )


async def set_disputed(*, record_id: int | None, entry_id: int | None, disputed: bool) -> None:
    """Show (or stop showing) "under objection" on the record or entry an objection is about."""
    if record_id is not None:
        await CreditRecord.filter(id=record_id).update(disputed=disputed)
    if entry_id is not None:
        await ListEntry.filter(id=entry_id).update(disputed=disputed)


async def set_suspended(
    *, record_id: int | None, entry_id: int | None, suspended: bool, case_no: str
) -> bool:
    """Pause (or resume) the effect of a record or a list entry while its objection is open.
    Answers whether anything changed; the person is re-scored when it did."""
    changed = 0
    person_id: int | None = None
    if record_id is not None:
        changed += await CreditRecord.filter(id=record_id, suspended=not suspended).update(
            suspended=suspended, updated_at=clock.now()
        )
        person_id = (await record_of(record_id=record_id)).person_id
    if entry_id is not None:
        changed += await ListEntry.filter(id=entry_id, suspended=not suspended).update(
            suspended=suspended
        )
        entry = await ListEntry.get(id=entry_id)
        person_id = entry.person_id
    if changed and person_id is not None:
        await audit.record(
            action="record.suspended" if suspended else "record.resumed",
            actor_label="objection",
            subject_person_id=person_id,
            details={"record": record_id, "entry": entry_id, "case": case_no},
        )
        await rescore_person(person_id=person_id, cause="objection")
        if entry_id is not None:  # a manual entry is not re-derived: say its lists changed
            await events.standing_changed.announce([person_id], "lists_changed")
    return bool(changed)
