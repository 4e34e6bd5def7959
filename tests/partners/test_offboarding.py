"""Offboarding at partners (`partners.offboarding`): the credit office disables a partner and
its keys and staff stop working at once; an administrator disables one of their operators;
the department-token endpoint never revokes a partner's key."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from backend.apitokens.models import ApiToken
from backend.audit.models import AuditEntry
from backend.auth.models import Account, Passkey, WebSession
from backend.partners.models import Partner
from tests.factories import csrf
from tests.partners.fixtures import Library
from tests.partners.helpers import enrol_with_code, token


async def operator(
    library: Library, browsers: Callable[[], httpx.AsyncClient]
) -> tuple[httpx.AsyncClient, int]:
    added = await library.admin.post(
        "/api/v1/partner/operators", json={"display_name": "柜台小李"}, headers=csrf(library.admin)
    )
    assert added.status_code == 201, added.text
    clerk = browsers()
    await enrol_with_code(clerk, added.json()["enrolment_code"])
    return clerk, int(added.json()["account_id"])


async def test_disabling_a_partner_revokes_its_keys_and_shuts_its_staff_out(
    library: Library, browsers
) -> None:
    clerk, _ = await operator(library, browsers)
    assert (await library.admin.get("/partner")).status_code == 200
    assert (
        await library.admin.get("/api/v1/partner/offers", headers=library.key)
    ).status_code == 200
    partner = await Partner.get(name="黄石市图书馆")
    officer = library.officer
    refused = await officer.post(
        f"/api/v1/partners/{partner.id}/disable", json={}, headers=csrf(officer)
    )
    assert refused.status_code == 422  # a reason is required
    done = await officer.post(
        f"/api/v1/partners/{partner.id}/disable",
        json={"reason": "合作协议终止"},
        headers=csrf(officer),
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"id": partner.id, "status": "suspended", "keys_revoked": 1,
                           "accounts_disabled": 2}  # fmt: skip
    # The API key, the administrator's and the operator's sessions: all refused at once.
    assert (
        await library.admin.get("/api/v1/partner/offers", headers=library.key)
    ).status_code == 401
    assert (await library.admin.get("/api/v1/me")).status_code == 401
    assert (await clerk.get("/api/v1/me")).status_code == 401
    assert not await ApiToken.filter(organisation=str(partner.id), revoked_at=None).exists()
    members = await Account.filter(organisation="黄石市图书馆")
    assert {m.status for m in members} == {"disabled"}
    assert not await Passkey.filter(account_id__in=[m.id for m in members]).exists()
    assert not await WebSession.filter(
        account_id__in=[m.id for m in members], revoked_at=None
    ).exists()
    entry = await AuditEntry.get(action="partner.disabled")
    assert entry.details == {"partner": partner.id, "keys": 1, "accounts": 2}
    again = await officer.post(
        f"/api/v1/partners/{partner.id}/disable", json={"reason": "再次"}, headers=csrf(officer)
    )
    assert again.status_code == 409 and again.json()["reason"] == "already_disabled"


async def test_the_office_page_disables_a_partner(library: Library) -> None:
    partner = await Partner.get(name="黄石市图书馆")
    page = (await library.officer.get("/office/partners")).text
    assert f'action="/office/partners/{partner.id}/disable"' in page
    done = await library.officer.post(
        f"/office/partners/{partner.id}/disable",
        data={"csrf_token": token(library.officer), "reason": "合作协议终止"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/office/partners?done=disabled"
    assert (await Partner.get(id=partner.id)).status == "suspended"


async def test_an_administrator_disables_an_operator(library: Library, browsers) -> None:
    clerk, clerk_id = await operator(library, browsers)
    portal = (await library.admin.get("/partner")).text
    assert f'action="/partner/operators/{clerk_id}/disable"' in portal
    done = await library.admin.post(
        f"/partner/operators/{clerk_id}/disable",
        data={"csrf_token": token(library.admin), "reason": "离职"},
    )
    assert done.status_code == 303
    assert (await clerk.get("/api/v1/me")).status_code == 401
    assert (await Account.get(id=clerk_id)).status == "disabled"
    assert not await Passkey.filter(account_id=clerk_id).exists()
    assert (await library.admin.get("/api/v1/me")).status_code == 200  # the admin stays
    admin_id = (await library.admin.get("/api/v1/me")).json()["id"]
    own = await library.admin.post(
        f"/partner/operators/{admin_id}/disable",
        data={"csrf_token": token(library.admin), "reason": "x"},
    )
    assert own.status_code == 403


async def test_an_administrator_cannot_disable_staff_of_others(library: Library) -> None:
    officer_id = (await library.officer.get("/api/v1/me")).json()["id"]
    refused = await library.admin.post(
        f"/partner/operators/{officer_id}/disable",
        data={"csrf_token": token(library.admin), "reason": "x"},
    )
    assert refused.status_code == 404
    assert (await Account.get(id=officer_id)).status == "active"


async def test_the_department_token_endpoint_does_not_revoke_partner_keys(library: Library) -> None:
    key = await ApiToken.get(kind="partner")
    for revoke in (
        library.officer.delete(
            f"/api/v1/department-tokens/{key.id}", headers=csrf(library.officer)
        ),
        library.officer.post(
            f"/office/tokens/{key.id}/revoke", data={"csrf_token": token(library.officer)}
        ),
    ):
        response = await revoke
        assert response.status_code == 404, response.text
    assert (await ApiToken.get(id=key.id)).revoked_at is None
    assert (
        await library.admin.get("/api/v1/partner/offers", headers=library.key)
    ).status_code == 200
