"""Deciding a partner's application and an offer, and withdrawing an offer: each is one move of
its workflow (partners/states.py), applied once. Two decisions arriving at the same moment give
exactly one change and one audit entry; the other is told, by a named reason, that it lost."""

from __future__ import annotations

import asyncio

import pytest

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.core.errors import Conflict
from backend.core.permissions import Role
from backend.core.principal import Principal
from backend.partners import offers
from backend.partners.models import Offer, Partner, PartnerMember
from backend.partners.states import (
    OFFER_WORKFLOW,
    PARTNER_WORKFLOW,
    REDEMPTION_WORKFLOW,
    OfferStatus,
)
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, make_staff
from tests.partners.helpers import forms, token

APPLICATION = {
    "name": "黄石市公交集团",
    "domain": "transit",
    "contact_name": "李经理",
    "contact_phone": "0714-1234567",
}


def officer(account_id: int, name: str) -> Principal:
    return Principal.build(
        account_id=account_id, kind="staff", display_name=name, roles=[Role.OFFICER]
    )


async def pending_offer(library) -> int:
    today = clock.today()
    created = await library.admin.post(
        "/api/v1/partner/offers",
        headers=csrf(library.admin),
        json={
            "title_zh": "优先借阅新书",
            "title_en": "Priority for new books",
            "kind": "priority",
            "valid_from": today.isoformat(),
            "valid_until": today.replace(year=today.year + 1).isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_every_state_in_the_tables_is_a_state() -> None:
    for workflow in (PARTNER_WORKFLOW, OFFER_WORKFLOW, REDEMPTION_WORKFLOW):
        workflow.check()


async def test_two_officers_deciding_one_application_at_once_make_one_decision(
    client, browsers
) -> None:
    first, second = browsers(), browsers()
    await make_staff(first, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    await make_staff(second, SoftAuthenticator(origin=ORIGIN), ["officer"], name="李复核")
    applied = await client.post("/api/v1/partner-applications", json=APPLICATION)
    partner_id = applied.json()["id"]
    path = f"/api/v1/partners/{partner_id}/decision"
    answers = await asyncio.gather(
        first.post(path, json={"approve": True}, headers=csrf(first)),
        second.post(path, json={"approve": False}, headers=csrf(second)),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    [won] = [a.json() for a in answers if a.status_code == 200]
    [lost] = [a.json() for a in answers if a.status_code == 409]
    assert lost["reason"] == "already_decided"
    partner = await Partner.get(id=partner_id)
    assert partner.status == won["status"]
    decided = await AuditEntry.filter(
        action__in=("partner.approved", "partner.rejected")
    ).values_list("action", flat=True)
    assert decided == [f"partner.{partner.status}"]
    # The administrator's account exists only when the approval won, and only once.
    admins = await PartnerMember.filter(partner_id=partner_id).count()
    assert admins == (1 if partner.status == "approved" else 0)
    assert (won["admin_enrolment_code"] is not None) == (partner.status == "approved")


async def test_a_second_decision_on_the_office_page_is_refused_by_name(client, browsers) -> None:
    http = browsers()
    await make_staff(http, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    applied = await client.post("/api/v1/partner-applications", json=APPLICATION)
    path = f"/office/partners/{applied.json()['id']}/decision"
    reject = {"csrf_token": token(http), "decision": "reject"}
    assert (await http.post(path, data=reject)).status_code == 303
    again = await http.post(path, data=reject)
    assert again.status_code == 409 and 'id="approve-error"' in again.text
    assert "已由其他工作人员处理" in again.text
    assert await AuditEntry.filter(action="partner.rejected").count() == 1


async def test_two_decisions_on_one_offer_at_once_make_one_decision(library) -> None:
    offer_id = await pending_offer(library)
    before = await AuditEntry.filter(action__in=("offer.approved", "offer.rejected")).count()
    results = await asyncio.gather(
        offers.decide_offer(officer=officer(101, "陈信用"), offer_id=offer_id, approve=True),
        offers.decide_offer(officer=officer(102, "李复核"), offer_id=offer_id, approve=False),
        return_exceptions=True,
    )
    [won] = [r for r in results if isinstance(r, Offer)]
    [lost] = [r for r in results if isinstance(r, Conflict)]
    assert lost.status == 409 and lost.extra["reason"] == "already_decided"
    stored = await Offer.get(id=offer_id)
    assert stored.status == won.status and stored.decided_by_id == won.decided_by_id
    decided = await AuditEntry.filter(action__in=("offer.approved", "offer.rejected")).values_list(
        "action", "details"
    )
    assert len(decided) == before + 1
    action, details = decided[-1]
    assert action == ("offer.approved" if stored.status == "live" else "offer.rejected")
    assert details["offer"] == offer_id


async def test_the_api_refuses_a_second_offer_decision_by_name(library) -> None:
    offer_id = await pending_offer(library)
    path = f"/api/v1/offers/{offer_id}/decision"
    first = await library.officer.post(path, json={"approve": True}, headers=csrf(library.officer))
    assert first.status_code == 200 and first.json()["status"] == "live"
    again = await library.officer.post(path, json={"approve": False}, headers=csrf(library.officer))
    assert again.status_code == 409 and again.json()["reason"] == "already_decided"
    assert (await Offer.get(id=offer_id)).status == "live"


async def test_withdrawing_an_offer_writes_an_audit_entry(library) -> None:
    [withdraw] = forms(
        (await library.admin.get("/partner")).text, f"/partner/offers/{library.offer_id}/withdraw"
    )
    done = await library.admin.post(f"/partner/offers/{library.offer_id}/withdraw", data=withdraw)
    assert done.status_code == 303
    [entry] = await AuditEntry.filter(action="offer.withdrawn")
    partner = await Partner.get(name="黄石市图书馆")
    assert entry.details == {"offer": library.offer_id, "partner": partner.id, "was": "live"}
    assert entry.actor_account_id is not None and entry.organisation == "黄石市图书馆"


async def test_a_withdrawn_offer_cannot_be_withdrawn_again(library) -> None:
    path = f"/api/v1/partner/offers/{library.offer_id}/withdraw"
    first = await library.admin.post(path, headers=csrf(library.admin))
    assert first.status_code == 200 and first.json()["status"] == "withdrawn"
    again = await library.admin.post(path, headers=csrf(library.admin))
    assert again.status_code == 409 and again.json()["reason"] == "already_closed"
    assert await AuditEntry.filter(action="offer.withdrawn").count() == 1


async def test_another_partners_offer_is_not_found(library, browsers) -> None:
    officer_http = library.officer
    applied = await officer_http.post("/api/v1/partner-applications", json=APPLICATION)
    decided = await officer_http.post(
        f"/api/v1/partners/{applied.json()['id']}/decision",
        json={"approve": True},
        headers=csrf(officer_http),
    )
    assert decided.status_code == 200
    other = browsers()
    start = await other.post(
        "/api/v1/enrolment/start", json={"enrolment_code": decided.json()["admin_enrolment_code"]}
    )
    auth = SoftAuthenticator(origin=ORIGIN)
    assert (await other.post("/api/v1/enrolment/finish", json=auth.create(start.json()))).is_success
    refused = await other.post(
        f"/api/v1/partner/offers/{library.offer_id}/withdraw", headers=csrf(other)
    )
    assert refused.status_code == 404
    assert (await Offer.get(id=library.offer_id)).status == OfferStatus.LIVE
    assert await AuditEntry.filter(action="offer.withdrawn").count() == 0


@pytest.mark.parametrize("approve", [True, False])
async def test_withdrawing_while_the_office_decides_leaves_one_story(library, approve) -> None:
    """Each answer that says "done" is one change and one audit entry; what the other finds
    is the state the first left (a decision needs a pending offer; a rejected offer is closed,
    an approved one may still be withdrawn)."""
    offer_id = await pending_offer(library)
    answers = await asyncio.gather(
        library.admin.post(
            f"/api/v1/partner/offers/{offer_id}/withdraw", headers=csrf(library.admin)
        ),
        library.officer.post(
            f"/api/v1/offers/{offer_id}/decision",
            json={"approve": approve},
            headers=csrf(library.officer),
        ),
    )
    withdrawn, decided = (a.status_code for a in answers)
    stored = (await Offer.get(id=offer_id)).status
    if decided == 409:  # the withdrawal came first
        assert withdrawn == 200 and stored == "withdrawn"
        assert answers[1].json()["reason"] == "already_decided"
    elif withdrawn == 409:  # the rejection came first
        assert not approve and stored == "rejected"
        assert answers[0].json()["reason"] == "already_closed"
    else:  # approved, then withdrawn
        assert approve and stored == "withdrawn"
    entries = await AuditEntry.filter(
        action__in=("offer.withdrawn", "offer.approved", "offer.rejected")
    ).values_list("details", flat=True)
    mine = [d for d in entries if d.get("offer") == offer_id]
    assert len(mine) == [withdrawn, decided].count(200)
