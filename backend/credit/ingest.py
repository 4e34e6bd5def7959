"""Department record submission (部门信用信息报送): streaming parse, all-or-nothing
validation that lists every bad line, idempotency on (department, external id), bulk insert
and set-based re-scoring of the people touched — all in one transaction.

Hand-written validation (not pydantic) because this is the hot path: 100,000 records per
request, tens of microseconds each at most.
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import subjects as audit_subjects
from ..core import bulk, clock
from ..core.crypto import IdCipher
from ..core.errors import (
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    XinyiError,
)
from ..core.http import loads_json
from ..core.principal import Principal
from ..core.redact import scrub_id_numbers
from ..residents import idnumber
from . import register_budget
from .catalog import Catalog, add_months, load_catalog
from .notices import batch_params, notice_key, send_batch_notices
from .service import rescore_people
from .states import Refusal

MAX_RECORDS = 100_000
MAX_BYTES = 64 * 1024 * 1024
MAX_LINE = 8 * 1024
FIELDS = frozenset(
    {"external_id", "id_number", "type", "decision_date", "summary", "decision_doc_no"}
)
RECORD_COLUMNS = (
    "person_id", "department", "external_id", "type_code", "dimension", "points", "severity",
    "decision_date", "repairable_from", "expires_on", "status", "suspended", "summary",
    "decision_doc_no", "catalog_version", "revision", "created_at", "updated_at",
)  # fmt: skip
LOOKUP_CHUNK = 5000


@dataclass
class Candidate:
    line: int
    external_id: str
    id_hash: str
    type_code: str
    decision_date: dt.date
    summary: str
    doc_no: str


@dataclass
class LineErrors:
    """Every problem of a department batch, by line and field (all reported at once)."""

    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, line: int, field_name: str, message: str) -> None:
        self.errors.append({"line": line, "field": field_name, "message": message})


@dataclass(frozen=True)
class CheckedId:
    """One ID number of the batch, checked once however many of its lines name it."""

    problem: str | None
    birth: dt.date | None
    id_hash: str


@dataclass
class Batch(LineErrors):
    candidates: list[Candidate] = field(default_factory=list)
    checked_ids: dict[str, CheckedId] = field(default_factory=dict)
    # A batch repeats a few hundred dates and summaries: each is parsed or scrubbed once.
    dates: dict[str, dt.date | None] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)


def check_id(raw_id: str, batch: Batch, cipher: IdCipher, today_: dt.date) -> CheckedId:
    """Validate and hash an ID number once per batch (a department's batch names many people
    several times; the HMAC and the check digit are most of a line's validation)."""
    found = batch.checked_ids.get(raw_id)
    if found is None:
        birth = _plain_valid_birth(raw_id, today_)
        if birth is not None:  # already normalised and valid: what problem_with would say
            found = batch.checked_ids[raw_id] = CheckedId(None, birth, cipher.lookup_hash(raw_id))
            return found
        number = idnumber.normalise(raw_id)
        problem = idnumber.problem_with(number, today=today_)
        if problem is not None:
            found = CheckedId(f"invalid ID number ({problem.value})", None, "")
        else:
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            found = CheckedId(None, birth, cipher.lookup_hash(number))
        batch.checked_ids[raw_id] = found
    return found


def _plain_valid_birth(raw: str, today_: dt.date) -> dt.date | None:
    """The birth date of a number written as it is stored (18 ASCII characters, nothing to
    normalise) that passes every check of `idnumber.problem_with`; None for anything else,
    which then takes the full check and its exact problem. The MOD 11-2 sum is one `int`
    call: the weights are 2^(18-i) mod 11 and 13 ≡ 2 (mod 11), so Σ dᵢ·wᵢ ≡ 2·int(d, 13)."""
    if len(raw) != 18 or not raw.isascii() or not raw[:17].isdigit():
        return None
    if raw[:2] not in idnumber.PROVINCES or (
        raw[2:4] == "00" and raw[:2] not in idnumber.WHOLE_REGION
    ):
        return None
    if idnumber.CHECK_CHARS[2 * int(raw[:17], 13) % 11] != raw[17]:
        return None
    try:
        born = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        return None
    if born.year < 1900 or born > today_:
        return None
    return born


@dataclass(frozen=True)
class SubmitResult:
    received: int
    created: int
    unchanged: int
    people_rescored: int


def _plain_candidate(
    item: Any,
    line: int,
    batch: Batch,
    allowed: frozenset[str],
    cipher: IdCipher,
    today_: dt.date,
) -> bool:
    """The usual line, accepted in one pass: a Candidate exactly as the full check below would
    make it, or False (nothing recorded) for any line the full check must look at."""
    if not isinstance(item, dict) or not FIELDS.issuperset(item):
        return False
    get = item.get
    external_id, raw_id, type_code = get("external_id"), get("id_number"), get("type")
    summary, doc_no = get("summary", ""), get("decision_doc_no", "")
    if not (
        isinstance(external_id, str)
        and 1 <= len(external_id) <= 64
        and isinstance(raw_id, str)
        and isinstance(type_code, str)
        and type_code in allowed
        and isinstance(summary, str)
        and len(summary) <= 500
        and isinstance(doc_no, str)
        and len(doc_no) <= 64
        and "\x00" not in external_id
        and "\x00" not in summary
        and "\x00" not in doc_no
    ):
        return False
    checked = check_id(raw_id, batch, cipher, today_)
    decided = _date(get("decision_date"), batch)
    if checked.birth is None or decided is None or decided > today_ or decided < checked.birth:
        return False
    scrubbed = batch.summaries.get(summary)
    if scrubbed is None:
        scrubbed = batch.summaries[summary] = scrub_id_numbers(summary)
    batch.candidates.append(
        Candidate(line, external_id, checked.id_hash, type_code, decided, scrubbed, doc_no)
    )
    return True


def _date(raw: Any, batch: Batch) -> dt.date | None:
    """A decision date as YYYY-MM-DD, parsed once per distinct text in a batch."""
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return batch.dates[raw]
    except KeyError:
        pass
    try:
        decided: dt.date | None = dt.date.fromisoformat(raw)
    except ValueError:
        decided = None
    batch.dates[raw] = decided
    return decided


def allowed_types(catalog: Catalog, department: str) -> frozenset[str]:
    """The record types this department may submit."""
    return frozenset(code for code, t in catalog.types.items() if department in t.departments)


def check_item(
    item: Any,
    line: int,
    batch: Batch,
    *,
    department: str,
    catalog: Catalog,
    allowed: frozenset[str],
    cipher: IdCipher,
    today_: dt.date,
) -> None:
    """Validate one record; add a Candidate or errors (every problem on the line)."""
    if _plain_candidate(item, line, batch, allowed, cipher, today_):
        return
    if not isinstance(item, dict):
        batch.error(line, "(record)", "each record must be a JSON object")
        return
    before = len(batch.errors)
    if not FIELDS.issuperset(item):  # no set built for the usual line
        for name in item.keys() - FIELDS:
            batch.error(line, name, "unknown field")
    external_id = item.get("external_id")
    if not isinstance(external_id, str) or not 1 <= len(external_id) <= 64:
        batch.error(line, "external_id", "required: a string of 1 to 64 characters")
    raw_id = item.get("id_number")
    birth: dt.date | None = None
    id_hash = ""
    if not isinstance(raw_id, str):
        batch.error(line, "id_number", "required: an 18-character ID number string")
    else:
        checked = check_id(raw_id, batch, cipher, today_)
        if checked.problem is not None:
            batch.error(line, "id_number", checked.problem)
        birth, id_hash = checked.birth, checked.id_hash
    type_code = item.get("type")
    if not isinstance(type_code, str) or type_code not in catalog.types:
        batch.error(line, "type", "unknown record type")
    elif department not in catalog.types[type_code].departments:
        batch.error(line, "type", f"department {department} may not submit {type_code}")
    decided = _date(item.get("decision_date"), batch)
    if decided is None:
        batch.error(line, "decision_date", "required: a date as YYYY-MM-DD")
    elif decided > today_:
        batch.error(line, "decision_date", "is in the future")
    elif birth is not None and decided < birth:
        batch.error(line, "decision_date", "is before the person was born")
    summary = item.get("summary", "")
    if not isinstance(summary, str) or len(summary) > 500:
        batch.error(line, "summary", "must be a string of at most 500 characters")
    else:
        summary = scrub_id_numbers(summary)  # a summary never keeps an ID number (core.redact)
    doc_no = item.get("decision_doc_no", "")
    if not isinstance(doc_no, str) or len(doc_no) > 64:
        batch.error(line, "decision_doc_no", "must be a string of at most 64 characters")
    for name in ("external_id", "summary", "decision_doc_no"):
        value = item.get(name)
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold U+0000
            batch.error(line, name, "may not contain NUL characters")
    if len(batch.errors) == before:
        assert isinstance(external_id, str) and isinstance(type_code, str) and decided is not None
        batch.candidates.append(
            Candidate(line, external_id, id_hash, type_code, decided, summary, doc_no)
        )


async def read_items(
    chunks: AsyncIterator[bytes], content_type: str
) -> AsyncIterator[tuple[int, Any]]:
    """Yield (line number, parsed JSON) from an NDJSON stream (line by line, as it arrives)
    or a JSON array (bounded by MAX_BYTES). Malformed lines are yielded as exceptions."""
    total = 0
    if content_type == "application/x-ndjson":
        pending = b""
        line_no = 0
        async for chunk in chunks:
            total += len(chunk)
            if total > MAX_BYTES:
                raise PayloadTooLarge(f"at most {MAX_BYTES} bytes per batch")
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line_no += 1
                if len(raw) > MAX_LINE:  # a whole long line can arrive within one chunk
                    raise PayloadTooLarge(f"line {line_no} is longer than {MAX_LINE} bytes")
                if raw.strip():
                    yield line_no, _parse_line(raw)
            if len(pending) > MAX_LINE:
                raise PayloadTooLarge(f"line {line_no + 1} is longer than {MAX_LINE} bytes")
        if pending.strip():
            yield line_no + 1, _parse_line(pending)
        return
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > MAX_BYTES:
            raise PayloadTooLarge(f"at most {MAX_BYTES} bytes per batch")
    data = loads_json(bytes(body))  # the shared parser: every failure is a 400
    if not isinstance(data, list):
        raise ValidationFailed(
            "the body must be a JSON array of records (or NDJSON)",
            errors=[{"line": 0, "field": "(body)", "message": "expected an array"}],
        )
    for index, item in enumerate(data, start=1):
        yield index, item


_SCAN = json.scanner.make_scanner(
    cast(Any, json.JSONDecoder())
)  # json's C scanner: one value from a position


def _parse_line(raw: bytes) -> Any:
    """One NDJSON line. The usual line (UTF-8, one value, no whitespace around it) goes straight
    to the scanner, skipping `json.loads`'s encoding detection and whitespace passes, which cost
    as much as the scan; anything else takes `json.loads` and its exact answer."""
    try:
        text = raw.decode()
        value, end = _SCAN(text, 0)
        if end == len(text):
            return value
    except (UnicodeDecodeError, StopIteration, ValueError, RecursionError):
        pass
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return ValueError(f"malformed JSON: {exc.msg if hasattr(exc, 'msg') else exc}")
    except RecursionError:
        return ValueError("malformed JSON: nested too deeply")
    except ValueError:  # an integer beyond the 4,300-digit int-string limit
        return ValueError("malformed JSON: a number with too many digits")


def read_batch(
    body: AsyncIterator[bytes], content_type: str, declared_bytes: int | None
) -> AsyncIterator[tuple[int, Any]]:
    """The front of every department batch (records, key-group memberships): the media type,
    the declared size, then the items line by line."""
    if content_type not in ("application/json", "application/x-ndjson"):
        raise UnsupportedMediaType("send application/json (an array) or application/x-ndjson")
    if declared_bytes is not None and declared_bytes > MAX_BYTES:
        raise PayloadTooLarge(f"at most {MAX_BYTES} bytes per batch")
    return read_items(body, content_type)


@dataclass
class Tally:
    """What a batch asked of the register, for the audit entry of a rejected batch."""

    received: int = 0
    checked: int = 0
    unknown: int = 0


async def submit_records(
    *,
    actor: Principal,
    cipher: IdCipher,
    content_type: str,
    declared_bytes: int | None,
    body: AsyncIterator[bytes],
    unknown_budget: int,
) -> SubmitResult:
    """All or nothing. A rejected batch (422, 413, 429, …) is audited with its counts, never
    its ID numbers; unknown ID numbers are answered line by line only within the caller's
    daily budget (`register_budget`)."""
    tally = Tally()
    try:
        items = read_batch(body, content_type, declared_bytes)
        return await _submit(actor, cipher, items, unknown_budget, tally)
    except XinyiError as exc:
        await register_budget.record_rejection(
            actor,
            action="records.rejected",
            details={
                "department": actor.organisation,
                "status": exc.status,
                "code": exc.code,
                "reason": str(exc.extra.get("reason", "")),
                "received": tally.received,
                "errors": len(exc.errors),
                "id_numbers_checked": tally.checked,
                "unknown_id_numbers": tally.unknown,
            },
        )
        raise


async def _submit(
    actor: Principal,
    cipher: IdCipher,
    items: AsyncIterator[tuple[int, Any]],
    unknown_budget: int,
    tally: Tally,
) -> SubmitResult:
    budget_row = await register_budget.ensure_open(actor)
    department = actor.organisation
    catalog = load_catalog()
    allowed = allowed_types(catalog, department)
    today_ = clock.today()
    batch = Batch()
    seen: dict[str, int] = {}
    received = 0
    async for line, item in items:
        received += 1
        tally.received = received
        if received > MAX_RECORDS:
            raise PayloadTooLarge(f"at most {MAX_RECORDS} records per batch; split it")
        if isinstance(item, ValueError):
            batch.error(line, "(line)", str(item))
            continue
        check_item(
            item,
            line,
            batch,
            department=department,
            catalog=catalog,
            allowed=allowed,
            cipher=cipher,
            today_=today_,
        )
        external_id = item.get("external_id") if isinstance(item, dict) else None
        if isinstance(external_id, str):
            first = seen.setdefault(external_id, line)
            if first != line:
                batch.error(line, "external_id", f"duplicate of line {first} in this batch")
                if batch.candidates and batch.candidates[-1].line == line:
                    batch.candidates.pop()
    if received == 0:
        raise ValidationFailed(
            "the batch is empty", errors=[{"line": 0, "field": "(body)", "message": "no records"}]
        )
    people = await _people(batch)
    looked_up = {c.id_hash for c in batch.candidates}
    tally.checked, tally.unknown = len(looked_up), len(looked_up - people.keys())
    await register_budget.charge(
        row=budget_row,
        actor=actor,
        checked=tally.checked,
        unknown=tally.unknown,
        budget=unknown_budget,
    )
    existing = await _existing(department, batch)
    rows, notices, unchanged = _rows(batch, people, existing, department, catalog)
    if batch.errors:
        batch.errors.sort(key=lambda e: (e["line"], e["field"]))
        raise ValidationFailed(
            f"{len(batch.errors)} problem(s) in the batch; nothing was stored",
            errors=batch.errors,
            error_count=len(batch.errors),
        )
    rows.sort(key=lambda row: row[0])  # person order: the person-first indexes grow in sequence
    notices.sort(key=lambda notice: notice[0])  # …and the notices in the records' order
    touched = sorted({row[0] for row in rows})
    try:
        async with in_transaction():
            await bulk.insert_rows("credit_record", RECORD_COLUMNS, rows)
            await send_batch_notices(notices)
            rescored = await rescore_people(person_ids=touched, cause="record", as_of=today_)
            # One entry for the batch, found in the access log of each person it is about.
            await audit_subjects.record_about_people(
                action="records.submitted",
                actor=actor,
                person_ids=touched,
                details={
                    "department": department,
                    "received": received,
                    "created": len(rows),
                    "unchanged": unchanged,
                },
            )
    except IntegrityError:
        # The same external ids arrived in a concurrent batch that committed first.
        raise Conflict(
            "another batch with some of these external ids was stored at the same time; "
            "resubmit: records already stored will count as unchanged",
            reason=Refusal.CONCURRENT_BATCH,
        ) from None
    return SubmitResult(received, len(rows), unchanged, rescored)


async def _people(batch: Batch) -> dict[str, int]:
    hashes = sorted({c.id_hash for c in batch.candidates})
    found: dict[str, int] = {}
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        rows = await bulk.fetch_rows(
            f'SELECT "id_hash", "id" FROM "person" WHERE "id_hash" IN {bulk.in_list(len(chunk))}',
            chunk,
        )
        found.update((row[0], int(row[1])) for row in rows)
    return found


async def _existing(department: str, batch: Batch) -> dict[str, Sequence[Any]]:
    """The department's stored records among the batch's external ids: (external id, person,
    type, decision date, summary, decision document) by external id."""
    ids = sorted({c.external_id for c in batch.candidates})
    found: dict[str, Sequence[Any]] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        rows = await bulk.fetch_rows(
            'SELECT "external_id", "person_id", "type_code", "decision_date", "summary", '
            '"decision_doc_no" FROM "credit_record" WHERE "department" = ? AND "external_id" IN '
            f"{bulk.in_list(len(chunk))}",
            [department, *chunk],
        )
        found.update((row[0], row) for row in rows)
    return found


def _rows(
    batch: Batch,
    people: dict[str, int],
    existing: dict[str, Sequence[Any]],
    department: str,
    catalog: Catalog,
) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str]], int]:
    """The rows to store, the repair notices of the negative ones (`notices.send_batch_notices`)
    and how many records are already stored as they are; errors go into the batch."""
    now = bulk.bind_date(clock.now())
    rows: list[tuple[Any, ...]] = []
    notices: list[tuple[int, str, str]] = []
    unchanged = 0
    # A batch has a few hundred distinct (type, decision date) pairs: their catalog facts,
    # periods bound as the dialect wants them, and notice text are worked out once each.
    facts: dict[tuple[str, dt.date], tuple[Any, ...]] = {}
    for c in batch.candidates:
        person = people.get(c.id_hash)
        if person is None:
            batch.error(c.line, "id_number", "not in the population register")
            continue
        old = existing.get(c.external_id)
        if old is not None:
            _, old_person, old_type, old_date, old_summary, old_doc_no = old
            same = (
                int(old_person) == person
                and old_type == c.type_code
                and str(old_date)[:10] == c.decision_date.isoformat()
                and old_summary == c.summary
                and old_doc_no == c.doc_no
            )
            if same:
                unchanged += 1
            else:
                batch.error(
                    c.line, "external_id", "already used for a different record; use correctRecord"
                )
            continue
        fixed = facts.get((c.type_code, c.decision_date))
        if fixed is None:
            t = catalog.types[c.type_code]
            dates = (
                bulk.bind_date(c.decision_date),
                bulk.bind_date(add_months(c.decision_date, t.min_months)),
                bulk.bind_date(add_months(c.decision_date, t.max_months)),
            )
            notice = batch_params(c.type_code, department, t.points, dates, catalog)
            fixed = facts[(c.type_code, c.decision_date)] = (
                t.dimension, t.points, t.severity, *dates, notice
            )  # fmt: skip
        dimension, points, severity, decided, repairable_from, expires_on, notice = fixed
        if notice is not None:
            notices.append((person, notice_key(department, c.external_id), notice))
        rows.append(
            (
                person,
                department,
                c.external_id,
                c.type_code,
                dimension,
                points,
                severity,
                decided,
                repairable_from,
                expires_on,
                "active",
                False,
                c.summary,
                c.doc_no,
                catalog.version,
                1,
                now,
                now,
            )
        )
    return rows, notices, unchanged
