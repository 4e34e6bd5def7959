"""The department-token API: a token is created by an officer for a catalog department and
shown once, stored only as a hash, listed without its secret, revocable; the token is what
submitRecords authenticates. Only officers manage tokens."""

from __future__ import annotations

import json

import httpx
import pytest

from backend.apitokens import service as tokens
from backend.apitokens.models import ApiToken
from backend.audit.models import AuditEntry
from backend.core.crypto import secret_hash
from backend.credit.models import CreditRecord
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.credit.helpers import ago, problem
from tests.factories import csrf, enrol, make_person, make_staff

TOKENS = "/api/v1/department-tokens"


@pytest.fixture
async def officer(client):
    await make_staff(client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="令牌管理员")
    return client


async def test_an_officer_creates_a_token_that_submits_for_its_department(
    officer, other_client, app
) -> None:
    who = await make_person(app.state.ctx.cipher)
    response = await officer.post(
        TOKENS, json={"department": "health", "label": "医院前置机"}, headers=csrf(officer)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    secret = created["token"]
    assert created["department"] == "health"
    assert secret.startswith(f"xy_dep_{created['prefix']}_") and len(secret) > 40

    # Stored: a hash and the prefix, never the secret.
    row = await ApiToken.get(id=created["id"])
    assert row.token_hash == secret_hash(secret) and secret not in json.dumps(
        {k: str(v) for k, v in row.__dict__.items()}
    )
    assert (row.organisation, row.scopes, row.label) == (
        "health",
        "cases.decide,jointcases.report,records.submit",
        "医院前置机",
    )
    # Listed without the secret.
    listed = (await officer.get(TOKENS)).json()["items"]
    assert [(t["id"], t["prefix"], t["revoked"], t["last_used_at"]) for t in listed] == [
        (created["id"], created["prefix"], False, None)
    ]
    assert secret not in json.dumps(listed)

    # The token submits as the health department (from another machine, no cookies).
    bearer = {"Authorization": f"Bearer {secret}"}
    record = {
        "external_id": "H-1",
        "id_number": who.id_number,
        "type": "PRO_BLOOD_DONATION",
        "decision_date": ago(1),
    }
    response = await other_client.post("/api/v1/records", json=[record], headers=bearer)
    assert response.status_code == 200, response.text
    assert (await CreditRecord.get(external_id="H-1")).department == "health"
    assert (await ApiToken.get(id=created["id"])).last_used_at is not None
    # Only the types its department may submit.
    court_type = {**record, "external_id": "H-2", "type": "LAW_COURT_DEFAULTER"}
    problem(
        await other_client.post("/api/v1/records", json=[court_type], headers=bearer),
        422,
        "validation_failed",
    )

    # Revoked: refused at once; revoking again is harmless.
    response = await officer.delete(f"{TOKENS}/{created['id']}", headers=csrf(officer))
    assert response.status_code == 204
    problem(
        await other_client.post("/api/v1/records", json=[record], headers=bearer),
        401,
        "unauthenticated",
    )
    assert (
        await officer.delete(f"{TOKENS}/{created['id']}", headers=csrf(officer))
    ).status_code == 204
    assert (await officer.get(TOKENS)).json()["items"][0]["revoked"] is True
    assert await AuditEntry.filter(action="api_token.revoked").count() == 1

    audit = await AuditEntry.filter(action__startswith="api_token.").order_by("id")
    assert [e.action for e in audit] == ["api_token.created", "api_token.revoked"]
    assert all(
        secret not in json.dumps(e.details) and e.details["token"] == created["prefix"]
        for e in audit
    )


async def test_token_requests_are_validated(officer) -> None:
    before = await ApiToken.all().count()
    for body, field in (
        ({"department": "nope"}, "department"),
        ({"department": ""}, "department"),
        ({}, "department"),
        ({"department": "court", "label": "x" * 101}, "label"),
        ({"department": "court", "scopes": ["everything"]}, "scopes"),
    ):
        response = await officer.post(TOKENS, json=body, headers=csrf(officer))
        body_ = problem(response, 422, "validation_failed")
        assert field in [e["field"] for e in body_["errors"]], body
    assert await ApiToken.all().count() == before
    problem(await officer.delete(f"{TOKENS}/424242", headers=csrf(officer)), 404, "not_found")
    problem(await officer.delete(f"{TOKENS}/abc", headers=csrf(officer)), 422, "validation_failed")
    # Cookie-authenticated writes need the CSRF token.
    problem(await officer.post(TOKENS, json={"department": "court"}), 403, "csrf_failed")
    assert await ApiToken.all().count() == before


async def test_only_officers_manage_tokens(client, other_client, authenticator, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    await enrol(client, authenticator, who)
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["auditor"], name="审计员")
    _, secret = await tokens.create_token(
        officer=None, kind="department", organisation="court", label="", scopes=["records.submit"]
    )
    department = {"Authorization": f"Bearer {secret}"}
    for http, headers in (
        (client, csrf(client)),
        (other_client, csrf(other_client)),
        (client, department),
    ):
        problem(
            await http.post(TOKENS, json={"department": "court"}, headers=headers), 403, "forbidden"
        )
        problem(await http.get(TOKENS, headers=headers), 403, "forbidden")
        problem(await http.delete(f"{TOKENS}/1", headers=headers), 403, "forbidden")
    assert await ApiToken.all().count() == 1
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as anonymous:  # type: ignore[attr-defined]
        problem(await anonymous.get(TOKENS), 401, "unauthenticated")
