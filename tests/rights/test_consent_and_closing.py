"""Consent to the score and the pass, and closing the account: withdrawing stops the score
and the pass at once (counters see the normal procedure) while records stay; coming back
works; closing removes sign-in and app data, needs a fresh passkey, and re-enrolment works."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.auth.models import Passkey, WebSession
from backend.consent.models import ConsentDecision
from backend.core import clock
from backend.credit.models import CreditRecord
from backend.credit.standing import standing
from backend.notices.models import Notice
from backend.passes.models import PassCertificate
from tests.credit.helpers import add_record, problem
from tests.due_process import resident
from tests.factories import enrol
from tests.passes.device import Phone
from tests.rights.helpers import confirmation, with_records


async def paper_pass(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/passes/paper", data={"csrf_token": headers["X-CSRF-Token"]})


async def test_withdrawing_consent_stops_score_and_pass_and_coming_back_works(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    await with_records(r)
    assert (await client.get("/api/v1/me/consent")).json()["given"] is True  # at enrolment
    assert (await paper_pass(client, r.headers())).status_code == 200
    tier, _ = await standing(r.person_id)
    assert tier != "none"
    withdrawn = await client.put("/api/v1/me/consent", json={"given": False}, headers=r.headers())
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["given"] is False and withdrawn.json()["records_kept"] is True
    assert await standing(r.person_id) == ("none", frozenset())  # counters: normal procedure
    score = (await client.get("/api/v1/me/score")).json()
    assert score["has_score"] is False and score["consent_withdrawn"] is True
    live = await PassCertificate.filter(person_id=r.person_id, revoked_at=None).count()
    assert live == 0  # the paper pass was revoked at once
    assert await CreditRecord.filter(person_id=r.person_id).count() == 1  # records are kept
    issued = await PassCertificate.all().count()
    assert (await paper_pass(client, r.headers())).status_code == 409  # no new pass is issued
    phone = await client.post("/api/v1/me/pass", json=Phone().renew_body(), headers=r.headers())
    assert problem(phone, 409, "conflict")["reason"] == "consent_withdrawn"
    assert await PassCertificate.all().count() == issued
    again = await client.put("/api/v1/me/consent", json={"given": False}, headers=r.headers())
    assert again.status_code == 200
    assert await ConsentDecision.all().count() == 1  # a repeat changes nothing
    back = await client.put("/api/v1/me/consent", json={"given": True}, headers=r.headers())
    assert back.json()["given"] is True
    assert (await standing(r.person_id))[0] == tier
    assert (await client.get("/api/v1/me/score")).json()["has_score"] is True
    bad = await client.put("/api/v1/me/consent", json={"given": "no"}, headers=r.headers())
    problem(bad, 422, "validation_failed")
    assert await ConsentDecision.all().count() == 2  # the refused body stored nothing


async def test_closing_removes_sign_in_and_app_data_and_re_enrolment_works(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    await add_record(r.person_id, "LAW_PENALTY_GENERAL", dt.date(2026, 6, 1))
    assert (await paper_pass(client, r.headers())).status_code == 200
    await Notice.create(person_id=r.person_id, kind="reminder", key="t:1", created_at=clock.now())
    credential = await confirmation(r, "close")
    closed = await client.post("/api/v1/me/close", json={"credential": credential},
                               headers=r.headers())  # fmt: skip
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["removed"]["passkeys"] == 1 and body["removed"]["passes"] == 1
    assert "5" in body["kept"]["en"]  # how long the archive keeps records, in words
    assert await Passkey.filter(account__person_id=r.person_id).count() == 0
    assert await WebSession.filter(revoked_at=None).count() == 0
    assert await Notice.filter(person_id=r.person_id).count() == 0
    assert await CreditRecord.filter(person_id=r.person_id).count() == 1  # kept by law
    assert (await client.get("/api/v1/me")).status_code == 401
    await enrol(other_client, r.auth, r.who)  # enrolling again later works
    me = await other_client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["person"]["name"] == "张伟明"
    assert await Passkey.all().count() == 1


async def test_closing_needs_a_fresh_passkey_confirmation(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    refused = await client.post("/api/v1/me/close", json={"credential": {"id": "x"}},
                                headers=r.headers())  # fmt: skip
    assert refused.status_code == 400, refused.text
    exporting = await confirmation(r, "export")
    wrong = await client.post("/api/v1/me/close", json={"credential": exporting},
                              headers=r.headers())  # fmt: skip
    assert problem(wrong, 400, "webauthn_failed")["reason"] == "other_step"
    assert await Passkey.all().count() == 1
    assert (await client.get("/api/v1/me")).status_code == 200
