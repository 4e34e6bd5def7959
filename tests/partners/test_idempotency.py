"""createRedemption's Idempotency-Key as docs/partner-api.md promises: a retry returns the
first redemption; the same key with a different offer or pass is refused (422
`idempotency_key_reused`, IETF Idempotency-Key draft); parallel retries that race the first
request all get the first redemption, never `already_used`."""

from __future__ import annotations

import asyncio
import datetime as dt

from backend.core import clock
from backend.partners.models import Offer, Redemption
from tests.factories import csrf
from tests.partners.helpers import resident_phone

REDEEM = "/api/v1/redemptions"


async def _second_offer(library) -> int:
    today = clock.today()
    made = await library.admin.post(
        "/api/v1/partner/offers",
        headers=csrf(library.admin),
        json={
            "title_zh": "优先借阅",
            "title_en": "Priority borrowing",
            "kind": "priority",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    offer_id = made.json()["id"]
    approved = await library.officer.post(
        f"/api/v1/offers/{offer_id}/decision", json={"approve": True}, headers=csrf(library.officer)
    )
    assert approved.status_code == 200, approved.text
    return int(offer_id)


async def test_a_retry_returns_the_first_redemption(app, library, browsers) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    body = {"text": phone.present(), "offer_id": library.offer_id}
    key = library.key | {"Idempotency-Key": "retry-0001"}
    first = await library.admin.post(REDEEM, json=body, headers=key)
    again = await library.admin.post(REDEEM, json=body, headers=key)
    assert first.status_code == 201, first.text
    assert again.status_code == 200 and again.json() == first.json()
    assert await Redemption.all().count() == 1


async def test_the_same_key_with_another_residents_pass_is_refused(app, library, browsers) -> None:
    first_phone, _ = await resident_phone(app, browsers(), name="刘欢")
    other_phone, _ = await resident_phone(app, browsers(), name="王芳")
    key = library.key | {"Idempotency-Key": "retry-0002"}
    first = await library.admin.post(
        REDEEM, json={"text": first_phone.present(), "offer_id": library.offer_id}, headers=key
    )
    assert first.status_code == 201, first.text
    reused = await library.admin.post(
        REDEEM, json={"text": other_phone.present(), "offer_id": library.offer_id}, headers=key
    )
    assert reused.status_code == 422, reused.text
    assert reused.json()["code"] == "idempotency_key_reused"
    assert "id" not in reused.json() and "outcome" not in reused.json()  # not the first one
    assert await Redemption.all().count() == 1


async def test_the_same_key_with_another_offer_is_refused(app, library, browsers) -> None:
    other_offer = await _second_offer(library)
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    text = phone.present()
    key = library.key | {"Idempotency-Key": "retry-0003"}
    first = await library.admin.post(
        REDEEM, json={"text": text, "offer_id": library.offer_id}, headers=key
    )
    assert first.status_code == 201, first.text
    reused = await library.admin.post(
        REDEEM, json={"text": text, "offer_id": other_offer}, headers=key
    )
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert await Redemption.filter(offer_id=other_offer).count() == 0


async def test_parallel_retries_all_get_the_first_redemption(app, library, browsers) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    body = {"text": phone.present(), "offer_id": library.offer_id}
    key = library.key | {"Idempotency-Key": "retry-0004"}
    answers = await asyncio.gather(
        *(library.admin.post(REDEEM, json=body, headers=key) for _ in range(8))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 7 + [201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await Redemption.all().count() == 1
    assert (await Offer.get(id=library.offer_id)).used == 1


async def test_without_a_key_a_second_use_of_the_presentation_is_already_used(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    body = {"text": phone.present(), "offer_id": library.offer_id}
    first = await library.admin.post(REDEEM, json=body, headers=library.key)
    second = await library.admin.post(REDEEM, json=body, headers=library.key)
    assert first.status_code == 201
    assert second.status_code == 409, second.text
