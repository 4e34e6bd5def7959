"""Signing a published commitment with a passkey: the exact text, a proof anyone can check,
the catalog's commitment record, and every way to cheat refused."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from backend.commitments.models import CommitmentSignature
from backend.commitments.service import prove
from backend.credit.models import CreditRecord
from tests.credit.helpers import problem
from tests.due_process import resident


async def start(client: httpx.AsyncClient, headers: dict[str, str], code: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/me/commitments/start", json={"code": code, "locale": "en"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_resident_signs_a_published_commitment_and_anyone_can_check_it(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    texts = (await client.get("/api/v1/commitment-templates?locale=en")).json()["items"]
    assert {t["code"] for t in texts} == {"repair", "notify_commit", "deferred_acceptance"}
    started = await start(client, r.headers(), "notify_commit")
    assert started["commitment"]["text"].startswith("I have been told every condition")
    signed = await client.post(
        "/api/v1/me/commitments",
        json={"credential": r.auth.get(started["publicKey"])},
        headers=r.headers(),
    )
    assert signed.status_code == 201, signed.text
    assert signed.json()["text_sha256"] == started["commitment"]["text_sha256"]
    mine = (await client.get("/api/v1/me/commitments")).json()["items"]
    assert [(m["code"], m["locale"]) for m in mine] == [("notify_commit", "en")]
    assert mine[0]["text"] == started["commitment"]["text"]
    record = await CreditRecord.get(person_id=r.person_id, type_code="IDN_COMMITMENT_SIGNED")
    assert record.department == "credit_office"
    row = await CommitmentSignature.get(person_id=r.person_id)
    assert prove(row, app.state.ctx.rp)
    forged = copy.deepcopy(row)
    forged.text_sha256 = "0" * 64  # a different text than the one signed
    assert not prove(forged, app.state.ctx.rp)
    other_nonce = copy.deepcopy(row)
    other_nonce.nonce = "00" * 16
    assert not prove(other_nonce, app.state.ctx.rp)


async def test_a_signature_is_used_once_and_only_by_its_signer(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    stranger = await resident(other_client, app, name="李小红")
    started = await start(client, r.headers(), "notify_commit")
    assertion = r.auth.get(started["publicKey"])
    theirs = await other_client.post(
        "/api/v1/me/commitments", json={"credential": assertion}, headers=stranger.headers()
    )
    assert problem(theirs, 400, "webauthn_failed")["reason"] == "not_yours"
    first = await client.post(
        "/api/v1/me/commitments", json={"credential": assertion}, headers=r.headers()
    )
    assert first.status_code == 201, first.text
    again = await client.post(
        "/api/v1/me/commitments", json={"credential": assertion}, headers=r.headers()
    )
    problem(again, 400, "challenge_expired")
    repair_text = await start(client, r.headers(), "repair")  # signed within a repair request
    wrong_place = await client.post(
        "/api/v1/me/commitments",
        json={"credential": r.auth.get(repair_text["publicKey"])},
        headers=r.headers(),
    )
    assert problem(wrong_place, 400, "webauthn_failed")["reason"] == "other_text"
    unknown = await client.post(
        "/api/v1/me/commitments/start", json={"code": "nonsense"}, headers=r.headers()
    )
    problem(unknown, 404, "not_found")
    assert await CommitmentSignature.all().count() == 1
