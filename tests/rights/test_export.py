"""Download my data (exportMyData, PIPL Art. 45): one JSON archive of everything, only after
a fresh passkey confirmation, and itself a logged event."""

from __future__ import annotations

import json
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from tests.audit.test_batch_subjects import submit
from tests.credit.helpers import department, problem
from tests.due_process import resident
from tests.factories import make_person
from tests.jointcases import helpers as joint
from tests.rights.helpers import confirmation, officer_look, with_records


async def test_a_resident_downloads_everything_the_city_holds(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record_id = await with_records(r)
    await officer_look(r.person_id)
    credential = await confirmation(r, "export")
    response = await client.post("/api/v1/me/export", json={"credential": credential},
                                 headers=r.headers())  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    archive = json.loads(response.content)
    assert archive["format"] == "xinyi-export/1"
    assert archive["account"]["person"]["name"] == "张伟明"
    assert "csrf_token" not in archive["account"]
    assert [rec["id"] for rec in archive["records"]] == [record_id]
    assert archive["score"]["score"] < 600
    assert archive["score_history"]
    assert len(archive["passkeys"]) == 1 and "public_key" not in archive["passkeys"][0]
    for section in ("lists", "objections", "repairs", "commitments", "deferred_acceptances",
                    "passes", "devices",
                    "benefits", "joint_cases", "notifications", "consent", "credit_reports", "helpers"):  # fmt: skip
        assert isinstance(archive[section], list), section
    looks = {(e["action"], e["actor_label"]) for e in archive["access_log"]}
    assert ("person.viewed", "王科员 (officer)") in looks
    assert any(a == "rights.exported" for a, _ in looks)  # the export itself is logged


async def test_exporting_needs_a_fresh_passkey_confirmation_for_this_step(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    nothing = await client.post("/api/v1/me/export", json={}, headers=r.headers())
    problem(nothing, 422, "validation_failed")
    no_body = await client.post("/api/v1/me/export", json={"credential": {"id": "x"}},
                                headers=r.headers())  # fmt: skip
    assert no_body.status_code == 400, no_body.text
    closing = await confirmation(r, "close")  # a confirmation for another step
    wrong = await client.post("/api/v1/me/export", json={"credential": closing},
                              headers=r.headers())  # fmt: skip
    assert problem(wrong, 400, "webauthn_failed")["reason"] == "other_step"
    good = await confirmation(r, "export")
    first = await client.post("/api/v1/me/export", json={"credential": good}, headers=r.headers())
    assert first.status_code == 200
    again = await client.post("/api/v1/me/export", json={"credential": good}, headers=r.headers())
    problem(again, 400, "challenge_expired")  # used once
    assert await AuditEntry.filter(action="rights.exported").count() == 1


async def test_the_download_names_a_departments_batch_about_me(
    client: httpx.AsyncClient, app: Any
) -> None:
    """A batch about many people is one entry indexed under each (audit_subject): the download
    has it, as "who viewed my data" does, and another person's batch is not in it."""
    r = await resident(client, app)
    other = await make_person(app.state.ctx.cipher, name="别人")
    headers = await department("market_regulation")
    await submit(client, headers, [r.who, other])
    await submit(client, headers, [other], prefix="N")
    credential = await confirmation(r, "export")
    response = await client.post("/api/v1/me/export", json={"credential": credential},
                                 headers=r.headers())  # fmt: skip
    assert response.status_code == 200, response.text
    batches = [e for e in json.loads(response.content)["access_log"]
               if e["action"] == "records.submitted"]  # fmt: skip
    assert len(batches) == 1 and batches[0]["details"]["people"] == 2


async def test_the_download_has_the_joint_cases_about_me(
    client: httpx.AsyncClient, app: Any
) -> None:
    """A joint punishment case a department reported about me (联合奖惩) is in my download,
    with its measure and date; another person's case is not."""
    r = await resident(client, app)
    other = await make_person(app.state.ctx.cipher, name="别人")
    court = await joint.department("court")
    for external_id, who in (("ZX-2026-001", r.who), ("ZX-2026-002", other)):
        body = joint.case(external_id, id_number=who.id_number)
        reported = await client.post(joint.URL, json=body, headers=court)
        assert reported.status_code == 200, reported.text
    credential = await confirmation(r, "export")
    response = await client.post("/api/v1/me/export", json={"credential": credential},
                                 headers=r.headers())  # fmt: skip
    assert response.status_code == 200, response.text
    cases = json.loads(response.content)["joint_cases"]
    assert [(c["external_id"], c["list_kind"], c["measure"], c["summary"]) for c in cases] == [
        ("ZX-2026-001", "black", "market_punishment", "限制高消费")
    ]
    assert (
        cases[0]["occurred_on"] == joint.case("x")["date"] and cases[0]["person_id"] == r.person_id
    )
