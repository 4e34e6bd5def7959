"""submitRecords refuses bad batches with a 4xx that lists every problem by line and field,
and stores nothing (no record, score, score history or list entry) but one audit entry of the
refusal with its counts."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest

from backend.apitokens.models import ApiToken
from backend.audit.models import AuditEntry
from backend.core.clock import today
from backend.credit import ingest
from backend.credit.models import CreditRecord, Score, ScoreHistory
from backend.residents import idnumber
from tests.credit.helpers import NDJSON, ago, credit_counts, department, ndjson, problem
from tests.factories import csrf, enrol, make_person, make_staff

URL = "/api/v1/records"
BIRTH = dt.date(1985, 6, 15)


@pytest.fixture
async def who(app):
    return await make_person(app.state.ctx.cipher, name="李秀英", birth=BIRTH, male=False)


@pytest.fixture
async def court(app) -> dict[str, str]:
    return await department("court")


def wrong_check_digit(number: str) -> str:
    return number[:17] + next(c for c in "0123456789X" if c != number[17])


def good(who, external_id: str = "C-1", **overrides: Any) -> dict[str, Any]:
    item = {
        "external_id": external_id,
        "id_number": who.id_number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": ago(10),
        "summary": "未履行生效判决",
        "decision_doc_no": "(2026)鄂02执1号",
    }
    item.update(overrides)
    return {k: v for k, v in item.items() if v is not ...}


async def refused(
    client, status: int, code: str, headers: dict[str, str], **request: Any
) -> dict[str, Any]:
    """Refused with that status and code; nothing stored but the audit entry of the refusal,
    which counts the batch without a single ID number (a caller that is not a department
    never reaches the batch: 401 and 403 are not audited as batches)."""
    before = await credit_counts()
    response = await client.post(URL, headers=headers, **request)
    body = problem(response, status, code)
    after = await credit_counts()
    if status in (401, 403):
        assert after == before
        return body
    assert after == {**before, "AuditEntry": before["AuditEntry"] + 1}
    entry = await AuditEntry.all().order_by("-id").first()
    assert entry is not None and entry.action == "records.rejected"
    assert entry.details["status"] == status and entry.details["code"] == code
    assert entry.subject_person_id is None
    return body


def where(body: dict[str, Any]) -> list[tuple[int, str]]:
    return [(e["line"], e["field"]) for e in body["errors"]]


async def test_a_good_record_is_accepted(client, who, court) -> None:
    """The baseline the refusals below differ from by one thing."""
    response = await client.post(URL, json=[good(who)], headers=court)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 1, "created": 1, "unchanged": 0, "people_rescored": 1}


# (changes to a good record, the field named in the error, part of its message)
ONE_BAD_FIELD = [
    ({"type": "LAW_NO_SUCH_TYPE"}, "type", "unknown record type"),
    ({"type": "law_court_defaulter"}, "type", "unknown record type"),  # codes are exact
    ({"type": "PRO_BLOOD_DONATION"}, "type", "department court may not submit PRO_BLOOD_DONATION"),
    ({"type": "LAW_TAX_EVASION_MAJOR"}, "type", "may not submit"),
    ({"decision_date": (today() + dt.timedelta(days=1)).isoformat()}, "decision_date", "future"),
    ({"decision_date": (today() + dt.timedelta(days=400)).isoformat()}, "decision_date", "future"),
    (
        {"decision_date": (BIRTH - dt.timedelta(days=1)).isoformat()},
        "decision_date",
        "before the person was born",
    ),
    ({"decision_date": "1900-01-01"}, "decision_date", "before the person was born"),
    ({"decision_date": "2026-02-30"}, "decision_date", "YYYY-MM-DD"),
    ({"decision_date": "2026/01/05"}, "decision_date", "YYYY-MM-DD"),
    ({"decision_date": "20260105"}, "decision_date", "YYYY-MM-DD"),
    ({"decision_date": "2026-01-05T00:00:00"}, "decision_date", "YYYY-MM-DD"),
    ({"decision_date": 20260105}, "decision_date", "YYYY-MM-DD"),
    ({"decision_date": None}, "decision_date", "YYYY-MM-DD"),
    ({"decision_date": ...}, "decision_date", "YYYY-MM-DD"),
    ({"id_number": "42020219850615"}, "id_number", "invalid ID number (length)"),
    ({"id_number": "4202021985061500123"}, "id_number", "invalid ID number (length)"),
    ({"id_number": "42020219850615A012"}, "id_number", "invalid ID number (length)"),
    ({"id_number": idnumber.make("990202", BIRTH, 12)}, "id_number", "invalid ID number (area)"),
    ({"id_number": idnumber.make("420002", BIRTH, 12)}, "id_number", "invalid ID number (area)"),
    ({"id_number": "420202198502300128"}, "id_number", "invalid ID number (birth_date)"),
    (
        {"id_number": idnumber.make("420202", dt.date(1899, 12, 31), 12)},
        "id_number",
        "invalid ID number (birth_date)",
    ),
    ({"id_number": 420202198506150012}, "id_number", "required"),
    ({"id_number": ...}, "id_number", "required"),
    ({"external_id": ""}, "external_id", "1 to 64"),
    ({"external_id": "x" * 65}, "external_id", "1 to 64"),
    ({"external_id": 17}, "external_id", "1 to 64"),
    ({"external_id": ...}, "external_id", "1 to 64"),
    ({"type": 7}, "type", "unknown record type"),
    ({"type": ...}, "type", "unknown record type"),
    ({"summary": 5}, "summary", "at most 500"),
    ({"summary": "长" * 501}, "summary", "at most 500"),
    ({"summary": None}, "summary", "at most 500"),
    ({"decision_doc_no": ["x"]}, "decision_doc_no", "at most 64"),
    ({"decision_doc_no": "号" * 65}, "decision_doc_no", "at most 64"),
    ({"summary": "a\x00b"}, "summary", "NUL"),
    ({"decision_doc_no": "\x00"}, "decision_doc_no", "NUL"),
    ({"external_id": "C\x001"}, "external_id", "NUL"),
    ({"points": "10"}, "points", "unknown field"),  # points come from the catalog, not the caller
    ({"dimension": "pro_social"}, "dimension", "unknown field"),
    ({"person_id": 1}, "person_id", "unknown field"),
]


async def test_one_bad_field_is_refused(client, who, court) -> None:
    # One database for the whole table: a refusal stores nothing, so the cases are independent.
    for overrides, field, message in ONE_BAD_FIELD:
        body = await refused(client, 422, "validation_failed", court, json=[good(who, **overrides)])
        assert where(body) == [(1, field)], overrides
        assert message in body["errors"][0]["message"], (overrides, body["errors"])
        assert body["error_count"] == 1


async def test_every_problem_is_listed_by_line_and_field(client, who, court) -> None:
    for content_type in ("application/json", "application/x-ndjson"):
        await _every_problem(client, who, court, content_type)


async def _every_problem(client, who, court, content_type: str) -> None:
    items = [
        good(who, "OK-1"),
        good(who, "B-2", type="NOPE", id_number=wrong_check_digit(who.id_number)),
        good(who, "B-3", decision_date="2999-01-01", summary=3, extra=True),
        good(who, "OK-1", decision_date=ago(3)),  # duplicate of line 1
        good(who, "OK-5", decision_date=ago(4)),
    ]
    request = {"json": items} if content_type == "application/json" else {"content": ndjson(items)}
    headers = court if content_type == "application/json" else {**court, **NDJSON}
    body = await refused(client, 422, "validation_failed", headers, **request)
    assert where(body) == [
        (2, "id_number"),
        (2, "type"),
        (3, "decision_date"),
        (3, "extra"),
        (3, "summary"),
        (4, "external_id"),
    ]
    assert body["error_count"] == 6
    assert "nothing was stored" in body["detail"]
    assert "duplicate of line 1" in body["errors"][-1]["message"]
    assert "check_digit" in body["errors"][0]["message"]


async def test_a_valid_id_number_not_in_the_register(client, who, court) -> None:
    stranger = idnumber.make("420202", dt.date(1990, 1, 1), 555)
    assert idnumber.problem_with(stranger) is None
    body = await refused(
        client,
        422,
        "validation_failed",
        court,
        json=[good(who, "A"), good(who, "B", id_number=stranger)],
    )
    assert where(body) == [(2, "id_number")]
    assert body["errors"][0]["message"] == "not in the population register"


async def test_a_decision_on_the_birth_date_or_today_is_accepted(client, who, court) -> None:
    items = [
        good(who, "B", decision_date=BIRTH.isoformat()),
        good(who, "T", decision_date=today().isoformat()),
    ]
    response = await client.post(URL, json=items, headers=court)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2


async def test_an_id_number_typed_with_full_width_characters_or_spaces_is_accepted(
    client, who, court
) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in who.id_number)
    spaced = f" {who.id_number[:6]} {who.id_number[6:14]} {who.id_number[14:]} "
    items = [
        good(who, "W", id_number=full_width),
        good(who, "S", id_number=spaced, decision_date=ago(2)),
    ]
    response = await client.post(URL, json=items, headers=court)
    assert response.status_code == 200, response.text
    assert await CreditRecord.filter(person_id=who.person.id).count() == 2


async def test_duplicate_external_ids_within_one_batch(client, who, court) -> None:
    items = [good(who, "D", decision_date=ago(d)) for d in (1, 2, 3)] + [good(who, "E")]
    body = await refused(client, 422, "validation_failed", court, json=items)
    assert where(body) == [(2, "external_id"), (3, "external_id")]
    assert all("duplicate of line 1" in e["message"] for e in body["errors"])


async def test_an_external_id_already_used_for_a_different_record(client, app, who, court) -> None:
    first = await client.post(URL, json=[good(who, "C-1")], headers=court)
    assert first.status_code == 200
    for change in (
        {"decision_date": ago(11)},
        {"summary": "另一件事"},
        {"decision_doc_no": "(2026)鄂02执2号"},
    ):
        body = await refused(
            client, 422, "validation_failed", court, json=[good(who, "C-1", **change)]
        )
        assert where(body) == [(1, "external_id")]
        assert "correctRecord" in body["errors"][0]["message"]
    other = await make_person(app.state.ctx.cipher, name="赵强")
    body = await refused(
        client, 422, "validation_failed", court, json=[good(who, "C-1", id_number=other.id_number)]
    )
    assert where(body) == [(1, "external_id")]


async def test_the_same_record_resubmitted_is_unchanged(client, who, court) -> None:
    first = await client.post(URL, json=[good(who, "C-1")], headers=court)
    assert first.status_code == 200
    before = await credit_counts()
    history = await ScoreHistory.all().values_list("id", flat=True)
    again = await client.post(URL, json=[good(who, "C-1")], headers=court)
    assert again.status_code == 200, again.text
    assert again.json() == {"received": 1, "created": 0, "unchanged": 1, "people_rescored": 0}
    after = await credit_counts()
    # Only the audit trail notes the (empty) submission; no record, score or history row.
    assert {k: v for k, v in after.items() if k != "AuditEntry"} == {
        k: v for k, v in before.items() if k != "AuditEntry"
    }
    assert after["AuditEntry"] == before["AuditEntry"] + 1
    assert await ScoreHistory.all().values_list("id", flat=True) == history
    # The same id from another department is another record.
    health = await department("health")
    response = await client.post(
        URL, json=[good(who, "C-1", type="PRO_BLOOD_DONATION")], headers=health
    )
    assert response.json()["created"] == 1


async def test_malformed_ndjson_lines_do_not_hide_the_other_problems(client, who, court) -> None:
    lines = [
        json.dumps(good(who, "L1")).encode(),
        b'{"external_id": "L2", ',  # cut short
        b"",  # blank lines are skipped but counted
        json.dumps(good(who, "L4", type="NOPE")).encode(),
        b"[1, 2]",  # JSON, but not an object
        b"\xff\xfe{}",  # not UTF-8
        b"[" * 4000 + b"]" * 4000,  # nested too deeply for a record (and within MAX_LINE)
        json.dumps(good(who, "L8", decision_date=ago(8))).encode(),
    ]
    body = await refused(
        client, 422, "validation_failed", {**court, **NDJSON}, content=b"\n".join(lines) + b"\n"
    )
    assert where(body) == [
        (2, "(line)"),
        (4, "type"),
        (5, "(record)"),
        (6, "(line)"),
        (7, "(line)"),
    ]
    assert body["errors"][0]["message"].startswith("malformed JSON")


async def test_ndjson_with_crlf_and_without_a_final_newline(client, who, court) -> None:
    content = (
        json.dumps(good(who, "A")).encode()
        + b"\r\n"
        + json.dumps(good(who, "B", decision_date=ago(2))).encode()
    )
    response = await client.post(URL, content=content, headers={**court, **NDJSON})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2


NOT_AN_ARRAY = [
    (b'{"records": []}', 422, "validation_failed"),
    (b'{"external_id": "A"}', 422, "validation_failed"),
    (b'"text"', 422, "validation_failed"),
    (b"42", 422, "validation_failed"),
    (b"null", 422, "validation_failed"),
    (b"[", 400, "malformed_json"),
    (b"[{'a': 1}]", 400, "malformed_json"),
    (b"\xff\xfe[]", 400, "malformed_json"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "malformed_json"),
]


async def test_a_json_body_that_is_not_an_array(client, court) -> None:
    for raw, status, code in NOT_AN_ARRAY:
        body = await refused(
            client, status, code, {**court, "Content-Type": "application/json"}, content=raw
        )
        if status == 422:
            assert where(body) == [(0, "(body)")], raw


async def test_an_empty_batch(client, court) -> None:
    for raw, content_type in (
        (b"[]", "application/json"),
        (b"", "application/x-ndjson"),
        (b"\n\n  \n", "application/x-ndjson"),
    ):
        body = await refused(
            client, 422, "validation_failed", {**court, "Content-Type": content_type}, content=raw
        )
        assert body["detail"] == "the batch is empty"


async def test_wrong_content_type(client, who, court) -> None:
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonl",
        "",
    ):
        headers = {**court, "Content-Type": content_type} if content_type else court
        await refused(
            client, 415, "unsupported_media_type", headers, content=json.dumps([good(who)]).encode()
        )


async def test_content_type_parameters_are_allowed(client, who, court) -> None:
    headers = {**court, "Content-Type": "Application/JSON; charset=utf-8"}
    response = await client.post(URL, content=json.dumps([good(who)]).encode(), headers=headers)
    assert response.status_code == 200, response.text


async def test_more_than_the_maximum_number_of_records(client, court) -> None:
    count = ingest.MAX_RECORDS + 1
    for content_type in ("application/x-ndjson", "application/json"):
        # The smallest possible records: the count alone decides.
        raw = (
            b"0\n" * count
            if content_type == "application/x-ndjson"
            else b"[" + b"0," * (count - 1) + b"0]"
        )
        started = time.perf_counter()
        body = await refused(
            client, 413, "payload_too_large", {**court, "Content-Type": content_type}, content=raw
        )
        assert time.perf_counter() - started < 10
        assert str(ingest.MAX_RECORDS) in body["detail"]
    # A declared length over the byte limit is refused before reading anything.
    headers = {**court, **NDJSON, "Content-Length": str(ingest.MAX_BYTES + 1)}
    await refused(client, 413, "payload_too_large", headers, content=b"0\n")


async def test_exactly_the_maximum_number_of_records_is_not_too_many(client, court) -> None:
    raw = b"0\n" * ingest.MAX_RECORDS
    body = await refused(client, 422, "validation_failed", {**court, **NDJSON}, content=raw)
    assert body["error_count"] == ingest.MAX_RECORDS
    assert body["errors"][-1] == {
        "line": ingest.MAX_RECORDS,
        "field": "(record)",
        "message": "each record must be a JSON object",
    }


def _padded_line(who, size: int) -> bytes:
    line = json.dumps(good(who, "P")).encode()
    return line[:-1] + b" " * (size - len(line)) + b"}"


async def test_an_oversized_line(client, who, court) -> None:
    for chunked in (False, True):
        await _oversized_line(client, who, court, chunked)


async def _oversized_line(client, who, court, chunked: bool) -> None:
    at_limit = _padded_line(who, ingest.MAX_LINE)
    too_long = _padded_line(who, ingest.MAX_LINE + 1)
    assert len(at_limit) == ingest.MAX_LINE and len(too_long) == ingest.MAX_LINE + 1

    def body(line: bytes, tail: bytes) -> Any:
        data = json.dumps(good(who, "Q", decision_date=ago(2))).encode() + b"\n" + line + tail
        if not chunked:
            return data

        async def chunks():
            for start in range(0, len(data), 1000):
                yield data[start : start + 1000]

        return chunks()

    for tail in (b"\n", b""):
        problem_body = await refused(
            client, 413, "payload_too_large", {**court, **NDJSON}, content=body(too_long, tail)
        )
        assert "line 2" in problem_body["detail"]
    response = await client.post(URL, content=body(at_limit, b"\n"), headers={**court, **NDJSON})
    assert response.status_code == 200, response.text
    # The first round stores both records; the second round sends the same two again.
    assert (response.json()["created"], response.json()["unchanged"]) == (
        (0, 2) if chunked else (2, 0)
    )


async def test_no_token_or_an_unknown_token_is_401(client, who) -> None:
    await refused(client, 401, "unauthenticated", {}, json=[good(who)])
    for authorization in (
        "Bearer ",
        "Bearer xy_dep_00000000_notarealtoken",
        "Bearer not-even-the-format",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "xy_" + "a" * 300,
    ):
        await refused(
            client, 401, "unauthenticated", {"Authorization": authorization}, json=[good(who)]
        )


async def test_a_revoked_token_is_401(client, who, court) -> None:
    token = await ApiToken.get()
    token.revoked_at = dt.datetime.now(dt.UTC)
    await token.save()
    await refused(client, 401, "unauthenticated", court, json=[good(who)])


async def test_a_resident_session_is_403(client, app, authenticator, who) -> None:
    await enrol(client, authenticator, who)
    await refused(client, 403, "forbidden", csrf(client), json=[good(who)])
    assert (await client.get("/api/v1/me/score")).status_code == 200  # the session itself works


async def test_a_staff_session_is_403(client, authenticator, who) -> None:
    for role in ("officer", "auditor", "department_submitter", "counter_operator", "partner_admin"):
        await make_staff(client, authenticator, [role], name=f"员工{role}")
        assert (await client.get("/api/v1/me/score")).status_code == 403  # signed in as this role
        await refused(client, 403, "forbidden", csrf(client), json=[good(who)])


async def test_a_refused_batch_leaves_an_existing_score_alone(client, who, court) -> None:
    assert (await client.post(URL, json=[good(who, "C-1")], headers=court)).status_code == 200
    score = await Score.get(person_id=who.person.id)
    body = await refused(
        client,
        422,
        "validation_failed",
        court,
        json=[good(who, "C-2", decision_date=ago(2)), good(who, "C-3", type="NOPE")],
    )
    assert where(body) == [(2, "type")]
    assert (await Score.get(person_id=who.person.id)).computed_at == score.computed_at
