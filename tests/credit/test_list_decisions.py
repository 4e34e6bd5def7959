"""A decision on a manual list entry is taken once, by an officer independent of the one who
proposed it: not through a second account the proposer made, and not twice when two officers
press the button at the same moment (one change, one audit entry, one 409 with its reason)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.credit import lists
from backend.credit.models import ListEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.credit.helpers import ENTRIES, both_read_first, post, proposal, refused
from tests.factories import RegisteredPerson, csrf, make_staff


@pytest.fixture
async def officer_c(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A third officer, independent of A and B, in a browser of their own."""
    transport = httpx.ASGITransport(app=app, client=("10.4.4.4", 4444))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        await make_staff(http, SoftAuthenticator(origin=ORIGIN), ["officer"], name="丙")
        yield http


async def at_once(*requests: Awaitable[httpx.Response]) -> tuple[httpx.Response, httpx.Response]:
    first, second = await asyncio.gather(*requests)
    winner, loser = sorted((first, second), key=lambda r: r.status_code)
    assert winner.status_code == 200, winner.text
    return winner, loser


async def proposed_entry(officers: Any, subject: RegisteredPerson) -> int:
    a, _ = officers
    response = await post(a, ENTRIES, proposal(subject.person.id))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_an_officer_cannot_approve_through_an_account_they_created(
    officers, subject, app
) -> None:
    a, b = officers
    made = await a.post(
        "/api/v1/staff",
        headers=csrf(a),
        json={"display_name": "甲二", "roles": ["officer"], "organisation": "x"},
    )
    assert made.status_code == 201, made.text
    assert "enrolment_code" not in made.json()  # the proposer never sees a code
    approved = await b.post(f"/api/v1/staff/{made.json()['id']}/approve", headers=csrf(b))
    assert approved.status_code == 200, approved.text
    transport = httpx.ASGITransport(app=app, client=("10.7.7.7", 7777))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as alias:
        auth = SoftAuthenticator(origin=ORIGIN)
        start = await alias.post(
            "/api/v1/enrolment/start", json={"enrolment_code": approved.json()["enrolment_code"]}
        )
        assert (
            await alias.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
        ).status_code == 200
        for proposer in (a, b):  # its proposer, and the officer who held its code
            entry = (
                await proposer.post(
                    ENTRIES, headers=csrf(proposer), json=proposal(subject.person.id)
                )
            ).json()
            response = await alias.post(
                f"{ENTRIES}/{entry['id']}/decision", headers=csrf(alias), json={"approve": True}
            )
            refused(response, 403, "forbidden", "four_eyes")
            assert (await ListEntry.get(id=entry["id"])).status == "proposed"


async def test_two_officers_approving_one_proposal_at_once_make_one_decision(
    officers, officer_c, subject, monkeypatch
) -> None:
    _, b = officers
    entry_id = await proposed_entry(officers, subject)
    both_read_first(monkeypatch, lists, "independent")
    path = f"{ENTRIES}/{entry_id}/decision"
    winner, loser = await at_once(
        post(b, path, {"approve": True}), post(officer_c, path, {"approve": True})
    )
    refused(loser, 409, "conflict", "already_decided")
    assert winner.json()["status"] == "active"
    assert await AuditEntry.filter(action="list.entry_approved").count() == 1
    entry = await ListEntry.get(id=entry_id)
    assert entry.status == "active" and entry.decided_by_id is not None


async def test_an_approval_and_a_rejection_at_once_make_one_decision(
    officers, officer_c, subject, monkeypatch
) -> None:
    _, b = officers
    entry_id = await proposed_entry(officers, subject)
    both_read_first(monkeypatch, lists, "independent")
    path = f"{ENTRIES}/{entry_id}/decision"
    winner, loser = await at_once(
        post(b, path, {"approve": True}), post(officer_c, path, {"approve": False})
    )
    refused(loser, 409, "conflict", "already_decided")
    decided = await AuditEntry.filter(
        action__in=["list.entry_approved", "list.entry_rejected"]
    ).values_list("action", flat=True)
    assert len(decided) == 1
    stored = await ListEntry.get(id=entry_id)
    assert stored.status == winner.json()["status"]
    assert decided == [
        "list.entry_approved" if stored.status == "active" else "list.entry_rejected"
    ]


async def test_two_approvals_of_one_lifting_at_once_lift_it_once(
    officers, officer_c, subject, monkeypatch
) -> None:
    a, b = officers
    entry_id = await proposed_entry(officers, subject)
    assert (await post(b, f"{ENTRIES}/{entry_id}/decision", {"approve": True})).status_code == 200
    lift = await post(officer_c, f"{ENTRIES}/{entry_id}/lift", {"reason": "复核后撤销"})
    assert lift.status_code == 200, lift.text
    both_read_first(monkeypatch, lists, "independent")
    path = f"{ENTRIES}/{entry_id}/lift/approve"
    winner, loser = await at_once(post(a, path), post(b, path))
    refused(loser, 409, "conflict", "no_lift_proposal")
    assert winner.json()["status"] == "lifted"
    assert await AuditEntry.filter(action="list.entry_lifted").count() == 1


async def test_two_lifting_proposals_at_once_store_one(
    officers, officer_c, subject, monkeypatch
) -> None:
    a, b = officers
    entry_id = await proposed_entry(officers, subject)
    assert (await post(b, f"{ENTRIES}/{entry_id}/decision", {"approve": True})).status_code == 200
    both_read_first(monkeypatch, lists, "_manual")
    path = f"{ENTRIES}/{entry_id}/lift"
    winner, loser = await at_once(
        post(a, path, {"reason": "期满"}), post(officer_c, path, {"reason": "复核"})
    )
    refused(loser, 409, "conflict", "lift_pending")
    entry = await ListEntry.get(id=entry_id)
    assert entry.lift_proposed_by_id == winner.json()["lift_proposed_by"]
    [logged] = await AuditEntry.filter(action="list.lift_proposed")
    assert logged.purpose == entry.lift_reason
