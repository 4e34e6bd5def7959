"""Credit repair end to end through the API: a resident applies with evidence and a
passkey-signed commitment, the recording department accepts and approves, and the record,
score, lists and pass change at once; every step is in the inbox and the audit trail."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.commitments.models import CommitmentSignature
from backend.commitments.service import prove
from backend.credit.models import CreditRecord, ListEntry, Score
from backend.evidence.models import EvidenceFile
from backend.repairs.models import RepairRequest
from tests.credit.helpers import problem
from tests.due_process import (
    EXE,
    JPEG,
    PDF,
    department_headers,
    file_repair,
    negative_record,
    resident,
    start_repair,
)


async def rows() -> dict[str, int]:
    return {
        "repairs": await RepairRequest.all().count(),
        "files": await EvidenceFile.all().count(),
        "signatures": await CommitmentSignature.all().count(),
    }


async def test_a_resident_repairs_a_record_and_everything_follows_at_once(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id, code="LAW_COURT_DEFAULTER", months_ago=13,
                                   department="court")  # fmt: skip
    before = await Score.get(person_id=r.person_id)
    assert await ListEntry.filter(person_id=r.person_id, kind="black", status="active").exists()

    options = (await client.get("/api/v1/me/repair-options")).json()["items"]
    assert [(o["record_id"], o["eligible"]) for o in options] == [(record.id, True)]
    started = await start_repair(r, record.id)
    commitment = started["commitment"]
    assert commitment["code"] == "repair" and "不收取任何费用" in commitment["text"]

    created = await file_repair(r, record.id, [("判决履行证明.pdf", PDF, "application/pdf"),
                                               ("receipt.jpg", JPEG, "image/jpeg")])  # fmt: skip
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["state"] == "submitted" and case["case_no"].startswith("R")
    assert case["feedback_due"] > case["submitted_at"][:10]
    assert [e["media_type"] for e in case["evidence"]] == ["application/pdf", "image/jpeg"]
    assert case["commitment"]["text_sha256"] == commitment["text_sha256"]
    signature = await CommitmentSignature.get(
        id=(await RepairRequest.get(id=case["id"])).commitment_id
    )
    assert prove(signature, app.state.ctx.rp), "the kept assertion proves the signed text"

    dept = await department_headers("court")
    queue = (await client.get("/api/v1/department/cases", headers=dept)).json()["items"]
    assert [c["case_no"] for c in queue] == [case["case_no"]]
    accepted = await client.post(f"/api/v1/department/repairs/{case['id']}/accept", headers=dept)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["decision_due"] is not None
    decided = await client.post(
        f"/api/v1/department/repairs/{case['id']}/decision",
        json={"approve": True, "reason": "义务已履行", "legal_basis": "《信用修复管理办法》第十条"},
        headers=dept,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "approved"

    repaired = await CreditRecord.get(id=record.id)
    assert repaired.status == "repaired"
    after = await Score.get(person_id=r.person_id)
    assert after.score > before.score
    assert not await ListEntry.filter(person_id=r.person_id, kind="black", status="active").exists()
    mine = (await client.get(f"/api/v1/me/records/{record.id}")).json()
    assert mine["status"] == "repaired"
    steps = [
        s["status"]
        for s in (await client.get(f"/api/v1/me/repairs/{case['id']}")).json()["timeline"]
    ]
    assert steps == ["submitted", "accepted", "approved"]
    inbox = (await client.get("/api/v1/me/notifications")).json()
    kinds = [(n["kind"], n["params"].get("step")) for n in inbox["items"]]
    assert ("case_status", "approved") in kinds and ("case_status", "accepted") in kinds
    assert inbox["unread"] >= 3
    actions = set(
        await AuditEntry.filter(subject_person_id=r.person_id).values_list("action", flat=True)
    )
    assert {"repair.submitted", "repair.accepted", "repair.approved", "record.repaired",
            "commitment.signed"} <= actions  # fmt: skip


async def test_a_record_not_yet_eligible_says_from_when_and_stores_nothing(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id, months_ago=1)  # minimum period is 3 months
    option = (await client.get("/api/v1/me/repair-options")).json()["items"][0]
    assert (option["eligible"], option["reason"]) == (False, "too_early")
    assert option["eligible_from"] == record.repairable_from.isoformat()
    response = await client.post(
        "/api/v1/me/repairs/start", json={"record_id": record.id}, headers=r.headers()
    )
    body = problem(response, 409, "conflict")
    assert body["reason"] == "too_early" and body["eligible_from"] == option["eligible_from"]
    assert await rows() == {"repairs": 0, "files": 0, "signatures": 0}


async def test_a_record_that_cannot_be_repaired_is_refused(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    positive = await negative_record(r.person_id, code="PUB_LIBRARY_ON_TIME", months_ago=4)
    response = await client.post(
        "/api/v1/me/repairs/start", json={"record_id": positive.id}, headers=r.headers()
    )
    assert problem(response, 409, "conflict")["reason"] == "not_negative"


async def test_another_persons_record_is_not_found(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    owner = await resident(client, app)
    record = await negative_record(owner.person_id)
    stranger = await resident(other_client, app, name="李小红")
    response = await other_client.post(
        "/api/v1/me/repairs/start", json={"record_id": record.id}, headers=stranger.headers()
    )
    problem(response, 404, "not_found")
    assert await rows() == {"repairs": 0, "files": 0, "signatures": 0}


async def test_a_second_open_request_for_the_same_record_is_refused(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    assert (await file_repair(r, record.id)).status_code == 201
    again = await client.post(
        "/api/v1/me/repairs/start", json={"record_id": record.id}, headers=r.headers()
    )
    assert problem(again, 409, "conflict")["reason"] == "already_open"
    assert await rows() == {"repairs": 1, "files": 1, "signatures": 1}


async def test_wrong_evidence_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    renamed = await file_repair(r, record.id, [("receipt.pdf", EXE, "application/pdf")])
    assert problem(renamed, 415, "unsupported_media_type")["reason"] == "evidence_type"
    too_many = await file_repair(
        r, record.id, [(f"p{i}.pdf", PDF, "application/pdf") for i in range(6)]
    )
    problem(too_many, 400, "bad_request")
    big = PDF[:-6] + b"0" * (10 * 1024 * 1024) + b"%%EOF\n"
    too_large = await file_repair(r, record.id, [("big.pdf", big, "application/pdf")])
    problem(too_large, 413, "payload_too_large")
    none = await file_repair(r, record.id, [])
    assert problem(none, 422, "validation_failed")["errors"][0]["field"] == "evidence"
    assert await rows() == {"repairs": 0, "files": 0, "signatures": 0}


async def test_a_commitment_signature_cannot_be_replayed_or_moved_to_another_record(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    first = await negative_record(r.person_id)
    second = await negative_record(r.person_id, code="LAW_TAX_ARREARS", department="tax")
    evidence = [("evidence", ("r.pdf", PDF, "application/pdf"))]

    async def send(record_id: int, assertion: dict[str, Any]) -> httpx.Response:
        return await client.post(
            "/api/v1/me/repairs",
            data={"record_id": str(record_id), "statement": "已缴清",
                  "credential": json.dumps(assertion)},
            files=evidence,
            headers=r.headers(),
        )  # fmt: skip

    assertion = r.auth.get((await start_repair(r, first.id))["publicKey"])
    moved = await send(second.id, assertion)
    assert problem(moved, 400, "webauthn_failed")["reason"] == "other_text"
    assert await rows() == {"repairs": 0, "files": 0, "signatures": 0}
    assert (await send(first.id, assertion)).status_code == 201  # its own record: fine
    replayed = await send(second.id, assertion)
    problem(replayed, 400, "challenge_expired")  # the challenge was used up
    assert await rows() == {"repairs": 1, "files": 1, "signatures": 1}


async def test_a_passkey_of_another_person_cannot_sign(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    stranger = await resident(other_client, app, name="李小红")
    options = (await start_repair(r, record.id))["publicKey"]
    forged = stranger.auth.get(options | {"rpId": "localhost"})
    response = await client.post(
        "/api/v1/me/repairs",
        data={"record_id": str(record.id), "statement": "已缴清", "credential": json.dumps(forged)},
        files=[("evidence", ("r.pdf", PDF, "application/pdf"))],
        headers=r.headers(),
    )
    assert problem(response, 400, "webauthn_failed")["reason"] == "not_your_passkey"
    assert await rows() == {"repairs": 0, "files": 0, "signatures": 0}


async def test_a_department_cannot_decide_another_departments_case_nor_twice(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    other = await department_headers("tax")
    stranger = await client.post(f"/api/v1/department/repairs/{case['id']}/accept", headers=other)
    problem(stranger, 404, "not_found")
    own = await department_headers("market_regulation")
    assert (
        await client.post(f"/api/v1/department/repairs/{case['id']}/accept", headers=own)
    ).status_code == 200
    decide = {"approve": False, "reason": "证明材料不足", "legal_basis": ""}
    results = await asyncio.gather(
        client.post(f"/api/v1/department/repairs/{case['id']}/decision", json=decide, headers=own),
        client.post(f"/api/v1/department/repairs/{case['id']}/decision",
                    json=decide | {"approve": True}, headers=own),
    )  # fmt: skip
    assert sorted(x.status_code for x in results) == [200, 409]
    decided = await AuditEntry.filter(action__in=["repair.approved", "repair.rejected"]).count()
    assert decided == 1
    late = await client.post(f"/api/v1/me/repairs/{case['id']}/withdraw", headers=r.headers())
    assert problem(late, 409, "conflict")["reason"] == "case_closed"


async def test_returned_for_more_material_the_resident_adds_it_and_it_goes_back(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    dept = await department_headers()
    returned = await client.post(
        f"/api/v1/department/repairs/{case['id']}/return",
        json={"missing": "请补充缴款凭证原件照片"},
        headers=dept,
    )
    assert returned.json()["state"] == "returned"
    mine = (await client.get(f"/api/v1/me/repairs/{case['id']}")).json()
    assert mine["missing"] == "请补充缴款凭证原件照片"
    added = await client.post(
        f"/api/v1/me/repairs/{case['id']}/evidence",
        files=[
            (
                "evidence",
                ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"IEND\xaeB`\x82", "image/png"),
            )
        ],
        headers=r.headers(),
    )
    assert added.status_code == 200, added.text
    assert added.json()["state"] == "submitted" and len(added.json()["evidence"]) == 2
    download = await client.get(added.json()["evidence"][1]["href"])
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("attachment")


async def test_a_withdrawn_request_cannot_be_answered(client: httpx.AsyncClient, app: Any) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    withdrawn = await client.post(f"/api/v1/me/repairs/{case['id']}/withdraw", headers=r.headers())
    assert withdrawn.json()["state"] == "withdrawn"
    dept = await department_headers()
    late = await client.post(f"/api/v1/department/repairs/{case['id']}/accept", headers=dept)
    assert problem(late, 409, "conflict")["reason"] == "case_closed"
    assert (await CreditRecord.get(id=record.id)).status == "active"


async def test_a_department_officer_viewing_evidence_is_a_logged_look(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    dept = await department_headers()
    seen = (await client.get(f"/api/v1/department/repairs/{case['id']}", headers=dept)).json()
    assert seen["resident"]["masked_name"] != r.who.name
    file = await client.get(seen["evidence"][0]["href"], headers=dept)
    assert file.status_code == 200 and file.content == PDF
    looks = (await client.get("/api/v1/me/access-log")).json()["items"]
    assert {"person.viewed", "evidence.viewed"} <= {i["action"] for i in looks}
