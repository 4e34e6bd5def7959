"""An offer's per-person limit, set by the partner: once in all, N a day or a month, or N at a
time until the outcome is reported (a loan until returned). Checked at redemption, shown by
verifyPass as `per_person_limit`, refused with the same reason by createRedemption."""

from __future__ import annotations

import datetime as dt
import time

from backend.partners.models import Offer, Redemption
from tests.factories import csrf
from tests.partners.helpers import resident_phone, token

REDEEM = "/api/v1/redemptions"
VERIFY = "/api/v1/passes/verify"


async def _limit(library, limit: int, period: str) -> None:
    await Offer.filter(id=library.offer_id).update(per_person_limit=limit, per_person_period=period)


async def _redeem(library, text: str):
    return await library.admin.post(
        REDEEM, json={"text": text, "offer_id": library.offer_id}, headers=library.key
    )


async def test_once_in_all_refuses_the_next_presentation_and_verify_pass_says_why(
    app, library, browsers
) -> None:
    await _limit(library, 1, "ever")
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    assert (await _redeem(library, phone.present(at=time.time() - 30))).status_code == 201
    text = phone.present()
    checked = await library.admin.post(VERIFY, json={"text": text}, headers=library.key)
    assert checked.status_code == 200, checked.text
    assert checked.json()["eligible_offers"] == []
    [offer] = checked.json()["ineligible_offers"]
    assert offer["why_not"] == "per_person_limit"
    assert (offer["per_person_limit"], offer["per_person_period"]) == (1, "ever")
    refused = await _redeem(library, text)
    assert refused.status_code == 409, refused.text
    assert refused.json()["reason"] == "per_person_limit"
    assert await Redemption.all().count() == 1
    assert (await Offer.get(id=library.offer_id)).used == 1  # the refused one took no place
    other, _ = await resident_phone(app, browsers(), name="王芳")  # another person may
    assert (await _redeem(library, other.present())).status_code == 201


async def test_one_at_a_time_until_the_loan_is_returned(app, library, browsers) -> None:
    await _limit(library, 1, "open")
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    first = await _redeem(library, phone.present(at=time.time() - 60))
    assert first.status_code == 201
    assert (await _redeem(library, phone.present(at=time.time() - 30))).json()["reason"] == (
        "per_person_limit"
    )
    returned = await library.admin.post(
        f"{REDEEM}/{first.json()['id']}/outcome", json={"outcome": "fulfilled"}, headers=library.key
    )
    assert returned.status_code == 200, returned.text
    assert (await _redeem(library, phone.present())).status_code == 201


async def test_once_a_day_counts_the_city_day(app, library, browsers) -> None:
    await _limit(library, 1, "day")
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    first = await _redeem(library, phone.present(at=time.time() - 60))
    assert first.status_code == 201
    assert (await _redeem(library, phone.present(at=time.time() - 30))).status_code == 409
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1, hours=1)
    await Redemption.filter(id=first.json()["id"]).update(created_at=yesterday)
    assert (await _redeem(library, phone.present())).status_code == 201


async def _why_not(library, text: str) -> str | None:
    checked = await library.admin.post(VERIFY, json={"text": text}, headers=library.key)
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["valid"], body
    if [o["id"] for o in body["eligible_offers"]] == [library.offer_id]:
        return None
    [offer] = body["ineligible_offers"]
    return str(offer["why_not"])


async def test_verify_pass_counts_each_period_as_redeeming_does(app, library, browsers) -> None:
    """verifyPass reads the person's redemptions once and counts them by the offer's period:
    today's use counts a day and a month, yesterday's not the day, 40 days ago not the month;
    a loan until it is returned; a use in all for ever."""
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1, hours=1)
    moves: tuple[tuple[str, str, dt.datetime | None, str | None], ...] = (
        ("刘欢", "day", yesterday, None),
        ("王芳", "month", None, "per_person_limit"),
        ("李强", "month", long_ago, None),
        ("赵敏", "ever", long_ago, "per_person_limit"),
    )
    for name, period, moved, after in moves:
        await _limit(library, 1, period)
        phone, _ = await resident_phone(app, browsers(), name=name)
        assert await _why_not(library, phone.present(at=time.time() - 60)) is None, period
        used = await _redeem(library, phone.present(at=time.time() - 60))
        assert used.status_code == 201, used.text
        assert await _why_not(library, phone.present(at=time.time() - 30)) == "per_person_limit"
        if moved is not None:
            await Redemption.filter(id=used.json()["id"]).update(created_at=moved)
        assert await _why_not(library, phone.present()) == after, (period, moved)

    await _limit(library, 1, "open")
    phone, _ = await resident_phone(app, browsers(), name="孙丽")
    loan = await _redeem(library, phone.present(at=time.time() - 60))
    assert await _why_not(library, phone.present(at=time.time() - 30)) == "per_person_limit"
    returned = await library.admin.post(
        f"{REDEEM}/{loan.json()['id']}/outcome", json={"outcome": "fulfilled"}, headers=library.key
    )
    assert returned.status_code == 200, returned.text
    assert await _why_not(library, phone.present()) is None


async def test_the_limit_is_set_by_the_partner_with_bounds(library) -> None:
    base = {
        "title_zh": "免押金借阅", "title_en": "Deposit-free", "kind": "deposit_waived",
        "amount_cents": 10000, "valid_from": "2026-01-01", "valid_until": "2026-12-31",
    }  # fmt: skip
    for bad in ({"per_person_limit": 0}, {"per_person_limit": 1001},
                {"per_person_limit": 1, "per_person_period": "week"}):  # fmt: skip
        response = await library.admin.post(
            "/api/v1/partner/offers", json=base | bad, headers=csrf(library.admin)
        )
        assert response.status_code == 422, (bad, response.text)
    made = await library.admin.post(
        "/api/v1/partner/offers",
        json=base | {"per_person_limit": 2, "per_person_period": "month"},
        headers=csrf(library.admin),
    )
    assert made.status_code == 201, made.text
    assert (made.json()["per_person_limit"], made.json()["per_person_period"]) == (2, "month")


async def test_the_portal_offer_form_sets_the_limit(library) -> None:
    page = (await library.admin.get("/partner")).text
    assert 'name="per_person_limit"' in page and 'name="per_person_period"' in page
    today = dt.date.today()
    form = {
        "csrf_token": token(library.admin),
        "title_zh": "免押金借阅（每月）", "title_en": "Deposit-free, monthly",
        "kind": "deposit_waived", "amount_yuan": "100", "min_tier": "good",
        "excluded_lists": ["black"], "grace_days": "30",
        "per_person_limit": "2", "per_person_period": "month",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=30)).isoformat(),
    }  # fmt: skip
    created = await library.admin.post("/partner/offers", data=form)
    assert created.status_code == 303, created.text
    offer = await Offer.get(title_zh="免押金借阅（每月）")
    assert (offer.per_person_limit, offer.per_person_period) == (2, "month")
    bad = await library.admin.post(
        "/partner/offers", data=form | {"title_zh": "坏的", "per_person_period": "week"}
    )
    assert bad.status_code == 422
    assert await Offer.filter(title_zh="坏的").count() == 0
