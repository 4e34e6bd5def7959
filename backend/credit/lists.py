"""List entries: rule-derived ones kept in step with records, manual ones with four-eyes
approval (one officer proposes, another approves), and lifting recorded the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..auth.models import Account
from ..core import bulk, events
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.principal import Principal
from .catalog import ScoreModel
from .facts import ACTIVE_SQL, facts
from .models import ListEntry
from .scoring import RecordFacts, derive_lists

KINDS = ("red", "gray", "black")


async def _rule_records(
    where: str, params: Sequence[Any], model: ScoreModel
) -> dict[int, list[RecordFacts]]:
    types = sorted({t for rule in model.list_rules for t in rule.types})
    rows = await bulk.fetch(
        'SELECT "id", "person_id", "type_code", "dimension", "points", "decision_date", "expires_on", '
        '"repairable_from", "status", "suspended" FROM "credit_record" '
        f'WHERE {where} AND "type_code" IN {bulk.in_list(len(types))}',
        [*params, *types],
    )
    out: dict[int, list[RecordFacts]] = {}
    for row in rows:
        out.setdefault(int(row["person_id"]), []).append(facts(row))
    return out


async def sync_derived(
    *,
    person_ids: Sequence[int],
    records_by_person: dict[int, list[RecordFacts]],
    model: ScoreModel,
    as_of: dt.date,
) -> int:
    """Make the active rule entries of these people equal what the rules derive now."""
    current = await ListEntry.filter(person_id__in=list(person_ids), source="rule", status="active")
    by_key = {(e.person_id, e.rule_code): e for e in current}
    rules = {r.code: r for r in model.list_rules}
    wanted = {}
    for person_id in person_ids:
        for d in derive_lists(records_by_person.get(person_id, []), model, as_of):
            wanted[(person_id, d.rule_code)] = d
    now = dt.datetime.now(dt.UTC)
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
                    source="rule",
                    rule_code=d.rule_code,
                    record_ids=list(d.record_ids),
                    reason=d.rule_code,
                    legal_basis=rule.legal_basis.get("zh-CN", ""),
                    start=d.start,
                    end=d.end,
                    status="active",
                    decided_at=now,
                )
            )
        elif (entry.start, entry.end, list(entry.record_ids)) != (
            d.start,
            d.end,
            list(d.record_ids),
        ):
            entry.start, entry.end, entry.record_ids = d.start, d.end, list(d.record_ids)
            await entry.save(update_fields=["start", "end", "record_ids"])
            updated += 1
    gone = [entry.id for key, entry in by_key.items() if key not in wanted]
    if gone:
        lifted = await ListEntry.filter(id__in=gone).update(
            status="lifted", lifted_at=now, lift_reason="rule no longer holds"
        )
    if created:
        await ListEntry.bulk_create(created, batch_size=1000)
    if created or lifted or updated:
        await events.standing_changed.announce(
            sorted({e.person_id for e in created} | {k[0] for k in by_key if k not in wanted}),
            "lists_changed",
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


async def sync_derived_for(*, person_ids: Sequence[int], model: ScoreModel, as_of: dt.date) -> int:
    ids = list(person_ids)
    records = await _rule_records(f'"person_id" IN {bulk.in_list(len(ids))}', ids, model)
    return await sync_derived(person_ids=ids, records_by_person=records, model=model, as_of=as_of)


async def sync_derived_range(*, lo: int, hi: int, model: ScoreModel, as_of: dt.date) -> int:
    """The city-wide pass over one person-id range: only people whose counting records can
    satisfy a rule (a covered COUNT per rule) or who hold a rule entry now are looked at."""
    candidates: set[int] = set()
    for rule in model.list_rules:
        types = sorted(rule.types)
        rows = await bulk.fetch_rows(
            f'SELECT "person_id" FROM "credit_record" WHERE "type_code" IN {bulk.in_list(len(types))} '
            f'AND "person_id" BETWEEN ? AND ? AND {ACTIVE_SQL} GROUP BY "person_id" HAVING COUNT(*) >= ?',
            [*types, lo, hi, as_of, as_of, rule.min_count],
        )
        candidates.update(int(r[0]) for r in rows)
    with_entries = await ListEntry.filter(
        person_id__gte=lo, person_id__lte=hi, source="rule", status="active"
    ).values_list("person_id", flat=True)
    ids = sorted(candidates | {int(str(p)) for p in with_entries})
    if not ids:
        return 0
    changed = 0
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        records = await _rule_records(f'"person_id" IN {bulk.in_list(len(chunk))}', chunk, model)
        changed += await sync_derived(
            person_ids=chunk, records_by_person=records, model=model, as_of=as_of
        )
    return changed


async def active_for_person(person_id: int, as_of: dt.date) -> list[ListEntry]:
    entries = await ListEntry.filter(person_id=person_id, status="active").order_by("kind", "start")
    return [e for e in entries if e.start <= as_of and (e.end is None or e.end > as_of)]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
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
    _check_kind(kind)
    if end is not None and end <= start:
        raise ValidationFailed(
            "the end must be after the start",
            errors=[{"field": "end", "message": "after start", "type": "value"}],
        )
    async with in_transaction():
        entry = await ListEntry.create(
            person_id=person_id,
            kind=kind,
            source="manual",
            reason=reason,
            legal_basis=legal_basis,
            decision_doc_no=decision_doc_no,
            start=start,
            end=end,
            status="proposed",
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
    """Four eyes means two people: not the same account, and neither created the other's
    account (an officer cannot approve through a second account they made themselves)."""
    if first is None or first == second:
        return False
    rows = await Account.filter(id__in=[first, second]).values("id", "created_by_id")
    created_by = {int(r["id"]): r["created_by_id"] for r in rows}
    return created_by.get(second) != first and created_by.get(first) != second


async def _manual(entry_id: int) -> ListEntry:
    entry = await ListEntry.get_or_none(id=entry_id, source="manual")
    if entry is None:
        raise NotFound("no such manual list entry")
    return entry


async def decide(*, officer: Principal, entry_id: int, approve: bool) -> ListEntry:
    """Four-eyes: the officer who proposed an entry cannot approve or reject it."""
    entry = await _manual(entry_id)
    if entry.status != "proposed":
        raise Conflict("this proposal was already decided", reason="already-decided")
    if not await independent(entry.proposed_by_id, officer.account_id):
        raise Forbidden(
            "a second, independent officer must decide on your proposal", reason="four-eyes"
        )
    entry.status = "active" if approve else "rejected"
    entry.decided_by_id, entry.decided_at = officer.account_id, dt.datetime.now(dt.UTC)
    await entry.save(update_fields=["status", "decided_by_id", "decided_at"])
    await events.standing_changed.announce([entry.person_id], "lists_changed")
    await audit.record(
        action="list.entry_approved" if approve else "list.entry_rejected",
        actor=officer,
        subject_person_id=entry.person_id,
        details={"entry": entry.id, "list": entry.kind},
    )
    return entry


async def propose_lift(*, officer: Principal, entry_id: int, reason: str) -> ListEntry:
    entry = await _manual(entry_id)
    if entry.status != "active":
        raise Conflict("only an active entry can be lifted", reason="not-active")
    if entry.lift_proposed_by_id is not None:
        raise Conflict("lifting is already proposed", reason="lift-pending")
    entry.lift_proposed_by_id, entry.lift_reason = officer.account_id, reason
    async with in_transaction():
        await entry.save(update_fields=["lift_proposed_by_id", "lift_reason"])
        await audit.record(
            action="list.lift_proposed",
            actor=officer,
            subject_person_id=entry.person_id,
            purpose=reason,
            details={"entry": entry.id},
        )
    return entry


async def approve_lift(*, officer: Principal, entry_id: int) -> ListEntry:
    entry = await _manual(entry_id)
    if entry.status != "active" or entry.lift_proposed_by_id is None:
        raise Conflict("no lifting proposal to approve", reason="no-lift-proposal")
    if not await independent(entry.lift_proposed_by_id, officer.account_id):
        raise Forbidden("a second, independent officer must approve lifting", reason="four-eyes")
    entry.status, entry.lifted_at = "lifted", dt.datetime.now(dt.UTC)
    await entry.save(update_fields=["status", "lifted_at"])
    await events.standing_changed.announce([entry.person_id], "lists_changed")
    await audit.record(
        action="list.entry_lifted",
        actor=officer,
        subject_person_id=entry.person_id,
        details={"entry": entry.id},
    )
    return entry


async def pending() -> list[ListEntry]:
    return list(await ListEntry.filter(source="manual", status="proposed").order_by("id")) + list(
        await ListEntry.filter(
            source="manual", status="active", lift_proposed_by_id__isnull=False
        ).order_by("id")
    )
