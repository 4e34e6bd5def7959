"""Counter-assisted filing as an officer does it, without JavaScript: the ID-card check and the
look-up by name and ID number (a logged look), a repair request with the commitment taken on
paper, an objection, the printed receipt, and what is refused with nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.credit.models import CreditRecord
from backend.evidence.models import EvidenceFile
from backend.objections.models import Objection
from backend.repairs.models import RepairRequest
from backend.residents import idnumber
from tests.cases.helpers import MARKET, alert, browser, csrf, field, sign_in_staff
from tests.due_process import EXE, PDF, negative_record, resident
from tests.factories import RegisteredPerson, make_person

NO_FILE = ("evidence", ("", b"", "application/octet-stream"))  # a file input left empty


async def stored() -> dict[str, int]:
    return {
        "repairs": await RepairRequest.all().count(),
        "objections": await Objection.all().count(),
        "files": await EvidenceFile.all().count(),
    }


async def identify(desk: httpx.AsyncClient, who: RegisteredPerson, **extra: str) -> httpx.Response:
    data = {"csrf_token": csrf(desk), "name": who.name, "id_number": who.id_number,
            "id_card_checked": "yes"} | extra  # fmt: skip
    return await desk.post("/office/cases/file", data=data)


def repair_form(
    desk: httpx.AsyncClient, ticket: str, record_id: int, **extra: str
) -> dict[str, str]:
    return {"csrf_token": csrf(desk), "ticket": ticket, "record_id": str(record_id),
            "statement": "罚款已在窗口缴清，带来了缴款凭证。", "paper_commitment": "yes"} | extra  # fmt: skip


async def test_an_officer_files_a_repair_for_a_resident_without_a_smartphone(app: Any) -> None:
    who = await make_person(app.state.ctx.cipher, name="刘阿婆")
    record = await negative_record(who.person.id)
    async with browser(app, "10.2.0.1") as desk, browser(app, "10.2.0.2") as department:
        officer = await sign_in_staff(desk, ["officer"], "窗口员")
        home = (await desk.get("/office")).text
        assert 'href="/office/cases/file"' in home and 'href="/office/cases"' in home
        form = (await desk.get("/office/cases/file")).text
        assert 'name="id_card_checked"' in form and '<label for="id_number">' in form

        shown = await identify(desk, who)
        assert shown.status_code == 200, shown.text
        assert "刘*" in shown.text and who.id_number not in shown.text  # masked only
        # what the ID-card check compares (residents.display): surname, characters, birth year
        assert '<dd id="visit-resident">刘*婆（3 个字，1985 年生） ·' in shown.text
        assert idnumber.mask(who.id_number) in shown.text  # area, birth year, check character
        assert 'enctype="multipart/form-data"' in shown.text and "信用修复完全免费" in shown.text
        look = await AuditEntry.get(action="person.viewed", subject_person_id=who.person.id)
        assert look.actor_account_id == officer.id and "ID card checked" in look.purpose
        ticket = field(shown.text, "ticket")

        filed = await desk.post(
            "/office/cases/file/repair",
            data=repair_form(desk, ticket, record.id),
            files=[("evidence", ("缴款凭证.pdf", PDF, "application/pdf"))],
        )
        assert filed.status_code == 303, filed.text
        case = await RepairRequest.get(person_id=who.person.id)
        assert filed.headers["location"] == f"/office/cases/file/repairs/{case.id}"
        assert case.filed_by_id == officer.id and case.commitment_id is None
        assert case.status == "submitted" and case.department == "market_regulation"
        submitted = await AuditEntry.get(action="repair.submitted")
        assert submitted.actor_account_id == officer.id
        assert submitted.details["commitment"].startswith("paper, taken in person: repair ")

        receipt = (await desk.get(filed.headers["location"])).text
        assert f'id="receipt-case-no">{case.case_no}<' in receipt
        assert case.feedback_due.isoformat() in receipt and "/cases/lookup" in receipt
        # Another officer cannot read this officer's receipts.
        async with browser(app, "10.2.0.3") as other:
            await sign_in_staff(other, ["officer"], "另一位")
            assert (await other.get(filed.headers["location"])).status_code == 404

        # The department sees a counter filing with its commitment taken on paper.
        await sign_in_staff(department, ["department_submitter"], "吴报送", MARKET)
        page = (await department.get(f"/department/repairs/{case.id}")).text
        assert "罚款已在窗口缴清" in page and "当面收取（纸质）" in page

    async with browser(app, "10.2.0.9") as family:  # and the family follows it on the web
        found = await family.post("/cases/lookup", data={"case_no": case.case_no, "name": "刘阿婆"})
        assert found.status_code == 200 and 'id="lookup-state"' in found.text


async def test_an_officer_files_an_objection_with_or_without_evidence(app: Any) -> None:
    who = await make_person(app.state.ctx.cipher, name="赵大爷")
    record = await negative_record(who.person.id, months_ago=1)  # too early to repair
    async with browser(app, "10.2.1.1") as desk:
        officer = await sign_in_staff(desk, ["officer"], "窗口员")
        shown = (await identify(desk, who)).text
        assert 'id="no-repair"' in shown and "起可申请修复" in shown
        filed = await desk.post(
            "/office/cases/file/objection",
            data={"csrf_token": csrf(desk), "ticket": field(shown, "ticket"),
                  "target": f"record:{record.id}", "reason": "处罚对象不是我本人。"},
            files=[NO_FILE],
        )  # fmt: skip
        assert filed.status_code == 303, filed.text
        objection = await Objection.get(person_id=who.person.id)
        assert filed.headers["location"] == f"/office/cases/file/objections/{objection.id}"
        assert objection.filed_by_id == officer.id and objection.subject == "record"
        assert (await CreditRecord.get(id=record.id)).disputed
        assert await EvidenceFile.all().count() == 0
        receipt = (await desk.get(filed.headers["location"] + "?lang=en")).text
        assert objection.case_no in receipt and objection.answer_due.isoformat() in receipt
        assert "Filing receipt" in receipt


async def test_without_the_id_card_check_or_a_match_nothing_is_shown(app: Any) -> None:
    who = await make_person(app.state.ctx.cipher, name="钱女士")
    await negative_record(who.person.id)
    async with browser(app, "10.2.2.1") as desk:
        await sign_in_staff(desk, ["officer"], "窗口员")
        unchecked = await desk.post(
            "/office/cases/file",
            data={"csrf_token": csrf(desk), "name": who.name, "id_number": who.id_number},
        )
        assert unchecked.status_code == 422 and "请先当面核验身份证" in alert(unchecked.text)
        wrong = await identify(desk, who, name="钱先生")
        assert wrong.status_code == 422 and "不一致" in alert(wrong.text)
        bad = await identify(desk, who, id_number="420202198506150000")
        assert bad.status_code == 422 and 'name="ticket"' not in bad.text
        assert not await AuditEntry.filter(action="person.viewed").exists()


async def test_a_refused_filing_shows_why_and_stores_nothing(app: Any) -> None:
    who = await make_person(app.state.ctx.cipher, name="孙先生")
    other = await make_person(app.state.ctx.cipher, name="李先生")
    record = await negative_record(who.person.id)
    other_record = await negative_record(other.person.id)
    async with browser(app, "10.2.3.1") as desk, browser(app, "10.2.3.2") as second:
        await sign_in_staff(desk, ["officer"], "窗口员")
        ticket = field((await identify(desk, who)).text, "ticket")
        pdf = [("evidence", ("a.pdf", PDF, "application/pdf"))]
        cases: list[tuple[dict[str, str], list[Any], int, str]] = [
            (repair_form(desk, ticket, record.id, paper_commitment=""), pdf, 422, "纸质信用承诺书"),
            (repair_form(desk, ticket, record.id), [NO_FILE], 422, "证明材料"),
            (repair_form(desk, ticket, record.id),
             [("evidence", ("receipt.pdf", EXE, "application/pdf"))], 415, "按内容检查"),
            (repair_form(desk, ticket, record.id, statement=""), pdf, 422, "说明"),
            (repair_form(desk, ticket, other_record.id), pdf, 404, ""),  # not this resident's
        ]  # fmt: skip
        for data, files, status, message in cases:
            refused = await desk.post("/office/cases/file/repair", data=data, files=files)
            assert refused.status_code == status, (data, refused.text)
            assert message in alert(refused.text)
            if status != 404:  # the resident's page again, with the same visit
                assert field(refused.text, "ticket") == ticket
        # A ticket pointed at another person, or someone else's, or an old one, is refused.
        _, until, mac = ticket.split(".")
        forged = f"{other.person.id}.{until}.{mac}"
        for bad in (forged, "", "1.2.3"):
            refused = await desk.post("/office/cases/file/repair",
                                      data=repair_form(desk, bad, other_record.id), files=pdf)  # fmt: skip
            assert refused.status_code == 403 and "重新当面核验" in alert(refused.text)
        await sign_in_staff(second, ["officer"], "另一位")
        stolen = await second.post("/office/cases/file/repair",
                                   data=repair_form(second, ticket, record.id), files=pdf)  # fmt: skip
        assert stolen.status_code == 403
        clock.shift(dt.timedelta(minutes=31))
        late = await desk.post("/office/cases/file/repair",
                               data=repair_form(desk, ticket, record.id), files=pdf)  # fmt: skip
        assert late.status_code == 403 and 'id="identify-form"' in late.text
    assert await stored() == {"repairs": 0, "objections": 0, "files": 0}


async def test_only_officers_file_at_the_counter(app: Any) -> None:
    async with browser(app, "10.2.4.1") as desk:
        await sign_in_staff(desk, ["department_submitter"], "吴报送", MARKET)
        assert (await desk.get("/office/cases/file")).status_code == 403
        assert 'href="/office/cases/file"' not in (await desk.get("/office")).text
        assert 'href="/department"' in (await desk.get("/office")).text


async def test_the_resident_sees_the_counter_look_and_case_in_their_app(app: Any) -> None:
    async with browser(app, "10.2.5.1") as desk, browser(app, "10.2.5.2") as phone:
        r = await resident(phone, app, name="周奶奶")  # later, on a grandchild's phone
        record = await negative_record(r.person_id)
        officer = await sign_in_staff(desk, ["officer"], "窗口员")
        ticket = field((await identify(desk, r.who)).text, "ticket")
        filed = await desk.post(
            "/office/cases/file/repair",
            data=repair_form(desk, ticket, record.id),
            files=[("evidence", ("凭证.pdf", PDF, "application/pdf"))],
        )
        assert filed.status_code == 303, filed.text

        looks = (await phone.get("/api/v1/me/access-log")).json()["items"]
        assert any(i["action"] == "person.viewed" and "ID card checked" in i["purpose"]
                   and i["who"].startswith(officer.display_name) for i in looks)  # fmt: skip
        [case] = (await phone.get("/api/v1/me/repairs")).json()["items"]
        assert case["filed_at_counter"] is True and case["commitment"] is None
        assert case["state"] == "submitted"
        # A resident cannot use the counter, even for themself.
        assert (await phone.get("/office/cases/file")).status_code == 403
        refused = await phone.post("/office/cases/file/repair",
                                   data=repair_form(phone, ticket, record.id))  # fmt: skip
        assert refused.status_code == 403
    assert await RepairRequest.all().count() == 1
