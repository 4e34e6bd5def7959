"""Signed credit reports: a PDF in Chinese (English on request) with every record, its legal
basis and dates, objection marks, the resident's statements and the look-up log; a QR and a
short code lead to the public check, which refuses a changed copy, a revoked and an expired
report. Every check is a look in the resident's access log."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import httpx
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.core.ratelimit import RateLimiter
from backend.rights.models import CreditReport
from backend.rights.routes import CHECK_BURST
from tests.credit.helpers import problem
from tests.due_process import file_repair, resident
from tests.rights.helpers import officer_look, with_records


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_of(pdf: bytes) -> str:
    """Decode the QR image embedded on the report's first page."""
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert images, "the report carries its QR as an image"
    picture = Image.open(io.BytesIO(images[0].data)).convert("L")
    found = zxingcpp.read_barcodes(picture)
    assert found, "the QR decodes"
    return str(found[0].text)


async def object_to(client: httpx.AsyncClient, headers: dict[str, str], record_id: int) -> None:
    response = await client.post(
        "/api/v1/me/objections",
        data={"subject": "record", "subject_id": str(record_id), "reason": "罚款决定书已被撤销，本人未受处罚。"},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text


async def make_report(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> bytes:
    response = await client.post("/api/v1/me/credit-reports", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "current"
    pdf = await client.get(response.json()["pdf_url"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == response.json()["pdf_sha256"]
    return pdf.content


async def test_a_report_holds_the_records_in_chinese_and_checks_as_genuine(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record_id = await with_records(r)
    await object_to(client, r.headers(), record_id)
    repaired = await with_records(r)
    assert (await file_repair(r, repaired)).status_code == 201
    await officer_look(r.person_id, purpose="窗口咨询")
    pdf = await make_report(client, r.headers())
    text = text_of(pdf)
    for expected in ("个人信用报告", "张伟明", "一般行政处罚", "法律依据", "异议标注", "本人声明",
                     "罚款决定书已被撤销", "罚款已于上月缴清", "查询记录", "王科员", "窗口咨询"):  # fmt: skip
        assert expected in text, expected
    url = qr_of(pdf)
    report = await CreditReport.get(person_id=r.person_id)
    assert url == f"http://localhost:8000/reports/{report.code}"
    assert report.code in text  # the short code is printed too
    # A landlord (no account) opens the QR's page and hands in the file.
    page = await other_client.get(f"/reports/{report.code}")
    assert page.status_code == 200 and 'data-outcome="genuine"' in page.text
    same = await other_client.post(f"/api/v1/credit-reports/{report.code}", content=pdf,
                                   headers={"content-type": "application/pdf"})  # fmt: skip
    assert same.json()["outcome"] == "genuine" and same.json()["file_checked"] is True
    assert same.json()["name"] == "张伟明"
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01  # one byte
    altered = await other_client.post(f"/api/v1/credit-reports/{report.code}",
                                      content=bytes(changed),
                                      headers={"content-type": "application/pdf"})  # fmt: skip
    assert altered.json() == {"outcome": "altered", "file_checked": True, "code": report.code,
                              "issued_at": altered.json()["issued_at"],
                              "expires_at": altered.json()["expires_at"]}  # fmt: skip
    uploaded = await other_client.post(f"/reports/{report.code}",
                                       files={"file": ("report.pdf", bytes(changed), "application/pdf")})  # fmt: skip
    assert 'data-outcome="altered"' in uploaded.text
    # Every check is a look in the resident's log; the resident sees it.
    log = (await client.get("/api/v1/me/access-log")).json()["items"]
    checks = [e for e in log if e["action"] == "report.checked"]
    assert len(checks) == 4
    assert (await CreditReport.get(id=report.id)).checks == 4
    again = await client.get(f"/api/v1/me/credit-reports/{report.code}/pdf")
    assert again.content == pdf  # the same file, byte for byte


async def test_english_on_request(client: httpx.AsyncClient, app: Any) -> None:
    r = await resident(client, app)
    await with_records(r)
    text = text_of(await make_report(client, r.headers(), locale="en"))
    assert "Personal credit report" in text and "Legal basis" in text
    bad = await client.post("/api/v1/me/credit-reports", json={"locale": "fr"}, headers=r.headers())
    problem(bad, 422, "validation_failed")
    assert await CreditReport.all().count() == 1


async def test_revoked_and_expired_reports_are_refused(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    await with_records(r)
    first = await make_report(client, r.headers())
    second = await make_report(client, r.headers())
    mine = (await client.get("/api/v1/me/credit-reports")).json()["items"]
    assert [m["state"] for m in mine] == ["current", "current"]
    revoked_code, live_code = mine[1]["code"], mine[0]["code"]
    revoked = await client.post(f"/api/v1/me/credit-reports/{revoked_code}/revoke",
                                headers=r.headers())  # fmt: skip
    assert revoked.json()["state"] == "revoked"
    check = await other_client.post(f"/api/v1/credit-reports/{revoked_code}", content=first,
                                    headers={"content-type": "application/pdf"})  # fmt: skip
    assert check.json()["outcome"] == "revoked" and "name" not in check.json()
    unknown = await other_client.get("/api/v1/credit-reports/ZZZZZZZZZZ")
    assert unknown.json() == {"outcome": "unknown", "file_checked": False}
    theirs = await other_client.post(f"/api/v1/me/credit-reports/{live_code}/revoke")
    assert theirs.status_code == 401
    clock.shift(dt.timedelta(days=31))  # the default validity is 30 days
    late = await other_client.post(f"/api/v1/credit-reports/{live_code}", content=second,
                                   headers={"content-type": "application/pdf"})  # fmt: skip
    assert late.json()["outcome"] == "expired"
    page = await other_client.get(f"/reports/{live_code}")
    assert 'data-outcome="expired"' in page.text


async def test_a_report_whose_stored_content_was_changed_fails_its_signature(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    await with_records(r)
    await make_report(client, r.headers())
    report = await CreditReport.get(person_id=r.person_id)
    content = dict(report.content)
    content["records"] = []  # someone with database access hides the record
    await CreditReport.filter(id=report.id).update(content=content)
    check = await other_client.get(f"/api/v1/credit-reports/{report.code}")
    assert check.json()["outcome"] == "bad_signature"
    assert await AuditEntry.filter(action="report.checked").count() == 1


async def test_public_checks_are_throttled_per_client(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    await make_report(client, r.headers())
    code = (await CreditReport.get(person_id=r.person_id)).code
    # The burst as configured, refilled too slowly to matter however slow this machine is.
    app.state.report_check_limiter = RateLimiter(1e-6, CHECK_BURST)
    for _ in range(CHECK_BURST):
        assert (await other_client.get(f"/api/v1/credit-reports/{code}")).status_code == 200
    flooded = await other_client.get(f"/api/v1/credit-reports/{code}")
    problem(flooded, 429, "too_many_requests")
    assert await AuditEntry.filter(action="report.checked").count() == 30  # the refused one: none
    assert (await client.get(f"/api/v1/credit-reports/{code}")).status_code == 200  # others may
