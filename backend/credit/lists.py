"""List entries: rule-derived ones kept in step with records, manual ones with four-eyes
approval (one officer proposes, another decides), and lifting recorded the same way. Every
decision and lifting is a conditional update with its audit entry in one transaction
(`states.LIST_ENTRY`), and a change of who is on a list is announced so passes follow."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..auth import foureyes
from ..core import bulk, events
from ..core.clock import now
from ..core.clock import today as clock_today
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.principal import Principal
from ..core.transitions import apply
from ..notices.models import NoticeKind
from ..notices.service import Outgoing, notify_many
from ..residents.models import Person
from .catalog import ScoreModel
from .facts import ACTIVE_SQL, RECORD_FIELDS, as_date, facts_of_row
from .models import ListEntry, ListKind, ListSource, ListStatus
from .scoring import RecordFacts, derive_lists
from .states import LIST_ENTRY, Refusal

KINDS: tuple[ListKind, ...] = tuple(ListKind)
KIND_VALUES = frozenset(k.value for k in ListKind)
STANDING_REASON = "lists_changed"  # what `events.standing_changed` is told


_RULE_COLUMNS = ", ".join(f'"{c}"' for c in RECORD_FIELDS)


async def _rule_records(
    where: str, params: Sequence[Any], model: ScoreModel, as_of: dt.date
) -> dict[int, list[RecordFacts]]:
    """The records of a rule's type that count on `as_of` (the only ones `derive_lists` looks
    at), as plain rows: a city-wide pass reads tens of thousands."""
    types = sorted({t for rule in model.list_rules for t in rule.types})
    rows = await bulk.fetch_rows(
        f'SELECT "person_id", {_RULE_COLUMNS} FROM "credit_record" '
        f'WHERE {where} AND "type_code" IN {bulk.in_list(len(types))} AND {ACTIVE_SQL}',
        [*params, *types, as_of, as_of],
    )
    out: dict[int, list[RecordFacts]] = {}
    for row in rows:
        out.setdefault(int(row[0]), []).append(facts_of_row(row[1:]))
    return out


@dataclass(frozen=True)
class _CurrentEntry:
    """An active rule entry as `sync_derived` compares it with what the rules derive."""

    id: int
    person_id: int
    kind: str
    start: dt.date
    end: dt.date | None
    record_ids: list[int]


def _as_ids(value: Any) -> list[int]:
    """A JSON column as the driver gives it back (SQLite and asyncpg: its text)."""
    ids = json.loads(value) if isinstance(value, str | bytes) else value
    return [int(i) for i in ids or []]


async def sync_derived(
    *,
    person_ids: Sequence[int],
    records_by_person: dict[int, list[RecordFacts]],
    model: ScoreModel,
    as_of: dt.date,
) -> int:
    """Make the active rule entries of these people equal what the rules derive now."""
    # Plain rows, not model instances: a city-wide pass reads tens of thousands of entries, and
    # building each model (every date and timestamp column parsed) cost more than the rules.
    ids = list(person_ids)
    current = await bulk.fetch_rows(
        'SELECT "id", "person_id", "kind", "rule_code", "start", "end", "record_ids" '
        f'FROM "list_entry" WHERE "person_id" IN {bulk.in_list(len(ids))} AND "source" = ? '
        'AND "status" = ?',
        [*ids, ListSource.RULE.value, ListStatus.ACTIVE.value],
    ) if ids else []  # fmt: skip
    by_key = {
        (int(row[1]), str(row[3])): _CurrentEntry(
            int(row[0]),
            int(row[1]),
            str(row[2]),
            as_date(row[4]),
            None if row[5] is None else as_date(row[5]),
            _as_ids(row[6]),
        )
        for row in current
    }
    rules = {r.code: r for r in model.list_rules}
    wanted = {}
    for person_id in person_ids:
        for d in derive_lists(records_by_person.get(person_id, []), model, as_of):
            wanted[(person_id, d.rule_code)] = d
    moment = now()
    created: list[ListEntry] = []
    updated = lifted = 0
    for key, d in wanted.items():
        entry = by_key.get(key)
        if entry is None:
            rule = rules[d.rule_code]
            created.append(
                ListEntry(
                    person_id=key[0],
                    kind=d.list,
                    source=ListSource.RULE,
                    rule_code=d.rule_code,
                    record_ids=list(d.record_ids),
                    reason=d.rule_code,
                    legal_basis=rule.legal_basis.get("zh-CN", ""),
                    start=d.start,
                    end=d.end,
                    status=ListStatus.ACTIVE,
                    decided_at=moment,
                )
            )
        elif (entry.start, entry.end, list(entry.record_ids)) != (
            d.start,
            d.end,
            list(d.record_ids),
        ):
            await ListEntry.filter(id=entry.id).update(
                start=d.start, end=d.end, record_ids=list(d.record_ids)
            )
            updated += 1
    gone = [entry.id for key, entry in by_key.items() if key not in wanted]
    if gone:
        # The rules' own active → lifted move (LIST_ENTRY), for many entries at once: still
        # conditional on the state read above, with one audit entry for the batch below.
        lifted = await ListEntry.filter(id__in=gone, status=ListStatus.ACTIVE).update(
            status=ListStatus.LIFTED, lifted_at=moment, lift_reason="rule no longer holds"
        )
    if created:
        await ListEntry.bulk_create(created, batch_size=1000)
    await notify_many(
        [_list_notice(e.person_id, e.kind, "on", e.rule_code, e.start) for e in created]
        + [_list_notice(by_key[k].person_id, by_key[k].kind, "off", k[1], clock_today())
           for k in by_key if k not in wanted]
    )  # fmt: skip
    if created or lifted or updated:
        await events.standing_changed.announce(
            sorted({e.person_id for e in created} | {k[0] for k in by_key if k not in wanted}),
            STANDING_REASON,
        )
    if created or lifted:
        people = sorted(
            {e.person_id for e in created}
            | {by_key[k].person_id for k in by_key if k not in wanted}
        )
        await audit.record(
            action="list.rules_applied",
            actor_label="rules",
            subject_person_id=people[0] if len(people) == 1 else None,
            details={"derived": len(created), "lifted": lifted, "people": people[:50]},
        )
    return len(created) + updated + lifted


def _list_notice(
    person_id: int, kind: str, change: str, cause: str, day: dt.date, legal_basis: str = ""
) -> Outgoing:
    """Put on (`on`) or taken off (`off`) a list: the person hears of it in their inbox."""
    return Outgoing(
        person_id=person_id,
        kind=NoticeKind.LIST_ENTRY,
        key=f"list:{person_id}:{kind}:{cause}:{change}:{day.isoformat()}",
        params={"list": kind, "change": change, "from": day.isoformat(),
                "legal_basis": legal_basis},
        link="#/lists",
    )  # fmt: skip


async def sync_derived_for(*, person_ids: Sequence[int], model: ScoreModel, as_of: dt.date) -> int:
    """Only people with a record of a rule's type, or a rule entry now, can gain or lose one:
    the others of a department's batch (most of them) are not looked at again."""
    ids = list(person_ids)
    where = f'"person_id" IN {bulk.in_list(len(ids))}'
    records = await _rule_records(where, ids, model, as_of)
    holders = await bulk.fetch_rows(
        f'SELECT "person_id" FROM "list_entry" WHERE {where} AND "source" = ? AND "status" = ?',
        [*ids, ListSource.RULE.value, ListStatus.ACTIVE.value],
    )
    candidates = sorted(records.keys() | {int(r[0]) for r in holders})
    if not candidates:
        return 0
    return await sync_derived(
        person_ids=candidates, records_by_person=records, model=model, as_of=as_of
    )


