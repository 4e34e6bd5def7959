"""Offboarding staff (`auth.offboarding`, `auth.staffchanges`): a disabled account loses its
sessions, passkeys and codes at once; an officer or auditor is disabled only when a second,
independent officer approves."""

from __future__ import annotations

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.auth.models import Account, EnrolmentCode, Passkey, StaffChange, WebSession
from backend.auth.staff import create_staff_account
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, login, make_person, make_staff

STAFF = "/api/v1/staff"


def browser(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


@pytest.fixture
async def officer(client, authenticator) -> httpx.AsyncClient:
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    return client


async def disable(http: httpx.AsyncClient, account_id: int, reason: str = "离职") -> httpx.Response:
    return await http.post(
        f"{STAFF}/{account_id}/disable", json={"reason": reason}, headers=csrf(http)
    )


async def test_a_counter_operator_is_disabled_at_once_and_shut_out(officer, app) -> None:
    async with browser(app, "10.8.0.1") as desk:
        auth = SoftAuthenticator(origin=ORIGIN)
        clerk = (await make_staff(desk, auth, ["counter_operator"], name="柜员"))["account_id"]
        async with browser(app, "10.8.0.2") as second_device:
            assert (await login(second_device, auth)).status_code == 200
            done = await disable(officer, clerk)
            assert done.status_code == 200, done.text
            assert done.json()["outcome"] == "disabled" and done.json()["change_id"] is None
            for device in (desk, second_device):
                assert (await device.get("/api/v1/me")).status_code == 401
            assert (await login(second_device, auth)).status_code == 400  # its passkey is gone
    assert (await Account.get(id=clerk)).status == "disabled"
    assert not await Passkey.filter(account_id=clerk).exists()
    assert not await WebSession.filter(account_id=clerk, revoked_at=None).exists()
    entry = await AuditEntry.get(action="account.disabled")
    assert entry.details["sessions"] == 2 and entry.details["passkeys"] == 1
    assert entry.purpose == "离职"
    again = await disable(officer, clerk)
    assert again.status_code == 409 and again.json()["reason"] == "already_disabled"


async def test_an_invited_accounts_code_stops_working(officer, other_client) -> None:
    account, code = await create_staff_account(
        officer=None, display_name="未报到", roles=["department_submitter"], organisation="税务局"
    )
    assert (await disable(officer, account.id)).status_code == 200
    start = await other_client.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert start.status_code == 400 and start.json()["code"] == "code_invalid"
    assert (await EnrolmentCode.get(account_id=account.id)).used_at is None


async def test_an_officer_is_disabled_only_under_four_eyes(officer, other_client, app) -> None:
    second = other_client
    await make_staff(second, SoftAuthenticator(origin=ORIGIN), ["officer"], name="李复核")
    async with browser(app, "10.8.0.3") as target_browser:
        target = (
            await make_staff(
                target_browser, SoftAuthenticator(origin=ORIGIN), ["auditor"], name="周审计"
            )
        )["account_id"]
        proposed = await disable(officer, target, "调离")
        assert proposed.status_code == 200, proposed.text
        assert proposed.json()["outcome"] == "proposed"
        change_id = proposed.json()["change_id"]
        assert (await target_browser.get("/api/v1/me")).status_code == 200  # not yet
        # Its proposer cannot approve it; a second officer can.
        own = await officer.post(
            f"/office/staff-changes/{change_id}",
            data={"csrf_token": officer.cookies.get("xinyi_csrf", ""), "decision": "approve"},
        )
        assert own.status_code == 403
        assert (await StaffChange.get(id=change_id)).status == "proposed"
        approved = await second.post(
            f"/office/staff-changes/{change_id}",
            data={"csrf_token": second.cookies.get("xinyi_csrf", ""), "decision": "approve"},
        )
        assert approved.status_code == 303, approved.text
        assert (await target_browser.get("/api/v1/me")).status_code == 401
    assert (await Account.get(id=target)).status == "disabled"
    assert not await Passkey.filter(account_id=target).exists()


async def test_nobody_disables_their_own_account_and_reasons_are_required(officer) -> None:
    me = (await officer.get("/api/v1/me")).json()["id"]
    own = await disable(officer, me)
    assert own.status_code == 403 and own.json()["reason"] == "own_account"
    for body in ({}, {"reason": ""}, {"reason": "x" * 201}):
        refused = await officer.post(f"{STAFF}/{me}/disable", json=body, headers=csrf(officer))
        assert refused.status_code == 422, body
    assert (await disable(officer, 999_999)).status_code == 404
    assert (await Account.get(id=me)).status == "active"


async def test_a_resident_account_is_not_disabled_here(officer, other_client, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="住户")
    resident = (await enrol(other_client, SoftAuthenticator(origin=ORIGIN), who))["account_id"]
    refused = await disable(officer, resident)
    assert refused.status_code == 409 and refused.json()["reason"] == "not_staff"
    assert (await other_client.get("/api/v1/me")).status_code == 200
