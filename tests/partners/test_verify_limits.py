"""A verification flood (`partners.verifylimits`): a counter account has an hourly quota, and
one desk checking one resident's pass again and again is refused past a daily cap, with one
flood entry in the resident's access log instead of an endless list of looks."""

from __future__ import annotations

import datetime as dt

from backend.audit.models import AuditEntry
from backend.auth import quota
from backend.auth.quota import Quota
from tests.partners.fixtures import Library
from tests.partners.helpers import resident_phone, token


async def scan(clerk, text: str):
    return await clerk.post("/counter", data={"csrf_token": token(clerk), "text": text})


async def test_checking_one_pass_too_often_is_refused_and_shows_once(
    library: Library, browsers, app, monkeypatch
) -> None:
    monkeypatch.setattr(quota, "SAME_PERSON", Quota("same-person", 3, dt.timedelta(days=1), "x"))
    resident = browsers()
    phone, who = await resident_phone(app, resident, name="刘刷")
    answers = [await scan(library.admin, phone.present()) for _ in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    assert (
        await AuditEntry.filter(action="pass.verified", subject_person_id=who.person.id).count()
        == 3
    )
    flood = await AuditEntry.filter(action="pass.verification_flood")
    assert len(flood) == 1 and flood[0].subject_person_id == who.person.id
    log = (await resident.get("/api/v1/me/access-log")).json()["items"]
    actions = [i["action"] for i in log]
    assert actions.count("pass.verification_flood") == 1
    assert sum(i["count"] for i in log if i["action"] == "pass.verified") == 3
    # Another resident at the same desk is not affected.
    other_phone, _ = await resident_phone(app, browsers(), name="王另")
    assert (await scan(library.admin, other_phone.present())).status_code == 200


async def test_a_counter_account_past_its_hourly_quota_is_refused(
    library: Library, browsers, app, monkeypatch
) -> None:
    monkeypatch.setattr(quota, "VERIFICATIONS", Quota("verify", 4, dt.timedelta(hours=1), "x"))
    answers = [await scan(library.admin, "XY1:garbage") for _ in range(5)]
    assert all(a.status_code != 429 for a in answers[:4]), [a.status_code for a in answers]
    assert answers[4].status_code == 429
    phone, _ = await resident_phone(app, browsers(), name="李晚")
    assert (await scan(library.admin, phone.present())).status_code == 429
    # The partner's API key has its own per-key rate, not this account quota.
    verified = await library.admin.post(
        "/api/v1/passes/verify", json={"text": phone.present()}, headers=library.key
    )
    assert verified.status_code == 200, verified.text
