"""Requests that used to reach the database or the interpreter's limits and answer 500: each
is a clear 4xx problem now, refused by the shared parser, the declared bounds or the route's
guard, and nothing is stored."""

from __future__ import annotations

import pytest

from backend.core.http import ID_MAX, INT_MAX
from backend.credit.models import CreditRecord, ListEntry
from backend.partners.models import Offer, Redemption
from tests.authenticator import SoftAuthenticator
from tests.dbstate import row_counts
from tests.factories import csrf, make_staff
from tests.partners.fixtures import browsers, library
from tests.partners.helpers import resident_phone

__all__ = ["browsers", "library"]
PROBLEM = "application/problem+json"
HUGE = "9" * 5000  # beyond Python's 4,300-digit int-string limit


def _problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


async def test_a_huge_json_integer_is_400_on_anonymous_start_enrolment(client) -> None:
    before = await row_counts()
    response = await client.post(
        "/api/v1/enrolment/start",
        content=f'{{"name": "张三", "id_number": {HUGE}}}'.encode(),
        headers={"content-type": "application/json"},
    )
    body = _problem(response, 400, "malformed_json")
    assert "too many digits" in body["detail"]
    assert await row_counts() == before


async def test_a_huge_json_integer_is_refused_in_ndjson_and_in_a_json_array(
    app, client, library
) -> None:
    officer = library.officer
    made = await officer.post(
        "/api/v1/department-tokens", json={"department": "court"}, headers=csrf(officer)
    )
    assert made.status_code == 201, made.text
    bearer = {"authorization": f"Bearer {made.json()['token']}"}
    line = f'{{"external_id": "A-1", "id_number": {HUGE}}}'
    ndjson = await client.post(
        "/api/v1/records",
        content=f"{line}\n".encode(),
        headers=bearer | {"content-type": "application/x-ndjson"},
    )
    body = _problem(ndjson, 422)
    assert any("too many digits" in e["message"] for e in body["errors"]), body
    array = await client.post(
        "/api/v1/records",
        content=f"[{line}]".encode(),
        headers=bearer | {"content-type": "application/json"},
    )
    assert "too many digits" in _problem(array, 400, "malformed_json")["detail"]
    assert await CreditRecord.all().count() == 0


@pytest.mark.parametrize("value", [2**63, ID_MAX + 1, 10**30])
async def test_ids_beyond_bigint_are_422_on_verify_pass_and_create_redemption(
    app, library, browsers, value: int
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    before = await row_counts()
    for path in ("/api/v1/passes/verify", "/api/v1/redemptions"):
        response = await library.admin.post(
            path, json={"text": phone.present(), "offer_id": value}, headers=library.key
        )
        errors = _problem(response, 422, "validation_failed")["errors"]
        assert [e["field"] for e in errors] == ["offer_id"], path
    assert await Redemption.all().count() == 0
    assert await row_counts() == before


async def test_a_person_id_beyond_bigint_is_422_on_propose_list_entry(library) -> None:
    officer = library.officer
    response = await officer.post(
        "/api/v1/list-entries",
        json={
            "person_id": 2**63,
            "list": "red",
            "reason": "见义勇为",
            "legal_basis": "《黄石市社会信用条例》",
            "decision_doc_no": "黄文〔2026〕1号",
            "start": "2026-01-01",
        },
        headers=csrf(officer),
    )
    assert _problem(response, 422)["errors"][0]["field"] == "person_id"
    assert await ListEntry.all().count() == 0


async def test_a_quota_beyond_the_int_column_is_422_on_create_offer(library) -> None:
    offers = await Offer.all().count()
    response = await library.admin.post(
        "/api/v1/partner/offers",
        json={
            "title_zh": "优先",
            "title_en": "Priority",
            "kind": "priority",
            "quota": INT_MAX + 1,
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        headers=csrf(library.admin),
    )
    assert _problem(response, 422)["errors"][0]["field"] == "quota"
    assert await Offer.all().count() == offers


async def test_query_integers_are_ascii_digits_within_bounds(client) -> None:
    officer = client
    await make_staff(officer, SoftAuthenticator(), ["auditor"], name="审计员")
    for query in ("limit=²", "limit=٣", "limit=+5", "limit=5_0", "limit= 5", "limit=0",
                  "limit=501", f"before={HUGE}", f"before={2**63}", "limit=1&limit=2"):  # fmt: skip
        response = await officer.get(f"/api/v1/audit/entries?{query}")
        field = _problem(response, 422, "validation_failed")["errors"][0]["field"]
        assert field in ("limit", "before"), query
    assert (await officer.get("/api/v1/audit/entries?limit=5&before=999")).status_code == 200


async def test_query_text_longer_than_its_column_is_422(library) -> None:
    response = await library.officer.get(f"/api/v1/partners?status={'x' * 13}")
    assert _problem(response, 422)["errors"][0]["field"] == "status"
    assert (await library.officer.get("/api/v1/partners?status=approved")).status_code == 200


async def test_a_nul_byte_in_a_path_or_query_value_is_400(client, library) -> None:
    await make_staff(client, SoftAuthenticator(), ["auditor"], name="审计员")
    for path in ("/api/v1/audit/entries?action=a%00b", "/api/v1/audit/entries?a%00=1"):
        assert "NUL" in _problem(await client.get(path), 400, "bad_request")["detail"]
    officer = library.officer
    assert _problem(await officer.get("/api/v1/partners?status=a%00b"), 400)
    anonymous = await client.post("/api/v1/cases/lookup?x=%00", json={})
    assert _problem(anonymous, 400, "bad_request")


async def test_a_405_names_every_method_the_path_takes(client) -> None:
    response = await client.put("/api/v1/me/passkeys/1")
    _problem(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].split(", ")) == {"PATCH", "DELETE"}
    response = await client.delete("/api/v1/scoring-rules")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