async def sync_derived_range(*, lo: int, hi: int, model: ScoreModel, as_of: dt.date) -> int:
    """The city-wide pass over one person-id range: only people whose counting records can
    satisfy a rule or who hold a rule entry now are looked at. Per rule, one statement reads
    the counting records of its types of the people who have enough of them (a covered COUNT
    per person, then their rows): a rule holds exactly when that count is reached, so the
    rules these rows do not reach cannot hold either."""
    records: dict[int, list[RecordFacts]] = {}
    seen: set[int] = set()  # a record of a type two rules share is read once per rule
    for rule in model.list_rules:
        types = sorted(rule.types)
        of_types = f'"type_code" IN {bulk.in_list(len(types))} AND {ACTIVE_SQL}'
        rows = await bulk.fetch_rows(
            f'SELECT "person_id", {_RULE_COLUMNS} FROM "credit_record" WHERE {of_types} '
            f'AND "person_id" IN (SELECT "person_id" FROM "credit_record" WHERE {of_types} '
            'AND "person_id" BETWEEN ? AND ? GROUP BY "person_id" HAVING COUNT(*) >= ?)',
            [*types, as_of, as_of, *types, as_of, as_of, lo, hi, rule.min_count],
        )
        for row in rows:
            if int(row[1]) not in seen:
                seen.add(int(row[1]))
                records.setdefault(int(row[0]), []).append(facts_of_row(row[1:]))
    with_entries = await bulk.fetch_rows(
        'SELECT DISTINCT "person_id" FROM "list_entry" WHERE "person_id" BETWEEN ? AND ? '
        'AND "source" = ? AND "status" = ?',
        [lo, hi, ListSource.RULE.value, ListStatus.ACTIVE.value],
    )
    ids = sorted(records.keys() | {int(r[0]) for r in with_entries})
    changed = 0
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        changed += await sync_derived(
            person_ids=chunk, records_by_person=records, model=model, as_of=as_of
        )
    return changed


