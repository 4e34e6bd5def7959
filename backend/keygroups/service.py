"""Key groups: the catalog of the 16 groups, a department's membership batch
(`submitOccupationMemberships`) and the office's coverage view.

A batch is parsed by the record ingest's reader (NDJSON line by line, or a JSON array), is
all-or-nothing, idempotent on (department, external_id), and spends the same daily budget of
unknown ID numbers (`credit.register_budget`) as record batches: a membership batch must not be
a second way of testing the population register.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import bulk, clock
from ..core.crypto import IdCipher
from ..core.errors import (
    Conflict,
    PayloadTooLarge,
    ValidationFailed,
    XinyiError,
)
from ..core.principal import Principal
from ..credit import register_budget
from ..credit.catalog import CATALOG_DIR, department_for, load_catalog
from ..credit.ingest import LineErrors, Tally, read_batch
from ..residents import idnumber

GROUPS_FILE = CATALOG_DIR / "key-groups-2026.1.json"
MAX_MEMBERSHIPS = 100_000
FIELDS = frozenset({"id_number", "group", "from", "until", "licence_or_registry", "external_id"})
COLUMNS = (
    "person_id", "department", "external_id", "group_code", "valid_from", "valid_until",
    "licence", "created_at", "updated_at",
)  # fmt: skip
CHUNK = 5000


@dataclass(frozen=True)
class KeyGroup:
    code: str
    name: dict[str, str]
    departments: frozenset[str]
    record_types: tuple[str, ...]


@lru_cache(maxsize=2)
def load_groups(path: Path = GROUPS_FILE) -> dict[str, KeyGroup]:
    """The 16 groups, each with the departments that report its members and the record types
    (with their legal bases in the record catalog) that sanction it."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    catalog = load_catalog()
    groups: dict[str, KeyGroup] = {}
    for g in data["groups"]:
        unknown = [t for t in g["record_types"] if t not in catalog.types]
        unknown += [d for d in g["departments"] if d not in catalog.departments]
        if unknown or not g["record_types"]:
            raise ValueError(f"key group {g['code']}: unknown {unknown} or no record type")
        groups[g["code"]] = KeyGroup(
            g["code"], g["name"], frozenset(g["departments"]), tuple(g["record_types"])
        )
    return groups


@dataclass
class Candidate:
    line: int
    external_id: str
    id_hash: str
    group: str
    valid_from: dt.date
    valid_until: dt.date | None
    licence: str


@dataclass
class Batch(LineErrors):
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class MembershipResult:
    received: int
    created: int
    updated: int
    unchanged: int


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _short_text(item: dict[str, Any], name: str, line: int, batch: Batch) -> str | None:
    value = item.get(name)
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or "\x00" in value:
        batch.error(line, name, "required: a string of 1 to 64 characters (no NUL)")
        return None
    return value


def check_item(item: Any, line: int, batch: Batch, *, department: str, cipher: IdCipher,
               today_: dt.date) -> None:  # fmt: skip
    """Validate one membership; add a Candidate or errors (every problem on the line)."""
    if not isinstance(item, dict):
        batch.error(line, "(record)", "each membership must be a JSON object")
        return
    before = len(batch.errors)
    for name in sorted(item.keys() - FIELDS):
        batch.error(line, name, "unknown field")
    external_id = _short_text(item, "external_id", line, batch)
    licence = _short_text(item, "licence_or_registry", line, batch)
    raw_id = item.get("id_number")
    number = ""
    if not isinstance(raw_id, str):
        batch.error(line, "id_number", "required: an 18-character ID number string")
    else:
        number = idnumber.normalise(raw_id)
        problem = idnumber.problem_with(number, today=today_)
        if problem is not None:
            batch.error(line, "id_number", f"invalid ID number ({problem.value})")
    group = item.get("group")
    groups = load_groups()
    if not isinstance(group, str) or group not in groups:
        batch.error(line, "group", "unknown key group")
    elif department not in groups[group].departments:
        batch.error(line, "group", f"department {department} does not report {group}")
    start = _date(item.get("from"))
    if start is None:
        batch.error(line, "from", "required: a date as YYYY-MM-DD")
    elif start > today_:
        batch.error(line, "from", "is in the future")
    until: dt.date | None = None
    if item.get("until") is not None:
        until = _date(item.get("until"))
        if until is None:
            batch.error(line, "until", "a date as YYYY-MM-DD, or absent")
        elif start is not None and until < start:
            batch.error(line, "until", "is before from")
    if len(batch.errors) == before:
        assert external_id and licence and isinstance(group, str) and start is not None
        batch.candidates.append(
            Candidate(line, external_id, cipher.lookup_hash(number), group, start, until, licence)
        )


