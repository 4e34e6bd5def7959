"""Who may use an offer: pure rules. A low tier never blocks a basic service — it only
means the normal deposit or procedure applies (DESIGN.md §2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TIER_RANK = {"excellent": 5, "very_good": 4, "good": 3, "fair": 2, "improve": 1, "none": 0}
DOMAINS = (
    "library",
    "hospital",
    "transit",
    "utilities",
    "culture_tourism",
    "employment",
    "merchant",
)
KINDS = ("deposit_waived", "pay_later", "priority", "discount")


@dataclass(frozen=True)
class OfferTerms:
    status: str
    valid_from: dt.date
    valid_until: dt.date
    min_tier: str
    excluded_lists: frozenset[str]
    quota: int | None
    used: int


def why_not(terms: OfferTerms, *, tier: str, lists: frozenset[str], today: dt.date) -> str | None:
    """None when eligible, else a machine-readable reason (shown translated to residents)."""
    if terms.status != "live":
        return "not_live"
    if today < terms.valid_from:
        return "not_started"
    if today > terms.valid_until:
        return "ended"
    if terms.quota is not None and terms.used >= terms.quota:
        return "quota_exhausted"
    blocked = sorted(lists & terms.excluded_lists)
    if blocked:
        return f"on_{blocked[0]}_list"
    if TIER_RANK.get(tier, 0) < TIER_RANK.get(terms.min_tier, 0):
        return "tier_too_low"
    return None
