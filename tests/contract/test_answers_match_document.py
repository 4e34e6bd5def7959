"""The operations whose 2xx answers were once declared open objects, driven to a real 2xx the
way their users call them, each answer checked against the schema /openapi.json declares
(docs/api.md, "The contract"): a client generated from the document can read them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs

from backend.core.openapi_responses import OPEN
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.due_process import PDF, department_headers, resident
from tests.factories import csrf, make_staff
from tests.family.test_helpers import helping
from tests.objections.test_objection_flow import object_to
from tests.rights.helpers import with_records


def declared(app: Any, operation_id: str) -> dict[str, Any]:
    document: dict[str, Any] = app.state.openapi
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                for status, answer in op["responses"].items():
                    if status.startswith("2"):
                        schema = answer["content"]["application/json"]["schema"]
                        return {**schema, "components": document["components"]}
    raise AssertionError(f"{operation_id} is not in the document")


def matches(app: Any, operation_id: str, response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    errors = [e.message for e in jsonschema_rs.validator_for(declared(app, operation_id))
              .iter_errors(body)]  # fmt: skip
    assert errors == [], (operation_id, errors)
    return body


def test_no_operation_is_left_open() -> None:
    assert not OPEN


async def test_a_helpers_lists_and_repair_answers_match(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    parent = await resident(client, app, name="王桂兰")
    child = await resident(other_client, app, name="王小明")
    record_id = await with_records(parent)
    await helping(parent, child)
    base = f"/api/v1/people/{parent.person_id}"
    lists = matches(app, "listHelpedLists", await other_client.get(f"{base}/lists"))
    assert lists["items"] == (await client.get("/api/v1/me/lists")).json()["items"]
    started = matches(app, "startHelpedRepair", await other_client.post(
        f"{base}/repairs/start", json={"record_id": record_id}, headers=child.headers()))  # fmt: skip
    assertion = child.auth.get(started["publicKey"])
    filed = await other_client.post(
        f"{base}/repairs",
        data={"record_id": str(record_id), "statement": "罚款已由我代母亲缴清。",
              "credential": json.dumps(assertion)},
        files=[("evidence", ("receipt.pdf", PDF, "application/pdf"))], headers=child.headers(),
    )  # fmt: skip
    case = matches(app, "createHelpedRepair", filed, status=201)
    assert case["record_id"] == record_id and case["state"] == "submitted"


async def test_a_department_objection_and_the_public_look_up_match(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    owner = await resident(client, app, name="刘阿婆")
    record_id = await with_records(owner)
    created = await object_to(owner, "record", record_id)
    assert created.status_code == 201, created.text
    case = created.json()
    dept = await department_headers()
    seen = matches(app, "getDepartmentObjection", await client.get(
        f"/api/v1/department/objections/{case['id']}", headers=dept))  # fmt: skip
    assert seen["case_no"] == case["case_no"] and seen["resident"]["masked_name"] == "刘*婆"
    found = matches(app, "lookUpCase", await other_client.post(
        "/api/v1/cases/lookup", json={"case_no": case["case_no"], "name": "刘阿婆"}))  # fmt: skip
    assert found["kind"] == "objection" and found["timeline"][0]["status"] == "submitted"


async def test_disabling_staff_answers_match(
    client: httpx.AsyncClient, authenticator: SoftAuthenticator, app: Any
) -> None:
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    transport = httpx.ASGITransport(app=app, client=("10.8.3.1", 4000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as desk:
        auth = SoftAuthenticator(origin=ORIGIN)
        clerk = (await make_staff(desk, auth, ["counter_operator"], name="柜员"))["account_id"]
        auditor = (await make_staff(desk, auth, ["auditor"], name="审计员"))["account_id"]
    url = "/api/v1/staff/{}/disable"
    now = matches(app, "disableStaffAccount", await client.post(
        url.format(clerk), json={"reason": "离职"}, headers=csrf(client)))  # fmt: skip
    assert now == {"id": clerk, "outcome": "disabled", "change_id": None}
    later = matches(app, "disableStaffAccount", await client.post(
        url.format(auditor), json={"reason": "调岗"}, headers=csrf(client)))  # fmt: skip
    assert later["outcome"] == "proposed" and isinstance(later["change_id"], int)
