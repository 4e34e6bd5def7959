"""Staff accounts created by an officer through the API."""

from __future__ import annotations

import httpx
import pytest

from backend.auth.models import Account, EnrolmentCode
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import csrf, make_staff

STAFF = "/api/v1/staff"


@pytest.fixture
async def officer(client, authenticator):
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    return client


async def test_a_proposed_staff_account_is_approved_by_a_second_officer_who_hands_over_its_code(
    officer, other_client, app
) -> None:
    created = await officer.post(
        STAFF,
        json={
            "display_name": " 吴报送 ",
            "organisation": "市场监督管理局",
            "roles": ["department_submitter"],
        },
        headers=csrf(officer),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["display_name"] == "吴报送" and body["roles"] == ["department_submitter"]
    assert body["status"] == "proposed" and "enrolment_code" not in body
    account = await Account.get(id=body["id"])
    assert account.kind == "staff" and account.person_id is None  # type: ignore[attr-defined]
    officer_id = (await officer.get("/api/v1/me")).json()["id"]
    assert account.created_by_id == officer_id
    assert not await EnrolmentCode.filter(account_id=account.id).exists()  # no code yet

    # The proposer cannot approve their own proposal.
    own = await officer.post(f"{STAFF}/{account.id}/approve", headers=csrf(officer))
    assert own.status_code == 403 and own.json()["reason"] == "four_eyes"
    assert not await EnrolmentCode.filter(account_id=account.id).exists()

    transport = httpx.ASGITransport(app=app, client=("10.9.9.9", 9999))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as second:
        second_id = (
            await make_staff(second, SoftAuthenticator(origin=ORIGIN), ["officer"], name="赵二")
        )["account_id"]
        approved = await second.post(f"{STAFF}/{account.id}/approve", headers=csrf(second))
        assert approved.status_code == 200, approved.text
        assert approved.headers["cache-control"] == "no-store"
        again = await second.post(f"{STAFF}/{account.id}/approve", headers=csrf(second))
        assert again.status_code == 409 and again.json()["reason"] == "already_decided"
    code = approved.json()["enrolment_code"]
    account = await Account.get(id=account.id)
    assert account.status == "invited" and account.approved_by_id == second_id
    assert (await EnrolmentCode.get(account_id=account.id)).purpose == "staff enrolment"

    start = await other_client.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert start.status_code == 200
    assert start.json()["user"]["name"] == f"staff-{account.id}"
    finish = await other_client.post(
        "/api/v1/enrolment/finish", json=SoftAuthenticator(origin=ORIGIN).create(start.json())
    )
    assert finish.json()["account_id"] == account.id and finish.json()["kind"] == "staff"
    me = (await other_client.get("/api/v1/me")).json()
    assert me["roles"] == ["department_submitter"] and me["person"] is None

    listed = (await officer.get(STAFF)).json()["items"]
    assert [i["display_name"] for i in listed] == ["陈信用", "吴报送", "赵二"]
    assert [i["status"] for i in listed] == ["active", "active", "active"]


INVALID = [
    ({"display_name": "x", "roles": ["officer", "auditor"]}, "roles"),  # mutually exclusive
    ({"display_name": "x", "roles": ["resident"]}, "roles"),
    ({"display_name": "x", "roles": ["root"]}, "roles"),
    ({"display_name": "x", "roles": []}, "roles"),
    ({"display_name": "   ", "roles": ["auditor"]}, "display_name"),
    ({"display_name": "", "roles": ["auditor"]}, "display_name"),
    ({"roles": ["auditor"]}, "display_name"),
    ({"display_name": "x", "roles": "auditor"}, "roles"),
]


async def test_invalid_staff_accounts_are_422(officer) -> None:
    before = await row_counts()
    for body, field in INVALID:
        response = await officer.post(STAFF, json=body, headers=csrf(officer))
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, body
    assert await row_counts() == before


@pytest.mark.parametrize("role", ["auditor", "counter_operator", "partner_admin"])
async def test_other_staff_cannot_create_or_list_staff(client, authenticator, role) -> None:
    await make_staff(client, authenticator, [role])
    before = await row_counts()
    refused = await client.post(
        STAFF, json={"display_name": "x", "roles": ["officer"]}, headers=csrf(client)
    )
    assert refused.status_code == 403
    assert (await client.get(STAFF)).status_code == 403
    assert await row_counts() == before
