"""A redemption's quota under concurrent counters: a place taken meanwhile at another counter
is no reason to refuse, and the quota still holds (the quota is claimed by one atomic update,
not by the count the pass check saw)."""

from __future__ import annotations

from backend.partners import redemptions
from backend.partners.models import Offer, Redemption
from tests.factories import csrf
from tests.partners.helpers import resident_phone


async def test_a_redemption_at_another_counter_meanwhile_does_not_use_up_the_quota(
    app, library, browsers, monkeypatch
) -> None:
    """Two counters redeeming the same offer at the same moment: the second one's view of
    `used` is stale. It must still be recorded (the quota is unlimited), not refused as
    "quota used up" — a refusal would make the resident pay the deposit for nothing."""
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    checked_pass = redemptions.check_pass

    async def another_counter_redeems_meanwhile(**kwargs):
        checked = await checked_pass(**kwargs)
        await Offer.filter(id=library.offer_id).update(used=5)  # the other counter's redemptions
        return checked

    monkeypatch.setattr(redemptions, "check_pass", another_counter_redeems_meanwhile)
    response = await library.admin.post(
        "/api/v1/redemptions",
        json={"text": phone.present(), "offer_id": library.offer_id},
        headers=csrf(library.admin),
    )
    assert response.status_code == 201, response.text
    assert (await Offer.get(id=library.offer_id)).used == 6
    assert await Redemption.all().count() == 1


async def test_the_quota_still_holds_under_the_same_race(
    app, library, browsers, monkeypatch
) -> None:
    await Offer.filter(id=library.offer_id).update(quota=3)
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    checked_pass = redemptions.check_pass

    async def others_take_the_last_places(**kwargs):
        checked = await checked_pass(**kwargs)
        await Offer.filter(id=library.offer_id).update(used=3)
        return checked

    monkeypatch.setattr(redemptions, "check_pass", others_take_the_last_places)
    response = await library.admin.post(
        "/api/v1/redemptions",
        json={"text": phone.present(), "offer_id": library.offer_id},
        headers=csrf(library.admin),
    )
    assert response.status_code == 409 and response.json()["reason"] == "quota_exhausted"
    assert (await Offer.get(id=library.offer_id)).used == 3
    assert await Redemption.all().count() == 0
