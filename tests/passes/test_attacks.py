"""Forged, expired, replayed, foreign and revoked passes; wrong keys; garbage. Each gets a
clear reason, never a 500, and stores nothing but the audit entry."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.apitokens.service import create_token
from backend.audit.models import AuditEntry
from backend.cases import sweep
from backend.core import clock
from backend.core.keys import kid_for
from backend.credit.catalog import load_catalog
from backend.credit.models import CreditRecord
from backend.notices.models import Notice
from backend.partners.models import Redemption
from backend.passes import base45
from backend.passes import service as pass_service
from backend.passes.format import PREFIX
from backend.passes.offline import verify_offline
from tests.factories import csrf, enrol, make_person
from tests.partners.helpers import setup_partner
from tests.passes.device import Phone

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text())


@pytest.fixture
async def scene(client, app, authenticator, other_client):
    transport = httpx.ASGITransport(app=app, client=("10.1.1.1", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as admin:
        partner = await setup_partner(app, other_client, admin)
    who = await make_person(app.state.ctx.cipher, name="赵丽")
    await enrol(client, authenticator, who)
    court_token = (
        await create_token(
            officer=None,
            kind="department",
            organisation="court",
            label="t",
            scopes=["records.submit"],
        )
    )[1]
    phone = Phone()
    phone.take(
        (
            await client.post(
                "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(client)
            )
        ).json()
    )
    counter = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000"
    )
    yield {
        "partner": partner,
        "who": who,
        "phone": phone,
        "counter": counter,
        "client": client,
        "court": {"Authorization": f"Bearer {court_token}"},
        "app": app,
    }
    await counter.aclose()


async def verify(scene, text: str, **extra) -> dict:
    before = (await Redemption.all().count(), await AuditEntry.all().count())
    response = await scene["counter"].post(
        "/api/v1/passes/verify", json={"text": text, **extra}, headers=scene["partner"]["key"]
    )
    assert response.status_code == 200, response.text
    assert await Redemption.all().count() == before[0]
    return response.json()


def tamper(text: str, offset: int) -> str:
    data = bytearray(base45.decode(text[len(PREFIX) :]))
    data[offset] ^= 0x01
    return PREFIX + base45.encode(bytes(data))


async def test_valid_then_every_tampering_has_its_reason(scene):
    phone = scene["phone"]
    assert (await verify(scene, phone.present()))["reason"] == "valid"
    for offset in (11, 23, 32, 33, 69, 70, 133):  # pass id, sealed tier/flags, signature
        assert (await verify(scene, tamper(phone.present(), offset)))["reason"] == "bad_signature"
    assert (await verify(scene, tamper(phone.present(), 3)))["reason"] == "unknown_key"
    assert (await verify(scene, tamper(phone.present(), 0)))["reason"] == "malformed"
    assert (await verify(scene, tamper(phone.present(), 140)))["reason"] == "bad_presentation"
    assert (await verify(scene, tamper(phone.present(), 137)))["reason"] in (
        "bad_presentation",
        "stale_presentation",
        "clock_skew",
    )


async def test_screenshot_replay_and_clock_skew(scene):
    phone = scene["phone"]
    assert (await verify(scene, phone.present(at=time.time() - 90)))[
        "reason"
    ] == "stale_presentation"
    assert (await verify(scene, phone.present(at=time.time() - 45)))[
        "reason"
    ] == "valid"  # within 60 s
    assert (await verify(scene, phone.present(at=time.time() + 120)))[
        "reason"
    ] == "clock_skew"  # phone 2 min ahead


async def test_presentation_from_another_device_key(scene):
    thief = Phone(certificate=scene["phone"].certificate)  # copied certificate, own key
    result = await verify(scene, thief.present())
    assert result["reason"] == "bad_presentation" and result["masked_name"] is None


async def test_unknown_key_id_and_forged_issuer(scene):
    rogue = Ed25519PrivateKey.generate()
    cert = scene["phone"].certificate
    kid = base64.urlsafe_b64decode(kid_for(rogue.public_key()) + "=")
    body = cert[:1] + kid + cert[9:-64]
    phone = Phone(key=scene["phone"].key, certificate=body + rogue.sign(body))
    assert (await verify(scene, phone.present()))["reason"] == "unknown_key"
    ours = scene["phone"].certificate
    other_day = ours[:9] + (int.from_bytes(ours[9:11], "big") + 30).to_bytes(2, "big") + ours[11:]
    phone = Phone(key=scene["phone"].key, certificate=other_day)
    assert (await verify(scene, phone.present()))["reason"] == "unknown_key"  # no such day key


async def test_expired_certificate(scene, monkeypatch):
    monkeypatch.setattr(pass_service, "CERT_LIFETIME", dt.timedelta(seconds=1))
    phone = Phone()
    phone.take(
        (
            await scene["client"].post(
                "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(scene["client"])
            )
        ).json()
    )
    await asyncio.sleep(2.1)
    assert (await verify(scene, phone.present()))["reason"] == "expired"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "XY1:",
        "XY1:%%%%",
        "XY1:" + "0" * 100,
        "https://example.com/?q=1",
        "XY1:ABC",
        "XY2:",
        "XY2:%%%%",
        "XY2:" + "0" * 303,
        "XY2:" + "0" * 156,
        "XY2:ABC",
    ],
)
async def test_garbage_and_truncated_text(scene, text):
    if not text:
        response = await scene["counter"].post(
            "/api/v1/passes/verify", json={"text": text}, headers=scene["partner"]["key"]
        )
        assert response.status_code == 422
        return
    assert (await verify(scene, text))["reason"] == "malformed"


async def test_truncated_real_pass(scene):
    text = scene["phone"].present()
    assert (await verify(scene, text[:-3]))["reason"] == "malformed"
    assert (await verify(scene, text + "00"))["reason"] == "malformed"
    assert (await verify(scene, "  " + text.lower() + "\n"))[
        "reason"
    ] == "valid"  # scanners add noise


async def test_removed_device_revokes_its_passes(scene):
    client = scene["client"]
    device_id = (await client.get("/api/v1/me/devices")).json()["items"][0]["id"]
    assert (
        await client.delete(f"/api/v1/me/devices/{device_id}", headers=csrf(client))
    ).status_code == 204
    assert (await verify(scene, scene["phone"].present()))["reason"] == "revoked"
    again = await client.post(
        "/api/v1/me/pass", json={"device_key": scene["phone"].jwk()}, headers=csrf(client)
    )
    assert again.status_code == 422  # a removed device key cannot get new passes


async def test_black_listed_resident_gets_normal_procedure(scene):
    who, client = scene["who"], scene["client"]
    record = {
        "external_id": "D-1",
        "id_number": who.id_number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
    }
    assert (
        await scene["counter"].post("/api/v1/records", json=[record], headers=scene["court"])
    ).status_code == 200
    assert (await verify(scene, scene["phone"].present()))[
        "reason"
    ] == "revoked"  # tier and lists changed
    phone = scene["phone"]
    phone.take(
        (
            await client.post(
                "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(client)
            )
        ).json()
    )
    result = await verify(scene, phone.present())
    assert result["valid"] and result["eligible_offers"] == []
    assert result["ineligible_offers"][0]["why_not"] == "on_black_list"
    redeem = await scene["counter"].post(
        "/api/v1/redemptions",
        headers=scene["partner"]["key"],
        json={"text": phone.present(), "offer_id": scene["partner"]["offer_id"]},
    )
    assert redeem.status_code == 409 and redeem.json()["reason"] == "on_black_list"
    assert await Redemption.all().count() == 0


async def test_offer_of_another_partner_and_wrong_keys(scene, app):
    other = (
        await create_token(
            officer=None, kind="partner", organisation="999", label="x", scopes=["passes.verify"]
        )
    )[1]
    counter = scene["counter"]
    unknown = await counter.post(
        "/api/v1/passes/verify",
        json={"text": scene["phone"].present()},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert unknown.status_code == 401  # a key of no approved partner
    result = await counter.post(
        "/api/v1/passes/verify",
        headers=scene["partner"]["key"],
        json={"text": scene["phone"].present(), "offer_id": 424242},
    )
    assert result.status_code == 404
    garbage = await counter.post(
        "/api/v1/passes/verify", json={"text": "x"}, headers={"Authorization": "Bearer nope"}
    )
    assert garbage.status_code == 401


async def test_status_list_and_offline_verifier(scene):
    counter, key, phone = scene["counter"], scene["partner"]["key"], scene["phone"]
    response = await counter.get("/api/v1/passes/offline-bundle", headers=key)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    bundle = response.json()
    now = int(time.time())
    assert verify_offline(phone.present(), bundle=bundle, now=now).reason == "valid"
    assert (
        verify_offline(phone.present(), bundle=bundle, now=now + 120).reason == "stale_presentation"
    )
    client = scene["client"]
    device_id = (await client.get("/api/v1/me/devices")).json()["items"][0]["id"]
    await client.delete(f"/api/v1/me/devices/{device_id}", headers=csrf(client))
    fresh = (await counter.get("/api/v1/passes/status-list", headers=key)).text
    assert (
        verify_offline(phone.present(), bundle=bundle, status_token=fresh, now=now).reason
        == "revoked"
    )


async def qualify(scene) -> None:
    """A verified-identity record gives the resident a score (tier good), then a fresh pass."""
    token = (
        await create_token(
            officer=None,
            kind="department",
            organisation="public_security",
            label="t",
            scopes=["records.submit"],
        )
    )[1]
    record = {
        "external_id": "IDN-1",
        "id_number": scene["who"].id_number,
        "type": "IDN_REALNAME_VERIFIED",
        "decision_date": dt.date.today().isoformat(),
    }
    response = await scene["counter"].post(
        "/api/v1/records", json=[record], headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    client, phone = scene["client"], scene["phone"]
    phone.take(
        (
            await client.post(
                "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(client)
            )
        ).json()
    )


async def test_a_re_encoded_signature_is_the_same_presentation(scene):
    """ECDSA (r, s) and (r, n − s) both verify: changing the text that way must not allow
    a second redemption of the same presentation."""
    await qualify(scene)
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    text = scene["phone"].present()
    data = bytearray(base45.decode(text[len(PREFIX) :]))
    s = int.from_bytes(data[-32:], "big")
    data[-32:] = (n - s).to_bytes(32, "big")
    twin = PREFIX + base45.encode(bytes(data))
    assert twin != text and (await verify(scene, twin))["reason"] == "valid"
    offer = scene["partner"]["offer_id"]
    key = scene["partner"]["key"]
    first = await scene["counter"].post(
        "/api/v1/redemptions", headers=key, json={"text": text, "offer_id": offer}
    )
    assert first.status_code == 201, first.text
    second = await scene["counter"].post(
        "/api/v1/redemptions", headers=key, json={"text": twin, "offer_id": offer}
    )
    assert second.status_code == 409 and second.json()["reason"] == "already_used"
    assert (await verify(scene, twin))["reason"] == "used"  # no green for a used pass


async def test_concurrent_outcome_reports_leave_one_outcome_and_one_record(scene):

    await qualify(scene)
    key, offer = scene["partner"]["key"], scene["partner"]["offer_id"]
    redeemed = await scene["counter"].post(
        "/api/v1/redemptions",
        headers=key,
        json={"text": scene["phone"].present(), "offer_id": offer},
    )
    rid = redeemed.json()["id"]
    await Redemption.filter(id=rid).update(
        due_on=clock.today() - dt.timedelta(days=20),
        reminded_on=clock.today() - dt.timedelta(days=19),
        settle_by=clock.today() - dt.timedelta(days=12),
    )
    notice = (clock.today() - dt.timedelta(days=19)).isoformat()
    answers = await asyncio.gather(
        scene["counter"].post(
            f"/api/v1/redemptions/{rid}/outcome",
            headers=key,
            json={"outcome": "defaulted", "notice_sent_on": notice},
        ),
        scene["counter"].post(
            f"/api/v1/redemptions/{rid}/outcome", headers=key, json={"outcome": "fulfilled"}
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(a.json()["outcome"] for a in answers if a.status_code == 200)
    records = await CreditRecord.filter(external_id=f"R-{rid}").values_list("type_code", flat=True)
    expected = "PUB_LIBRARY_OVERDUE" if winner == "defaulted" else "PUB_LIBRARY_ON_TIME"
    assert records == [expected]


async def test_a_default_waits_for_the_systems_reminder_and_its_days(scene):
    """催告: no default before the due date, nor before the system reminded the resident, nor
    while the reminder's days to settle or object run; a partner's own notice date changes
    nothing."""
    await qualify(scene)
    key, offer = scene["partner"]["key"], scene["partner"]["offer_id"]
    redeemed = await scene["counter"].post(
        "/api/v1/redemptions",
        headers=key,
        json={"text": scene["phone"].present(), "offer_id": offer},
    )
    rid = redeemed.json()["id"]

    async def report() -> Any:
        return await scene["counter"].post(
            f"/api/v1/redemptions/{rid}/outcome",
            headers=key,
            json={"outcome": "defaulted", "notice_sent_on": clock.today().isoformat()},
        )

    assert (await report()).json()["reason"] == "grace_period"
    await Redemption.filter(id=rid).update(due_on=clock.today() - dt.timedelta(days=1))
    assert (await report()).json()["reason"] == "no_reminder"
    assert (await sweep.sweep()).reminders_sent == 1
    assert (await sweep.sweep()).reminders_sent == 0  # once
    reminded = await Redemption.get(id=rid)
    assert reminded.settle_by == clock.today() + dt.timedelta(days=load_catalog().reminder_days)
    waiting = await report()
    assert waiting.status_code == 409 and waiting.json()["reason"] == "reminder_period"
    assert waiting.json()["settle_by"] == reminded.settle_by.isoformat()
    notice = await Notice.get(key=f"reminder:redemption:{rid}")
    assert (notice.kind, notice.params["settle_by"]) == ("reminder", reminded.settle_by.isoformat())
    assert (await Redemption.get(id=rid)).outcome == "open"
    clock.shift(dt.timedelta(days=load_catalog().reminder_days + 1))
    done = await report()
    assert done.status_code == 200 and done.json()["outcome"] == "defaulted", done.text
