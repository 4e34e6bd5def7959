"""Looking a person up: by ID number, with a stated purpose, always recorded — and the
resident sees the look in "who viewed my data". Refused look-ups record nothing."""

from __future__ import annotations

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.auth.models import Throttle
from backend.residents import idnumber
from backend.residents.models import PersonOccupation
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import enrol, make_person, make_staff
from tests.office.helpers import record, submit, token


@pytest.fixture
async def resident(app, other_client):
    """王建国 of 大冶市, a teacher with records from two departments, on the black list by rule,
    enrolled in the app (in the second browser) so we can read his "who viewed my data"."""
    who = await make_person(app.state.ctx.cipher, name="王建国", area="420281")
    await PersonOccupation.create(person_id=who.person.id, group_code="teacher")
    await enrol(other_client, SoftAuthenticator(origin=ORIGIN), who)
    await submit(
        other_client, "court", [record("C-1", who.id_number, "LAW_COURT_DEFAULTER", days_ago=30)]
    )
    await submit(
        other_client, "health", [record("B-1", who.id_number, "PRO_BLOOD_DONATION", days_ago=5)]
    )
    return who


def look_up(officer: httpx.AsyncClient, number: str, purpose: str = "objection", detail: str = ""):
    return officer.post(
        "/office/people",
        data={
            "csrf_token": token(officer),
            "id_number": number,
            "purpose": purpose,
            "purpose_detail": detail,
        },
    )


async def test_a_look_up_shows_the_person_and_is_recorded_with_its_purpose(
    officer, resident, other_client
) -> None:
    page = await look_up(officer, resident.id_number, "objection", "异议 2026-17 号")
    assert page.status_code == 200, page.text
    text = page.text
    assert resident.id_number not in text  # never the full number
    assert f'id="masked-id">{idnumber.mask(resident.id_number)}<' in text
    assert "王建国" in text and "大冶市" in text and ">1985<" in text and "教师" in text
    assert 'id="person-score">410<' in text and "待提高" in text  # 600 − 200 + 10
    assert "遵纪守法" in text and "-200" in text and "社会公益" in text and "+10" in text
    assert "失信被执行人" in text and "无偿献血" in text  # the records, by type name
    assert "市中级人民法院" in text and "市卫生健康委员会" in text
    assert "黑名单" in text
    assert "处理异议申请：异议 2026-17 号" in text  # the officer sees what was recorded

    entry = await AuditEntry.get(action="person.viewed")
    assert entry.subject_person_id == resident.person.id
    assert entry.purpose == "处理异议申请：异议 2026-17 号"
    assert entry.actor_label.startswith("陈信用") and entry.organisation == "黄石市信用办"
    assert resident.id_number not in str(entry.details)

    # The resident sees it in "who viewed my data".
    log = (await other_client.get("/api/v1/me/access-log")).json()["items"]
    viewed = [item for item in log if item["action"] == "person.viewed"]
    assert len(viewed) == 1
    assert viewed[0]["purpose"] == "处理异议申请：异议 2026-17 号"
    assert viewed[0]["who"].startswith("陈信用") and viewed[0]["organisation"] == "黄石市信用办"


async def test_free_text_alone_or_other_with_words_is_a_purpose(officer, resident) -> None:
    assert (await look_up(officer, resident.id_number, "", "市长热线工单 12345")).status_code == 200
    assert (await look_up(officer, resident.id_number, "other", "纪检调查配合")).status_code == 200
    purposes = (
        await AuditEntry.filter(action="person.viewed")
        .order_by("id")
        .values_list("purpose", flat=True)
    )
    assert purposes == ["市长热线工单 12345", "纪检调查配合"]


async def test_the_id_number_may_be_typed_with_spaces_full_width_or_a_small_x(officer, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="赵晓")
    typed = who.id_number.lower()[:6] + " " + who.id_number.lower()[6:]
    typed = typed.replace("1", "１")
    page = await look_up(officer, typed)
    assert page.status_code == 200 and "赵晓" in page.text


@pytest.mark.parametrize(
    ("purpose", "detail", "message"),
    [
        ("", "", "请选择或填写查询事由，未说明事由不能查询。"),
        ("", "   ", "请选择或填写查询事由，未说明事由不能查询。"),
        ("other", "", "选择“其他”时，请说明具体事由。"),
        ("curiosity", "", "请选择或填写查询事由，未说明事由不能查询。"),
    ],
)
async def test_a_look_up_without_a_purpose_is_refused(
    officer, resident, purpose, detail, message
) -> None:
    before = await row_counts()
    page = await look_up(officer, resident.id_number, purpose, detail)
    assert page.status_code == 422
    assert 'role="alert"' in page.text and message in page.text
    assert "王建国" not in page.text and resident.id_number not in page.text
    assert await row_counts() == before
    assert not await AuditEntry.filter(action="person.viewed").exists()