async def submit_memberships(*, actor: Principal, cipher: IdCipher, content_type: str,
                             declared_bytes: int | None, body: AsyncIterator[bytes],
                             unknown_budget: int) -> MembershipResult:  # fmt: skip
    """All or nothing; a rejected batch is audited with its counts, never its ID numbers."""
    tally = Tally()
    try:
        items = read_batch(body, content_type, declared_bytes)
        return await _submit(actor, cipher, items, unknown_budget, tally)
    except XinyiError as exc:
        await register_budget.record_rejection(
            actor,
            action="memberships.rejected",
            details={
                "department": actor.organisation,
                "status": exc.status,
                "code": exc.code,
                "received": tally.received,
                "errors": len(exc.errors),
                "id_numbers_checked": tally.checked,
                "unknown_id_numbers": tally.unknown,
            },
        )
        raise


async def _submit(actor: Principal, cipher: IdCipher, items: AsyncIterator[tuple[int, Any]],
                  unknown_budget: int, tally: Tally) -> MembershipResult:  # fmt: skip
    department = department_for(actor)
    budget_row = await register_budget.ensure_open(actor)
    today_ = clock.today()
    batch = Batch()
    seen: dict[str, int] = {}
    async for line, item in items:
        tally.received += 1
        if tally.received > MAX_MEMBERSHIPS:
            raise PayloadTooLarge(f"at most {MAX_MEMBERSHIPS} memberships per batch; split it")
        if isinstance(item, ValueError):
            batch.error(line, "(line)", str(item))
            continue
        check_item(item, line, batch, department=department, cipher=cipher, today_=today_)
        external_id = item.get("external_id") if isinstance(item, dict) else None
        if isinstance(external_id, str):
            first = seen.setdefault(external_id, line)
            if first != line:
                batch.error(line, "external_id", f"duplicate of line {first} in this batch")
                if batch.candidates and batch.candidates[-1].line == line:
                    batch.candidates.pop()
    if tally.received == 0:
        raise ValidationFailed(
            "the batch is empty", errors=[{"line": 0, "field": "(body)", "message": "no records"}]
        )
    people = await _people(batch)
    looked_up = {c.id_hash for c in batch.candidates}
    tally.checked, tally.unknown = len(looked_up), len(looked_up - people.keys())
    await register_budget.charge(
        row=budget_row, actor=actor, checked=tally.checked, unknown=tally.unknown,
        budget=unknown_budget,
    )  # fmt: skip
    existing = await _existing(department, batch)
    now = clock.now()
    rows: list[tuple[Any, ...]] = []
    ends: list[tuple[Any, ...]] = []
    unchanged = 0
    for c in batch.candidates:
        person = people.get(c.id_hash)
        if person is None:
            batch.error(c.line, "id_number", "not in the population register")
            continue
        old = existing.get(c.external_id)
        if old is None:
            rows.append((person, department, c.external_id, c.group, c.valid_from,
                         c.valid_until, c.licence, now, now))  # fmt: skip
            continue
        same = (
            int(old["person_id"]) == person
            and old["group_code"] == c.group
            and str(old["valid_from"])[:10] == c.valid_from.isoformat()
            and old["licence"] == c.licence
        )
        old_until = str(old["valid_until"])[:10] if old["valid_until"] is not None else None
        new_until = c.valid_until.isoformat() if c.valid_until else None
        if not same:
            batch.error(c.line, "external_id", "already used for a different membership")
        elif old_until == new_until:
            unchanged += 1
        else:  # the one change a resubmission may make: the membership's end
            ends.append((c.valid_until, now, int(old["id"])))
    if batch.errors:
        batch.errors.sort(key=lambda e: (e["line"], e["field"]))
        raise ValidationFailed(
            f"{len(batch.errors)} problem(s) in the batch; nothing was stored",
            errors=batch.errors,
            error_count=len(batch.errors),
        )
    try:
        async with in_transaction():
            await bulk.insert_rows("occupation_membership", COLUMNS, rows)
            # the register's own group column (office statistics, person view) follows the
            # memberships current today; an ended membership leaves it (docs/programme.md)
            await bulk.execute_many(
                'INSERT INTO "person_occupation" ("person_id", "group_code") VALUES (?, ?) '
                'ON CONFLICT ("person_id", "group_code") DO NOTHING',
                sorted({(r[0], r[3]) for r in rows if r[5] is None or r[5] >= today_}),
            )
            if ends:
                await bulk.execute_many(
                    'UPDATE "occupation_membership" SET "valid_until" = ?, "updated_at" = ? '
                    'WHERE "id" = ?',
                    ends,
                )
            await audit.record(
                action="memberships.submitted",
                actor=actor,
                details={
                    "department": department,
                    "received": tally.received,
                    "created": len(rows),
                    "updated": len(ends),
                    "unchanged": unchanged,
                },
            )
    except IntegrityError:
        raise Conflict(
            "another batch with some of these external ids was stored at the same time; "
            "resubmit: memberships already stored will count as unchanged",
            reason="concurrent_batch",
        ) from None
    return MembershipResult(tally.received, len(rows), len(ends), unchanged)


