"""Appending to and verifying the hash-chained audit trail (审计日志)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from ..core import bulk, clock
from ..core.principal import Principal
from .chain import GENESIS, HEAD_ID, entry_hash, trail
from .keys import entry_mac, head_mac
from .models import AuditEntry, AuditHead, AuditSubject
from .verification import ChainProblem, ChainReport, verify_chain

__all__ = [
    "GENESIS", "HEAD_ID", "ChainProblem", "ChainReport", "entry_hash", "record", "verify_chain",
]  # fmt: skip


@dataclass(frozen=True)
class Guard:
    """A condition checked in the append's transaction before the entry is linked. `check`
    gets the subjects of every entry of the batch guarded by it, in order (one call, so one
    statement, for the batch), and answers per subject None (write the entry) or the refusal
    its caller gets instead; the rest of the batch is unaffected."""

    check: Callable[[list[Any]], Awaitable[Sequence[BaseException | None]]]
    subject: Any
    # The same check as statements and the reading of the rows they return (one list per
    # statement): with it, a batch on SQLite runs as one call on the database's thread.
    plan: Callable[[list[Any]], GuardPlan] | None = None


GuardPlan = tuple[
    list[tuple[str, list[Any]]],
    Callable[[list[Sequence[Sequence[Any]]]], Sequence[BaseException | None]],
]


async def ensure_head() -> None:
    if await AuditHead.filter(id=HEAD_ID).exists():
        return
    await _create_head()


async def _create_head() -> None:
    try:
        async with in_transaction():  # a savepoint when called inside a transaction
            await AuditHead.create(id=HEAD_ID, last_hash=GENESIS, count=0)
    except IntegrityError:
        pass  # another process created it first


async def record(
    *,
    action: str,
    actor: Principal | None = None,
    actor_label: str = "",
    subject_person_id: int | None = None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
    guard: Guard | None = None,
) -> AuditEntry:
    """Append one entry. The head row lock serialises writers so the chain stays linear.

    Outside a transaction, concurrent calls are group-committed: entries that arrive while a
    write is under way go into the next single transaction, and each caller returns only once
    its entry is stored (durable, but one lock and one commit for many looks at once).
    Inside a transaction the entry joins it, so it commits or rolls back with the change.

    `guard` decides, in the same transaction, whether the entry may be written at all (a
    quota counted with the look it limits: one commit for both, `partners.verifylimits`)."""
    at = clock.now()
    fields: dict[str, Any] = {
        "at": at,
        "actor_account_id": (actor.account_id or None) if actor else None,
        # Clamped to the columns: an over-long reason must never cost the entry itself.
        "actor_label": (actor.label if actor else actor_label or "system")[:200],
        "organisation": (actor.organisation if actor else "")[:128],
        "action": action[:64],
        "subject_person_id": subject_person_id,
        "purpose": purpose[:200],
        "details": details or {},
    }
    if isinstance(connections.get("default"), TransactionalDBClient):
        written = (await _append([(fields, guard)]))[0]
        if isinstance(written, BaseException):
            raise written
        return written
    return await _GROUP.submit(fields, guard)


async def record_looks(
    *, actor: Principal, person_ids: list[int], purpose: str, action: str = "person.viewed"
) -> None:
    """One entry per person whose data a page or answer showed (every look is logged, and
    each resident sees it); concurrent writes share one group commit."""
    await asyncio.gather(
        *(
            record(action=action, actor=actor, subject_person_id=pid, purpose=purpose)
            for pid in sorted(set(person_ids))
        )
    )


_COLUMNS = (
    "at", "actor_account_id", "actor_label", "organisation", "action", "subject_person_id",
    "purpose", "details", "prev_hash", "hash", "key_id", "mac",
)  # fmt: skip
_DETAILS = AuditEntry._meta.fields_map["details"]
_INTO = 'INSERT INTO "audit_entry" (' + ", ".join(f'"{c}"' for c in _COLUMNS) + ") VALUES "


def _insert_sql(rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """One multi-row INSERT for the batch (one statement however many looks)."""
    sql = _INTO + ", ".join([bulk.in_list(len(_COLUMNS))] * len(rows)) + ' RETURNING "id", "hash"'
    params: list[Any] = []
    for row in rows:
        params += [
            row["at"].astimezone(dt.UTC),  # stored in UTC, as the ORM stores it
            *(row[c] for c in _COLUMNS[1:7]),
            _DETAILS.to_db_value(row["details"], AuditEntry),
            *(row[c] for c in _COLUMNS[8:]),
        ]
    return sql, params


def _ids(rows: list[dict[str, Any]], returned: Sequence[Sequence[Any]]) -> list[int]:
    """The ids come back by hash, which is unique, so nothing depends on the order RETURNING
    uses."""
    ids = {str(h): int(i) for i, h in returned}
    return [ids[row["hash"]] for row in rows]


Pending = tuple[dict[str, Any], Guard | None]


@dataclass
class _Head:
    last_hash: str
    count: int
    key_id: str = ""
    mac: str = ""


def _link(
    batch: list[Pending], refusals: dict[int, BaseException], head: _Head, kid: str, key: bytes
) -> list[dict[str, Any] | BaseException]:
    """Link, hash and authenticate each entry (HMAC of its hash under the active audit key),
    then the head (HMAC of count and last hash), which moves to the batch's last entry. An
    entry whose guard refuses is left out and its place in the answer holds the refusal."""
    answers: list[dict[str, Any] | BaseException] = []
    for n, (fields, _) in enumerate(batch):
        if n in refusals:
            answers.append(refusals[n])
            continue
        digest = entry_hash(prev_hash=head.last_hash, **fields)
        answers.append(
            fields
            | {"prev_hash": head.last_hash, "hash": digest, "key_id": kid}
            | {"mac": entry_mac(key, digest)}
        )
        head.last_hash = digest
        head.count += 1
    head.key_id, head.mac = kid, head_mac(key, head.count, head.last_hash)
    return answers


def _answers(
    answers: list[dict[str, Any] | BaseException], ids: list[int]
) -> list[AuditEntry | BaseException]:
    found = iter(ids)
    return [a if isinstance(a, BaseException) else _entry(next(found), a) for a in answers]


async def _append(batch: list[Pending]) -> list[AuditEntry | BaseException]:
    """Write a batch in one transaction under the head's lock: an HMAC costs about a
    microsecond, so the group commit stays one lock, one INSERT and one commit for the whole
    batch. On SQLite, outside a transaction, the whole of it is one call on the database's
    thread (`_append_on_writer`)."""
    if bulk.can_run_on_writer() and all(g is None or g.plan for _, g in batch):
        return await _append_on_writer(batch)
    kid, key = trail().keys.active()
    async with in_transaction():
        head = await AuditHead.select_for_update().get_or_none(id=HEAD_ID)
        if head is None:  # a fresh database (or emptied between tests)
            await _create_head()
            head = await AuditHead.select_for_update().get(id=HEAD_ID)
        linked = _Head(head.last_hash, head.count)
        answers = _link(batch, await _refusals(batch), linked, kid, key)
        rows = [a for a in answers if isinstance(a, dict)]
        ids: list[int] = []
        if rows:
            sql, params = _insert_sql(rows)
            ids = _ids(rows, await bulk.write_returning(sql, params))
            head.last_hash, head.count = linked.last_hash, linked.count
            head.key_id, head.mac = linked.key_id, linked.mac
            await head.save(update_fields=["last_hash", "count", "key_id", "mac"])
    return _answers(answers, ids)


_HEAD_READ = 'SELECT "last_hash", "count" FROM "audit_head" WHERE "id" = ?'
_HEAD_NEW = (
    'INSERT INTO "audit_head" ("id", "last_hash", "count", "key_id", "mac") '
    "VALUES (?, ?, 0, '', '') ON CONFLICT (\"id\") DO NOTHING"
)
_HEAD_WRITE = (
    'UPDATE "audit_head" SET "last_hash" = ?, "count" = ?, "key_id" = ?, "mac" = ? WHERE "id" = ?'
)


async def _append_on_writer(batch: list[Pending]) -> list[AuditEntry | BaseException]:
    """`_append` as one call on SQLite's thread: the guards' statements, the head read, the
    INSERT and the head update, between BEGIN IMMEDIATE and COMMIT, with the same linking.
    Seven hand-overs to that thread a batch were most of its time under load: each waits for
    the busy event loop to pick up its answer, and the ORM's connection is held meanwhile."""
    kid, key = trail().keys.active()
    plans = _plans(batch)
    head_key = [HEAD_ID]

    def work(db: bulk.Writer) -> tuple[list[dict[str, Any] | BaseException], list[int]]:
        refusals: dict[int, BaseException] = {}
        for positions, (statements, reading) in plans:
            results: list[Sequence[Sequence[Any]]] = [
                db.execute(sql, params).fetchall() for sql, params in statements
            ]
            for n, answer in zip(positions, reading(results), strict=True):
                if answer is not None:
                    refusals[n] = answer
        found = db.execute(_HEAD_READ, head_key).fetchone()
        if found is None:  # a fresh database (or emptied between tests)
            db.execute(_HEAD_NEW, [HEAD_ID, GENESIS])
            found = (GENESIS, 0)
        head = _Head(str(found[0]), int(found[1]))
        answers = _link(batch, refusals, head, kid, key)
        rows = [a for a in answers if isinstance(a, dict)]
        if not rows:
            return answers, []
        sql, params = _insert_sql(rows)
        ids = _ids(rows, db.execute(sql, bulk.bind_sqlite(params)).fetchall())
        db.execute(_HEAD_WRITE, [head.last_hash, head.count, head.key_id, head.mac, HEAD_ID])
        return answers, ids

    return _answers(*await bulk.run_on_writer(work))


