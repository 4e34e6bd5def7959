"""The staff console: server-rendered pages with real forms that work without JavaScript."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.auth.models import Account, EnrolmentCode, Throttle
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import enrol, make_person, make_staff


def token(http: httpx.AsyncClient) -> str:
    return http.cookies.get("xinyi_csrf", "")


def shown_code(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]+)<', page)
    assert match, page
    return match.group(1)


@pytest.fixture
async def officer(client, authenticator) -> httpx.AsyncClient:
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    return client


@pytest.fixture
async def fresh(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.77.0.1", 77))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


async def test_an_officer_opens_the_console_pages(officer) -> None:
    for path in ("/office", "/office/staff", "/office/enrolment-codes"):
        page = await officer.get(path)
        assert page.status_code == 200, (path, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-CN">' in page.text
        assert 'href="#main"' in page.text  # skip link
        assert f'value="{token(officer)}"' in page.text  # sign-out form carries the CSRF token


async def test_the_home_page_lists_what_the_role_allows(officer) -> None:
    page = (await officer.get("/office")).text
    assert "您好，陈信用" in page
    assert 'href="/office/staff"' in page and 'href="/office/enrolment-codes"' in page
    assert 'href="/office/audit"' not in page
    english = await officer.get("/office?lang=en")
    assert "Hello, 陈信用" in english.text and '<html lang="en">' in english.text
    assert officer.cookies.get("xinyi_locale") == "en"
    assert "Credit officer" in (await officer.get("/office")).text  # the choice sticks


async def test_forms_are_plain_html_forms(officer) -> None:
    for path, action in (
        ("/office/staff", "/office/staff"),
        ("/office/enrolment-codes", "/office/enrolment-codes"),
    ):
        page = (await officer.get(path)).text
        assert f'<form method="post" action="{action}"' in page
        assert '<input type="hidden" name="csrf_token"' in page
        for field in re.findall(r'<input id="([\w-]+)"', page):
            assert f'<label for="{field}">' in page, field


async def test_a_staff_account_is_proposed_and_a_second_officer_hands_over_its_code(
    officer, second_officer, fresh
) -> None:
    page = await officer.post(
        "/office/staff",
        data={
            "csrf_token": token(officer),
            "display_name": "周审计",
            "organisation": "黄石市审计局",
            "roles": "auditor",
        },
    )
    assert page.status_code == 200, page.text
    assert 'id="staff-proposed"' in page.text and "周审计" in page.text
    assert 'id="new-code"' not in page.text  # the proposer never sees a code
    account = await Account.get(display_name="周审计")
    assert account.kind == "staff" and account.roles == "auditor" and account.status == "proposed"
    assert account.organisation == "黄石市审计局"
    assert "周审计" in page.text.split("现有工作人员")[1]  # listed among the staff
    assert f'action="/office/staff/{account.id}/approve"' not in page.text  # not for its proposer
    own = await officer.post(
        f"/office/staff/{account.id}/approve", data={"csrf_token": token(officer)}
    )
    assert own.status_code == 403 and 'data-reason="four_eyes"' in own.text
    assert not await EnrolmentCode.filter(account_id=account.id).exists()

    listed = (await second_officer.get("/office/staff")).text
    assert f'action="/office/staff/{account.id}/approve"' in listed
    approved = await second_officer.post(
        f"/office/staff/{account.id}/approve", data={"csrf_token": token(second_officer)}
    )
    assert approved.status_code == 200, approved.text
    assert approved.headers["cache-control"] == "no-store"
    code = shown_code(approved.text, "new-code")

    # The code shown is the one that works, once.
    auth = SoftAuthenticator(origin=ORIGIN)
    start = await fresh.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert start.status_code == 200, start.text
    finish = await fresh.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
    assert finish.json()["account_id"] == account.id
    assert (await fresh.get("/office/audit")).status_code == 200


async def test_several_roles_at_once(officer) -> None:
    page = await officer.post(
        "/office/staff",
        data={
            "csrf_token": token(officer),
            "display_name": "多面手",
            "roles": ["auditor", "counter_operator"],
        },
    )
    assert page.status_code == 200
    assert (await Account.get(display_name="多面手")).roles == "auditor,counter_operator"


INVALID_STAFF_FORMS = [
    {"display_name": "x", "roles": "resident"},
    {"display_name": "x", "roles": "superuser"},
    {"display_name": "x"},
    {"display_name": "", "roles": "auditor"},
    {"display_name": "   ", "roles": "auditor"},
]


async def test_invalid_staff_forms_show_the_error_and_store_nothing(officer) -> None:
    before = await row_counts()
    for form in INVALID_STAFF_FORMS:
        page = await officer.post("/office/staff", data={"csrf_token": token(officer), **form})
        assert page.status_code == 422, form
        assert 'role="alert"' in page.text and "填写的内容有误" in page.text
        assert 'id="new-code"' not in page.text
    assert await row_counts() == before


async def test_posting_without_the_csrf_token_is_a_403_page(officer) -> None:
    before = await row_counts()
    for csrf_value in (None, "", "wrong"):
        form = {"display_name": "不该出现", "roles": "auditor"}
        if csrf_value is not None:
            form["csrf_token"] = csrf_value
        page = await officer.post("/office/staff", data=form)
        assert page.status_code == 403, csrf_value
        assert page.headers["content-type"].startswith("text/html")
        assert "页面已过期，请刷新后重试" in page.text
    assert await row_counts() == before
    assert not await Account.filter(display_name="不该出现").exists()


async def test_names_are_escaped_in_pages(officer) -> None:
    name = '<script>alert("x")</script>'
    page = await officer.post(
        "/office/staff",
        data={"csrf_token": token(officer), "display_name": name, "roles": "auditor"},
    )
    assert page.status_code == 200
    assert name not in page.text
    assert html.escape(name) in page.text or "&lt;script&gt;" in page.text


async def test_nul_characters_in_forms_are_not_a_server_error(officer) -> None:
    page = await officer.post(
        "/office/staff",
        data={"csrf_token": token(officer), "display_name": "新\x00同事", "roles": "auditor"},
    )
    assert page.status_code == 200, page.text
    names = await Account.all().values_list("display_name", flat=True)
    assert "新同事" in names and not any("\x00" in n for n in names)


async def test_issuing_an_enrolment_code_from_the_counter_page(officer, fresh, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="林小红", male=False)
    page = await officer.post(
        "/office/enrolment-codes",
        data={
            "csrf_token": token(officer),
            "name": who.name,
            "id_number": who.id_number,
            "purpose": "现场身份核验",
            "id_card_checked": "yes",
        },
    )
    assert page.status_code == 200, page.text
    assert f"已为 {idnumber.mask(who.id_number)} 发放注册码" in page.text
    assert who.id_number not in page.text
    code = shown_code(page.text, "issued-code")
    row = await EnrolmentCode.get(person_id=who.person.id)
    assert row.purpose == "现场身份核验" and row.used_at is None
    entry = await AuditEntry.get(action="enrolment_code.issued")
    assert entry.subject_person_id == who.person.id and entry.purpose == "现场身份核验"

    start = await fresh.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert start.status_code == 200


async def test_refused_enrolment_codes_show_why(officer, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="林小红", male=False)
    good = {
        "csrf_token": token(officer), "name": who.name, "id_number": who.id_number,
        "purpose": "现场身份核验", "id_card_checked": "yes",
    }  # fmt: skip
    before = await row_counts()
    for change, message in (
        ({"id_card_checked": None}, "填写的内容有误"),
        ({"id_card_checked": "no"}, "填写的内容有误"),
        ({"name": "别人"}, "姓名与身份证号码不匹配"),
        ({"id_number": "123"}, "身份证号码无效"),
    ):
        form = {k: v for k, v in {**good, **change}.items() if v is not None}
        page = await officer.post("/office/enrolment-codes", data=form)
        assert page.status_code == 422, change
        assert message in page.text and 'id="issued-code"' not in page.text
    # Only the officer's look-up quota and one audited miss (the wrong name; never the number).
    assert await row_counts(without=(Throttle, AuditEntry)) == {
        k: v for k, v in before.items() if k not in ("Throttle", "AuditEntry")
    }
    assert await AuditEntry.filter(action="person.lookup_missed").count() == 1


async def test_an_auditor_sees_the_chain_status(client, authenticator, app) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    count = await AuditEntry.all().count()
    page = await client.get("/office/audit")
    assert page.status_code == 200
    assert f"哈希链完整：共 {count} 条记录，逐条校验通过。" in page.text
    assert "staff.created" in page.text

    first = await AuditEntry.all().order_by("id").first()
    await AuditEntry.filter(id=first.id).update(purpose="篡改")
    broken = await client.get("/office/audit")
    assert f"哈希链在第 {first.id} 条处断裂" in broken.text
    assert 'role="alert"' in broken.text


async def test_an_officer_cannot_read_the_audit_page(officer) -> None:
    page = await officer.get("/office/audit")
    assert page.status_code == 403
    assert "您没有权限进行此操作" in page.text


async def test_a_resident_cannot_open_the_console(fresh, app) -> None:
    await enrol(fresh, SoftAuthenticator(origin=ORIGIN), await make_person(app.state.ctx.cipher))
    page = await fresh.get("/office")
    assert page.status_code == 403


async def test_signed_out_visitors_are_sent_to_the_login_page(fresh) -> None:
    page = await fresh.get("/office/staff")
    assert page.status_code == 303
    assert page.headers["location"] == "/office/login?next=/office/staff"
    login = await fresh.get("/office/login")
    assert login.status_code == 200 and 'src="/app/js/office.js"' in login.text
    assert "<script>" not in login.text  # no inline script (CSP)


async def test_signing_out_from_the_console(officer) -> None:
    out = await officer.post("/office/logout", data={"csrf_token": token(officer)})
    assert out.status_code == 303 and out.headers["location"] == "/office/login"
    assert (await officer.get("/office")).status_code == 303
