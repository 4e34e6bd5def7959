"""What the partner pages show, in one language: amounts in 元, offer terms, why a pass or
an offer does not apply, and local dates (from `passes.present`). Pure functions; no
Starlette, no database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..core.i18n import translate
from ..credit.handling import CounterKind
from ..passes.present import local as local
from ..passes.present import local_date as local_date
from ..passes.present import local_time as local_time
from ..passes.present import tier_name as tier_name
from ..passes.verify import REASONS
from .eligibility import counter_kind
from .models import Offer, Partner

DEPOSIT_KINDS = ("deposit_waived", "pay_later")
PASS_REASONS = frozenset(REASONS) - {"valid"}


def yuan(cents: int) -> str:
    """10000 → "100"; 12345 → "123.45" (fen to 元, no trailing ".00")."""
    whole, fen = divmod(int(cents), 100)
    return f"{whole:,}" if fen == 0 else f"{whole:,}.{fen:02d}"


def parse_yuan(text: str) -> int | None:
    """Text like 100, 99.5 or 1,000 (元) → fen; None when it is not an amount of money."""
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").replace("¥", "").strip()
    if not cleaned:
        return 0
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > Decimal(1_000_000):
        return None
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def title(offer: Offer, locale: str) -> str:
    return offer.title_en if locale == "en" and offer.title_en else offer.title_zh


def limit_note(offer: Offer, locale: str) -> str:
    return offer.limit_note_en if locale == "en" and offer.limit_note_en else offer.limit_note_zh


def description(offer: Offer, locale: str) -> str:
    return offer.description_en if locale == "en" and offer.description_en else offer.description_zh


def terms(offer: Offer, locale: str) -> str:
    """The benefit in a few words: "押金 100 元免交", "先诊疗后付费，额度 500 元", "9 折"…"""
    return translate(
        locale,
        f"offer.terms.{offer.kind}",
        amount=yuan(offer.amount_cents),
        percent=offer.discount_percent,
    )


def summary(offer: Offer, locale: str) -> str:
    """What the clerk reads on the counter: 免押金借阅 · 押金 100 元免交 · 最多5册."""
    parts = [title(offer, locale), terms(offer, locale), limit_note(offer, locale)]
    return " · ".join(p for p in parts if p)


def done_message(offer: Offer, deposit_waived_cents: int, locale: str) -> str:
    """After the clerk confirms: 已办理 · 押金已免 100 元."""
    key = "counter.done.deposit_waived" if deposit_waived_cents else f"counter.done.{offer.kind}"
    amount = yuan(deposit_waived_cents or offer.amount_cents)
    return translate(locale, key, amount=amount, percent=offer.discount_percent)


def why_not(reason: str, offer: Offer, locale: str) -> str:
    """Why this offer does not apply, in plain words (never a refusal of the service)."""
    key = f"pass.why_not.{reason}"
    if translate(locale, key) == key:  # an unforeseen reason code: say it plainly
        key = "pass.why_not.other"
    return translate(locale, key, tier=tier_name(offer.min_tier, locale))


def reason_message(reason: str, locale: str) -> str:
    key = f"pass.reason.{reason}"
    if translate(locale, key) == key:
        key = "pass.reason.other"
    return translate(locale, key)


def refusal(reason: str, offer: Offer | None, locale: str) -> str:
    """Why a confirm was not recorded: the pass, the offer's terms, or a second use."""
    if reason in PASS_REASONS:
        return reason_message(reason, locale)
    known = f"pass.why_not.{reason}"
    if translate(locale, known) != known:
        return translate(locale, known, tier=tier_name(offer.min_tier if offer else None, locale))
    key = f"counter.refused.{reason}"
    return translate(locale, key if translate(locale, key) != key else "counter.refused.other")


def excluded(offer: Offer) -> list[str]:
    return [x for x in offer.excluded_lists.split(",") if x]


def required(offer: Offer) -> list[str]:
    return [x for x in offer.required_lists.split(",") if x]


def form_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """pydantic / service errors → {field: error type} for the templates."""
    found: dict[str, str] = {}
    for error in errors:
        field = str(error.get("field", "")).split(".")[0]
        if field and field not in found:
            found[field] = str(error.get("type", "value"))
    return found


def normal_procedure(partner: Partner | None) -> str:
    """The catalog key of "use the normal procedure": a government counter takes no deposit,
    so its clerk is not told to ask for one."""
    if partner is not None and counter_kind(partner.domain) is CounterKind.GOVERNMENT:
        return "counter.normal_procedure_government"
    return "counter.normal_procedure"
