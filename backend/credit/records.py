"""Record use cases besides bulk submission: a department corrects or withdraws its own
record; a resident reads their records, score, lists and history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..consent.service import withdrawn as consent_withdrawn
from ..core.clock import now, today
from ..core.crypto import IdCipher
from ..core.errors import Conflict, NotFound, ValidationFailed, XinyiError, invalid
from ..core.principal import Principal
from ..core.transitions import apply
from ..residents import idnumber, register
from ..residents.models import Person
from . import lists as lists_service
from . import register_budget
from .catalog import Catalog, ScoreModel, add_months, load_catalog, load_model
from .facts import RECORD_FIELDS, facts, person_facts
from .models import CreditRecord, ListEntry, ListSource, RecordStatus, Score, ScoreHistory
from .scoring import RecordFacts, ScoreResult, counts, evaluate
from .service import rescore_person
from .states import RECORD, Refusal


async def _own_record(department: str, external_id: str) -> CreditRecord:
    record = await CreditRecord.get_or_none(department=department, external_id=external_id)
    if record is None:
        raise NotFound("your department has no record with this external id")
    return record


CORRECTED_FIELDS = (
    "person_id", "type_code", "dimension", "points", "severity", "decision_date",
    "repairable_from", "expires_on", "summary", "decision_doc_no", "revision", "updated_at",
)  # fmt: skip


async def correct_record(
    *,
    actor: Principal,
    cipher: IdCipher,
    external_id: str,
    changes: dict[str, Any],
    unknown_budget: int,
) -> CreditRecord:
    """更正: fix a record's type, date, text or person; both people are re-scored at once.
    The correction is stored only if the record is still as it was read (same revision, not
    withdrawn meanwhile), so two corrections at once cannot overwrite each other.

    A new ID number is looked up in the register last, after every other check, and counts
    against the caller's daily budget of unknown ID numbers (`register_budget`): a correction
    must not be a one-line register test."""
    try:
        return await _correct(actor, cipher, external_id, changes, unknown_budget)
    except XinyiError as exc:
        if "id_number" in changes:
            await register_budget.record_rejection(
                actor,
                action="record.correction_rejected",
                details={
                    "department": actor.organisation,
                    "external_id": external_id[:64],
                    "status": exc.status,
                    "code": exc.code,
                    "reason": str(exc.extra.get("reason", "")),
                },
            )
        raise


async def _correct(
    actor: Principal,
    cipher: IdCipher,
    external_id: str,
    changes: dict[str, Any],
    unknown_budget: int,
) -> CreditRecord:
    budget_row = await register_budget.ensure_open(actor) if "id_number" in changes else None
    if not changes:
        raise ValidationFailed(
            "nothing to correct",
            errors=[{"field": "(body)", "message": "no fields", "type": "missing"}],
        )
    catalog = load_catalog()
    record = await _own_record(actor.organisation, external_id)
    if record.status == RecordStatus.WITHDRAWN:
        raise Conflict("a withdrawn record cannot be corrected", reason=Refusal.WITHDRAWN)
    read = {"revision": record.revision, "status": record.status}
    before = {
        "type": record.type_code,
        "decision_date": record.decision_date.isoformat(),
        "person": record.person_id,
    }
    people = {record.person_id}
    new_number: idnumber.IdNumber | None = None
    if "id_number" in changes:
        number = idnumber.normalise(changes["id_number"])
        problem = idnumber.problem_with(number)
        if problem is not None:  # a malformed number says nothing about the register
            raise invalid("id_number", f"invalid ID number ({problem.value})")
        new_number = idnumber.parse(number)
    if "type" in changes:
        record_type = catalog.types.get(changes["type"])
        if record_type is None:
            raise invalid("type", "unknown record type")
        if actor.organisation not in record_type.departments:
            raise invalid(
                "type", f"department {actor.organisation} may not submit {changes['type']}"
            )
        record.type_code, record.dimension, record.points = (
            record_type.code,
            record_type.dimension,
            record_type.points,
        )
        record.severity = record_type.severity
    if "decision_date" in changes:
        decided = changes["decision_date"]
        if decided > today():
            raise invalid("decision_date", "is in the future")
        record.decision_date = decided
    if new_number is not None:
        if record.decision_date < new_number.birth_date:
            raise invalid("decision_date", "is before the person was born")
        assert budget_row is not None
        person = await Person.get_or_none(id_hash=cipher.lookup_hash(new_number.value))
        await register_budget.charge(
            row=budget_row, actor=actor, checked=1, unknown=int(person is None),
            budget=unknown_budget,
        )  # fmt: skip
        if person is None:
            raise invalid("id_number", "not in the population register")
        record.person_id = person.id
        people.add(person.id)
    else:  # the register keeps the birth year only: the date is in the encrypted number
        person = await Person.get(id=record.person_id)
        born = idnumber.parse(register.id_number_of(person, keys=cipher)).birth_date
        if record.decision_date < born:
            raise invalid("decision_date", "is before the person was born")
    record_type = catalog.types[record.type_code]
    record.repairable_from = add_months(record.decision_date, record_type.min_months)
    record.expires_on = add_months(record.decision_date, record_type.max_months)
    for name in ("summary", "decision_doc_no"):
        if name in changes:
            setattr(record, name, changes[name])
    record.revision += 1
    record.updated_at = now()
    async with in_transaction():
        stored = await CreditRecord.filter(id=record.id, **read).update(
            **{name: getattr(record, name) for name in CORRECTED_FIELDS}
        )
        if stored != 1:
            current = await CreditRecord.get(id=record.id)
            if current.status == RecordStatus.WITHDRAWN:
                raise Conflict("a withdrawn record cannot be corrected", reason=Refusal.WITHDRAWN)
            raise Conflict(
                "the record was corrected at the same moment; reload it",
                reason=Refusal.RECORD_CHANGED,
            )
        for person_id in sorted(people):
            await rescore_person(person_id=person_id, cause="correction")
        await audit.record(
            action="record.corrected",
            actor=actor,
            subject_person_id=record.person_id,
            details={"record": record.id, "before": before, "revision": record.revision},
        )
    return record


async def withdraw_record(*, actor: Principal, external_id: str, reason: str) -> CreditRecord:
    """撤销: the department withdraws its record; it stops counting and showing at once.
    Withdrawing a withdrawn record changes nothing and answers as the first withdrawal did."""
    record = await _own_record(actor.organisation, external_id)
    if record.status == RecordStatus.WITHDRAWN:
        return record

    async def rescore_and_record(item: CreditRecord, _from: RecordStatus) -> None:
        await rescore_person(person_id=item.person_id, cause="correction")
        await audit.record(
            action="record.withdrawn",
            actor=actor,
            subject_person_id=item.person_id,
            purpose=reason,
            details={"record": item.id},
        )

    try:
        return await apply(
            RECORD,
            CreditRecord,
            item_id=record.id,
            to=RecordStatus.WITHDRAWN,
            record=rescore_and_record,
            changes={"updated_at": now()},
        )
    except Conflict:
        current = await CreditRecord.get(id=record.id)
        if current.status != RecordStatus.WITHDRAWN:
            raise
        return current  # withdrawn by a concurrent request: the same answer as a repeat


def display_status(record: CreditRecord | RecordFacts, as_of: dt.date) -> str:
    """active / expired / repaired / withdrawn / under_objection (suspended) / pending."""
    if record.status != RecordStatus.ACTIVE:
        return record.status
    if record.suspended or getattr(record, "disputed", False):
        return "under_objection"
    if record.expires_on <= as_of:
        return "expired"
    if record.decision_date > as_of:
        return "pending"
    return "active"


def describe_record(record: CreditRecord, catalog: Catalog, as_of: dt.date) -> dict[str, Any]:
    record_type = catalog.types.get(record.type_code)
    return {
        "id": record.id,
        "type": record.type_code,
        "name": record_type.name
        if record_type
        else {"zh-CN": record.type_code, "en": record.type_code},
        "dimension": record.dimension,
        "points": record.points,
        "severity": record.severity,
        "department": record.department,
        "department_name": catalog.departments.get(
            record.department, {"zh-CN": record.department, "en": record.department}
        ),
        "legal_basis": record_type.legal_basis if record_type else {},
        "summary": record.summary,
        "decision_doc_no": record.decision_doc_no,
        "decision_date": record.decision_date.isoformat(),
        "repairable": bool(record_type and record_type.repairable and record.points < 0),
        "repairable_from": record.repairable_from.isoformat(),
        "expires_on": record.expires_on.isoformat(),
        "status": display_status(record, as_of),
        "disputed": record.disputed,
        "suspended": record.suspended,
        "counts": counts(facts({name: getattr(record, name) for name in RECORD_FIELDS}), as_of),
    }


def _brief(r: RecordFacts, catalog: Catalog) -> dict[str, Any]:
    record_type = catalog.types.get(r.type_code)
    return {
        "id": r.id,
        "type": r.type_code,
        "name": record_type.name if record_type else {},
        "points": r.points,
        "dimension": r.dimension,
        "expires_on": r.expires_on.isoformat(),
    }


def describe_score(
    result: ScoreResult, model: ScoreModel, catalog: Catalog, as_of: dt.date
) -> dict[str, Any]:
    names = {d.code: d.name for d in model.dimensions}
    return {
        "has_score": True,
        "score": result.score,
        "tier": {"code": result.tier.code, "name": result.tier.name},
        "model_version": result.model_version,
        "as_of": as_of.isoformat(),
        "range": {"min": model.min, "max": model.max, "base": model.base},
        "dimensions": [
            {
                "code": d.code,
                "name": names[d.code],
                "points": d.points,
                "raw": d.raw,
                "min": d.min,
                "max": d.max,
            }
            for d in result.dimensions
        ],
        "lowering": [_brief(r, catalog) for r in result.lowering],
        "raising": [_brief(r, catalog) for r in result.raising],
        "suggestions": [
            {
                "kind": s.kind,
                "type": s.type_code,
                "name": catalog.types[s.type_code].name if s.type_code in catalog.types else {},
                "record_id": s.record_id,
                "points": s.points,
                "available_from": s.available_from.isoformat() if s.available_from else None,
            }
            for s in result.suggestions
        ],
        "records_counted": result.counted,
    }


async def my_score(*, person_id: int) -> dict[str, Any]:
    model, catalog, as_of = load_model(), load_catalog(), today()
    if await consent_withdrawn(person_id):  # no score shown or used (records are kept)
        return {
            "has_score": False,
            "consent_withdrawn": True,
            "model_version": model.version,
            "range": {"min": model.min, "max": model.max, "base": model.base},
        }
    records = await person_facts(person_id)
    if not records:
        return {
            "has_score": False,
            "model_version": model.version,
            "range": {"min": model.min, "max": model.max, "base": model.base},
        }
    stored = await Score.get_or_none(person_id=person_id)
    result = evaluate(records, model, catalog, as_of)
    if stored is None or stored.score != result.score or stored.model_version != model.version:
        # Records expired since the last nightly run: bring the stored score up to date now.
        await rescore_person(person_id=person_id, cause="expiry", as_of=as_of)
    return describe_score(result, model, catalog, as_of)


async def my_records(
    *, person_id: int, status: str | None = None, for_others: bool = False
) -> list[dict[str, Any]]:
    """A person's records as they see them (repaired ones shown as repaired), or — with
    `for_others`, for an officer's look-up — without the repaired ones, which are shown to
    nobody but their person."""
    catalog, as_of = load_catalog(), today()
    hidden = [RecordStatus.WITHDRAWN, *([RecordStatus.REPAIRED] if for_others else [])]
    rows = (
        await CreditRecord.filter(person_id=person_id)
        .exclude(status__in=hidden)
        .order_by("-decision_date", "-id")
    )
    items = [describe_record(r, catalog, as_of) for r in rows]
    return [i for i in items if status is None or i["status"] == status]


async def my_record(*, person_id: int, record_id: int) -> dict[str, Any]:
    record = await CreditRecord.get_or_none(id=record_id, person_id=person_id)
    if record is None or record.status == RecordStatus.WITHDRAWN:
        raise NotFound("no such record of yours")
    return describe_record(record, load_catalog(), today())


def describe_entry(entry: ListEntry, model: ScoreModel) -> dict[str, Any]:
    rule = next((r for r in model.list_rules if r.code == entry.rule_code), None)
    return {
        "id": entry.id,
        "list": entry.kind,
        "source": entry.source,
        "rule": entry.rule_code or None,
        "reason": entry.reason if entry.source == ListSource.MANUAL else None,
        "legal_basis": rule.legal_basis
        if rule
        else {"zh-CN": entry.legal_basis, "en": entry.legal_basis},
        "decision_doc_no": entry.decision_doc_no,
        "record_ids": list(entry.record_ids),
        "start": entry.start.isoformat(),
        "end": entry.end.isoformat() if entry.end else None,
    }


async def my_lists(*, person_id: int) -> list[dict[str, Any]]:
    model = load_model()
    items = [
        describe_entry(e, model) for e in await lists_service.active_for_person(person_id, today())
    ]
    # A rule-derived entry has no decision of its own: its decisions are its records'.
    derived = [i for i in items if i["source"] == ListSource.RULE and not i["decision_doc_no"]]
    wanted = sorted({r for i in derived for r in i["record_ids"]})
    if wanted:
        rows = await CreditRecord.filter(id__in=wanted, person_id=person_id).values_list(
            "id", "decision_doc_no"
        )
        docs = {rid: doc for rid, doc in rows if doc}
        for item in derived:
            found = dict.fromkeys(docs[r] for r in item["record_ids"] if r in docs)
            item["decision_doc_no"] = "；".join(found)
    return items


async def my_history(*, person_id: int, limit: int = 100) -> list[dict[str, Any]]:
    rows = await ScoreHistory.filter(person_id=person_id).order_by("-id").limit(limit)
    return [
        {
            "as_of": r.as_of.isoformat(),
            "score": r.score,
            "tier": r.tier,
            "model_version": r.model_version,
            "cause": r.cause,
            "at": r.computed_at.isoformat(),
        }
        for r in reversed(rows)
    ]


def scoring_rules() -> dict[str, Any]:
    model, catalog = load_model(), load_catalog()
    return {
        "model": {
            "version": model.version,
            "published": model.published.isoformat(),
            "effective_from": model.effective_from.isoformat(),
            "base": model.base,
            "min": model.min,
            "max": model.max,
            "dimensions": [
                {"code": d.code, "name": d.name, "min": d.min, "max": d.max}
                for d in model.dimensions
            ],
            "tiers": [{"code": t.code, "name": t.name, "min": t.min} for t in model.tiers],
            "no_tier": {"code": model.no_tier.code, "name": model.no_tier.name},
            "lists": [{"code": k.code, "name": k.name, "meaning": k.meaning} for k in model.lists],
            "list_rules": [
                {
                    "code": r.code,
                    "list": r.list,
                    "types": sorted(r.types),
                    "min_count": r.min_count,
                    "legal_basis": r.legal_basis,
                }
                for r in model.list_rules
            ],
        },
        "catalog": {
            "version": catalog.version,
            "published": catalog.published.isoformat(),
            "departments": [{"code": c, "name": n} for c, n in catalog.departments.items()],
            "record_types": [t.public() for t in catalog.types.values()],
        },
    }