async def _people(batch: Batch) -> dict[str, int]:
    hashes = sorted({c.id_hash for c in batch.candidates})
    found: dict[str, int] = {}
    for start in range(0, len(hashes), CHUNK):
        chunk = hashes[start : start + CHUNK]
        for row in await bulk.fetch(
            f'SELECT "id", "id_hash" FROM "person" WHERE "id_hash" IN {bulk.in_list(len(chunk))}',
            chunk,
        ):
            found[row["id_hash"]] = int(row["id"])
    return found


async def _existing(department: str, batch: Batch) -> dict[str, dict[str, Any]]:
    ids = sorted({c.external_id for c in batch.candidates})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in await bulk.fetch(
            'SELECT "id", "external_id", "person_id", "group_code", "valid_from", "valid_until", '
            '"licence" FROM "occupation_membership" WHERE "department" = ? AND "external_id" IN '
            f"{bulk.in_list(len(chunk))}",
            [department, *chunk],
        ):
            found[row["external_id"]] = row
    return found


async def coverage(*, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Per group and per department: current members, and how many of them have a counting
    record of one of the group's record types (what the office watches, seed 二（二）)."""
    day = as_of or clock.today()
    members = await bulk.fetch(
        'SELECT "group_code", "department", COUNT(DISTINCT "person_id") AS "n" '
        'FROM "occupation_membership" WHERE "valid_from" <= ? AND ("valid_until" IS NULL OR '
        '"valid_until" >= ?) GROUP BY "group_code", "department"',
        [day, day],
    )
    per: dict[str, dict[str, int]] = {}
    for row in members:
        per.setdefault(row["group_code"], {})[row["department"]] = int(row["n"])
    out: list[dict[str, Any]] = []
    catalog = load_catalog()
    for group in load_groups().values():
        types = list(group.record_types)
        sanctioned = await bulk.fetch(
            'SELECT COUNT(DISTINCT m."person_id") AS "n" FROM "occupation_membership" m '
            'JOIN "credit_record" r ON r."person_id" = m."person_id" '
            'WHERE m."group_code" = ? AND m."valid_from" <= ? AND (m."valid_until" IS NULL OR '
            'm."valid_until" >= ?) AND r."status" = \'active\' AND r."suspended" = ? '
            'AND r."decision_date" <= ? AND r."expires_on" > ? '
            f'AND r."type_code" IN {bulk.in_list(len(types))}',
            [group.code, day, day, False, day, day, *types],
        )
        counts = per.get(group.code, {})
        out.append(
            {
                "code": group.code,
                "name": group.name,
                "record_types": [
                    {"code": t, "legal_basis": catalog.types[t].legal_basis} for t in types
                ],
                "members": sum(counts.values()),
                "members_with_records": int(sanctioned[0]["n"]) if sanctioned else 0,
                "departments": [
                    {
                        "department": d,
                        "name": catalog.departments[d],
                        "members": counts.get(d, 0),
                    }
                    for d in sorted(group.departments | counts.keys())
                ],
            }
        )
    return out
