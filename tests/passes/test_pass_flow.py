"""The pass end to end: a partner joins, its offer goes live, a resident's phone presents
a pass, the counter verifies it and records a redemption, the outcome becomes a record."""

from __future__ import annotations

import datetime as dt

import httpx

from backend.auth.models import Account
from backend.credit.models import CreditRecord
from backend.credit.service import rescore_person
from backend.partners.models import Redemption
from tests.factories import csrf, enrol, make_person
from tests.partners.helpers import setup_partner
from tests.passes.device import Phone


async def test_pass_verify_redeem_outcome(client, app, authenticator, other_client):
    transport = httpx.ASGITransport(app=app, client=("10.1.1.1", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as admin:
        partner = await setup_partner(app, other_client, admin)
    who = await make_person(app.state.ctx.cipher, name="刘欢")
    await enrol(client, authenticator, who)
    phone = Phone()
    issued = await client.post(
        "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(client)
    )
    assert issued.status_code == 201, issued.text
    phone.take(issued.json())
    key = partner["key"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000"
    ) as counter:
        text = phone.present()
        check = await counter.post("/api/v1/passes/verify", json={"text": text}, headers=key)
        assert check.status_code == 200, check.text
        body = check.json()
        assert body["valid"] and body["reason"] == "valid" and body["masked_name"] == "刘*"
        assert (
            body["eligible_offers"] == []
            and body["ineligible_offers"][0]["why_not"] == "tier_too_low"
        )

        # A verified identity record gives a score (tier good) → the pass is re-issued.
        await CreditRecord.create(
            person_id=who.person.id,
            department="credit_office",
            external_id="X1",
            type_code="IDN_REALNAME_VERIFIED",
            dimension="identity",
            points=20,
            severity="general",
            decision_date=dt.date.today(),
            repairable_from=dt.date.today(),
            expires_on=dt.date.today() + dt.timedelta(days=900),
            catalog_version="2026.1",
            created_at=dt.datetime.now(dt.UTC),
            updated_at=dt.datetime.now(dt.UTC),
        )
        await rescore_person(person_id=who.person.id, cause="record")
        stale_cert = phone.present()
        refused = await counter.post(
            "/api/v1/passes/verify", json={"text": stale_cert}, headers=key
        )
        assert refused.json()["reason"] == "revoked"  # tier changed → old certificate revoked
        issued = await client.post(
            "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(client)
        )
        phone.take(issued.json())
        assert issued.json()["tier"] == "good"
        text = phone.present()
        check = (
            await counter.post("/api/v1/passes/verify", json={"text": text}, headers=key)
        ).json()
        assert check["valid"] and [o["id"] for o in check["eligible_offers"]] == [
            partner["offer_id"]
        ]

        redeem = await counter.post(
            "/api/v1/redemptions",
            headers=key,
            json={"text": text, "offer_id": partner["offer_id"], "idempotency_key": "loan-000001"},
        )
        assert redeem.status_code == 201, redeem.text
        assert redeem.json()["deposit_waived_cents"] == 10000
        retry = await counter.post(
            "/api/v1/redemptions",
            headers=key,
            json={"text": text, "offer_id": partner["offer_id"], "idempotency_key": "loan-000001"},
        )
        assert retry.status_code == 200 and retry.json()["id"] == redeem.json()["id"]
        twice = await counter.post(
            "/api/v1/redemptions", headers=key, json={"text": text, "offer_id": partner["offer_id"]}
        )
        assert twice.status_code == 409 and twice.json()["reason"] == "already_used"
        assert await Redemption.all().count() == 1

        outcome = await counter.post(
            f"/api/v1/redemptions/{redeem.json()['id']}/outcome",
            headers=key,
            json={"outcome": "fulfilled"},
        )
        assert outcome.status_code == 200, outcome.text
        record = await CreditRecord.get(id=outcome.json()["record_id"])
        assert record.type_code == "PUB_LIBRARY_ON_TIME" and record.department == "library"

    benefits = (await client.get("/api/v1/me/benefits")).json()["items"]
    assert benefits[0]["partner"] == "黄石市图书馆" and benefits[0]["outcome"] == "fulfilled"
    log = (await client.get("/api/v1/me/access-log")).json()["items"]
    assert any(e["action"] == "pass.verified" and e["organisation"] == "黄石市图书馆" for e in log)
    offers = (await client.get("/api/v1/me/offers")).json()
    assert offers["tier"] == "good" and offers["items"][0]["eligible"] is True
    assert await Account.filter(kind="staff").count() == 2
