"""getOfflineBundle: only a partner (its key or a counter session) gets the keys that open a
pass; each fetch is audited; it holds what docs/pass-format.md lists, and what it holds
verifies a real pass offline exactly as the server does online."""

from __future__ import annotations

import time

from backend.audit.models import AuditEntry
from backend.passes.offline import verdict_json, verify_offline
from backend.passes.sealing import KEY_DAYS_AHEAD, KEY_DAYS_BACK, day_of
from tests.partners.helpers import resident_phone


async def test_a_partner_key_gets_the_bundle_and_the_fetch_is_audited(
    app, library, browsers
) -> None:
    response = await library.officer.get("/api/v1/passes/offline-bundle", headers=library.key)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    bundle = response.json()
    now = int(time.time())
    assert bundle["format_versions"] == [2]
    assert bundle["refresh_by"] - bundle["generated_at"] == 86_400
    days = [k["ekid"] for k in bundle["eligibility_keys"]]
    today = day_of(now)
    assert days == list(range(today - KEY_DAYS_BACK, today + KEY_DAYS_AHEAD + 1))
    assert all(k["alg"] == "A256CTR" and len(k["k"]) == 43 for k in bundle["eligibility_keys"])
    jwks = (await library.officer.get("/.well-known/jwks.json")).json()
    assert bundle["jwks"] == jwks
    assert [o["id"] for o in bundle["offers"]] == [library.offer_id]
    assert bundle["offers"][0]["min_tier"] and "excluded_lists" in bundle["offers"][0]
    assert bundle["status_list"].count(".") == 2 and bundle["status_list_ttl"] == 300
    entry = await AuditEntry.get(action="pass.offline_bundle")
    assert entry.details["ekids"] == days  # type: ignore[index]
    # The counter's own session (cookie) gets it too.
    by_session = await library.admin.get("/api/v1/passes/offline-bundle")
    assert by_session.status_code == 200


async def test_nobody_else_gets_the_keys(app, library, browsers, client) -> None:
    assert (await client.get("/api/v1/passes/offline-bundle")).status_code == 401
    resident = browsers()
    await resident_phone(app, resident, name="赵丽")
    assert (await resident.get("/api/v1/passes/offline-bundle")).status_code == 403
    assert (
        await client.get("/api/v1/passes/offline-bundle", headers={"Authorization": "Bearer nope"})
    ).status_code == 401


async def test_offline_with_the_bundle_agrees_with_the_server(app, library, browsers) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    bundle = (
        await library.officer.get("/api/v1/passes/offline-bundle", headers=library.key)
    ).json()
    text = phone.present()
    online = (
        await library.officer.post(
            "/api/v1/passes/verify", json={"text": text}, headers=library.key
        )
    ).json()
    offline = verdict_json(verify_offline(text, bundle=bundle, now=int(time.time())))
    assert offline["valid"] and online["valid"]
    assert offline["tier"] == online["tier"] == "good"
    assert offline["paper_pass_check_id_card"] is online["paper"] is False
