"""Who may use an offer: the pure rules, one row per reason (a low tier or a list never
refuses the service, it only means the normal procedure applies)."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.partners.eligibility import OfferTerms, WhyNot, why_not

TODAY = dt.date(2026, 6, 1)
LIVE = OfferTerms(
    status="live",
    valid_from=dt.date(2026, 1, 1),
    valid_until=dt.date(2026, 12, 31),
    min_tier="good",
    excluded_lists=frozenset({"black", "gray"}),
    quota=10,
    used=3,
)


@pytest.mark.parametrize(
    ("changes", "tier", "lists", "expected"),
    [
        ({}, "good", frozenset(), None),
        ({}, "excellent", frozenset({"red"}), None),  # red is not excluded here
        ({"status": "pending"}, "good", frozenset(), WhyNot.NOT_LIVE),
        ({"valid_from": dt.date(2026, 6, 2)}, "good", frozenset(), WhyNot.NOT_STARTED),
        ({"valid_until": dt.date(2026, 5, 31)}, "good", frozenset(), WhyNot.ENDED),
        ({"used": 10}, "good", frozenset(), WhyNot.QUOTA_EXHAUSTED),
        ({}, "excellent", frozenset({"gray", "black"}), WhyNot.ON_BLACK_LIST),
        ({}, "excellent", frozenset({"gray"}), WhyNot.ON_GRAY_LIST),
        ({}, "fair", frozenset(), WhyNot.TIER_TOO_LOW),
        ({}, "none", frozenset(), WhyNot.TIER_TOO_LOW),
    ],
)
def test_why_an_offer_does_not_apply(
    changes: dict[str, object], tier: str, lists: frozenset[str], expected: WhyNot | None
) -> None:
    terms = OfferTerms(**{**LIVE.__dict__, **changes})  # type: ignore[arg-type]
    assert why_not(terms, tier=tier, lists=lists, today=TODAY) == expected


def test_only_list_reasons_count_as_a_list_restriction() -> None:
    restricted = {r for r in WhyNot if r.is_list_restriction}
    assert restricted == {WhyNot.ON_RED_LIST, WhyNot.ON_GRAY_LIST, WhyNot.ON_BLACK_LIST}
