"""Family help (亲情账号): a parent authorises an enrolled child, who accepts and then sees the
parent's score, records, inbox and cases and files an objection for them, every action
marked in both people's access logs; either side ends it and the next action is refused."""

from __future__ import annotations

import json
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.family.models import HelperGrant
from backend.objections.models import Objection
from tests.authenticator import SoftAuthenticator
from tests.credit.helpers import problem, refused
from tests.due_process import PDF, Resident, resident
from tests.factories import csrf, make_person, make_staff
from tests.rights.helpers import with_records


async def invite(parent: Resident, child: Resident, **extra: Any) -> httpx.Response:
    body = {"name": child.who.name, "id_number": child.who.id_number, "relation": "child", **extra}
    return await parent.client.post("/api/v1/me/helpers", json=body, headers=parent.headers())


async def helping(parent: Resident, child: Resident) -> int:
    invited = await invite(parent, child)
    assert invited.status_code == 201, invited.text
    grant_id = int(invited.json()["id"])
    accepted = await child.client.post(f"/api/v1/me/helpers/{grant_id}/accept",
                                       headers=child.headers())  # fmt: skip
    assert accepted.json()["status"] == "active", accepted.text
    return grant_id


def actions(log: dict[str, Any]) -> list[str]:
    return [e["action"] for e in log["items"]]


