"""Turning office results into what a page shows in one language: formatted numbers, chart
geometry, and the message keys of refused forms. Pure functions over the services' results."""

from __future__ import annotations

from typing import Any

from ..core.errors import NotFound, ValidationFailed, XinyiError
from ..core.i18n import translate
from ..credit.catalog import load_model
from . import charts
from .figures import Bar, Dashboard

HALF = 460  # charts that share a row: drawn narrower so their text keeps its size


def number(value: int | float) -> str:
    return f"{value:,}"


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def name(label: dict[str, str], locale: str) -> str:
    return label.get(locale) or label.get("zh-CN") or next(iter(label.values()), "")


def _count_points(bars: list[Bar], locale: str, key: str) -> list[charts.Point]:
    points = []
    for bar in bars:
        label = name(bar.label, locale)
        title = translate(
            locale, key, name=label, count=number(bar.value), share=percent(bar.share)
        )
        points.append(charts.Point(label, bar.value, number(bar.value), title))
    return points


def dashboard_charts(figures: Dashboard, locale: str) -> dict[str, Any]:
    coverage = []
    for bar in figures.districts:
        label = name(bar.label, locale)
        title = translate(
            locale,
            "office.dash.coverage_bar",
            name=label,
            share=percent(bar.share),
            scored=number(bar.value),
            residents=number(bar.total),
        )
        coverage.append(charts.Point(label, bar.share, percent(bar.share), title))
    days = [
        charts.Point(
            name(bar.label, locale),
            bar.value,
            number(bar.value),
            translate(
                locale, "office.dash.day_bar", day=name(bar.label, locale), count=number(bar.value)
            ),
        )
        for bar in figures.days
    ]
    target_text = translate(locale, "office.dash.target_line", target=percent(figures.target))
    return {
        "coverage": charts.horizontal(
            coverage, maximum=1.0, target=figures.target, target_text=target_text
        ),
        "tiers": charts.horizontal(
            _count_points(figures.tiers, locale, "office.dash.share_bar"), width=HALF
        ),
        "departments": charts.horizontal(
            _count_points(figures.departments, locale, "office.dash.share_bar")
        ),
        "days": charts.columns(days),
        "lists": charts.horizontal(
            _count_points(
                [
                    Bar(
                        kind,
                        {locale: load_model().list_name(kind, locale)},
                        sum(by_source.values()),
                    )
                    for kind, by_source in figures.lists.items()
                ],
                locale,
                "office.dash.count_bar",
            ),
            width=HALF,
        ),
    }


# Which message a refused look-up shows, per field: never anything about who is in the register.
LOOKUP_MESSAGES = {
    ("id_number", "missing"): "office.people.id_required",
    ("id_number", "value"): "office.people.id_invalid",
    ("id_number", "not_found"): "office.people.not_found",
    ("purpose", "value"): "office.people.purpose_required",
    ("purpose_detail", "value"): "office.people.purpose_detail_required",
}


def lookup_errors(exc: XinyiError) -> dict[str, str]:
    """The look-up form's problems as field → message key."""
    if isinstance(exc, NotFound):
        return {"id_number": LOOKUP_MESSAGES[("id_number", "not_found")]}
    errors: dict[str, str] = {}
    for e in exc.errors:
        key = LOOKUP_MESSAGES.get((e.get("field", ""), e.get("type", "")), exc.title_key)
        errors.setdefault(str(e.get("field", "id_number")), key)
    return errors or {"id_number": exc.title_key}


def list_error(exc: XinyiError) -> str:
    """The message key for a refused list step: its named reason, else the error's title."""
    reason = str(exc.extra.get("reason", ""))
    return f"office.lists.error.{reason}" if reason else exc.title_key


def field_problems(exc: ValidationFailed) -> dict[str, str]:
    """A refused form's problems as field → kind (`missing`, `date`, …)."""
    return {str(e["field"]): str(e["type"]) for e in exc.errors}
