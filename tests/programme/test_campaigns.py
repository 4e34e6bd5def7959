"""The campaigns calendar: officers create, edit and cancel campaigns (API and console
form); anyone reads the calendar and the measures in force without signing in."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.programme.models import Campaign
from tests.factories import csrf
from tests.office.helpers import token

WEEK = {
    "title_zh": "食品安全宣传周",
    "title_en": "Food Safety Week",
    "description_zh": "走进社区宣传食品安全知识",
    "starts_on": "2026-06-08",
    "ends_on": "2026-06-14",
    "departments": ["market_regulation", "health"],
}


async def create(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await http.post("/api/v1/campaigns", json=body, headers=csrf(http))


async def calendar(http: httpx.AsyncClient, query: str = "") -> dict[str, Any]:
    response = await http.get(f"/api/v1/campaigns{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_edit_cancel_shown_to_anyone(officer, anonymous) -> None:
    made = await create(officer, WEEK)
    assert made.status_code == 201, made.text
    campaign_id = made.json()["id"]
    shown = (await calendar(anonymous))["items"]
    assert [(c["title"]["zh-CN"], c["starts_on"], c["status"]) for c in shown] == [
        ("食品安全宣传周", "2026-06-08", "scheduled")
    ]
    assert [d["code"] for d in shown[0]["departments"]] == ["market_regulation", "health"]
    assert shown[0]["departments"][0]["name"]["zh-CN"]
    assert (await calendar(anonymous, "?year=2026"))["items"]
    assert (await calendar(anonymous, "?year=2025"))["items"] == []

    moved = {**WEEK, "starts_on": "2026-06-15", "ends_on": "2026-06-21"}
    updated = await officer.put(
        f"/api/v1/campaigns/{campaign_id}", json=moved, headers=csrf(officer)
    )
    assert updated.status_code == 200 and updated.json()["starts_on"] == "2026-06-15"
    cancelled = await officer.put(
        f"/api/v1/campaigns/{campaign_id}", json={**moved, "cancelled": True}, headers=csrf(officer)
    )
    assert cancelled.json()["status"] == "cancelled"
    assert (await calendar(anonymous))["items"][0]["status"] == "cancelled"
    page = await anonymous.get("/campaigns")
    assert page.status_code == 200 and "食品安全宣传周" in page.text and "已取消" in page.text


async def test_measures_in_force_are_listed(anonymous) -> None:
    measures = (await calendar(anonymous))["measures"]
    assert [m["code"] for m in measures["lists"]] == ["red", "gray", "black"]
    assert all(m["meaning"]["zh-CN"] and m["meaning"]["en"] for m in measures["lists"])
    assert isinstance(measures["offers"], list)
    portal = await anonymous.get("/credit")
    assert portal.status_code == 200
    for href in ('href="/scoring"', 'href="/honours"', 'href="/campaigns"', 'id="repair"'):
        assert href in portal.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2026-06-01"}, "ends_on"),
        ({"ends_on": "2027-06-09"}, "ends_on"),
        ({"title_zh": ""}, "title_zh"),
        ({"title_zh": "周" * 61}, "title_zh"),
        ({"title_en": "x" * 121}, "title_en"),
        ({"description_zh": "说" * 501}, "description_zh"),
        ({"departments": ["nobody"]}, "departments"),
        ({"departments": ["health", "health"]}, "departments"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_campaigns_are_refused_and_store_nothing(
    officer, change: dict[str, Any], field: str
) -> None:
    response = await create(officer, {**WEEK, **change})
    assert response.status_code == 422, response.text
    assert field in {str(e["field"]).split(".")[0] for e in response.json()["errors"]}
    assert await Campaign.all().count() == 0


async def test_who_may_edit(officer, resident, anonymous) -> None:
    assert (await create(anonymous, WEEK)).status_code == 401
    assert (await create(resident, WEEK)).status_code == 403
    missing = await officer.put("/api/v1/campaigns/999", json=WEEK, headers=csrf(officer))
    assert missing.status_code == 404
    assert await Campaign.all().count() == 0


async def test_console_form_creates_and_cancels(officer, anonymous) -> None:
    form = {"csrf_token": token(officer), **{k: v for k, v in WEEK.items() if k != "departments"}}
    done = await officer.post(
        "/office/campaigns", data={**form, "departments": ["market_regulation"]}
    )
    assert done.status_code == 303 and done.headers["location"] == "/office/campaigns?done=created"
    campaign = await Campaign.get()
    assert campaign.departments == "market_regulation"
    bad = await officer.post("/office/campaigns", data={**form, "ends_on": "2026-01-01"})
    assert bad.status_code == 422 and 'id="campaigns-error"' in bad.text
    assert await Campaign.all().count() == 1
    cancel = await officer.post(
        f"/office/campaigns/{campaign.id}", data={**form, "cancelled": "yes"}
    )
    assert cancel.status_code == 303
    assert (await Campaign.get(id=campaign.id)).status == "cancelled"
    page = await officer.get("/office/campaigns")
    assert page.status_code == 200 and f'id="campaign-{campaign.id}"' in page.text
