"""Red, gray and black lists: rule-derived entries follow the records; manual entries need two
officers (one proposes, another decides), and so does lifting them."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.core.clock import today
from backend.credit.models import ListEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.credit.helpers import ago, credit_counts, department, problem
from tests.factories import csrf, enrol, make_person, make_staff

ENTRIES = "/api/v1/list-entries"


@pytest.fixture
async def third_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
async def who(app):
    return await make_person(app.state.ctx.cipher, name="孙立新", birth=dt.date(1979, 12, 1))


@pytest.fixture
async def resident(third_client, who) -> httpx.AsyncClient:
    """The resident, signed in on their own phone."""
    await enrol(third_client, SoftAuthenticator(origin=ORIGIN), who)
    return third_client


@pytest.fixture
async def officers(client, other_client) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """Officer A (client) and officer B (other_client), each with their own passkey."""
    await make_staff(client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="甲")
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="乙")
    return client, other_client


async def my_lists(resident: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await resident.get("/api/v1/me/lists")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def proposal(person_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "person_id": person_id,
        "list": "red",
        "reason": "全国道德模范提名",
        "legal_basis": "黄信用〔2018〕1号 一（二）",
        "decision_doc_no": "黄信用函〔2026〕12号",
        "start": ago(1),
        "end": None,
    }
    body.update(overrides)
    return body


async def post(
    http: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return await http.post(path, json=body if body is not None else {}, headers=csrf(http))


# --- rule-derived -------------------------------------------------------------------------


async def test_a_court_defaulter_record_puts_the_person_on_the_black_list_until_withdrawn(
    client, resident, who
) -> None:
    court = await department("court")
    record = {
        "external_id": "C-1",
        "id_number": who.id_number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": ago(20),
        "decision_doc_no": "(2026)鄂02执7号",
    }
    assert (await client.post("/api/v1/records", json=[record], headers=court)).status_code == 200
    [entry] = await my_lists(resident)
    assert (entry["list"], entry["source"], entry["rule"]) == ("black", "rule", "court_defaulter")
    assert entry["start"] == ago(20)
    assert entry["legal_basis"]["zh-CN"].startswith("《最高人民法院关于公布失信被执行人名单信息")
    assert entry["legal_basis"]["en"]
    [record_id] = entry["record_ids"]
    assert (await resident.get(f"/api/v1/me/records/{record_id}")).json()[
        "type"
    ] == "LAW_COURT_DEFAULTER"

    response = await client.post(
        "/api/v1/records/C-1/withdraw", json={"reason": "已履行"}, headers=court
    )
    assert response.status_code == 200
    assert await my_lists(resident) == []
    lifted = await ListEntry.get(person_id=who.person.id)
    assert (lifted.status, lifted.lift_reason) == ("lifted", "rule no longer holds")
    assert await AuditEntry.filter(action="list.rules_applied").count() == 2  # derived, then lifted


async def test_sustained_volunteering_puts_the_person_on_the_red_list(
    client, resident, who
) -> None:
    civil = await department("civil_affairs")

    def volunteering(i: int) -> dict[str, Any]:
        return {
            "external_id": f"V-{i}",
            "id_number": who.id_number,
            "type": "PRO_VOLUNTEER_10H",
            "decision_date": ago(200 - 10 * i),
        }

    response = await client.post(
        "/api/v1/records", json=[volunteering(i) for i in range(9)], headers=civil
    )
    assert response.status_code == 200
    assert await my_lists(resident) == []
    response = await client.post("/api/v1/records", json=[volunteering(9)], headers=civil)
    assert response.status_code == 200
    [entry] = await my_lists(resident)
    assert (entry["list"], entry["rule"], entry["source"]) == (
        "red",
        "sustained_volunteering",
        "rule",
    )
    assert entry["start"] == ago(110)  # the tenth record's date
    assert len(entry["record_ids"]) == 10
    score = (await resident.get("/api/v1/me/score")).json()
    assert score["score"] == 650
    # One withdrawn: nine remain, the entry is lifted.
    response = await client.post(
        "/api/v1/records/V-4/withdraw", json={"reason": "重复登记"}, headers=civil
    )
    assert response.status_code == 200
    assert await my_lists(resident) == []


# --- manual, four-eyes --------------------------------------------------------------------


async def test_a_manual_entry_needs_a_second_officer(officers, resident, who) -> None:
    a, b = officers
    response = await post(a, ENTRIES, proposal(who.person.id))
    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["status"], entry["source"], entry["list"]) == ("proposed", "manual", "red")
    assert await my_lists(resident) == []  # a proposal has no effect
    pending = (await b.get(f"{ENTRIES}/pending")).json()["items"]
    assert [p["id"] for p in pending] == [entry["id"]]

    before = await credit_counts()
    problem(await post(a, f"{ENTRIES}/{entry['id']}/decision", {"approve": True}), 403, "forbidden")
    problem(
        await post(a, f"{ENTRIES}/{entry['id']}/decision", {"approve": False}), 403, "forbidden"
    )
    assert await credit_counts() == before

    response = await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "active"
    [shown] = await my_lists(resident)
    assert shown["id"] == entry["id"]
    assert (shown["list"], shown["source"], shown["reason"]) == (
        "red",
        "manual",
        "全国道德模范提名",
    )
    assert shown["legal_basis"] == {
        "zh-CN": "黄信用〔2018〕1号 一（二）",
        "en": "黄信用〔2018〕1号 一（二）",
    }
    assert shown["decision_doc_no"] == "黄信用函〔2026〕12号"
    assert (shown["start"], shown["end"]) == (ago(1), None)
    assert (await b.get(f"{ENTRIES}/pending")).json()["items"] == []

    # Lifting: B proposes, B cannot approve it, A can.
    response = await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "复核后撤销"})
    assert response.status_code == 200, response.text
    assert [p["id"] for p in (await a.get(f"{ENTRIES}/pending")).json()["items"]] == [entry["id"]]
    assert len(await my_lists(resident)) == 1  # still on the list until approved
    problem(await post(b, f"{ENTRIES}/{entry['id']}/lift/approve"), 403, "forbidden")
    problem(await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "再次"}), 409, "conflict")
    response = await post(a, f"{ENTRIES}/{entry['id']}/lift/approve")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "lifted"
    assert await my_lists(resident) == []
    problem(await post(a, f"{ENTRIES}/{entry['id']}/lift/approve"), 409, "conflict")
    problem(await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}), 409, "conflict")

    actions = [e.action for e in await AuditEntry.filter(action__startswith="list.").order_by("id")]
    assert actions == [
        "list.entry_proposed",
        "list.entry_approved",
        "list.lift_proposed",
        "list.entry_lifted",
    ]


async def test_rejecting_a_proposal(officers, resident, who) -> None:
    a, b = officers
    entry = (await post(a, ENTRIES, proposal(who.person.id, list="black"))).json()
    response = await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": False})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert await my_lists(resident) == []
    assert (await a.get(f"{ENTRIES}/pending")).json()["items"] == []
    # Decided: no second decision, and nothing to lift.
    for http in (a, b):
        for approve in (True, False):
            problem(
                await post(http, f"{ENTRIES}/{entry['id']}/decision", {"approve": approve}),
                409,
                "conflict",
            )
    problem(await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}), 409, "conflict")
    assert (await ListEntry.get(id=entry["id"])).status == "rejected"


async def test_deciding_twice_is_a_conflict(officers, who) -> None:
    a, b = officers
    entry = (await post(a, ENTRIES, proposal(who.person.id, list="gray"))).json()
    assert (
        await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
    ).status_code == 200
    before = await credit_counts()
    problem(await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True}), 409, "conflict")
    problem(await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": False}), 409, "conflict")
    assert await credit_counts() == before
    assert (await ListEntry.get(id=entry["id"])).status == "active"


async def test_lifting_needs_a_proposal_first(officers, who) -> None:
    a, b = officers
    entry = (await post(a, ENTRIES, proposal(who.person.id))).json()
    problem(
        await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}), 409, "conflict"
    )  # not active yet
    await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
    problem(await post(a, f"{ENTRIES}/{entry['id']}/lift/approve"), 409, "conflict")
    # The proposer of the entry may propose lifting it; the other officer approves.
    assert (await post(a, f"{ENTRIES}/{entry['id']}/lift", {"reason": "期满"})).status_code == 200
    assert (await post(b, f"{ENTRIES}/{entry['id']}/lift/approve")).json()["status"] == "lifted"


async def test_manual_entries_show_only_within_their_dates(officers, resident, who) -> None:
    a, b = officers
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    bodies = [
        proposal(who.person.id, start=tomorrow, decision_doc_no="FUTURE"),
        proposal(who.person.id, start=ago(30), end=ago(1), decision_doc_no="ENDED"),
        proposal(
            who.person.id, start=ago(30), end=today().isoformat(), decision_doc_no="ENDS-TODAY"
        ),
        proposal(who.person.id, start=today().isoformat(), end=tomorrow, decision_doc_no="CURRENT"),
    ]
    for body in bodies:
        entry = (await post(a, ENTRIES, body)).json()
        assert (
            await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
        ).status_code == 200
    assert [e["decision_doc_no"] for e in await my_lists(resident)] == ["CURRENT"]


async def test_proposal_validation(officers, who) -> None:
    a, _ = officers
    cases = [
        (proposal(who.person.id, start="2026-05-10", end="2026-05-09"), 422, "end"),
        (proposal(who.person.id, start="2026-05-10", end="2026-05-10"), 422, "end"),
        (proposal(who.person.id, list="purple"), 422, "list"),
        (proposal(who.person.id, list="Black"), 422, "list"),
        (proposal(who.person.id, reason=""), 422, "reason"),
        (proposal(who.person.id, legal_basis=""), 422, "legal_basis"),
        (proposal(who.person.id, decision_doc_no=""), 422, "decision_doc_no"),
        (proposal(who.person.id, start="2026-13-01"), 422, "start"),
        (proposal(0), 422, "person_id"),
        (proposal(-5), 422, "person_id"),
        (proposal(who.person.id, extra="x"), 422, "extra"),
        ({k: v for k, v in proposal(who.person.id).items() if k != "start"}, 422, "start"),
        (proposal(who.person.id + 1000), 404, None),
    ]
    before = await credit_counts()
    for body, status, field in cases:
        response = await post(a, ENTRIES, body)
        assert response.status_code == status, (body, response.text)
        if field is not None:
            assert field in [e["field"] for e in response.json()["errors"]], (body, response.text)
    assert await credit_counts() == before
    for path in (
        f"{ENTRIES}/999999/decision",
        f"{ENTRIES}/999999/lift",
        f"{ENTRIES}/999999/lift/approve",
    ):
        body = (
            {"approve": True}
            if path.endswith("decision")
            else {"reason": "x"}
            if path.endswith("lift")
            else {}
        )
        problem(await post(a, path, body), 404, "not-found")
    problem(await post(a, f"{ENTRIES}/abc/decision", {"approve": True}), 422, "validation-failed")
    problem(
        await post(a, f"{ENTRIES}/1/decision", {"approve": "yes please"}), 422, "validation-failed"
    )


async def test_rule_entries_cannot_be_decided_or_lifted_by_hand(client, officers, who) -> None:
    a, _ = officers
    court = await department("court")
    record = {
        "external_id": "C-1",
        "id_number": who.id_number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": ago(5),
    }
    assert (await client.post("/api/v1/records", json=[record], headers=court)).status_code == 200
    entry = await ListEntry.get(person_id=who.person.id)
    problem(await post(a, f"{ENTRIES}/{entry.id}/decision", {"approve": False}), 404, "not-found")
    problem(await post(a, f"{ENTRIES}/{entry.id}/lift", {"reason": "x"}), 404, "not-found")
    assert (await ListEntry.get(id=entry.id)).status == "active"


async def test_residents_and_auditors_cannot_manage_lists(
    officers, resident, third_client, who
) -> None:
    a, _ = officers
    entry = (await post(a, ENTRIES, proposal(who.person.id))).json()
    auditor = httpx.AsyncClient(transport=third_client._transport, base_url=ORIGIN)  # type: ignore[attr-defined]
    async with auditor:
        await make_staff(auditor, SoftAuthenticator(origin=ORIGIN), ["auditor"], name="审计员")
        for http in (resident, auditor):
            before = await credit_counts()
            for method, path, body in (
                ("POST", ENTRIES, proposal(who.person.id)),
                ("POST", f"{ENTRIES}/{entry['id']}/decision", {"approve": True}),
                ("POST", f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}),
                ("POST", f"{ENTRIES}/{entry['id']}/lift/approve", {}),
                ("GET", f"{ENTRIES}/pending", None),
            ):
                response = await http.request(method, path, json=body, headers=csrf(http))
                problem(response, 403, "forbidden")
            assert await credit_counts() == before
    # Nobody signed in at all: 401.
    async with httpx.AsyncClient(transport=third_client._transport, base_url=ORIGIN) as anonymous:  # type: ignore[attr-defined]
        problem(await anonymous.post(ENTRIES, json=proposal(who.person.id)), 401, "unauthenticated")
    assert (await ListEntry.get(id=entry["id"])).status == "proposed"


async def test_a_department_token_cannot_manage_lists(client, who) -> None:
    court = await department("court")
    problem(
        await client.post(ENTRIES, json=proposal(who.person.id), headers=court), 403, "forbidden"
    )
    problem(await client.get(f"{ENTRIES}/pending", headers=court), 403, "forbidden")
