"""Published statistics: anyone reads the programme's figures, and no published count is below
the configured minimum (small cells suppressed, one more where the total would give it away)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.core.settings import Settings
from backend.office.published import published_total, suppress
from tests.factories import make_person


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"a": 10, "b": 7, "c": 0}, {"a": 10, "b": 7, "c": 0}),  # zero names nobody
        ({"a": 10, "b": 3, "c": 2}, {"a": 10, "b": None, "c": None}),
        # one small cell alone would be the total minus the others: the next smallest goes too
        ({"a": 10, "b": 7, "c": 2}, {"a": 10, "b": None, "c": None}),
        ({"a": 10, "b": 2, "c": 0}, {"a": None, "b": None, "c": 0}),
        ({"a": 4}, {"a": None}),
        # two hidden cells summing to 2 would be 1 and 1: the smallest shown cell goes too
        ({"a": 35, "b": 1, "c": 1, "d": 9}, {"a": 35, "b": None, "c": None, "d": None}),
        ({"a": 5, "b": 6}, {"a": 5, "b": 6}),
    ],
)
def test_small_cells_are_suppressed(values: dict[str, int], expected: dict[str, Any]) -> None:
    assert suppress(values, 5) == expected


def test_a_small_total_is_suppressed() -> None:
    assert (published_total(0, 5), published_total(4, 5), published_total(5, 5)) == (0, None, 5)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(published_min_cell=3)


async def test_anyone_reads_the_published_statistics(app: Any, client: httpx.AsyncClient) -> None:
    cipher = app.state.ctx.cipher
    # four residents in 黄石港区, three in 下陆区, one in 西塞山区
    for area, count in (("420202", 4), ("420204", 3), ("420203", 1)):
        for n in range(count):
            await make_person(cipher, name=f"居民{n}", area=area)
    answer = await client.get("/api/v1/statistics")  # no sign-in
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["min_cell"] == 3 and data["residents"] == 8
    residents = {c["code"]: c for c in data["residents_by_district"]}
    assert residents["420202"]["value"] == 4 and not residents["420202"]["suppressed"]
    assert residents["420203"]["value"] is None and residents["420203"]["suppressed"]
    # 3 is not small, but with only the 1 hidden it would be 8 − 4 − 3: it is hidden too
    assert residents["420204"]["value"] is None
    shown = [c["value"] for c in data["residents_by_district"] if c["value"] is not None]
    assert all(v == 0 or v >= 3 for v in shown)
    for table in ("scored_by_district", "scores_by_tier", "lists_in_force", "key_groups"):
        assert all(c["value"] is None or c["value"] == 0 or c["value"] >= 3 for c in data[table])

    page = await client.get("/statistics")
    assert page.status_code == 200 and "信用统计公开" in page.text
    assert "&lt; 3" in page.text and 'id="pub-residents">8<' in page.text
    english = await client.get("/statistics?lang=en")
    assert "Published credit statistics" in english.text
    portal = await client.get("/credit")
    assert 'href="/statistics"' in portal.text
