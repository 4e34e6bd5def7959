"""A department reports its joint cases (reportJointCase, 向市信用办反馈报送): by API with its
token and in its console; idempotent on its own id; ID numbers masked; another department
sees none of them."""

from __future__ import annotations

from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.core.i18n import catalog
from backend.jointcases.measures import MEASURES
from backend.jointcases.models import CaseSource, JointCase
from backend.jointcases.service import FORM_REASONS
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import make_person, make_staff
from tests.jointcases.helpers import URL, case, department
from tests.partners.helpers import token


async def test_a_department_reports_a_case_once_and_sees_only_its_own(
    app: Any, client: httpx.AsyncClient
) -> None:
    person = await make_person(app.state.ctx.cipher)
    court, tax = await department("court"), await department("tax")
    summary = f"被执行人 {person.id_number} 限制乘坐飞机"
    body = case("ZX-2026-001", id_number=person.id_number, summary=summary)
    first = await client.post(URL, json=body, headers=court)
    assert first.status_code == 200, first.text
    made = first.json()
    assert made["created"] is True and made["department"] == "court"
    assert (made["list"], made["kind"], made["measure"]) == (
        "black",
        "punishment",
        "market_punishment",
    )
    assert person.id_number not in first.text and "*" * 18 in made["summary"]
    assert made["person"] and made["person"] != person.id_number and "*" in made["person"]
    stored = await JointCase.get(id=made["id"])
    assert stored.person_id == person.person.id and person.id_number not in stored.summary
    assert (stored.month, stored.source) == (body["date"][:7], "reported")

    again = await client.post(URL, json=body, headers=court)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == made["id"] and await JointCase.all().count() == 1
    changed = await client.post(URL, json={**body, "measure": "denial_or_ban"}, headers=court)
    assert changed.status_code == 409 and changed.json()["reason"] == "external_id_reused"
    # the same id of another department is another case
    other = await client.post(
        URL, json=case("ZX-2026-001", case_reference="税稽〔2026〕7号"), headers=tax
    )
    assert other.status_code == 200 and other.json()["created"] is True

    mine = (await client.get(URL, headers=court)).json()
    assert [c["id"] for c in mine["items"]] == [made["id"]] and mine["total"] == 1
    theirs = (await client.get(URL, headers=tax)).json()
    assert [c["case_reference"] for c in theirs["items"]] == ["税稽〔2026〕7号"]
    assert made["id"] not in [c["id"] for c in theirs["items"]]
    audited = await AuditEntry.filter(action="joint_case.reported").order_by("id")
    assert [a.subject_person_id for a in audited] == [person.person.id, None]


async def test_a_report_is_checked_field_by_field(app: Any, client: httpx.AsyncClient) -> None:
    court = await department("court")
    person = await make_person(app.state.ctx.cipher)
    cases = {
        "list": case("A", list="purple", id_number=person.id_number),
        "measure": case("B", measure="green_channel", id_number=person.id_number),  # red only
        "date": case("C", date="2099-01-01", id_number=person.id_number),
        "id_number": case("D"),  # neither an ID number nor a case reference
    }
    for field, body in cases.items():
        response = await client.post(URL, json=body, headers=court)
        assert response.status_code == 422, (field, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, (field, response.text)
    both = case("E", id_number=person.id_number, case_reference="X-1")
    assert (await client.post(URL, json=both, headers=court)).status_code == 422
    stranger = case("F", id_number="11010519491231002X")
    unknown = await client.post(URL, json=stranger, headers=court)
    assert unknown.status_code == 422 and "register" in unknown.text
    assert await JointCase.all().count() == 0
    # nobody signed in may report
    resident = await client.post(URL, json=case("G", case_reference="X"))
    assert resident.status_code == 401


async def test_a_department_reports_in_its_console(
    app: Any, client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    await make_staff(client, SoftAuthenticator(origin=ORIGIN), ["department_submitter"],
                     name="周法官", organisation="court")  # fmt: skip
    person = await make_person(app.state.ctx.cipher, name="李强")
    page = await client.get("/department/joint-cases")
    assert page.status_code == 200 and "联合奖惩案例报送" in page.text
    assert 'href="/department/joint-cases" aria-current="page"' in page.text
    form = {"csrf_token": token(client), "external_id": "ZX-9", "id_number": person.id_number,
            "list": "black", "measure": "denial_or_ban", "date": "2026-11-20",
            "summary": "禁止参与政府采购"}  # fmt: skip
    done = await client.post("/department/joint-cases", data=form, follow_redirects=True)
    assert done.status_code == 200 and 'id="joint-case-done"' in done.text
    assert "禁止参与政府采购" in done.text and person.id_number not in done.text
    assert "否决或禁入" in done.text
    bad = await client.post("/department/joint-cases", data={**form, "external_id": "ZX-10",
                            "measure": "green_channel"})  # fmt: skip
    assert bad.status_code == 422 and 'id="joint-case-error"' in bad.text
    assert "<code>measure</code>" in bad.text
    reused = await client.post("/department/joint-cases", data={**form, "summary": "另一件事"})
    assert reused.status_code == 409 and "这个编号已用于另一个不同的案例" in reused.text
    english = await client.get("/department/joint-cases?lang=en")
    assert "Joint cases: report" in english.text and "Refusal or ban" in english.text

    # another department's submitter sees none of the court's cases
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["department_submitter"],
                     name="王税务", organisation="tax")  # fmt: skip
    theirs = await other_client.get("/department/joint-cases")
    assert theirs.status_code == 200 and 'id="no-joint-cases"' in theirs.text
    assert "禁止参与政府采购" not in theirs.text


def test_every_refusal_the_form_names_is_worded_in_both_languages() -> None:
    for locale in ("zh-CN", "en"):
        messages = catalog(locale)
        missing = {r for r in FORM_REASONS if f"jointcase.error.{r}" not in messages}
        assert not missing, (locale, missing)
        worded = {m for m in MEASURES if f"jointcase.measure.{m}" not in messages}
        assert not worded, (locale, worded)
        sources = {s.value for s in CaseSource if f"jointcase.source.{s.value}" not in messages}
        assert not sources, (locale, sources)
