"""No green for a used pass (issue 11): once a presentation is redeemed, verifyPass and the
counter page say it was used — for that offer, and without an offer for any — and a fresh
presentation of the same phone is green again for the next benefit."""

from __future__ import annotations

import time

from backend.audit.models import AuditEntry
from backend.partners.models import Redemption
from tests.factories import csrf
from tests.partners.helpers import forms, resident_phone, token


async def verify(library, text: str, **extra) -> dict:
    response = await library.officer.post(
        "/api/v1/passes/verify", json={"text": text, **extra}, headers=library.key
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_redeemed_presentation_verifies_as_used_not_green(app, library, browsers) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    text = phone.present()
    before = await verify(library, text)
    assert before["valid"] and before["reason"] == "valid" and before["eligible_offers"]
    made = await library.officer.post(
        "/api/v1/redemptions",
        json={"text": text, "offer_id": library.offer_id},
        headers=library.key,
    )
    assert made.status_code == 201, made.text
    for extra in ({}, {"offer_id": library.offer_id}):
        after = await verify(library, text, **extra)
        assert after["valid"] is False and after["reason"] == "used", extra
        assert after["eligible_offers"] == [] and after["masked_name"] is None
    looks = await AuditEntry.filter(action="pass.verified").values_list("details", flat=True)
    assert [d["reason"] for d in looks][-2:] == ["used", "used"]  # type: ignore[index]
    # The same phone's next presentation (another 30-s step) is a new presentation.
    fresh = await verify(library, phone.present(at=time.time() + 30))
    assert fresh["valid"] and fresh["reason"] == "valid"
    assert await Redemption.all().count() == 1


async def test_the_counter_page_shows_a_used_pass_as_used(app, library, browsers) -> None:
    phone, _ = await resident_phone(app, browsers(), name="王芳")
    text = phone.present()
    clerk = library.admin
    page = await clerk.post("/counter", data={"csrf_token": token(clerk), "text": text})
    [confirm] = forms(page.text, "/counter/redeem")
    assert (await clerk.post("/counter/redeem", data=confirm)).status_code == 200
    again = await clerk.post("/counter", data={"csrf_token": token(clerk), "text": text})
    assert 'class="verdict verdict-refused"' in again.text
    assert 'data-reason="used"' in again.text and "已经办理过" in again.text
    assert forms(again.text, "/counter/redeem") == []
    english = await clerk.post("/counter?lang=en", data={"csrf_token": token(clerk), "text": text})
    assert "was already used here" in english.text


async def test_a_used_paper_pass_is_used_for_the_rest_of_the_day(app, library, browsers) -> None:
    resident = browsers()
    await resident_phone(app, resident, name="张伟明")
    page = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    text = page.text.split('id="pass-text">', 1)[1].split("</code>", 1)[0]
    text = text.replace("&#34;", '"').replace("&amp;", "&")
    made = await library.admin.post(
        "/api/v1/redemptions",
        json={"text": text, "offer_id": library.offer_id},
        headers=csrf(library.admin),
    )
    assert made.status_code == 201, made.text
    assert (await verify(library, text))["reason"] == "used"