def _plans(batch: list[Pending]) -> list[tuple[list[int], GuardPlan]]:
    """Each guard's statements once for the whole batch, with the positions it answers for
    (parameters bound for the driver)."""
    planned = []
    for positions, guards in _guarded(batch):
        plan = guards[0].plan
        assert plan is not None  # _append checked it
        statements, reading = plan([g.subject for g in guards])
        bound = [(sql, bulk.bind_sqlite(params)) for sql, params in statements]
        planned.append((positions, (bound, reading)))
    return planned


def _guarded(batch: list[Pending]) -> list[tuple[list[int], list[Guard]]]:
    """The batch's guarded entries, by check: their positions and their guards."""
    guarded: dict[object, list[int]] = {}
    for n, (_, guard) in enumerate(batch):
        if guard is not None:
            guarded.setdefault(guard.check, []).append(n)
    groups = []
    for positions in guarded.values():
        guards = [batch[n][1] for n in positions]
        groups.append((positions, [g for g in guards if g is not None]))
    return groups


async def _refusals(batch: list[Pending]) -> dict[int, BaseException]:
    """Each guard's check once for the whole batch: the entries it refuses, by position."""
    refused: dict[int, BaseException] = {}
    for positions, guards in _guarded(batch):
        answers = await guards[0].check([g.subject for g in guards])
        for n, answer in zip(positions, answers, strict=True):
            if answer is not None:
                refused[n] = answer
    return refused


