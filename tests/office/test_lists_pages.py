"""Manual list entries from the console, four-eyes: one officer proposes (from the person
page), another approves or rejects; lifting goes the same way."""

from __future__ import annotations

import re

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.core.clock import today
from backend.credit.models import ListEntry
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import enrol, make_person, make_staff
from tests.office.helpers import token


@pytest.fixture
async def person(app):
    return await make_person(app.state.ctx.cipher, name="孙守信", area="420203")


def proposal(http: httpx.AsyncClient, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token(http),
        "purpose": "红黑名单认定",
        "list": "black",
        "reason": "拒不履行行政处罚决定",
        "legal_basis": "《湖北省社会信用信息管理条例》第二十五条",
        "decision_doc_no": "黄信办〔2026〕7号",
        "start": today().isoformat(),
        "end": "",
    }
    return {**form, **changes}


async def propose(http: httpx.AsyncClient, person_id: int, **changes: str) -> httpx.Response:
    return await http.post(
        f"/office/people/{person_id}/list-entries", data=proposal(http, **changes)
    )


async def test_the_person_page_offers_the_proposal_form(officer, person) -> None:
    page = await officer.post(
        "/office/people",
        data={
            "csrf_token": token(officer),
            "id_number": person.id_number,
            "purpose": "list_decision",
        },
    )
    assert page.status_code == 200
    text = page.text
    assert f'<form method="post" action="/office/people/{person.person.id}/list-entries"' in text
    for field in ("p-reason", "p-legal_basis", "p-decision_doc_no", "p-start", "p-end"):
        assert f'<label for="{field}">' in text and f'id="{field}"' in text
    for kind in ("red", "gray", "black"):
        assert f'name="list" value="{kind}"' in text
    assert '<input type="hidden" name="purpose" value="红黑名单认定">' in text


async def test_four_eyes_propose_then_a_second_officer_approves(
    officer, second_officer, person, app
) -> None:
    response = await propose(officer, person.person.id)
    assert response.status_code == 303
    entry = await ListEntry.get(person_id=person.person.id)
    assert response.headers["location"] == f"/office/lists?done=proposed&entry={entry.id}"
    assert entry.status == "proposed" and entry.source == "manual" and entry.kind == "black"
    assert entry.reason == "拒不履行行政处罚决定" and entry.decision_doc_no == "黄信办〔2026〕7号"
    assert entry.start == today() and entry.end is None

    mine = await officer.get(response.headers["location"])
    assert f"提议 #{entry.id} 已提交" in mine.text
    row = mine.text.split(f'id="proposal-{entry.id}"', 1)[1].split("</tr>", 1)[0]
    assert (
        "孙守信" in row
        and idnumber.mask(person.id_number) in row
        and person.id_number not in mine.text
    )
    assert "等待另一名工作人员审核" in row and "/decision" not in row  # no buttons for the proposer

    # The proposer cannot decide, even by sending the form: a friendly 403, nothing changes.
    refused = await officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(officer), "decision": "approve"},
    )
    assert refused.status_code == 403
    assert "按照四眼原则须由另一名工作人员审核" in refused.text and 'role="alert"' in refused.text
    assert (await ListEntry.get(id=entry.id)).status == "proposed"

    theirs = await second_officer.get("/office/lists")
    row = theirs.text.split(f'id="proposal-{entry.id}"', 1)[1].split("</tr>", 1)[0]
    assert (
        f'action="/office/lists/{entry.id}/decision"' in row and "等待另一名工作人员审核" not in row
    )
    approved = await second_officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(second_officer), "decision": "approve"},
    )
    assert (
        approved.status_code == 303
        and approved.headers["location"] == "/office/lists?done=approved"
    )
    entry = await ListEntry.get(id=entry.id)
    assert entry.status == "active" and entry.decided_by_id != entry.proposed_by_id
    assert "已批准，条目现已生效" in (await second_officer.get(approved.headers["location"])).text

    # Deciding twice is refused with a clear message.
    again = await second_officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(second_officer), "decision": "reject"},
    )
    assert again.status_code == 409 and "该提议已由其他工作人员处理" in again.text

    # The resident is on the black list now.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as phone:
        await enrol(phone, SoftAuthenticator(origin=ORIGIN), person)
        lists = (await phone.get("/api/v1/me/lists")).json()["items"]
        assert [(e["list"], e["source"]) for e in lists] == [("black", "manual")]


