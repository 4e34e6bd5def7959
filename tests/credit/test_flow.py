"""Department submission → score, records and lists, end to end through the API."""

from __future__ import annotations

import json
from pathlib import Path

from backend.credit.docs import render
from backend.credit.models import CreditRecord, ListEntry, Score, ScoreHistory
from tests.credit.helpers import ago, department
from tests.factories import enrol, make_person


async def test_submission_scores_and_lists(client, app, authenticator):
    who = await make_person(app.state.ctx.cipher, name="王建国")
    await enrol(client, authenticator, who)
    court = await department("court")
    batch = [
        {
            "external_id": "C-1",
            "id_number": who.id_number,
            "type": "LAW_COURT_DEFAULTER",
            "decision_date": ago(30),
            "summary": "未履行生效判决",
            "decision_doc_no": "(2026)鄂02执123号",
        }
    ]
    response = await client.post("/api/v1/records", json=batch, headers=court)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 1, "created": 1, "unchanged": 0, "people_rescored": 1}

    score = (await client.get("/api/v1/me/score")).json()
    assert score["score"] == 400 and score["tier"]["code"] == "improve"
    assert score["lowering"][0]["type"] == "LAW_COURT_DEFAULTER"
    assert score["suggestions"][0]["kind"] == "repair_later"
    stored = await Score.get(person_id=who.person.id)
    assert stored.score == 400 and stored.model_version == "v1"
    lists = (await client.get("/api/v1/me/lists")).json()["items"]
    assert [e["list"] for e in lists] == ["black"]
    # A rule-derived entry names its record's decision document.
    assert lists[0]["source"] == "rule" and lists[0]["decision_doc_no"] == "(2026)鄂02执123号"

    # Resubmitting the same batch changes nothing.
    again = await client.post("/api/v1/records", json=batch, headers=court)
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 1
    assert await CreditRecord.all().count() == 1

    # NDJSON from another department raises the score.
    health = await department("health")
    lines = "\n".join(
        json.dumps(
            {
                "external_id": f"B-{i}",
                "id_number": who.id_number,
                "type": "PRO_BLOOD_DONATION",
                "decision_date": ago(10 + i),
            }
        )
        for i in range(3)
    )
    response = await client.post(
        "/api/v1/records",
        content=lines.encode(),
        headers={**health, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    score = (await client.get("/api/v1/me/score")).json()
    assert score["score"] == 430
    assert {d["code"]: d["points"] for d in score["dimensions"]}["pro_social"] == 30

    # The court withdraws its record: black list lifted, score re-computed at once.
    response = await client.post(
        "/api/v1/records/C-1/withdraw", json={"reason": "已履行"}, headers=court
    )
    assert response.status_code == 200
    assert (await client.get("/api/v1/me/score")).json()["score"] == 630
    assert (await client.get("/api/v1/me/lists")).json()["items"] == []
    assert await ListEntry.filter(status="lifted").count() == 1
    history = (await client.get("/api/v1/me/score/history")).json()["items"]
    assert [h["score"] for h in history] == [400, 430, 630]
    assert await ScoreHistory.all().count() == 3

    records = (await client.get("/api/v1/me/records")).json()["items"]
    assert len(records) == 3 and all(r["department"] == "health" for r in records)


async def test_bad_batch_lists_every_problem_and_stores_nothing(client, app):
    who = await make_person(app.state.ctx.cipher)
    court = await department("court")
    batch = [
        {
            "external_id": "A",
            "id_number": who.id_number,
            "type": "LAW_COURT_DEFAULTER",
            "decision_date": ago(1),
        },
        {
            "external_id": "B",
            "id_number": "420202198506150012",
            "type": "NOPE",
            "decision_date": ago(1),
        },
        {
            "external_id": "A",
            "id_number": who.id_number,
            "type": "PRO_BLOOD_DONATION",
            "decision_date": "2999-01-01",
        },
        {
            "external_id": "C",
            "id_number": who.id_number,
            "type": "LAW_COURT_DEFAULTER",
            "decision_date": "1900-01-01",
        },
    ]
    response = await client.post("/api/v1/records", json=batch, headers=court)
    assert response.status_code == 422
    errors = {(e["line"], e["field"]) for e in response.json()["errors"]}
    assert (2, "type") in errors and (2, "id_number") in errors
    assert (3, "type") in errors and (3, "decision_date") in errors and (3, "external_id") in errors
    assert (4, "decision_date") in errors
    assert await CreditRecord.all().count() == 0 and await Score.all().count() == 0


def test_docs_scoring_md_is_generated_from_the_catalog():
    path = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
    assert path.read_text(encoding="utf-8") == render(), (
        "run: python -m backend.credit.docs > docs/scoring.md"
    )