async def active_for_person(person_id: int, as_of: dt.date) -> list[ListEntry]:
    entries = await ListEntry.filter(person_id=person_id, status=ListStatus.ACTIVE).order_by(
        "kind", "start"
    )
    return [e for e in entries if e.start <= as_of and (e.end is None or e.end > as_of)]


def _check_kind(kind: str) -> None:
    if kind not in KIND_VALUES:
        raise ValidationFailed(
            "unknown list",
            errors=[{"field": "list", "message": "red, gray or black", "type": "enum"}],
        )


async def propose(
    *,
    officer: Principal,
    person_id: int,
    kind: str,
    reason: str,
    legal_basis: str,
    decision_doc_no: str,
    start: dt.date,
    end: dt.date | None,
) -> ListEntry:
    """A manual entry proposal: it has no effect until a second officer approves it."""
    if not await Person.filter(id=person_id).exists():
        raise NotFound("no such person")
    _check_kind(kind)
    if end is not None and end <= start:
        raise ValidationFailed(
            "the end must be after the start",
            errors=[{"field": "end", "message": "after start", "type": "value"}],
        )
    async with in_transaction():
        entry = await ListEntry.create(
            person_id=person_id,
            kind=ListKind(kind),
            source=ListSource.MANUAL,
            reason=reason,
            legal_basis=legal_basis,
            decision_doc_no=decision_doc_no,
            start=start,
            end=end,
            status=ListStatus.PROPOSED,
            proposed_by_id=officer.account_id,
        )
        await audit.record(
            action="list.entry_proposed",
            actor=officer,
            subject_person_id=person_id,
            purpose=reason,
            details={"entry": entry.id, "list": kind, "doc": decision_doc_no},
        )
    return entry


async def independent(first: int | None, second: int) -> bool:
    """Four eyes means two people: the one rule is `auth.foureyes.independent` (not the same
    account, neither in the other's lineage of creators and approvers, no common code holder)."""
    return await foureyes.independent(first, second)


async def _manual(entry_id: int) -> ListEntry:
    entry = await ListEntry.get_or_none(id=entry_id, source=ListSource.MANUAL)
    if entry is None:
        raise NotFound("no such manual list entry")
    return entry


async def decide(*, officer: Principal, entry_id: int, approve: bool) -> ListEntry:
    """Approve or reject a proposal. Four eyes: its proposer (or an account either made for
    the other) cannot decide it. Proposers never change, so checking independence before the
    conditional update is safe; the update is what makes a second decision a conflict."""
    entry = await _manual(entry_id)
    if entry.status != ListStatus.PROPOSED:
        raise Conflict("this proposal was already decided", reason=Refusal.ALREADY_DECIDED)
    if not await independent(entry.proposed_by_id, officer.account_id):
        raise Forbidden(
            "a second, independent officer must decide on your proposal", reason=Refusal.FOUR_EYES
        )

    async def record(item: ListEntry, _from: ListStatus) -> None:
        await audit.record(
            action="list.entry_approved" if approve else "list.entry_rejected",
            actor=officer,
            subject_person_id=item.person_id,
            details={"entry": item.id, "list": item.kind},
        )

    entry = await apply(
        LIST_ENTRY,
        ListEntry,
        item_id=entry.id,
        to=ListStatus.ACTIVE if approve else ListStatus.REJECTED,
        record=record,
        changes={"decided_by_id": officer.account_id, "decided_at": now()},
        where={"source": ListSource.MANUAL},
    )
    if approve:  # a rejected proposal never had an effect: nobody's standing moved
        await events.standing_changed.announce([entry.person_id], STANDING_REASON)
        await notify_many([_list_notice(entry.person_id, entry.kind, "on", f"manual:{entry.id}",
                                        entry.start, entry.legal_basis)])  # fmt: skip
    return entry


