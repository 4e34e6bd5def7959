"""What the partner pages show, in one language: amounts in 元, offer terms, why a pass or
an offer does not apply, local dates, and the paper pass's QR as inline SVG. Pure
functions; no Starlette, no database."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import qrcode
import qrcode.image.svg
from markupsafe import Markup

from ..core.i18n import translate
from ..passes.verify import REASONS
from .models import Offer

# China Standard Time (no daylight saving). Residents and clerks read dates in local time;
# the database keeps UTC.
LOCAL_TZ = dt.timezone(dt.timedelta(hours=8), "UTC+8")
DEPOSIT_KINDS = ("deposit_waived", "pay_later")
PASS_REASONS = frozenset(REASONS) - {"valid"}
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


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


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: dt.datetime) -> str:
    return local(moment).strftime("%Y-%m-%d")


def local_time(moment: dt.datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


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


def tier_name(tier: str | None, locale: str) -> str:
    return translate(locale, f"pass.tier.{tier or 'none'}")


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


def qr_svg(text: str, *, label: str) -> Markup:
    """The pass text as an inline SVG QR code (error correction M, alphanumeric mode).
    CSP forbids inline style attributes, so any the library adds are removed."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=4,
    )
    code.add_data(text)
    code.make(fit=True)
    markup = code.make_image().to_string(encoding="unicode")
    markup = re.sub(r"<\?xml[^>]*\?>\s*", "", markup)
    markup = _STYLE_ATTR.sub("", markup)
    escaped = str(Markup.escape(label))
    markup = markup.replace(
        "<svg ", f'<svg class="qr" role="img" aria-label="{escaped}" focusable="false" ', 1
    )
    # Generated by qrcode from the Base45 pass text (QR alphanumeric set); the label is escaped.
    return Markup(markup)


def form_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """pydantic / service errors → {field: error type} for the templates."""
    found: dict[str, str] = {}
    for error in errors:
        field = str(error.get("field", "")).split(".")[0]
        if field and field not in found:
            found[field] = str(error.get("type", "value"))
    return found
