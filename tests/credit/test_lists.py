"""Red, gray and black lists: rule-derived entries follow the records; manual entries need two
officers (one proposes, another decides), and so does lifting them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.core.clock import today
from backend.credit.models import ListEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.credit.helpers import (
    ENTRIES,
    ago,
    credit_counts,
    department,
    my_lists,
    post,
    problem,
    proposal,
    refused,
)
from tests.factories import csrf, make_staff

# --- rule-derived -------------------------------------------------------------------------


async def test_a_court_defaulter_record_puts_the_person_on_the_black_list_until_withdrawn(
    client, subject_phone, subject
) -> None:
    court = await department("court")
    record = {
        "external_id": "C-1",
        "id_number": subject.id_number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": ago(20),
        "decision_doc_no": "(2026)鄂02执7号",
    }
    assert (await client.post("/api/v1/records", json=[record], headers=court)).status_code == 200
    [entry] = await my_lists(subject_phone)
    assert (entry["list"], entry["source"], entry["rule"]) == ("black", "rule", "court_defaulter")
    assert entry["start"] == ago(20)
    assert entry["legal_basis"]["zh-CN"].startswith("《最高人民法院关于公布失信被执行人名单信息")
    assert entry["legal_basis"]["en"]
    [record_id] = entry["record_ids"]
    assert (await subject_phone.get(f"/api/v1/me/records/{record_id}")).json()[
        "type"
    ] == "LAW_COURT_DEFAULTER"

    response = await client.post(
        "/api/v1/records/C-1/withdraw", json={"reason": "已履行"}, headers=court
    )
    assert response.status_code == 200
    assert await my_lists(subject_phone) == []
    lifted = await ListEntry.get(person_id=subject.person.id)
    assert (lifted.status, lifted.lift_reason) == ("lifted", "rule no longer holds")
    assert await AuditEntry.filter(action="list.rules_applied").count() == 2  # derived, then lifted


async def test_sustained_volunteering_puts_the_person_on_the_red_list(
    client, subject_phone, subject
) -> None:
    civil = await department("civil_affairs")

    def volunteering(i: int) -> dict[str, Any]:
        return {
            "external_id": f"V-{i}",
            "id_number": subject.id_number,
            "type": "PRO_VOLUNTEER_10H",
            "decision_date": ago(200 - 10 * i),
        }

    response = await client.post(
        "/api/v1/records", json=[volunteering(i) for i in range(9)], headers=civil
    )
    assert response.status_code == 200
    assert await my_lists(subject_phone) == []
    response = await client.post("/api/v1/records", json=[volunteering(9)], headers=civil)
    assert response.status_code == 200
    [entry] = await my_lists(subject_phone)
    assert (entry["list"], entry["rule"], entry["source"]) == (
        "red",
        "sustained_volunteering",
        "rule",
    )
    assert entry["start"] == ago(110)  # the tenth record's date
    assert len(entry["record_ids"]) == 10
    score = (await subject_phone.get("/api/v1/me/score")).json()
    assert score["score"] == 650
    # One withdrawn: nine remain, the entry is lifted.
    response = await client.post(
        "/api/v1/records/V-4/withdraw", json={"reason": "重复登记"}, headers=civil
    )
    assert response.status_code == 200
    assert await my_lists(subject_phone) == []


# --- manual, four-eyes --------------------------------------------------------------------


async def test_a_manual_entry_needs_a_second_officer(officers, subject_phone, subject) -> None:
    a, b = officers
    response = await post(a, ENTRIES, proposal(subject.person.id))
    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["status"], entry["source"], entry["list"]) == ("proposed", "manual", "red")
    assert await my_lists(subject_phone) == []  # a proposal has no effect
    pending = (await b.get(f"{ENTRIES}/pending")).json()["items"]
    assert [p["id"] for p in pending] == [entry["id"]]

    before = await credit_counts()
    for approve in (True, False):
        refused(
            await post(a, f"{ENTRIES}/{entry['id']}/decision", {"approve": approve}),
            403,
            "forbidden",
            "four_eyes",
        )
    assert await credit_counts() == before

    response = await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "active"
    [shown] = await my_lists(subject_phone)
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
    assert len(await my_lists(subject_phone)) == 1  # still on the list until approved
    refused(await post(b, f"{ENTRIES}/{entry['id']}/lift/approve"), 403, "forbidden", "four_eyes")
    refused(
        await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "再次"}),
        409,
        "conflict",
        "lift_pending",
    )
    response = await post(a, f"{ENTRIES}/{entry['id']}/lift/approve")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "lifted"
    assert await my_lists(subject_phone) == []
    refused(
        await post(a, f"{ENTRIES}/{entry['id']}/lift/approve"),
        409,
        "conflict",
        "no_lift_proposal",
    )
    refused(
        await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}),
        409,
        "conflict",
        "not_active",
    )

    actions = [e.action for e in await AuditEntry.filter(action__startswith="list.").order_by("id")]
    assert actions == [
        "list.entry_proposed",
        "list.entry_approved",
        "list.lift_proposed",
        "list.entry_lifted",
    ]


async def test_rejecting_a_proposal(officers, subject_phone, subject) -> None:
    a, b = officers
    entry = (await post(a, ENTRIES, proposal(subject.person.id, list="black"))).json()
    response = await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": False})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert await my_lists(subject_phone) == []
    assert (await a.get(f"{ENTRIES}/pending")).json()["items"] == []
    # Decided: no second decision, and nothing to lift.
    for http in (a, b):
        for approve in (True, False):
            refused(
                await post(http, f"{ENTRIES}/{entry['id']}/decision", {"approve": approve}),
                409,
                "conflict",
                "already_decided",
            )
    refused(
        await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}),
        409,
        "conflict",
        "not_active",
    )
    assert (await ListEntry.get(id=entry["id"])).status == "rejected"


async def test_deciding_twice_is_a_conflict(officers, subject) -> None:
    a, b = officers
    entry = (await post(a, ENTRIES, proposal(subject.person.id, list="gray"))).json()
    assert (
        await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
    ).status_code == 200
    before = await credit_counts()
    for approve in (True, False):
        refused(
            await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": approve}),
            409,
            "conflict",
            "already_decided",
        )
    assert await credit_counts() == before
    assert (await ListEntry.get(id=entry["id"])).status == "active"


async def test_lifting_needs_a_proposal_first(officers, subject) -> None:
    a, b = officers
    entry = (await post(a, ENTRIES, proposal(subject.person.id))).json()
    refused(
        await post(b, f"{ENTRIES}/{entry['id']}/lift", {"reason": "x"}),
        409,
        "conflict",
        "not_active",
    )  # not active yet
    await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
    refused(
        await post(a, f"{ENTRIES}/{entry['id']}/lift/approve"),
        409,
        "conflict",
        "no_lift_proposal",
    )
    # The proposer of the entry may propose lifting it; the other officer approves.
    assert (await post(a, f"{ENTRIES}/{entry['id']}/lift", {"reason": "期满"})).status_code == 200
    assert (await post(b, f"{ENTRIES}/{entry['id']}/lift/approve")).json()["status"] == "lifted"


async def test_manual_entries_show_only_within_their_dates(
    officers, subject_phone, subject
) -> None:
    a, b = officers
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    bodies = [
        proposal(subject.person.id, start=tomorrow, decision_doc_no="FUTURE"),
        proposal(subject.person.id, start=ago(30), end=ago(1), decision_doc_no="ENDED"),
        proposal(
            subject.person.id, start=ago(30), end=today().isoformat(), decision_doc_no="ENDS-TODAY"
        ),
        proposal(
            subject.person.id, start=today().isoformat(), end=tomorrow, decision_doc_no="CURRENT"
        ),
    ]
    for body in bodies:
        entry = (await post(a, ENTRIES, body)).json()
        assert (
            await post(b, f"{ENTRIES}/{entry['id']}/decision", {"approve": True})
        ).status_code == 200
    assert [e["decision_doc_no"] for e in await my_lists(subject_phone)] == ["CURRENT"]


async def test_proposal_validation(officers, subject) -> None:
    a, _ = officers
    cases = [
        (proposal(subject.person.id, start="2026-05-10", end="2026-05-09"), 422, "end"),
        (proposal(subject.person.id, start="2026-05-10", end="2026-05-10"), 422, "end"),
        (proposal(subject.person.id, list="purple"), 422, "list"),
        (proposal(subject.person.id, list="Black"), 422, "list"),
        (proposal(subject.person.id, reason=""), 422, "reason"),
        (proposal(subject.person.id, legal_basis=""), 422, "legal_basis"),
        (proposal(subject.person.id, decision_doc_no=""), 422, "decision_doc_no"),
        (proposal(subject.person.id, start="2026-13-01"), 422, "start"),
        (proposal(0), 422, "person_id"),
        (proposal(-5), 422, "person_id"),
        (proposal(subject.person.id, extra="x"), 422, "extra"),
        ({k: v for k, v in proposal(subject.person.id).items() if k != "start"}, 422, "start"),
        (proposal(subject.person.id + 1000), 404, None),
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
        problem(await post(a, path, body), 404, "not_found")
    problem(await post(a, f"{ENTRIES}/abc/decision", {"approve": True}), 422, "validation_failed")
    problem(
        await post(a, f"{ENTRIES}/1/decision", {"approve": "yes please"}), 422, "validation_failed"
    )


async def test_rule_entries_cannot_be_decided_or_lifted_by_hand(client, officers, subject) -> None:
    a, _ = officers
    court = await department("court")
    record = {
        "external_id": "C-1",
        "id_number": subject.id_number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": ago(5),
    }
    assert (await client.post("/api/v1/records", json=[record], headers=court)).status_code == 200
    entry = await ListEntry.get(person_id=subject.person.id)
    problem(await post(a, f"{ENTRIES}/{entry.id}/decision", {"approve": False}), 404, "not_found")
    problem(await post(a, f"{ENTRIES}/{entry.id}/lift", {"reason": "x"}), 404, "not_found")
    assert (await ListEntry.get(id=entry.id)).status == "active"


async def test_residents_and_auditors_cannot_manage_lists(
    officers, subject_phone, third_client, subject
) -> None:
    a, _ = officers
    entry = (await post(a, ENTRIES, proposal(subject.person.id))).json()
    auditor = httpx.AsyncClient(transport=third_client._transport, base_url=ORIGIN)  # type: ignore[attr-defined]
    async with auditor:
        await make_staff(auditor, SoftAuthenticator(origin=ORIGIN), ["auditor"], name="审计员")
        for http in (subject_phone, auditor):
            before = await credit_counts()
            for method, path, body in (
                ("POST", ENTRIES, proposal(subject.person.id)),
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
        problem(
            await anonymous.post(ENTRIES, json=proposal(subject.person.id)), 401, "unauthenticated"
        )
    assert (await ListEntry.get(id=entry["id"])).status == "proposed"


async def test_a_department_token_cannot_manage_lists(client, subject) -> None:
    court = await department("court")
    problem(
        await client.post(ENTRIES, json=proposal(subject.person.id), headers=court),
        403,
        "forbidden",
    )
    problem(await client.get(f"{ENTRIES}/pending", headers=court), 403, "forbidden")