async def test_a_second_officer_can_reject(officer, second_officer, person) -> None:
    await propose(officer, person.person.id, list="red", reason="见义勇为")
    entry = await ListEntry.get(person_id=person.person.id)
    rejected = await second_officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(second_officer), "decision": "reject"},
    )
    assert (
        rejected.status_code == 303
        and rejected.headers["location"] == "/office/lists?done=rejected"
    )
    assert (await ListEntry.get(id=entry.id)).status == "rejected"
    page = (await officer.get("/office/lists")).text
    assert f'id="proposal-{entry.id}"' not in page and f'id="active-{entry.id}"' not in page


async def test_lifting_needs_a_second_officer_too(officer, second_officer, person) -> None:
    await propose(officer, person.person.id)
    entry = await ListEntry.get(person_id=person.person.id)
    await second_officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(second_officer), "decision": "approve"},
    )
    page = (await second_officer.get("/office/lists")).text
    row = page.split(f'id="active-{entry.id}"', 1)[1].split("</tr>", 1)[0]
    assert (
        f'action="/office/lists/{entry.id}/lift"' in row
        and f'<label for="lift-reason-{entry.id}">' in row
    )

    no_reason = await second_officer.post(
        f"/office/lists/{entry.id}/lift", data={"csrf_token": token(second_officer), "reason": " "}
    )
    assert no_reason.status_code == 422 and "请填写移出理由" in no_reason.text
    lift = await second_officer.post(
        f"/office/lists/{entry.id}/lift",
        data={"csrf_token": token(second_officer), "reason": "已履行处罚决定"},
    )
    assert (
        lift.status_code == 303 and lift.headers["location"] == "/office/lists?done=lift_proposed"
    )
    entry = await ListEntry.get(id=entry.id)
    assert entry.lift_reason == "已履行处罚决定" and entry.status == "active"

    # The officer who proposed lifting cannot approve it.
    own = (await second_officer.get("/office/lists")).text
    row = own.split(f'id="lift-{entry.id}"', 1)[1].split("</tr>", 1)[0]
    assert "等待另一名工作人员审核" in row
    refused = await second_officer.post(
        f"/office/lists/{entry.id}/lift/approve", data={"csrf_token": token(second_officer)}
    )
    assert refused.status_code == 403 and "四眼原则" in refused.text
    assert (await ListEntry.get(id=entry.id)).status == "active"

    twice = await officer.post(
        f"/office/lists/{entry.id}/lift", data={"csrf_token": token(officer), "reason": "再提一次"}
    )
    assert twice.status_code == 409 and "该条目已有待批准的移出提议" in twice.text

    approved = await officer.post(
        f"/office/lists/{entry.id}/lift/approve", data={"csrf_token": token(officer)}
    )
    assert (
        approved.status_code == 303 and approved.headers["location"] == "/office/lists?done=lifted"
    )
    entry = await ListEntry.get(id=entry.id)
    assert entry.status == "lifted" and entry.lifted_at is not None
    assert f'id="active-{entry.id}"' not in (await officer.get("/office/lists")).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"list": ""}, "list", "请选择一个名单。"),
        ({"list": "purple"}, "list", "请选择一个名单。"),
        ({"reason": ""}, "reason", "此项必填。"),
        ({"legal_basis": "  "}, "legal_basis", "此项必填。"),
        ({"decision_doc_no": ""}, "decision_doc_no", "此项必填。"),
        ({"start": ""}, "start", "请填写有效的日期。"),
        ({"start": "2026-02-30"}, "start", "请填写有效的日期。"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end", "结束日期必须晚于开始日期。"),
    ],
)
async def test_an_incomplete_proposal_shows_the_form_again(
    officer, person, changes, field, message
) -> None:
    before = await ListEntry.all().count()
    page = await propose(officer, person.person.id, **changes)
    assert page.status_code == 422
    assert message in page.text and 'role="alert"' in page.text
    assert f'<a href="#p-{field}">' in page.text  # the error summary links to the field
    assert "拒不履行行政处罚决定" in page.text or field == "reason"  # what was typed is kept
    assert await ListEntry.all().count() == before
    # Showing the person again is a look at their data: recorded with the purpose.
    entry = await AuditEntry.filter(action="person.viewed").order_by("-id").first()
    assert entry.subject_person_id == person.person.id and entry.purpose == "红黑名单认定"


