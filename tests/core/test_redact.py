"""Free text never stores an ID number: the scrubbing function, and the stores it guards —
a resident's objection reason (a multipart form), an officer's look-up purpose (a page form),
a department's record summary (a JSON batch) and an objection answer (a JSON body)."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.core.redact import is_free_text, scrub_fields, scrub_id_numbers
from backend.credit.models import CreditRecord
from backend.objections.models import Objection
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.due_process import PDF, department_headers, negative_record, resident
from tests.factories import make_person, make_staff
from tests.office.helpers import submit, token

NUMBER = idnumber.make("420202", dt.date(1985, 6, 15), 11)  # 42020219850615011?
FULL_WIDTH = NUMBER.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
STARS = "*" * 18


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (f"我的身份证号是{NUMBER}，请核实", f"我的身份证号是{STARS}，请核实"),
        (f"号码 {FULL_WIDTH} 有误", f"号码 {STARS} 有误"),
        (f"{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}", STARS),  # grouped as printed on cards
        (f"{NUMBER[:6]}-{NUMBER[6:14]}-{NUMBER[14:]}", STARS),
        ("11010519491231002X and 11010519491231002x", f"{STARS} and {STARS}"),
        ("1101051949123100２ｘ", STARS),  # half full-width
        ("42020219850615011", "42020219850615011"),  # 17 characters: not a number
        ("6222020202198506150112", "6222020202198506150112"),  # a bank card: longer run
        ("案号（2024）鄂0202执123号", "案号（2024）鄂0202执123号"),
        ("", ""),
    ],
)
def test_scrubbing_replaces_every_id_shaped_run(text: str, scrubbed: str) -> None:
    assert scrub_id_numbers(text) == scrubbed


def test_only_free_text_fields_are_scrubbed() -> None:
    body = {
        "id_number": NUMBER,  # the field that must carry one
        "purpose": f"核查 {NUMBER}",
        "purpose_detail": NUMBER,
        "items": [{"summary": NUMBER, "external_id": NUMBER}],
        "text": NUMBER,  # a scanned pass is text: left as scanned
    }
    assert scrub_fields(body) == {
        "id_number": NUMBER,
        "purpose": f"核查 {STARS}",
        "purpose_detail": STARS,
        "items": [{"summary": STARS, "external_id": NUMBER}],
        "text": NUMBER,
    }
    assert is_free_text("reason") and is_free_text("decision_note") and not is_free_text("name")


async def test_an_objection_reason_is_stored_without_the_number(client, app) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    created = await r.client.post(
        "/api/v1/me/objections",
        data={
            "subject": "record",
            "subject_id": str(record.id),
            "reason": f"不是我，我的号码是 {FULL_WIDTH}",
        },
        files=[("evidence", ("proof.pdf", PDF, "application/pdf"))],
        headers=r.headers(),
    )
    assert created.status_code == 201, created.text
    stored = await Objection.get(id=created.json()["id"])
    assert FULL_WIDTH not in stored.reason and NUMBER not in stored.reason
    assert stored.reason == f"不是我，我的号码是 {STARS}"
    answered = await client.post(
        f"/api/v1/department/objections/{stored.id}/answer",
        json={"upheld": False, "answer": f"经核实 {r.who.id_number} 的记录无误"},
        headers=await department_headers(),
    )
    assert answered.status_code == 200, answered.text
    again = await Objection.get(id=stored.id)
    assert r.who.id_number not in str(again.answer) and STARS in str(again.answer)


async def test_an_officer_purpose_and_a_department_summary_are_stored_without_the_number(
    client, other_client, app
) -> None:
    who = await make_person(app.state.ctx.cipher, name="王建国")
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], "李核查")
    look = await other_client.post(
        "/office/people",
        data={
            "csrf_token": token(other_client),
            "id_number": who.id_number,
            "purpose": "objection",
            "purpose_detail": f"来电 {who.id_number}",
        },
    )
    assert look.status_code == 200, look.text
    entry = await AuditEntry.filter(action="person.viewed").order_by("-id").first()
    assert entry is not None and who.id_number not in entry.purpose and STARS in entry.purpose
    await submit(client, "health", [{"external_id": "S-1", "id_number": who.id_number,
                                      "type": "PRO_BLOOD_DONATION",
                                      "decision_date": (clock.today() - dt.timedelta(days=30)).isoformat(),
                                      "summary": f"献血 {who.id_number}",
                                      "decision_doc_no": "DOC-S-1"}])  # fmt: skip
    record = await CreditRecord.get(external_id="S-1")
    assert record.summary == f"献血 {STARS}"
