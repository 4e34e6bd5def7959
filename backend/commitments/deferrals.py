"""容缺受理 (accepting an application with a document to follow, seed 五（一）): a government
counter accepts a red-list resident's application with one document missing; the resident
signs the commitment to hand it in by a due date with their own passkey, in the app; the
counter marks it handed in; a sweep turns a missed due date into one breached-commitment
record through the catalog.

Who may be offered it (a valid pass, the red list, a government counter) is decided by the
counter (`partners.deferred`), which calls `open_deferral`; everything after is here. Every
change of state goes through `core.transitions.apply` with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.context import RelyingParty
from ..core.errors import Conflict, NotFound, invalid
from ..core.principal import Principal
from ..core.transitions import Workflow
from ..core.transitions import apply as transition
from ..core.workdays import WorkCalendar
from ..credit.handling import load_handling
from ..credit.service import rescore_person
from ..credit.system import add_record
from ..notices.models import NoticeKind
from ..notices.service import notify
from . import service
from .models import DeferredAcceptance
from .templates import current

TEMPLATE = "deferred_acceptance"  # backend/data/commitments/templates.json
PURPOSE = "deferral"
BREACH_TYPE = "PUB_COMMITMENT_BREACHED"  # the catalog's breached-commitment record
BREACH_DEPARTMENT = "credit_office"


class DeferralStatus(StrEnum):
    """Where a 容缺受理 stands."""

    AWAITING_SIGNATURE = "awaiting_signature"  # accepted at the counter, not yet signed
    COMMITTED = "committed"  # signed: the document is due by `due_on`
    FULFILLED = "fulfilled"  # the counter received the document
    BREACHED = "breached"  # the due date passed: a breached-commitment record was made
    LAPSED = "lapsed"  # never signed the day it was offered: the acceptance did not happen


class DeferralRefusal(StrEnum):
    """Why a 容缺受理 step is refused (problem `reason`, docs/api.md)."""

    ALREADY_DECIDED = "already_decided"  # it is no longer in the state the step starts from
    NOT_SIGNED = "not_signed"  # the document cannot be received before the commitment


DEFERRAL_WORKFLOW: Workflow[DeferralStatus] = Workflow(
    name="deferred acceptance",
    moves={
        DeferralStatus.AWAITING_SIGNATURE: frozenset(
            {DeferralStatus.COMMITTED, DeferralStatus.LAPSED}
        ),
        DeferralStatus.COMMITTED: frozenset({DeferralStatus.FULFILLED, DeferralStatus.BREACHED}),
    },
    conflict_reason=DeferralRefusal.ALREADY_DECIDED,
    reasons={DeferralStatus.FULFILLED: DeferralRefusal.NOT_SIGNED},
    closed_reason=DeferralRefusal.ALREADY_DECIDED,
)
OPEN = (DeferralStatus.AWAITING_SIGNATURE, DeferralStatus.COMMITTED)


def latest_due(today: dt.date, calendar: WorkCalendar) -> dt.date:
    """The latest due date a clerk may agree (the file's working days from today)."""
    return calendar.add_working_days(today, load_handling().max_working_days)


async def open_deferral(
    *,
    clerk: Principal,
    person_id: int,
    partner_id: int,
    counter_name: str,
    matter: str,
    document: str,
    due_on: dt.date | None,
    calendar: WorkCalendar,
) -> DeferredAcceptance:
    """Accept with `document` missing, due by `due_on`; it waits for the resident's signature.
    The caller has checked the pass, the red list and that this is a government counter."""
    matter = " ".join(matter.split())
    if not 1 <= len(matter) <= 100:
        raise invalid("matter", "name the matter applied for (at most 100 characters)")
    if document not in load_handling().documents:
        raise invalid("document", "choose one of the documents that may follow", "enum")
    today = clock.today()
    if due_on is None or not today < due_on <= latest_due(today, calendar):
        raise invalid("due_on", "a day after today, at most the set working days ahead")
    async with in_transaction():
        row = await DeferredAcceptance.create(
            person_id=person_id,
            partner_id=partner_id,
            counter_name=counter_name[:128],
            operator_id=clerk.account_id,
            matter=matter,
            document=document,
            due_on=due_on,
            status=DeferralStatus.AWAITING_SIGNATURE,
            created_at=clock.now(),
        )
        await audit.record(
            action="deferral.opened",
            actor=clerk,
            subject_person_id=person_id,
            details={"deferral": row.id, "partner": partner_id, "document": document,
                     "due_on": due_on.isoformat()},
        )  # fmt: skip
        await notify(
            person_id=person_id,
            kind=NoticeKind.DEFERRAL,
            key=f"deferral:{row.id}",
            params={"counter": row.counter_name, "matter": matter, "due_on": due_on.isoformat()},
            link="#/commitments",
        )
    return row


async def _own(principal: Principal, deferral_id: int) -> DeferredAcceptance:
    row = await DeferredAcceptance.get_or_none(id=deferral_id, person_id=principal.person_id)
    if row is None or principal.person_id is None:
        raise NotFound("no such acceptance with a document to follow")
    return row


async def start_signing(
    *, principal: Principal, rp: RelyingParty, deferral_id: int, locale: str
) -> service.Started:
    """The commitment text and passkey options, bound to this acceptance (its id travels
    in the ceremony, so a signature started for one cannot close another)."""
    row = await _own(principal, deferral_id)
    if row.status != DeferralStatus.AWAITING_SIGNATURE:
        raise Conflict("this commitment is already signed or closed", reason="already_decided")
    return await service.start_signing(
        principal=principal, rp=rp, code=TEMPLATE, locale=locale, context={"deferral": row.id}
    )


async def sign(
    *, principal: Principal, rp: RelyingParty, deferral_id: int, credential: dict[str, Any]
) -> DeferredAcceptance:
    """The resident's passkey signature over the commitment: the acceptance now holds."""
    row = await _own(principal, deferral_id)

    async def record(item: DeferredAcceptance, _was: DeferralStatus) -> None:
        await audit.record(
            action="deferral.signed",
            actor=principal,
            subject_person_id=item.person_id,
            details={"deferral": item.id, "signature": signature.id},
        )

    async with in_transaction():
        signature = await service.sign(
            principal=principal,
            rp=rp,
            credential=credential,
            purpose=PURPOSE,
            context={"deferral": row.id},
        )
        moved = await transition(
            DEFERRAL_WORKFLOW,
            DeferredAcceptance,
            item_id=row.id,
            to=DeferralStatus.COMMITTED,
            changes={"signature_id": signature.id, "signed_at": signature.signed_at},
            record=record,
        )
        await notify(
            person_id=moved.person_id,
            kind=NoticeKind.COMMITMENT_SIGNED,
            key=f"commitment:{signature.id}",
            params={"title": current(TEMPLATE).title, "version": signature.version},
            link="#/commitments",
        )
    return moved


async def documents_received(
    *, clerk: Principal, partner_id: int, deferral_id: int
) -> DeferredAcceptance:
    """The counter received the missing document: the commitment is kept."""

    async def record(item: DeferredAcceptance, _was: DeferralStatus) -> None:
        await audit.record(
            action="deferral.fulfilled",
            actor=clerk,
            subject_person_id=item.person_id,
            details={"deferral": item.id, "partner": partner_id},
        )

    return await transition(
        DEFERRAL_WORKFLOW,
        DeferredAcceptance,
        item_id=deferral_id,
        to=DeferralStatus.FULFILLED,
        where={"partner_id": partner_id},  # another counter's acceptance is not found
        changes={"closed_at": clock.now()},
        record=record,
    )


async def open_at(partner_id: int) -> list[DeferredAcceptance]:
    """A counter's acceptances still waiting for a signature or a document, due first."""
    return await DeferredAcceptance.filter(partner_id=partner_id, status__in=OPEN).order_by(
        "due_on", "id"
    )


async def _breach(row: DeferredAcceptance) -> bool:
    """One missed due date: the move and its one record (the record's external id is the
    acceptance's, so even a second sweep that got this far makes no second record)."""

    async def record(item: DeferredAcceptance, _was: DeferralStatus) -> None:
        await audit.record(
            action="deferral.breached",
            actor_label="deadline sweep",
            subject_person_id=item.person_id,
            details={"deferral": item.id, "due_on": item.due_on.isoformat()},
        )

    try:
        async with in_transaction():
            await transition(
                DEFERRAL_WORKFLOW,
                DeferredAcceptance,
                item_id=row.id,
                to=DeferralStatus.BREACHED,
                changes={"closed_at": clock.now()},
                record=record,
            )
            made = await add_record(
                person_id=row.person_id,
                type_code=BREACH_TYPE,
                department=BREACH_DEPARTMENT,
                external_id=f"D-{row.id}",
                summary=f"容缺受理：{row.matter}（逾期 {row.due_on.isoformat()}）"[:200],
                rescore=False,
            )
            await DeferredAcceptance.filter(id=row.id).update(record_id=made.id)
    except Conflict:  # another process's sweep moved it first
        return False
    return True


async def _lapse(row: DeferredAcceptance) -> None:
    async def record(item: DeferredAcceptance, _was: DeferralStatus) -> None:
        await audit.record(
            action="deferral.lapsed",
            actor_label="deadline sweep",
            subject_person_id=item.person_id,
            details={"deferral": item.id},
        )

    try:
        await transition(
            DEFERRAL_WORKFLOW,
            DeferredAcceptance,
            item_id=row.id,
            to=DeferralStatus.LAPSED,
            changes={"closed_at": clock.now()},
            record=record,
        )
    except Conflict:  # signed or lapsed meanwhile
        return


@dataclass(frozen=True)
class Swept:
    breached: int
    lapsed: int


async def sweep() -> Swept:
    """Periodic: a commitment whose due date passed without the document is breached (one
    record each, then the person is re-scored); an acceptance left unsigned past the day it
    was offered lapses."""
    today = clock.today()
    due = await DeferredAcceptance.filter(status=DeferralStatus.COMMITTED, due_on__lt=today)
    breached = [row for row in due if await _breach(row)]
    start_of_today = dt.datetime.combine(today, dt.time(), clock.zone()).astimezone(dt.UTC)
    stale = await DeferredAcceptance.filter(
        status=DeferralStatus.AWAITING_SIGNATURE, created_at__lt=start_of_today
    )
    for row in stale:
        await _lapse(row)
    for person_id in sorted({row.person_id for row in breached}):
        await rescore_person(person_id=person_id, cause="record")
    return Swept(len(breached), len(stale))


def describe(row: DeferredAcceptance, *, locale: str) -> dict[str, Any]:
    """One acceptance as the resident and the counter see it."""
    document = load_handling().documents.get(row.document)
    return {
        "id": row.id,
        "status": row.status,
        "counter": row.counter_name,
        "matter": row.matter,
        "document": row.document,
        "document_name": document.name if document else {"zh-CN": row.document, "en": row.document},
        "due_on": row.due_on.isoformat(),
        "created_at": row.created_at.isoformat(),
        "signed_at": row.signed_at.isoformat() if row.signed_at else None,
        "record_id": row.record_id,
        "commitment": service.describe(current(TEMPLATE), locale)
        if row.status == DeferralStatus.AWAITING_SIGNATURE
        else None,
    }


async def mine(*, principal: Principal, locale: str) -> list[dict[str, Any]]:
    """listMyDeferredAcceptances: newest first, with the text to sign while one waits."""
    if principal.person_id is None:
        raise NotFound("only residents in the population register have these")
    rows = await DeferredAcceptance.filter(person_id=principal.person_id).order_by("-id")
    return [describe(r, locale=locale) for r in rows]
