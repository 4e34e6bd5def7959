"""correctRecord and withdrawRecord: a department fixes or withdraws its own record; the
people concerned are re-scored at once; refusals change nothing; the audit trail keeps the
corrections without any ID number."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest

from backend.audit.models import AuditEntry
from backend.core.clock import today
from backend.credit import records
from backend.credit.catalog import add_months
from backend.credit.models import CreditRecord, ListEntry, Score, ScoreHistory
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.credit.helpers import ago, both_read_first, credit_counts, department, problem, refused
from tests.factories import csrf, enrol, make_person, make_staff

URL = "/api/v1/records"
BIRTH = dt.date(1990, 3, 8)
STRANGER = idnumber.make("110101", dt.date(1990, 1, 1), 1)
WRONG_CHECK = STRANGER[:17] + ("0" if STRANGER[17] != "0" else "1")


@pytest.fixture
async def cipher(app):
    return app.state.ctx.cipher


@pytest.fixture
async def who(cipher):
    return await make_person(cipher, name="周红梅", birth=BIRTH, male=False)


async def submit(client, headers: dict[str, str], *items: dict[str, Any]) -> None:
    response = await client.post(URL, json=list(items), headers=headers)
    assert response.status_code == 200, response.text


def item(person, external_id: str, code: str, days_ago: int = 30) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "id_number": person.id_number,
        "type": code,
        "decision_date": ago(days_ago),
        "decision_doc_no": f"DOC-{external_id}",
    }


async def history(person_id: int) -> list[tuple[int, str]]:
    return [
        (h.score, h.cause) for h in await ScoreHistory.filter(person_id=person_id).order_by("id")
    ]


async def score(person_id: int) -> int | None:
    row = await Score.get_or_none(person_id=person_id)
    return row.score if row else None


async def test_correcting_the_type_rescores_at_once(client, who) -> None:
    market = await department("market_regulation")
    await submit(client, market, item(who, "M-1", "LAW_PENALTY_GENERAL"))
    assert await score(who.person.id) == 560

    response = await client.patch(
        f"{URL}/M-1", json={"type": "LAW_PENALTY_SERIOUS"}, headers=market
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"external_id": "M-1", "revision": 2, "status": "active"}
    assert await score(who.person.id) == 500
    assert await history(who.person.id) == [(560, "record"), (500, "correction")]
    record = await CreditRecord.get(external_id="M-1")
    decided = today() - dt.timedelta(days=30)
    assert (record.type_code, record.points, record.severity) == (
        "LAW_PENALTY_SERIOUS",
        -100,
        "serious",
    )
    assert record.repairable_from == add_months(decided, 12) and record.expires_on == add_months(
        decided, 36
    )
    # The serious penalty derives a gray-list entry at once.
    assert (
        await ListEntry.filter(person_id=who.person.id, kind="gray", status="active").count() == 1
    )

    response = await client.patch(f"{URL}/M-1", json={"type": "LAW_PENALTY_MINOR"}, headers=market)
    assert response.json()["revision"] == 3
    assert await score(who.person.id) == 590
    assert await ListEntry.filter(person_id=who.person.id, status="active").count() == 0
    assert [h[0] for h in await history(who.person.id)] == [560, 500, 590]


async def test_correcting_the_decision_date_rescores_at_once(client, who) -> None:
    market = await department("market_regulation")
    await submit(client, market, item(who, "M-1", "LAW_PENALTY_MINOR", days_ago=10))
    assert await score(who.person.id) == 590
    # Decided long ago: its three months are over, so it stops counting now.
    old = today() - dt.timedelta(days=200)
    response = await client.patch(
        f"{URL}/M-1", json={"decision_date": old.isoformat()}, headers=market
    )
    assert response.status_code == 200, response.text
    assert await score(who.person.id) == 600
    assert await history(who.person.id) == [(590, "record"), (600, "correction")]
    record = await CreditRecord.get(external_id="M-1")
    assert (record.decision_date, record.expires_on) == (old, add_months(old, 3))
    # Back within its period: counts again.
    response = await client.patch(f"{URL}/M-1", json={"decision_date": ago(5)}, headers=market)
    assert await score(who.person.id) == 590


async def test_correcting_the_date_moves_the_derived_list_entry(client, who) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER", days_ago=30))
    entry = await ListEntry.get(person_id=who.person.id, status="active")
    assert entry.start == today() - dt.timedelta(days=30)
    new = today() - dt.timedelta(days=90)
    response = await client.patch(
        f"{URL}/C-1", json={"decision_date": new.isoformat()}, headers=court
    )
    assert response.status_code == 200
    entry = await ListEntry.get(person_id=who.person.id, status="active")
    assert (entry.start, entry.end) == (new, add_months(new, 36))
    assert await score(who.person.id) == 400  # still counting: same score, no new history
    assert await history(who.person.id) == [(400, "record")]


async def test_correcting_the_person_moves_the_record_and_rescores_both(
    client, app, authenticator, cipher, who
) -> None:
    right = await make_person(cipher, name="周宏美", birth=dt.date(1991, 4, 9), male=False)
    court, health = await department("court"), await department("health")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    await submit(client, health, item(right, "H-1", "PRO_BLOOD_DONATION"))
    assert (await score(who.person.id), await score(right.person.id)) == (400, 610)

    response = await client.patch(f"{URL}/C-1", json={"id_number": right.id_number}, headers=court)
    assert response.status_code == 200, response.text
    record = await CreditRecord.get(external_id="C-1")
    assert record.person_id == right.person.id
    # The wrongly named person has no record left: no score, and off the black list.
    assert await score(who.person.id) is None
    assert await ListEntry.filter(person_id=who.person.id, status="active").count() == 0
    assert await ListEntry.filter(person_id=who.person.id, status="lifted").count() == 1
    assert (await records.my_score(person_id=who.person.id))["has_score"] is False
    assert await records.my_lists(person_id=who.person.id) == []
    # The right person is scored with it and is on the black list.
    assert await score(right.person.id) == 410
    assert await history(right.person.id) == [(610, "record"), (410, "correction")]
    assert [e["list"] for e in await records.my_lists(person_id=right.person.id)] == ["black"]
    # And the resident sees it that way through the API.
    await enrol(client, authenticator, who)
    assert (await client.get("/api/v1/me/score")).json()["has_score"] is False
    assert (await client.get("/api/v1/me/lists")).json()["items"] == []
    assert (await client.get("/api/v1/me/records")).json()["items"] == []


async def test_moving_one_of_several_records_rescores_what_remains(client, cipher, who) -> None:
    right = await make_person(cipher, name="吴刚", birth=dt.date(1970, 1, 1))
    market = await department("market_regulation")
    await submit(
        client,
        market,
        item(who, "M-1", "LAW_PENALTY_GENERAL"),
        item(who, "M-2", "LAW_PENALTY_MINOR", 3),
    )
    assert await score(who.person.id) == 550
    response = await client.patch(f"{URL}/M-1", json={"id_number": right.id_number}, headers=market)
    assert response.status_code == 200
    assert (await score(who.person.id), await score(right.person.id)) == (590, 560)
    assert await history(who.person.id) == [(550, "record"), (590, "correction")]
    assert await history(right.person.id) == [(560, "correction")]


async def test_text_only_corrections_change_no_score(client, who) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    response = await client.patch(
        f"{URL}/C-1",
        json={"summary": "已更正的摘要", "decision_doc_no": "(2026)鄂02执9号"},
        headers=court,
    )
    assert response.status_code == 200 and response.json()["revision"] == 2
    record = await CreditRecord.get(external_id="C-1")
    assert (record.summary, record.decision_doc_no) == ("已更正的摘要", "(2026)鄂02执9号")
    assert await history(who.person.id) == [(400, "record")]


# (the correction, the field named in the error)
REFUSED = [
    ({"type": "NOPE"}, "type"),
    ({"type": "PRO_BLOOD_DONATION"}, "type"),  # not the court's to submit
    ({"decision_date": "2999-01-01"}, "decision_date"),
    ({"decision_date": "1990-03-07"}, "decision_date"),  # the day before birth
    ({"decision_date": "2026-02-30"}, "decision_date"),
    ({"id_number": WRONG_CHECK}, "id_number"),
    ({"id_number": "42020219900308"}, "id_number"),
    ({"id_number": STRANGER}, "id_number"),  # valid, not in the register
    ({}, "(body)"),
    ({"points": -1}, "points"),
    ({"summary": "x" * 501}, "summary"),
]


async def test_refused_corrections_change_nothing(client, who) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    record = await CreditRecord.get(external_id="C-1")
    for body, field in REFUSED:
        before = await credit_counts()
        response = await client.patch(f"{URL}/C-1", json=body, headers=court)
        assert response.status_code == 422, (body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (body, response.text)
        # A refused change of ID number is audited (a register test is never silent).
        audited = int(body.get("id_number") in (WRONG_CHECK, STRANGER))  # past the schema
        assert await credit_counts() == {**before, "AuditEntry": before["AuditEntry"] + audited}
        if audited:
            entry = await AuditEntry.all().order_by("-id").first()
            assert entry is not None and entry.action == "record.correction_rejected"
        after = await CreditRecord.get(external_id="C-1")
        assert (after.revision, after.type_code, after.decision_date, after.person_id) == (
            record.revision,
            record.type_code,
            record.decision_date,
            record.person_id,
        )


async def test_the_decision_date_may_be_the_birth_date(client, who) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    response = await client.patch(
        f"{URL}/C-1", json={"decision_date": BIRTH.isoformat()}, headers=court
    )
    assert response.status_code == 200, response.text
    assert await score(who.person.id) == 600  # 36 months after 1990: long over


async def test_another_departments_external_id_is_404(client, who) -> None:
    court, health = await department("court"), await department("health")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    before = await credit_counts()
    for method, path, body in (
        ("PATCH", f"{URL}/C-1", {"summary": "x"}),
        ("POST", f"{URL}/C-1/withdraw", {"reason": "x"}),
        ("PATCH", f"{URL}/NO-SUCH", {"summary": "x"}),
        ("POST", f"{URL}/NO-SUCH/withdraw", {"reason": "x"}),
    ):
        response = await client.request(
            method, path, json=body, headers=health if "C-1" in path else court
        )
        problem(response, 404, "not_found")
    assert await credit_counts() == before
    assert (await CreditRecord.get(external_id="C-1")).status == "active"


async def test_withdrawing_twice_is_idempotent(client, who) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    first = await client.post(f"{URL}/C-1/withdraw", json={"reason": "已履行"}, headers=court)
    assert first.status_code == 200 and first.json() == {
        "external_id": "C-1",
        "status": "withdrawn",
    }
    assert await score(who.person.id) == 600
    before = await credit_counts()
    second = await client.post(f"{URL}/C-1/withdraw", json={"reason": "再次撤销"}, headers=court)
    assert second.status_code == 200 and second.json() == first.json()
    assert await credit_counts() == before
    assert await history(who.person.id) == [(400, "record"), (600, "correction")]
    assert await AuditEntry.filter(action="record.withdrawn").count() == 1
    # A withdrawn record cannot be corrected; resubmitting it unchanged does not revive it.
    response = await client.patch(f"{URL}/C-1", json={"summary": "x"}, headers=court)
    refused(response, 409, "conflict", "withdrawn")
    again = await client.post(URL, json=[item(who, "C-1", "LAW_COURT_DEFAULTER")], headers=court)
    assert again.json()["unchanged"] == 1
    assert (await CreditRecord.get(external_id="C-1")).status == "withdrawn"
    assert await score(who.person.id) == 600


async def test_withdrawing_needs_a_reason(client, who) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    for body in (
        {},
        {"reason": ""},
        {"reason": "x" * 501},
        {"reason": "x", "extra": 1},
        {"reason": 5},
    ):
        response = await client.post(f"{URL}/C-1/withdraw", json=body, headers=court)
        problem(response, 422, "validation_failed")
        assert (await CreditRecord.get(external_id="C-1")).status == "active"


async def test_corrections_are_audited_without_id_numbers(client, cipher, who) -> None:
    right = await make_person(cipher, name="钱多多", birth=dt.date(1980, 2, 29))
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    await client.patch(f"{URL}/C-1", json={"decision_date": ago(40)}, headers=court)
    await client.patch(f"{URL}/C-1", json={"id_number": right.id_number}, headers=court)
    await client.post(f"{URL}/C-1/withdraw", json={"reason": "错误报送"}, headers=court)
    record = await CreditRecord.get(external_id="C-1")

    corrected = await AuditEntry.filter(action="record.corrected").order_by("id")
    assert [e.details["revision"] for e in corrected] == [2, 3]
    assert all(e.details["record"] == record.id and e.organisation == "court" for e in corrected)
    assert corrected[0].details["before"]["decision_date"] == ago(30)
    assert corrected[1].details["before"]["person"] == who.person.id
    assert corrected[1].subject_person_id == right.person.id
    withdrawn = await AuditEntry.get(action="record.withdrawn")
    assert withdrawn.purpose == "错误报送"
    # No ID number, full or masked, anywhere in the trail.
    for entry in await AuditEntry.all():
        text = json.dumps([entry.details, entry.purpose, entry.actor_label], ensure_ascii=False)
        for number in (who.id_number, right.id_number):
            assert number not in text, entry.action
        assert idnumber.mask(who.id_number) not in text
        assert idnumber.mask(right.id_number) not in text


async def test_residents_and_officers_cannot_correct_or_withdraw(
    client, other_client, authenticator, who
) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    await enrol(client, authenticator, who)
    await make_staff(other_client, SoftAuthenticator(origin=authenticator.origin), ["officer"])
    for http in (client, other_client):
        response = await http.patch(f"{URL}/C-1", json={"summary": "x"}, headers=csrf(http))
        problem(response, 403, "forbidden")
        response = await http.post(f"{URL}/C-1/withdraw", json={"reason": "x"}, headers=csrf(http))
        problem(response, 403, "forbidden")
    assert (await CreditRecord.get(external_id="C-1")).revision == 1


async def test_two_withdrawals_at_once_withdraw_once(client, who, monkeypatch) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    both_read_first(monkeypatch, records, "_own_record")
    answers = await asyncio.gather(
        *(
            client.post(f"{URL}/C-1/withdraw", json={"reason": reason}, headers=court)
            for reason in ("已履行", "错误报送")
        )
    )
    assert [(a.status_code, a.json()["status"]) for a in answers] == [(200, "withdrawn")] * 2
    assert await AuditEntry.filter(action="record.withdrawn").count() == 1
    assert await history(who.person.id) == [(400, "record"), (600, "correction")]


async def test_two_corrections_at_once_store_one_and_refuse_the_other(
    client, who, monkeypatch
) -> None:
    court = await department("court")
    await submit(client, court, item(who, "C-1", "LAW_COURT_DEFAULTER"))
    both_read_first(monkeypatch, records, "_own_record")
    answers = await asyncio.gather(
        *(
            client.patch(f"{URL}/C-1", json={"summary": summary}, headers=court)
            for summary in ("第一次更正", "第二次更正")
        )
    )
    winner, loser = sorted(answers, key=lambda a: a.status_code)
    assert winner.status_code == 200 and winner.json()["revision"] == 2, winner.text
    refused(loser, 409, "conflict", "record_changed")
    stored = await CreditRecord.get(external_id="C-1")
    assert stored.revision == 2 and stored.summary in ("第一次更正", "第二次更正")
    assert await AuditEntry.filter(action="record.corrected").count() == 1