@pytest.mark.parametrize(
    ("number", "status", "message"),
    [
        ("123", 422, "这不是有效的 18 位身份证号码"),
        ("420281198506150010", 422, "这不是有效的 18 位身份证号码"),  # wrong check digit
        ("420281198502300012", 422, "这不是有效的 18 位身份证号码"),  # 30 February
        ("", 422, "请输入居民的 18 位身份证号码"),
    ],
)
async def test_an_invalid_number_is_refused_and_nothing_is_logged(
    officer, resident, number, status, message
) -> None:
    before = await row_counts()
    page = await look_up(officer, number)
    assert page.status_code == status
    assert message in page.text and 'aria-invalid="true"' in page.text
    assert await row_counts() == before


async def test_every_problem_of_the_form_is_reported_at_once(officer) -> None:
    page = await look_up(officer, "4202", "", "")
    assert page.status_code == 422
    summary = page.text.split('id="lookup-error"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_number">这不是有效的 18 位身份证号码' in summary
    assert '<a href="#purpose">请选择或填写查询事由' in summary
    assert page.text.count('aria-invalid="true"') == 2
    assert 'aria-describedby="id_number-hint id_number-error"' in page.text


async def test_an_unknown_number_says_so_and_is_recorded_without_the_number(
    officer, resident
) -> None:
    unknown = idnumber.make("420281", idnumber.parse(resident.id_number).birth_date, 999)
    before = await row_counts()
    page = await look_up(officer, unknown, "other", "核查来电")
    assert page.status_code == 404
    assert "人口库中没有这个身份证号码对应的居民" in page.text
    assert unknown not in page.text
    missed = await AuditEntry.filter(action="person.lookup_missed")
    assert len(missed) == 1 and missed[0].subject_person_id is None
    assert missed[0].purpose == "核查来电" and missed[0].actor_account_id is not None
    everything = repr(await AuditEntry.all().values())
    assert unknown not in everything and unknown[-8:] not in everything  # never the number
    after = await row_counts(without=(Throttle,))  # the quota counts the look-up
    assert after.pop("AuditEntry") == before.pop("AuditEntry") + 1
    before.pop("Throttle")
    assert after == before


async def test_the_look_up_form_is_a_plain_accessible_form(officer) -> None:
    page = await officer.get("/office/people")
    assert page.status_code == 200
    text = page.text
    assert '<form method="post" action="/office/people"' in text
    assert f'name="csrf_token" value="{token(officer)}"' in text
    for field in ("id_number", "purpose", "purpose_detail"):
        assert f'<label for="{field}">' in text and f'id="{field}"' in text
    for code in (
        "objection",
        "repair",
        "list_decision",
        "counter_enquiry",
        "record_check",
        "other",
    ):
        assert f'<option value="{code}"' in text
    english = (await officer.get("/office/people?lang=en")).text
    assert "Handling an objection" in english and "Look up a person" in english


async def test_a_person_without_records_has_no_score(officer, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="刘新", area="420204")
    page = await look_up(officer, who.id_number, "counter_enquiry")
    assert page.status_code == 200
    assert (
        "暂无信用分" in page.text and "没有信用记录" in page.text and "未列入任何名单" in page.text
    )
    assert "下陆区" in page.text


async def test_the_look_up_needs_the_csrf_token(officer, resident) -> None:
    before = await row_counts()
    for form in ({}, {"csrf_token": "wrong"}):
        page = await officer.post(
            "/office/people", data={**form, "id_number": resident.id_number, "purpose": "objection"}
        )
        assert page.status_code == 403
    assert await row_counts() == before


async def test_an_auditor_cannot_look_people_up(client, authenticator, resident) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    assert (await client.get("/office/people")).status_code == 403
    page = await client.post(
        "/office/people",
        data={"csrf_token": token(client), "id_number": resident.id_number, "purpose": "objection"},
    )
    assert page.status_code == 403
    assert "王建国" not in page.text
    assert not await AuditEntry.filter(action="person.viewed").exists()


async def test_a_resident_cannot_look_people_up(app, client, authenticator, resident) -> None:
    me = await make_person(app.state.ctx.cipher, name="好奇")
    await enrol(client, authenticator, me)
    assert (await client.get("/office/people")).status_code == 403
    page = await client.post(
        "/office/people",
        data={"csrf_token": token(client), "id_number": resident.id_number, "purpose": "objection"},
    )
    assert page.status_code == 403 and "王建国" not in page.text