async def test_proposing_for_nobody_is_a_404(officer) -> None:
    assert (await propose(officer, 999999)).status_code == 404
    assert (await propose(officer, 999999, reason="")).status_code == 404
    assert not await ListEntry.exists()


async def test_the_review_page_logs_a_look_at_each_person_shown(
    officer, second_officer, app
) -> None:
    people = [await make_person(app.state.ctx.cipher, name=f"名单{i}") for i in range(3)]
    for who in people:
        assert (await propose(officer, who.person.id)).status_code == 303
    before = await AuditEntry.filter(action="lists.reviewed").count()
    page = await second_officer.get("/office/lists")
    assert all(who.name in page.text for who in people)
    reviewed = await AuditEntry.filter(action="lists.reviewed").order_by("id")
    assert len(reviewed) == before + 3  # every person shown, so each resident sees the look
    assert {e.subject_person_id for e in reviewed[-3:]} == {who.person.id for who in people}
    assert all(
        e.actor_label.startswith("李复核") and e.purpose == "list review" for e in reviewed[-3:]
    )


POSTS = [
    (
        "/office/people/{person}/list-entries",
        {
            "list": "red",
            "reason": "x",
            "legal_basis": "x",
            "decision_doc_no": "x",
            "start": "2026-01-01",
        },
    ),
    ("/office/lists/{entry}/decision", {"decision": "approve"}),
    ("/office/lists/{entry}/lift", {"reason": "x"}),
    ("/office/lists/{entry}/lift/approve", {}),
]


@pytest.mark.parametrize(("path", "form"), POSTS)
@pytest.mark.parametrize("csrf_value", [None, "", "wrong"])
async def test_every_list_action_needs_the_csrf_token(
    officer, second_officer, person, path, form, csrf_value
) -> None:
    await propose(officer, person.person.id)
    entry = await ListEntry.get(person_id=person.person.id)
    if "lift" in path:
        await second_officer.post(
            f"/office/lists/{entry.id}/decision",
            data={"csrf_token": token(second_officer), "decision": "approve"},
        )
        if path.endswith("approve"):
            await second_officer.post(
                f"/office/lists/{entry.id}/lift",
                data={"csrf_token": token(second_officer), "reason": "x"},
            )
    data = dict(form)
    if csrf_value is not None:
        data["csrf_token"] = csrf_value
    before = await row_counts()
    state = await ListEntry.all().values("id", "status", "lift_proposed_by_id")
    response = await officer.post(path.format(person=person.person.id, entry=entry.id), data=data)
    assert response.status_code == 403
    assert "页面已过期，请刷新后重试" in response.text
    assert await row_counts() == before
    assert await ListEntry.all().values("id", "status", "lift_proposed_by_id") == state


async def test_auditors_and_residents_cannot_manage_lists(
    app, client, authenticator, other_client, person
) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    await enrol(
        other_client, SoftAuthenticator(origin=ORIGIN), await make_person(app.state.ctx.cipher)
    )
    for http in (client, other_client):
        assert (await http.get("/office/lists")).status_code == 403
        response = await http.post(
            f"/office/people/{person.person.id}/list-entries", data=proposal(http)
        )
        assert response.status_code == 403
    assert not await ListEntry.exists()


async def test_the_lists_page_in_english(officer, person) -> None:
    await propose(officer, person.person.id)
    page = (await officer.get("/office/lists?lang=en")).text
    assert "Proposals to decide (1)" in page and "Waiting for a second officer" in page
    assert re.search(r"Black list", page)
