"""Importing the population database's feed (人口库数据对接): the one core behind
scripts/import_register and `importRegisterChanges` (docs/register-feed.md).

Lines stream in and are applied in batches of BATCH: the memory used is a batch, whatever the
size of the export. A line applies only when its sequence number is above the one stored for
the person, so importing the same export again writes nothing. Nothing is re-scored for a
name or a district (the score does not depend on them); a person who moves out or dies loses
their passes (passes.service.revoke_people) and their sessions at once and is left out of the
city rescoring; a person who moves back in is re-scored.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from ..apitokens.models import ApiToken
from ..apitokens.service import create_token
from ..audit import service as audit
from ..auth import sessions
from ..auth.models import Account
from ..core import clock
from ..core.city import load_city
from ..core.crypto import IdCipher
from ..core.errors import UnsupportedMediaType
from ..core.principal import Principal
from ..credit.service import rescore_people
from ..passes.service import revoke_people
from ..residents.models import PersonStatus, RegisterImport
from ..residents.register_rows import (
    NewRow,
    RegisterRow,
    insert_people,
    rows_by_hash,
    update_people,
)
from .feed import Change, ChangeKind, Format, LineProblem, LineReader, Rejection
from .stream import body_lines, each

BATCH = 5000
REPORTED_REJECTIONS = 1000  # kept with the run; the script can write every one to a file
MAX_API_BYTES = 4 * 1024 * 1024
MAX_API_LINES = 20_000
REGISTER_SCOPE = "register.import"
REGISTER_ORGANISATION = "population_register"
FILE_ACTOR = "scripts/import_register"
# What a change kind makes of a person's status (None: the status stays).
TARGET = {
    ChangeKind.UPSERT: None,
    ChangeKind.MOVED_IN: PersonStatus.ACTIVE,
    ChangeKind.MOVED_OUT: PersonStatus.MOVED_OUT,
    ChangeKind.DEATH: PersonStatus.DECEASED,
}
LEFT = (PersonStatus.MOVED_OUT, PersonStatus.DECEASED)


@dataclass
class Tally:
    lines: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    moved_out: int = 0
    deceased: int = 0
    moved_in: int = 0
    passes_revoked: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


COUNTS = ("lines", "created", "changed", "unchanged", "rejected", "moved_out", "deceased",
          "moved_in", "passes_revoked")  # fmt: skip


@dataclass
class _Pending:
    """A person as the batch leaves them: a registered row (`row`) or a new one (`number`)."""

    row: RegisterRow
    number: str | None = None  # set for a person the batch creates
    status_before: PersonStatus | None = None
    dirty: bool = False


RejectionSink = Callable[[Rejection], None]


async def import_lines(
    lines: AsyncIterable[bytes],
    *,
    fmt: Format,
    cipher: IdCipher,
    districts: Collection[str],
    source: str,
    label: str,
    actor: Principal | None = None,
    on_rejection: RejectionSink | None = None,
    progress: Callable[[int], None] | None = None,
) -> RegisterImport:
    """Read, check and apply an export line by line; record the run and return it."""
    reader = LineReader(fmt, districts, clock.today())
    run = await RegisterImport.create(source=source, label=label[:200], started_at=clock.now())
    tally = Tally()
    batch: list[Change] = []
    line_no = 0

    def reject(rejection: Rejection) -> None:
        tally.rejected += 1
        if len(tally.rejections) < REPORTED_REJECTIONS:
            tally.rejections.append(rejection.as_dict())
        if on_rejection is not None:
            on_rejection(rejection)

    async for raw in lines:
        line_no += 1
        read = reader.read(line_no, raw)
        if read is None:
            continue
        tally.lines += 1
        if isinstance(read, Rejection):
            reject(read)
            continue
        batch.append(read)
        if len(batch) >= BATCH:
            await _apply(batch, cipher, tally, reject, run.id, actor)
            batch = []
            if progress is not None:
                progress(line_no)
    if batch:
        await _apply(batch, cipher, tally, reject, run.id, actor)
    if progress is not None:
        progress(line_no)
    for name, value in tally.counts().items():
        setattr(run, name, value)
    run.rejections = tally.rejections
    run.finished_at = clock.now()
    await run.save()
    await audit.record(
        action="register.imported",
        actor=actor,
        actor_label=FILE_ACTOR,
        details={"run": run.id, "source": source, **tally.counts()},
    )
    return run


async def _apply(
    batch: list[Change],
    cipher: IdCipher,
    tally: Tally,
    reject: RejectionSink,
    run_id: int,
    actor: Principal | None,
) -> None:
    hashes = [cipher.lookup_hash(c.number) for c in batch]
    found = await rows_by_hash(sorted(set(hashes)))
    pending: dict[str, _Pending] = {}
    for change, id_hash in zip(batch, hashes, strict=True):
        person = pending.get(id_hash)
        if person is None and id_hash in found:
            row = found[id_hash]
            person = pending[id_hash] = _Pending(row, status_before=row.status)
        if person is None:
            created = _new(change, id_hash, reject)
            if created is not None:
                pending[id_hash] = created
                tally.created += 1
            continue
        outcome = _change(person, change)
        if isinstance(outcome, LineProblem):
            reject(Rejection(change.line, "change", outcome))
        elif outcome:
            tally.changed += 1
        else:
            tally.unchanged += 1
    await _write(list(pending.values()), cipher, tally, run_id, actor)


def _new(change: Change, id_hash: str, reject: RejectionSink) -> _Pending | None:
    if change.kind in LEFT_KINDS:
        reject(Rejection(change.line, "id_number", LineProblem.NOT_IN_REGISTER))
        return None
    if change.name is None:
        reject(Rejection(change.line, "name", LineProblem.NAME))
        return None
    if change.district is None:
        reject(Rejection(change.line, "district", LineProblem.DISTRICT))
        return None
    row = RegisterRow(0, id_hash, change.name, change.district, PersonStatus.ACTIVE, change.seq)
    return _Pending(row, number=change.number, dirty=True)


LEFT_KINDS = frozenset({ChangeKind.MOVED_OUT, ChangeKind.DEATH})


def _change(person: _Pending, change: Change) -> bool | LineProblem:
    """Apply one line to the person as the batch holds them: whether anything but the
    sequence number changed, or why the line cannot apply."""
    row = person.row
    if change.seq <= row.register_seq:
        return False  # this change or a later one is applied already
    if row.status is PersonStatus.DECEASED and change.kind is not ChangeKind.DEATH:
        return LineProblem.DECEASED
    target = TARGET[change.kind] or row.status
    new = (change.name or row.name, change.district or row.district_code, target)
    moved = new != (row.name, row.district_code, row.status)
    row.name, row.district_code, row.status = new
    row.register_seq = change.seq
    person.dirty = True
    return moved


async def _write(
    people: list[_Pending], cipher: IdCipher, tally: Tally, run_id: int, actor: Principal | None
) -> None:
    now = clock.now()
    new_rows = []
    for p in people:
        if p.number is not None:
            _, sealed = cipher.seal(p.number)
            new_rows.append(
                NewRow(p.row.id_hash, sealed, p.row.name, int(p.number[6:10]),
                       p.row.district_code, p.row.status, p.row.register_seq)
            )  # fmt: skip
    updates = [p.row for p in people if p.number is None and p.dirty]
    moved = [p for p in people if p.number is None and p.status_before is not p.row.status]
    async with in_transaction():
        await insert_people(new_rows, now)
        await update_people(updates)
        for p in moved:
            await audit.record(
                action=f"register.{p.row.status.value}",
                actor=actor,
                actor_label=FILE_ACTOR,
                subject_person_id=p.row.id,
                details={"run": run_id, "seq": p.row.register_seq},
            )
    left: dict[PersonStatus, list[int]] = {status: [] for status in LEFT}
    back: list[int] = []
    for p in moved:
        if p.row.status in left:
            left[p.row.status].append(p.row.id)
        elif p.row.status is PersonStatus.ACTIVE:
            back.append(p.row.id)
    tally.moved_out += len(left[PersonStatus.MOVED_OUT])
    tally.deceased += len(left[PersonStatus.DECEASED])
    tally.moved_in += len(back)
    for status, ids in left.items():
        if ids:
            tally.passes_revoked += await revoke_people(ids, status.value)
            await _end_sessions(ids)
    if back:  # their records may have expired while they were away
        await rescore_people(person_ids=back, cause="moved_in")


async def _end_sessions(person_ids: list[int]) -> None:
    """Someone who left the register signs out everywhere (auth.signin refuses them after)."""
    accounts = await Account.filter(person_id__in=person_ids).values("id")
    for account in accounts:
        await sessions.revoke_all(int(account["id"]))


async def create_register_token(*, officer: Principal | None, label: str) -> tuple[ApiToken, str]:
    """The population database's system token: it may import register changes, nothing else
    (the `register.import` scope of a department-kind token)."""
    return await create_token(
        officer=officer,
        kind="department",
        organisation=REGISTER_ORGANISATION,
        label=label,
        scopes=[REGISTER_SCOPE],
    )


def district_codes(city_file: Path) -> frozenset[str]:
    return frozenset(d.code for d in load_city(city_file).districts)


def check_media_type(content_type: str) -> None:
    if content_type != "application/x-ndjson":
        raise UnsupportedMediaType("send application/x-ndjson: one change a line")


async def import_changes(
    *, actor: Principal, cipher: IdCipher, city_file: Path, body: bytes
) -> RegisterImport:
    """importRegisterChanges: one request of at most MAX_API_LINES lines; every valid line is
    applied and every other one reported (sending the same body again changes nothing)."""
    return await import_lines(
        each(body_lines(body, max_lines=MAX_API_LINES)),
        fmt=Format.NDJSON,
        cipher=cipher,
        districts=district_codes(city_file),
        source="api",
        label=actor.label,
        actor=actor,
    )


def run_answer(run: RegisterImport) -> dict[str, Any]:
    return {"run_id": run.id, **{name: getattr(run, name) for name in COUNTS},
            "rejections": run.rejections}  # fmt: skip
