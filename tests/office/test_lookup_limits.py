"""Per-account limits on looking people up (`auth.quota.LOOKUPS`): shared by every app process
(the counters are in the database), per officer, and failed look-ups count too."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.audit.models import AuditEntry
from backend.auth import quota
from backend.auth.quota import Quota
from backend.core.errors import TooManyRequests
from backend.residents import idnumber
from tests.factories import make_person
from tests.office.helpers import token

SMALL = Quota("lookup", 3, dt.timedelta(hours=1), "too many look-ups from this account")


def look_up(officer, number: str):
    return officer.post(
        "/office/people",
        data={"csrf_token": token(officer), "id_number": number, "purpose": "objection",
              "purpose_detail": ""},
    )  # fmt: skip


async def test_an_officer_past_the_hourly_quota_is_refused_and_others_are_not(
    officer, second_officer, app, monkeypatch
) -> None:
    monkeypatch.setattr(quota, "LOOKUPS", SMALL)
    who = await make_person(app.state.ctx.cipher, name="高查询")
    nobody = idnumber.make("420202", dt.date(1990, 1, 1), 777)
    answers = [await look_up(officer, n) for n in (who.id_number, nobody, who.id_number)]
    assert [a.status_code for a in answers] == [200, 404, 200]
    refused = await look_up(officer, who.id_number)
    assert refused.status_code == 429
    assert await AuditEntry.filter(action="person.viewed").count() == 2  # nothing more
    assert (await look_up(second_officer, who.id_number)).status_code == 200


async def test_the_quota_window_passes(app, monkeypatch) -> None:
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    for n in range(3):
        assert await quota.take(SMALL, "account:7", start + dt.timedelta(minutes=n)) == n + 1
    with pytest.raises(TooManyRequests) as caught:
        await quota.take(SMALL, "account:7", start + dt.timedelta(minutes=59))
    assert caught.value.status == 429
    assert await quota.take(SMALL, "account:7", start + dt.timedelta(minutes=61)) == 1


def test_the_limits_are_the_documented_ones() -> None:
    assert (quota.LOOKUPS.limit, quota.LOOKUPS.window) == (120, dt.timedelta(hours=1))
    assert (quota.VERIFICATIONS.limit, quota.VERIFICATIONS.window) == (1200, dt.timedelta(hours=1))
    assert (quota.SAME_PERSON.limit, quota.SAME_PERSON.window) == (20, dt.timedelta(days=1))