async def propose_lift(*, officer: Principal, entry_id: int, reason: str) -> ListEntry:
    """Propose lifting an active manual entry (any officer, its proposer included); a second,
    independent officer approves. The proposal is a conditional update on "active and not yet
    proposed", so of two proposals at once one is stored and the other is `lift_pending`."""
    if not reason:
        raise ValidationFailed(
            "give the reason for lifting",
            reason=Refusal.LIFT_REASON,
            errors=[{"field": "reason", "message": "required", "type": "missing"}],
        )
    entry = await _manual(entry_id)
    if entry.status != ListStatus.ACTIVE:
        raise Conflict("only an active entry can be lifted", reason=Refusal.NOT_ACTIVE)
    if entry.lift_proposed_by_id is not None:
        raise Conflict("lifting is already proposed", reason=Refusal.LIFT_PENDING)
    async with in_transaction():
        changed = await ListEntry.filter(
            id=entry.id, status=ListStatus.ACTIVE, lift_proposed_by_id__isnull=True
        ).update(lift_proposed_by_id=officer.account_id, lift_reason=reason)
        if changed != 1:  # another officer proposed it at the same moment
            raise Conflict("lifting is already proposed", reason=Refusal.LIFT_PENDING)
        entry.lift_proposed_by_id, entry.lift_reason = officer.account_id, reason
        await audit.record(
            action="list.lift_proposed",
            actor=officer,
            subject_person_id=entry.person_id,
            purpose=reason,
            details={"entry": entry.id},
        )
    return entry


async def approve_lift(*, officer: Principal, entry_id: int) -> ListEntry:
    """Approve another officer's lifting proposal: the entry is lifted at once."""
    entry = await _manual(entry_id)
    if entry.status != ListStatus.ACTIVE or entry.lift_proposed_by_id is None:
        raise Conflict("no lifting proposal to approve", reason=Refusal.NO_LIFT_PROPOSAL)
    if not await independent(entry.lift_proposed_by_id, officer.account_id):
        raise Forbidden(
            "a second, independent officer must approve lifting", reason=Refusal.FOUR_EYES
        )

    async def record(item: ListEntry, _from: ListStatus) -> None:
        await audit.record(
            action="list.entry_lifted",
            actor=officer,
            subject_person_id=item.person_id,
            details={"entry": item.id},
        )

    entry = await apply(
        LIST_ENTRY,
        ListEntry,
        item_id=entry.id,
        to=ListStatus.LIFTED,
        record=record,
        changes={"lifted_at": now()},
        where={"source": ListSource.MANUAL},
    )
    await events.standing_changed.announce([entry.person_id], STANDING_REASON)
    return entry


async def pending() -> list[ListEntry]:
    """Proposals, then lifting proposals, each oldest first: what a second officer decides."""
    manual = ListEntry.filter(source=ListSource.MANUAL)
    proposals = await manual.filter(status=ListStatus.PROPOSED).order_by("id")
    lifts = await manual.filter(
        status=ListStatus.ACTIVE, lift_proposed_by_id__isnull=False
    ).order_by("id")
    return [*proposals, *lifts]


async def review_pending(*, officer: Principal) -> list[ListEntry]:
    """The pending queue for a reviewing officer: showing it is a look at every person in it."""
    entries = await pending()
    await audit.record_looks(
        actor=officer, person_ids=[e.person_id for e in entries], purpose="list review"
    )
    return entries


async def proposed_for(person_id: int) -> list[ListEntry]:
    """One person's proposals waiting for a decision."""
    return list(
        await ListEntry.filter(
            person_id=person_id, source=ListSource.MANUAL, status=ListStatus.PROPOSED
        ).order_by("id")
    )


async def active_manual(*, limit: int) -> tuple[list[ListEntry], int]:
    """The newest active manual entries (what can be proposed for lifting), and how many."""
    query = ListEntry.filter(source=ListSource.MANUAL, rule_code="", status=ListStatus.ACTIVE)
    return list(await query.order_by("-id").limit(limit)), await query.count()
