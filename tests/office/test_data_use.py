"""Watching data users (seed 三（一）): per partner and per officer, checks and benefits per day,
look-up spikes, checks never followed by a benefit and after-hours looks raise alerts on the
dashboard, by thresholds from the settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.core import clock
from backend.core.settings import Settings
from backend.office.watch import Actor, PartnerUse, WatchRules, alerts_of
from tests.partners.fixtures import browsers, library
from tests.partners.helpers import resident_phone

__all__ = ["browsers", "library"]
DAYS = [dt.date(2026, 11, 24) + dt.timedelta(days=n) for n in range(7)]
TODAY = DAYS[-1]


def _actor(today: int, usual: int, after_hours: int = 0) -> Actor:
    looks = {d: usual for d in DAYS[:-1]} | {TODAY: today}
    return Actor("account:1", "陈柜员", "黄石市图书馆", looks, after_hours)


@pytest.mark.parametrize(
    ("today", "usual", "after_hours", "expected"),
    [
        (59, 20, 0, []),  # under three times the usual day
        (61, 20, 0, ["spike"]),
        (31, 10, 0, []),  # three times the usual day, but under the minimum of 50
        (49, 0, 0, []),  # a new user's first busy day, under the minimum of 50
        (50, 0, 0, ["spike"]),
        (10, 10, 4, []),
        (10, 10, 5, ["after_hours"]),
    ],
)
def test_the_thresholds(today: int, usual: int, after_hours: int, expected: list[str]) -> None:
    alerts = alerts_of([_actor(today, usual, after_hours)], [], WatchRules(), DAYS)
    assert [a.kind for a in alerts] == expected
    if expected == ["spike"]:
        assert alerts[0].day == TODAY and alerts[0].value == today


@pytest.mark.parametrize(
    ("valid", "redeemed", "expected"),
    [(29, 0, []), (30, 0, ["unredeemed"]), (30, 5, ["unredeemed"]), (30, 6, []), (0, 0, [])],
)
def test_checks_without_benefits(valid: int, redeemed: int, expected: list[str]) -> None:
    use = PartnerUse(
        7, "黄石市图书馆", {TODAY: valid}, valid, {TODAY: redeemed} if redeemed else {}
    )
    assert [a.kind for a in alerts_of([], [use], WatchRules(), DAYS)] == expected


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Low thresholds, and working hours that put this hour after hours."""
    hour = clock.now().astimezone(clock.zone()).hour
    starts, ends = (hour + 1, 24) if hour < 23 else (0, 23)
    return settings.with_overrides(
        watch_spike_min=3, watch_spike_factor=2.0, watch_unredeemed_min=3,
        watch_unredeemed_share=0.5, watch_day_starts=starts, watch_day_ends=ends,
        watch_after_hours_min=3,
    )  # fmt: skip


async def test_the_dashboard_raises_the_alerts(app: Any, library: Any, browsers: Any) -> None:
    phone, _ = await resident_phone(app, browsers(), name="周查")
    for _ in range(4):
        checked = await library.officer.post(
            "/api/v1/passes/verify", json={"text": phone.present()}, headers=library.key
        )
        assert checked.status_code == 200 and checked.json()["valid"], checked.text
    officer = library.officer
    dashboard = await officer.get("/office/dashboard")
    assert dashboard.status_code == 200, dashboard.text
    assert 'id="data-use-alert"' in dashboard.text
    kinds = {
        k for k in ("spike", "unredeemed", "after_hours") if f'data-alert="{k}"' in dashboard.text
    }
    assert kinds == {"spike", "unredeemed", "after_hours"}
    assert "黄石市图书馆" in dashboard.text and "只核验不办理" in dashboard.text
    page = await officer.get("/office/data-use")
    assert page.status_code == 200 and 'href="/office/data-use" aria-current="page"' in page.text
    today = clock.today().isoformat()
    assert f'<td class="num" data-day="{today}">4 / 0</td>' in page.text
    assert 'data-after-hours="4"' in page.text
    english = await officer.get("/office/data-use?lang=en")
    assert "Watching data use" in english.text and "Look-up spike" in english.text