async def test_a_child_helps_a_parent_until_the_parent_ends_it(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    parent = await resident(client, app, name="王桂兰")
    child = await resident(other_client, app, name="王小明")
    record_id = await with_records(parent)
    grant_id = await helping(parent, child)
    listed = (await other_client.get("/api/v1/me/helpers")).json()
    assert listed["helping"][0]["name"] == "王*兰" and listed["helping"][0]["status"] == "active"
    base = f"/api/v1/people/{parent.person_id}"
    score = await other_client.get(f"{base}/score")
    assert score.status_code == 200 and score.json()["has_score"] is True
    records = (await other_client.get(f"{base}/records")).json()["items"]
    assert [x["id"] for x in records] == [record_id]
    assert (await other_client.get(f"{base}/notifications")).status_code == 200
    filed = await other_client.post(
        f"{base}/objections",
        data={"subject": "record", "subject_id": str(record_id), "reason": "我母亲已缴清罚款。"},
        headers=child.headers(),
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    objection = await Objection.get(person_id=parent.person_id)
    assert objection.filed_by_id is not None  # filed by the helper's account
    cases = (await other_client.get(f"{base}/cases")).json()
    assert [o["case_no"] for o in cases["objections"]] == [objection.case_no]
    # The parent sees the objection as theirs, and who filed it in their access log.
    mine = (await client.get("/api/v1/me/objections")).json()["items"]
    assert [o["case_no"] for o in mine] == [objection.case_no]
    parent_log = (await client.get("/api/v1/me/access-log")).json()
    by_helper = [e for e in parent_log["items"] if "王小明" in e["who"]]
    assert {"objection.submitted", "helper.acted"} <= {e["action"] for e in by_helper}
    assert all("亲情账号代办" in e["who"] for e in by_helper if e["action"] != "helper.accepted")
    child_log = (await other_client.get("/api/v1/me/access-log")).json()
    assert "helper.acted_for" in actions(child_log)
    # The parent ends it: the child's very next action is refused and stores nothing.
    ended = await client.post(f"/api/v1/me/helpers/{grant_id}/end", headers=parent.headers())
    assert ended.json() == {"id": grant_id, "status": "ended", "ended_by": "resident"}
    late = await other_client.post(
        f"{base}/objections",
        data={"subject": "record", "subject_id": str(record_id), "reason": "再提一次"},
        headers=child.headers(),
    )  # fmt: skip
    refused(late, 403, "forbidden", "no_helper_grant")
    refused(await other_client.get(f"{base}/score"), 403, "forbidden", "no_helper_grant")
    assert await Objection.all().count() == 1
    again = await other_client.post(f"/api/v1/me/helpers/{grant_id}/end", headers=child.headers())
    refused(again, 409, "conflict", "already_ended")


async def test_the_helper_can_end_it_and_print_the_paper_pass_while_helping(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    parent = await resident(client, app, name="王桂兰")
    child = await resident(other_client, app, name="王小明")
    grant_id = await helping(parent, child)
    intro = await other_client.get(f"/passes/paper/for/{parent.person_id}")
    assert intro.status_code == 200
    printed = await other_client.post(f"/passes/paper/for/{parent.person_id}",
                                      data={"csrf_token": child.headers()["X-CSRF-Token"]})  # fmt: skip
    assert printed.status_code == 200 and "王*兰" in printed.text
    ended = await other_client.post(f"/api/v1/me/helpers/{grant_id}/end", headers=child.headers())
    assert ended.json()["ended_by"] == "helper"
    assert (await other_client.get(f"/passes/paper/for/{parent.person_id}")).status_code == 403
    # Invited again later: a new grant (the old one stays ended in the history).
    assert (await invite(parent, child)).status_code == 201
    assert await HelperGrant.filter(status="ended").count() == 1


async def test_invitations_to_someone_not_enrolled_or_to_oneself_are_refused(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    parent = await resident(client, app, name="王桂兰")
    stranger = await make_person(app.state.ctx.cipher, name="赵未开")  # in the register only
    not_enrolled = await client.post(
        "/api/v1/me/helpers", json={"name": stranger.name, "id_number": stranger.id_number},
        headers=parent.headers(),
    )  # fmt: skip
    refused(not_enrolled, 409, "conflict", "helper_not_enrolled")
    myself = await invite(parent, parent)
    refused(myself, 409, "conflict", "self_helper")
    wrong_name = await client.post(
        "/api/v1/me/helpers", json={"name": "别人", "id_number": stranger.id_number},
        headers=parent.headers(),
    )  # fmt: skip
    assert wrong_name.status_code in (403, 422), wrong_name.text
    child = await resident(other_client, app, name="王小明")
    assert (await invite(parent, child)).status_code == 201
    refused(await invite(parent, child), 409, "conflict", "already_open")
    bad = await client.post("/api/v1/me/helpers", json={"name": "x", "id_number": "1" * 18,
                                                        "relation": "boss"},
                            headers=parent.headers())  # fmt: skip
    problem(bad, 422, "validation_failed")
    not_theirs = await client.post("/api/v1/me/helpers/1/accept", headers=parent.headers())
    problem(not_theirs, 404, "not_found")  # only the invited helper accepts
    assert await HelperGrant.all().count() == 1


async def test_a_counter_officer_sets_up_family_help_after_the_id_card_check(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    """For a parent without a phone: the officer enters both ID cards; the child accepts."""
    cipher = app.state.ctx.cipher
    parent = await make_person(cipher, name="王桂兰")  # in the register, never enrolled
    child = await resident(other_client, app, name="王小明")
    await make_staff(client, SoftAuthenticator(origin="http://localhost:8000"), ["officer"],
                     name="窗口李")  # fmt: skip
    form = {"csrf_token": csrf(client)["X-CSRF-Token"], "resident_name": parent.name,
            "resident_id_number": parent.id_number, "helper_name": child.who.name,
            "helper_id_number": child.who.id_number, "relation": "child"}  # fmt: skip
    wrong = await client.post("/office/helpers", data={**form, "resident_name": "王桂芳"})
    assert wrong.status_code == 422 and 'data-reason="identity_not_matched"' in wrong.text
    assert await HelperGrant.all().count() == 0
    made = await client.post("/office/helpers", data=form)
    assert made.status_code == 200 and 'id="helper-done"' in made.text
    grant = await HelperGrant.get(person_id=parent.person.id)
    assert grant.invited_via == "counter" and grant.status == "invited"
    accepted = await other_client.post(f"/api/v1/me/helpers/{grant.id}/accept",
                                       headers=child.headers())  # fmt: skip
    assert accepted.json()["status"] == "active"
    score = await other_client.get(f"/api/v1/people/{parent.person.id}/score")
    assert score.status_code == 200
    looks = await AuditEntry.filter(subject_person_id=parent.person.id).values_list(
        "action", flat=True
    )
    assert {"person.identified", "helper.invited", "helper.accepted", "helper.acted"} <= set(looks)


async def test_a_helper_applies_for_repair_signing_the_commitment_with_their_own_passkey(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    parent = await resident(client, app, name="王桂兰")
    child = await resident(other_client, app, name="王小明")
    record_id = await with_records(parent)  # a general penalty four months old: repairable
    await helping(parent, child)
    base = f"/api/v1/people/{parent.person_id}"
    started = await other_client.post(f"{base}/repairs/start", json={"record_id": record_id},
                                      headers=child.headers())  # fmt: skip
    assert started.status_code == 200, started.text
    assertion = child.auth.get(started.json()["publicKey"])  # the helper's own passkey
    filed = await other_client.post(
        f"{base}/repairs",
        data={"record_id": str(record_id), "statement": "罚款已由我代母亲缴清。",
              "credential": json.dumps(assertion)},
        files=[("evidence", ("receipt.pdf", PDF, "application/pdf"))], headers=child.headers(),
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    mine = (await client.get("/api/v1/me/repairs")).json()["items"]
    assert [m["case_no"] for m in mine] == [filed.json()["case_no"]]
    log = (await client.get("/api/v1/me/access-log")).json()["items"]
    assert any(e["action"] == "repair.submitted" and "王小明" in e["who"] for e in log)
