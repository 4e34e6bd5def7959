"""Who may use an offer: pure rules. A low tier never blocks a basic service — it only
means the normal deposit or procedure applies (DESIGN.md §2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..credit.catalog import load_model
from ..credit.handling import CounterKind
from .states import OfferStatus

DOMAINS = (
    "library",
    "hospital",
    "transit",
    "utilities",
    "culture_tourism",
    "employment",
    "merchant",
    "government",  # 政务服务窗口: a department's service counter (docs/programme.md)
)
KINDS = ("deposit_waived", "pay_later", "priority", "discount")
# Lists an offer may require (a red-list only benefit, 守信激励); requiring a gray or black
# list would make a list a condition of a benefit it restricts.
REQUIRABLE_LISTS = ("red",)


def counter_kind(domain: str) -> CounterKind:
    """Which hints a partner's counter sees (credit.handling): a government service counter,
    a merchant, or a public service (library, hospital, transit, …)."""
    if domain == "government":
        return CounterKind.GOVERNMENT
    if domain == "merchant":
        return CounterKind.MERCHANT
    return CounterKind.PUBLIC_SERVICE


class WhyNot(StrEnum):
    """Why an offer does not apply to a resident (`why_not`, shown translated): never a
    refusal of the service, only that the normal deposit or procedure applies."""

    NOT_LIVE = "not_live"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    QUOTA_EXHAUSTED = "quota_exhausted"
    ON_RED_LIST = "on_red_list"
    ON_GRAY_LIST = "on_gray_list"
    ON_BLACK_LIST = "on_black_list"
    NOT_ON_RED_LIST = "not_on_red_list"  # a red-list only offer (`required_lists`)
    TIER_TOO_LOW = "tier_too_low"
    PER_PERSON_LIMIT = "per_person_limit"  # this person used it as often as its terms allow
    PASS_INVALID = "pass_invalid"  # the pass itself failed a check

    @property
    def is_list_restriction(self) -> bool:
        return self in (WhyNot.ON_RED_LIST, WhyNot.ON_GRAY_LIST, WhyNot.ON_BLACK_LIST)


@dataclass(frozen=True)
class OfferTerms:
    status: str
    valid_from: dt.date
    valid_until: dt.date
    min_tier: str
    excluded_lists: frozenset[str]
    quota: int | None
    used: int
    required_lists: frozenset[str] = frozenset()


def why_not(
    terms: OfferTerms, *, tier: str, lists: frozenset[str], today: dt.date
) -> WhyNot | None:
    """None when eligible, else a machine-readable reason (shown translated to residents)."""
    if terms.status != OfferStatus.LIVE:
        return WhyNot.NOT_LIVE
    if today < terms.valid_from:
        return WhyNot.NOT_STARTED
    if today > terms.valid_until:
        return WhyNot.ENDED
    if terms.quota is not None and terms.used >= terms.quota:
        return WhyNot.QUOTA_EXHAUSTED
    blocked = sorted(lists & terms.excluded_lists)
    if blocked:
        return WhyNot(f"on_{blocked[0]}_list")
    missing = sorted(terms.required_lists - lists)
    if missing:
        return WhyNot(f"not_on_{missing[0]}_list")
    model = load_model()
    if model.tier_rank(tier) < model.tier_rank(terms.min_tier):
        return WhyNot.TIER_TOO_LOW
    return None