def _entry(entry_id: int, row: dict[str, Any]) -> AuditEntry:
    """The stored entry as the ORM would load it (as saved: a later save() updates it)."""
    return AuditEntry._init_from_db(id=entry_id, **row)


class _GroupCommit:
    """Collects entries from concurrent requests and writes them in one transaction."""

    def __init__(self) -> None:
        self.pending: list[tuple[Pending, asyncio.Future[AuditEntry]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, fields: dict[str, Any], guard: Guard | None) -> AuditEntry:
        future: asyncio.Future[AuditEntry] = asyncio.get_running_loop().create_future()
        self.pending.append(((fields, guard), future))
        loop = asyncio.get_running_loop()
        if self.writer is None or self.writer.done() or self.writer.get_loop() is not loop:
            self.pending = [(f, fut) for f, fut in self.pending if fut.get_loop() is loop]
            self.writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        await asyncio.sleep(0)  # let requests already in flight join this batch
        while self.pending:
            batch, self.pending = self.pending[:500], self.pending[500:]
            try:
                answers = await _append([item for item, _ in batch])
            except Exception:
                # One bad entry must not cost the others: write them one by one.
                for item, future in batch:
                    try:
                        answer = (await _append([item]))[0]
                    except Exception as exc:
                        answer = exc
                    _settle(future, answer)
                continue
            for (_, future), answer in zip(batch, answers, strict=True):
                _settle(future, answer)


def _settle(future: asyncio.Future[AuditEntry], answer: AuditEntry | BaseException) -> None:
    if future.done():
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)


_GROUP = _GroupCommit()


def about_person(person_id: int) -> Q:
    """The entries about a person: those naming them as their subject, and those about many
    people at once (a department's batch) that name them in audit_subject."""
    about_many = Subquery(AuditSubject.filter(person_id=person_id).values("entry_id"))
    return Q(subject_person_id=person_id) | Q(id__in=about_many)


async def access_log(
    *, person_id: int | None, account_id: int, limit: int = 50, before_id: int | None = None
) -> list[AuditEntry]:
    """Looks at a person's data by anyone other than that person (谁查看了我的数据). An
    account without a register entry (staff) has no data of its own to look at."""
    if person_id is None:
        return []
    query = AuditEntry.filter(
        Q(actor_account_id__isnull=True) | Q(actor_account_id__not=account_id),
        about_person(person_id),
    )
    if before_id:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)


async def list_entries(
    *, limit: int = 100, before_id: int | None = None, action: str | None = None
) -> list[AuditEntry]:
    query = AuditEntry.all()
    if before_id:
        query = query.filter(id__lt=before_id)
    if action:
        query = query.filter(action=action)
    return await query.order_by("-id").limit(limit)


class CaseItem(Protocol):
    person_id: int
    case_no: str


def case_step(
    action: str, *, actor: Principal, **details: Any
) -> Callable[[CaseItem, object], Awaitable[None]]:
    """The audit entry of one step of a case (a repair request, an objection), for the
    transition helper's `record`: who did it, whose case, which case."""

    async def entry(item: CaseItem, _from: object) -> None:
        await record(
            action=action,
            actor=actor,
            subject_person_id=item.person_id,
            details={"case": item.case_no, **details},
        )

    return entry
