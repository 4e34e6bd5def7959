"""List work in the console (四眼原则: one officer proposes, another decides): the review queue,
and a proposal from the person page, checked field by field. The decisions themselves are
`credit.lists`'. Domain code: no Starlette."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..audit import service as audit
from ..core.errors import NotFound, ValidationFailed
from ..core.principal import Principal
from ..credit import lists
from ..credit.models import ListEntry, ListStatus
from ..residents import register
from ..residents.models import Person

REVIEW_LIMIT = 200  # active manual entries shown for lifting, newest first


@dataclass(frozen=True)
class ReviewItem:
    entry: ListEntry
    masked_id: str
    name: str
    mine: bool  # this officer proposed it (or its lifting): a second officer must decide
    may_decide: bool = False  # independent of the proposer (auth.foureyes): the buttons show


@dataclass(frozen=True)
class ListReview:
    proposals: list[ReviewItem]
    lifts: list[ReviewItem]
    active: list[ReviewItem]
    active_total: int


async def _people(ids: Sequence[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in await Person.filter(id__in=sorted(set(ids)))}


async def review_lists(*, officer: Principal) -> ListReview:
    """The review queue. Showing whose entries these are is one office action: recorded once
    per person shown, as list management rather than a look-up of one person."""
    pending = await lists.pending()
    active, active_total = await lists.active_manual(limit=REVIEW_LIMIT)
    people = await _people([e.person_id for e in [*pending, *active]])

    # The one four-eyes rule, asked once per proposer: who may decide sees the buttons, and
    # who may not is told why (their own proposal, or accounts made through one another).
    proposers = {e.proposed_by_id for e in pending} | {e.lift_proposed_by_id for e in pending}
    may = {p: await lists.independent(p, officer.account_id) for p in proposers if p is not None}

    def item(entry: ListEntry, proposer: int | None) -> ReviewItem:
        person = people.get(entry.person_id)
        return ReviewItem(
            entry=entry,
            masked_id=register.shown_id(person) if person else "—",
            name=person.name if person else "—",
            mine=proposer == officer.account_id,
            may_decide=may.get(proposer, False) if proposer is not None else False,
        )

    review = ListReview(
        proposals=[item(e, e.proposed_by_id) for e in pending if e.status == ListStatus.PROPOSED],
        lifts=[item(e, e.lift_proposed_by_id) for e in pending if e.status == ListStatus.ACTIVE],
        active=[item(e, e.proposed_by_id) for e in active],
        active_total=active_total,
    )
    await audit.record_looks(
        actor=officer,
        person_ids=[e.person_id for e in [*pending, *active]],
        purpose="list review",
        action="lists.reviewed",
    )
    return review


@dataclass(frozen=True)
class Proposal:
    """The proposal form, answered: the entry proposed, or (when the form needs fixing) the
    person shown again with the problem."""

    entry: ListEntry | None = None
    person: Person | None = None
    refused: ValidationFailed | None = None


def _form_errors(
    *, kind: str, required: dict[str, str], start: dt.date | None, end: dt.date | None
) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if kind not in lists.KIND_VALUES:
        errors.append({"field": "list", "message": "red, gray or black", "type": "enum"})
    errors += [
        {"field": name, "message": "required", "type": "missing"}
        for name, value in required.items()
        if not value
    ]
    if start is None:
        errors.append({"field": "start", "message": "a date", "type": "date"})
    elif end is not None and end <= start:
        errors.append({"field": "end", "message": "after start", "type": "value"})
    return errors


async def propose_entry(
    *,
    officer: Principal,
    person_id: int,
    kind: str,
    reason: str,
    legal_basis: str,
    decision_doc_no: str,
    start: dt.date | None,
    end: dt.date | None,
    purpose: str,
) -> Proposal:
    """A manual list entry proposal from the console, every field checked first. A form to fix
    shows the person again, which is a look at their data: recorded with the form's purpose."""
    required = {"reason": reason, "legal_basis": legal_basis, "decision_doc_no": decision_doc_no}
    errors = _form_errors(kind=kind, required=required, start=start, end=end)
    if errors or start is None:
        refused = ValidationFailed("check the highlighted fields", errors=errors)
        person = await proposal_person(officer=officer, person_id=person_id, purpose=purpose)
        return Proposal(person=person, refused=refused)
    entry = await lists.propose(
        officer=officer,
        person_id=person_id,
        kind=kind,
        reason=reason,
        legal_basis=legal_basis,
        decision_doc_no=decision_doc_no,
        start=start,
        end=end,
    )
    return Proposal(entry=entry)


async def proposal_person(*, officer: Principal, person_id: int, purpose: str) -> Person:
    """The person a proposal form is for, shown again (e.g. to correct the form): a look."""
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise NotFound("no such person")
    await audit.record(
        action="person.viewed",
        actor=officer,
        subject_person_id=person.id,
        purpose=purpose or "list proposal",
    )
    return person
