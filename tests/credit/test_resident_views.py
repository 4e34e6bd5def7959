"""What a resident sees: their score, records, one record, history; and the public scoring
rules (API and page) that explain every record type."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from backend.core.clock import today
from backend.credit.catalog import add_months, load_catalog, load_model
from backend.credit.models import Score, ScoreHistory
from backend.credit.service import rescore_person
from tests.credit.helpers import add_record, ago, department, problem
from tests.factories import enrol, make_person

CATALOG = load_catalog()


@pytest.fixture
async def who(app):
    return await make_person(
        app.state.ctx.cipher, name="郑晓燕", birth=dt.date(1988, 8, 8), male=False
    )


@pytest.fixture
async def signed_in(client, authenticator, who):
    await enrol(client, authenticator, who)
    return client


async def test_no_records_means_no_score(signed_in) -> None:
    response = await signed_in.get("/api/v1/me/score")
    assert response.status_code == 200
    assert response.json() == {
        "has_score": False,
        "model_version": "v1",
        "range": {"min": 350, "max": 950, "base": 600},
    }
    assert (await signed_in.get("/api/v1/me/records")).json() == {"items": []}
    assert (await signed_in.get("/api/v1/me/score/history")).json() == {"items": []}
    assert (await signed_in.get("/api/v1/me/lists")).json() == {"items": []}
    assert await Score.all().count() == 0


async def test_the_score_explains_itself(client, signed_in, who) -> None:
    court, health = await department("court"), await department("health")
    await client.post(
        "/api/v1/records",
        headers=court,
        json=[
            {
                "external_id": "C-1",
                "id_number": who.id_number,
                "type": "LAW_COURT_DEFAULTER",
                "decision_date": ago(30),
            },
        ],
    )
    await client.post(
        "/api/v1/records",
        headers=health,
        json=[
            {
                "external_id": "H-1",
                "id_number": who.id_number,
                "type": "PRO_BLOOD_DONATION",
                "decision_date": ago(3),
            },
        ],
    )
    body = (await signed_in.get("/api/v1/me/score")).json()
    assert (body["has_score"], body["score"], body["tier"]["code"], body["model_version"]) == (
        True,
        410,
        "improve",
        "v1",
    )
    assert body["tier"]["name"] == {"zh-CN": "待提高", "en": "Needs improvement"}
    assert {d["code"]: (d["points"], d["min"], d["max"]) for d in body["dimensions"]} == {
        "identity": (0, 0, 50),
        "law": (-200, -250, 0),
        "public_service": (0, -100, 100),
        "pro_social": (10, 0, 150),
        "occupational": (0, -150, 50),
    }
    assert [r["type"] for r in body["lowering"]] == ["LAW_COURT_DEFAULTER"]
    assert [r["type"] for r in body["raising"]] == ["PRO_BLOOD_DONATION"]
    assert body["lowering"][0]["name"]["en"].startswith("Judgement defaulter")
    repair = body["suggestions"][0]
    assert (repair["kind"], repair["type"], repair["points"]) == (
        "repair_later",
        "LAW_COURT_DEFAULTER",
        200,
    )
    assert repair["available_from"] == add_months(today() - dt.timedelta(days=30), 12).isoformat()
    assert body["records_counted"] == 2
    history = (await signed_in.get("/api/v1/me/score/history")).json()["items"]
    assert [(h["score"], h["tier"], h["cause"]) for h in history] == [
        (400, "improve", "record"),
        (410, "improve", "record"),
    ]


async def test_another_persons_record_is_not_found(client, app, signed_in, who) -> None:
    other = await make_person(app.state.ctx.cipher, name="冯军")
    mine = await add_record(who.person.id, "PRO_BLOOD_DONATION", today() - dt.timedelta(days=3))
    theirs = await add_record(
        other.person.id, "LAW_COURT_DEFAULTER", today() - dt.timedelta(days=3)
    )
    withdrawn = await add_record(
        who.person.id, "PRO_BLOOD_DONATION", today() - dt.timedelta(days=4), status="withdrawn"
    )
    ok = await signed_in.get(f"/api/v1/me/records/{mine.id}")
    assert ok.status_code == 200 and ok.json()["id"] == mine.id
    missing = await signed_in.get("/api/v1/me/records/987654321")
    for record_id in (theirs.id, withdrawn.id):
        response = await signed_in.get(f"/api/v1/me/records/{record_id}")
        body = problem(response, 404, "not_found")
        # Exactly what a record that does not exist looks like: nothing leaks.
        assert {k: v for k, v in body.items() if k != "instance"} == {
            k: v for k, v in missing.json().items() if k != "instance"
        }
        assert "LAW_COURT_DEFAULTER" not in response.text
    for bad in ("abc", "-1", "1.5", "9" * 19):
        problem(await signed_in.get(f"/api/v1/me/records/{bad}"), 422, "validation_failed")


async def test_my_records_hide_withdrawn_and_show_expired(signed_in, who) -> None:
    day = today()
    active = await add_record(who.person.id, "PRO_BLOOD_DONATION", day - dt.timedelta(days=10))
    expired = await add_record(
        who.person.id, "LAW_PENALTY_MINOR", day - dt.timedelta(days=200), department="transport"
    )
    await add_record(
        who.person.id, "PUB_RENT_ARREARS", day - dt.timedelta(days=20), status="withdrawn"
    )
    repaired = await add_record(
        who.person.id, "PUB_UTILITY_ARREARS", day - dt.timedelta(days=150), status="repaired"
    )
    suspended = await add_record(
        who.person.id, "PUB_LIBRARY_OVERDUE", day - dt.timedelta(days=5), suspended=True
    )
    items = (await signed_in.get("/api/v1/me/records")).json()["items"]
    assert [(i["id"], i["status"], i["counts"]) for i in items] == [
        (suspended.id, "under_objection", False),
        (active.id, "active", True),
        (repaired.id, "repaired", False),
        (expired.id, "expired", False),
    ]  # newest decision first
    shown = next(i for i in items if i["id"] == expired.id)
    assert shown["department"] == "transport"
    assert shown["department_name"] == CATALOG.departments["transport"]
    assert shown["name"] == CATALOG.types["LAW_PENALTY_MINOR"].name
    assert shown["legal_basis"] == CATALOG.types["LAW_PENALTY_MINOR"].legal_basis
    assert shown["expires_on"] == expired.expires_on.isoformat() and expired.expires_on <= day
    assert (shown["repairable"], shown["severity"], shown["points"]) == (True, "minor", -10)
    assert (
        next(i for i in items if i["id"] == active.id)["repairable"] is False
    )  # positive records: nothing to repair
    # Filter by status.
    only = (await signed_in.get("/api/v1/me/records?status=expired")).json()["items"]
    assert [i["id"] for i in only] == [expired.id]
    assert (await signed_in.get("/api/v1/me/records?status=withdrawn")).json()["items"] == []
    # The expired one is still readable on its own.
    assert (await signed_in.get(f"/api/v1/me/records/{expired.id}")).json()["status"] == "expired"


async def test_reading_the_score_catches_up_with_expiries(signed_in, who) -> None:
    """A record that expired since the last rescoring: the score read now is already right,
    and the stored score and history follow with cause "expiry"."""
    decided = today() - dt.timedelta(days=120)
    record = await add_record(who.person.id, "LAW_PENALTY_MINOR", decided)  # 3 months: over
    yesterday_of_expiry = record.expires_on - dt.timedelta(days=1)
    await rescore_person(person_id=who.person.id, cause="record", as_of=yesterday_of_expiry)
    assert (await Score.get(person_id=who.person.id)).score == 590
    body = (await signed_in.get("/api/v1/me/score")).json()
    assert body["score"] == 600 and body["records_counted"] == 0
    assert (await Score.get(person_id=who.person.id)).score == 600
    causes = [
        (h.score, h.cause)
        for h in await ScoreHistory.filter(person_id=who.person.id).order_by("id")
    ]
    assert causes == [(590, "record"), (600, "expiry")]


async def test_scoring_rules_are_public(client) -> None:
    response = await client.get("/api/v1/scoring-rules")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    rules = response.json()
    model = load_model()
    assert rules["model"]["version"] == model.version == "v1"
    assert (rules["model"]["base"], rules["model"]["min"], rules["model"]["max"]) == (600, 350, 950)
    assert [(t["code"], t["min"]) for t in rules["model"]["tiers"]] == [
        (t.code, t.min) for t in model.tiers
    ]
    assert all(set(t["name"]) == {"zh-CN", "en"} for t in rules["model"]["tiers"])
    assert {d["code"] for d in rules["model"]["dimensions"]} == {d.code for d in model.dimensions}
    assert {r["code"] for r in rules["model"]["list_rules"]} >= {
        "court_defaulter",
        "sustained_volunteering",
    }
    types = rules["catalog"]["record_types"]
    assert len(types) >= 25 and {t["code"] for t in types} == set(CATALOG.types)
    departments = {d["code"] for d in rules["catalog"]["departments"]}
    for t in types:
        assert isinstance(t["points"], int) and t["points"] != 0
        assert 0 <= t["min_disclosure_months"] <= t["max_disclosure_months"]
        assert t["departments"] and set(t["departments"]) <= departments
        assert set(t["name"]) == set(t["legal_basis"]) == {"zh-CN", "en"}
    court = next(t for t in types if t["code"] == "LAW_COURT_DEFAULTER")
    assert (
        court["points"],
        court["severity"],
        court["min_disclosure_months"],
        court["max_disclosure_months"],
        court["departments"],
    ) == (-200, "serious", 12, 36, ["court"])


PAGE_LANGUAGES = [
    ({}, "zh-CN", ["失信被执行人", "待提高", "极好", "遵纪守法"]),
    (
        {"Accept-Language": "en"},
        "en",
        ["Judgement defaulter", "Needs improvement", "Excellent", "Law-abiding"],
    ),
    ({"Accept-Language": "en-GB,en;q=0.9"}, "en", ["Voluntary blood donation", "Pro-social"]),
    ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "zh-CN", ["无偿献血", "社会公益"]),
]


async def test_the_scoring_page_in_both_languages(client) -> None:
    for headers, lang, expected in PAGE_LANGUAGES:
        response = await client.get("/scoring", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        text = html.unescape(response.text)
        assert f'<html lang="{lang}">' in text, headers
        for code in CATALOG.types:
            assert f"<code>{code}</code>" in text, code
        for t in CATALOG.types.values():
            assert t.name[lang] in text, (t.code, lang)
        for word in expected:
            assert word in text, word
        other = "en" if lang == "zh-CN" else "zh-CN"
        assert CATALOG.types["LAW_COURT_DEFAULTER"].legal_basis[other] not in text
