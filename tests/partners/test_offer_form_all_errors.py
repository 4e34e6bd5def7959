"""The offer form reports every problem at once: a wrong date order together with the other
mistakes, not only after they are fixed."""

from __future__ import annotations

import datetime as dt

from backend.partners.models import Offer
from tests.partners.helpers import token


async def test_the_date_order_is_reported_with_the_other_errors(library) -> None:
    today = dt.date.today()
    form = {
        "csrf_token": token(library.admin), "title_zh": "", "title_en": "Deposit-free",
        "kind": "deposit_waived", "amount_yuan": "", "min_tier": "good",
        "excluded_lists": ["black"], "grace_days": "15",
        "valid_from": today.isoformat(), "valid_until": (today - dt.timedelta(days=1)).isoformat(),
    }  # fmt: skip
    page = await library.admin.post("/partner/offers", data=form)
    assert page.status_code == 422
    for field in ("offer-title-zh", "offer-amount-yuan", "offer-valid-until"):
        assert f'href="#{field}"' in page.text, field
    assert await Offer.filter(status="pending").count() == 0
