"""Counter-assisted filing (窗口代办): a credit officer files a repair request or an objection
for a resident without a smartphone, in person.

The officer checks the ID card and identifies the resident by name and ID number against the
register; that look is logged (the resident sees it in "who viewed my data"). What the officer
may then file is bound to that check by a visit ticket: an HMAC of the officer, the person and
an expiry, so a filing form cannot be pointed at another person by editing a hidden field, and
no ID number travels back and forth in the page. The repair's credit commitment is signed on
paper and taken by the officer (`repairs.service.file_in_person`). Domain code: no Starlette."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from ..audit import service as audit
from ..auth.enrolment import person_in_front_of
from ..commitments.templates import Template
from ..commitments.templates import current as current_commitment
from ..core import clock
from ..core.crypto import IdCipher
from ..core.deadlines import Deadlines
from ..core.errors import Forbidden, NotFound, invalid
from ..core.principal import Principal
from ..credit.catalog import load_catalog
from ..credit.records import describe_record, my_lists, my_records
from ..evidence.service import Upload
from ..objections import service as objections
from ..objections.models import Objection, ObjectionSubject
from ..repairs import service as repairs
from ..repairs.models import RepairRequest
from ..residents import register
from ..residents.display import IdCheck, clerk_name, id_check
from ..residents.models import Person

VISIT = dt.timedelta(minutes=30)  # how long one ID-card check lets the officer file
PURPOSE = "counter filing: ID card checked in person"


# ---- the visit ticket -----------------------------------------------------------------------


def _mac(secret: str, officer_id: int, person_id: int, until: int) -> str:
    key = hashlib.sha256(f"counter-filing:{secret}".encode()).digest()
    message = f"{officer_id}:{person_id}:{until}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_ticket(*, secret: str, officer: Principal, person_id: int) -> str:
    until = int((clock.now() + VISIT).timestamp())
    return f"{person_id}.{until}.{_mac(secret, officer.account_id, person_id, until)}"


def person_of_ticket(*, secret: str, officer: Principal, ticket: str) -> int:
    """The person this officer identified, if the ticket is theirs and still valid."""
    parts = ticket.split(".")
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and len(parts[0]) < 19:
        person_id, until = int(parts[0]), int(parts[1])
        good = _mac(secret, officer.account_id, person_id, until)
        if hmac.compare_digest(good, parts[2]) and clock.now().timestamp() <= until:
            return person_id
    raise Forbidden("check the resident's ID card again", reason="visit_expired")


# ---- identifying the resident -----------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """The resident at the counter: masked identity, what can be filed, and the ticket."""

    person_id: int
    masked_name: str
    id_check: IdCheck  # what the ID-card check compares: surname, characters, birth year
    masked_id: str
    ticket: str
    repair_options: list[dict[str, Any]]
    records: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    commitment: Template  # the text to print and have signed for a repair


async def _visit(*, person: Person, ticket: str) -> Visit:
    catalog, today = load_catalog(), clock.today()
    options = [
        {
            "record": describe_record(o.record, catalog, today),
            "eligible": o.eligible,
            "reason": o.reason,
            "eligible_from": o.eligible_from.isoformat() if o.eligible_from else None,
            "open_case": o.open_case,
        }
        for o in await repairs.person_options(person_id=person.id)
    ]
    return Visit(
        person_id=person.id,
        masked_name=clerk_name(person.name),
        id_check=id_check(person),
        masked_id=register.shown_id(person),
        ticket=ticket,
        repair_options=options,
        records=await my_records(person_id=person.id, for_others=True),
        entries=await my_lists(person_id=person.id),
        commitment=paper_commitment(),
    )


async def identify(
    *,
    officer: Principal,
    cipher: IdCipher,
    secret: str,
    name: str,
    id_number: str,
    id_card_checked: bool,
) -> Visit:
    """After the ID-card check in person: the resident by name and ID number (a logged look),
    their records and list entries, and a ticket to file for them."""
    if not id_card_checked:
        raise invalid("id_card_checked", "check the ID card in person first", "missing")
    if not name:
        raise invalid("name", "enter the name on the ID card", "missing")
    person = await person_in_front_of(cipher=cipher, name=name, id_number=id_number)
    await audit.record(action="person.viewed", actor=officer, subject_person_id=person.id,
                       purpose=PURPOSE)  # fmt: skip
    ticket = issue_ticket(secret=secret, officer=officer, person_id=person.id)
    return await _visit(person=person, ticket=ticket)


async def resume(*, officer: Principal, secret: str, ticket: str) -> Visit:
    """The same visit shown again (after a refused filing): another logged look."""
    person_id = person_of_ticket(secret=secret, officer=officer, ticket=ticket)
    person = await Person.get(id=person_id)
    await audit.record(action="person.viewed", actor=officer, subject_person_id=person.id,
                       purpose=PURPOSE)  # fmt: skip
    return await _visit(person=person, ticket=ticket)


def paper_commitment() -> Template:
    """The repair commitment as the resident signs it on paper: the current version."""
    return current_commitment(repairs.COMMITMENT)


# ---- filing ---------------------------------------------------------------------------------


async def file_repair(
    *,
    officer: Principal,
    deadlines: Deadlines,
    secret: str,
    ticket: str,
    record_id: int | None,
    statement: str,
    uploads: list[Upload],
    paper_commitment: bool,
) -> RepairRequest:
    person_id = person_of_ticket(secret=secret, officer=officer, ticket=ticket)
    if record_id is None:
        raise invalid("record_id", "choose the record to repair", "missing")
    if not statement:
        raise invalid("statement", "write down the resident's statement", "missing")
    return await repairs.file_in_person(
        officer=officer, deadlines=deadlines, person_id=person_id, record_id=record_id,
        statement=statement, uploads=uploads, paper_commitment=paper_commitment,
    )  # fmt: skip


async def file_objection(
    *,
    officer: Principal,
    deadlines: Deadlines,
    secret: str,
    ticket: str,
    target: str,
    reason: str,
    uploads: list[Upload],
) -> Objection:
    """`target` is what the form's choice names: `record:<id>` or `list_entry:<id>`."""
    person_id = person_of_ticket(secret=secret, officer=officer, ticket=ticket)
    kind, _, raw_id = target.partition(":")
    if kind not in (ObjectionSubject.RECORD, ObjectionSubject.LIST_ENTRY) or not raw_id.isdigit():
        raise invalid("target", "choose what the objection is about", "missing")
    if not reason:
        raise invalid("reason", "write down the resident's reason", "missing")
    return await objections.create(
        principal=officer, deadlines=deadlines, subject=ObjectionSubject(kind),
        subject_id=int(raw_id[:18]), reason=reason, uploads=uploads, filed_by=officer,
        person_id=person_id,
    )  # fmt: skip


# ---- the printed receipt --------------------------------------------------------------------


async def receipt(*, officer: Principal, kind: str, case_id: int) -> dict[str, Any]:
    """What the resident takes home: the case number, its dates and how to follow it. Only
    for the officer who filed it; no personal data beyond the masked name."""
    model = RepairRequest if kind == "repair" else Objection
    found = await model.get_or_none(id=case_id, filed_by_id=officer.account_id)
    if found is None:
        raise NotFound("no such case filed by you")
    person = await Person.get(id=found.person_id)
    department = load_catalog().departments.get(
        found.department, {"zh-CN": found.department, "en": found.department}
    )
    due = (found.feedback_due if isinstance(found, RepairRequest) else found.answer_due).isoformat()
    return {
        "kind": kind,
        "case_no": found.case_no,
        "state": found.status,
        "submitted_at": found.submitted_at.isoformat(),
        "due": due,
        "department_name": department,
        "masked_name": clerk_name(person.name),
    }
