"""Bad input on the API: always a clear 4xx problem+json, and nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from backend.auth.models import Throttle
from backend.residents import idnumber
from tests.dbstate import row_counts
from tests.factories import csrf, make_person, make_staff

START = "/api/v1/enrolment/start"
PROBLEM = "application/problem+json"


@pytest.fixture
async def person(app):
    return await make_person(app.state.ctx.cipher, name="张伟明")


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:xinyi:problem:{code}"
    assert body["title"] and body["detail"]
    assert body["instance"] == START
    return body


async def _refused(client, status: int, code: str, **request) -> dict:
    before = await row_counts()
    response = await client.post(START, **request)
    body = _problem(response, status, code)
    assert await row_counts() == before
    return body


MALFORMED = [
    b"{",
    b'{"name": "x",}',
    b"nul",
    b"{'name': 'x'}",
    b"\xff\xfe{}",
    b'{"name": "\\ud800"',
]
NOT_OBJECTS = [b"[]", b'[{"name": "x"}]', b"42", b'"text"', b"null", b"true"]
JSON = {"content-type": "application/json"}


async def test_malformed_json_is_400(client, person) -> None:
    for raw in MALFORMED:
        body = await _refused(client, 400, "malformed_json", content=raw, headers=JSON)
        assert "not valid JSON" in body["detail"], raw


async def test_json_that_is_not_an_object_is_422(client, person) -> None:
    for raw in NOT_OBJECTS:
        body = await _refused(client, 422, "validation_failed", content=raw, headers=JSON)
        assert body["errors"][0]["field"] == "(body)", raw


async def test_empty_body_is_422(client, person) -> None:
    await _refused(
        client, 422, "validation_failed", content=b"", headers={"content-type": "application/json"}
    )


async def test_wrong_field_types_are_422_naming_the_field(client, person) -> None:
    body = await _refused(
        client,
        422,
        "validation_failed",
        json={"name": person.name, "id_number": 420202198506150110},
    )
    assert [e["field"] for e in body["errors"]] == ["id_number"]
    body = await _refused(
        client, 422, "validation_failed", json={"name": ["张"], "id_number": person.id_number}
    )
    assert [e["field"] for e in body["errors"]] == ["name"]


async def test_unknown_extra_fields_are_422(client, person) -> None:
    body = await _refused(
        client,
        422,
        "validation_failed",
        json={"name": person.name, "id_number": person.id_number, "is_admin": True},
    )
    assert [(e["field"], e["type"]) for e in body["errors"]] == [("is_admin", "extra_forbidden")]


async def test_missing_fields_are_422(client, person) -> None:
    for payload in (
        {},
        {"name": "张伟明"},
        {"recovery_code": "ABCD-EFGH-JKMN-PQRS"},
        {"name": "", "id_number": ""},
    ):
        await _refused(client, 422, "validation_failed", json=payload)


async def test_missing_id_number_is_422(client, person) -> None:
    body = await _refused(client, 422, "validation_failed", json={"name": person.name})
    assert body["errors"][0]["type"] == "missing"


async def test_wrong_content_type_is_415(client, person) -> None:
    raw = b'{"name": "x", "id_number": "y"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx"):
        headers = {"content-type": content_type}
        await _refused(client, 415, "unsupported_media_type", content=raw, headers=headers)
    await _refused(client, 415, "unsupported_media_type", content=raw)  # no content type


async def test_json_with_charset_parameter_is_accepted(client, person) -> None:
    response = await client.post(
        START,
        content=f'{{"name": "{person.name}", "id_number": "{person.id_number}"}}'.encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200, response.text


def _oversized(app) -> bytes:
    limit = app.state.max_json_bytes
    padding = "x" * limit
    return f'{{"name": "{padding}", "id_number": "1"}}'.encode()


async def test_oversized_body_with_content_length_is_413(client, app, person) -> None:
    raw = _oversized(app)
    await _refused(
        client,
        413,
        "payload_too_large",
        content=raw,
        headers={"content-type": "application/json", "content-length": str(len(raw))},
    )


async def test_oversized_body_without_content_length_is_413(client, app, person) -> None:
    raw = _oversized(app)

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(raw), 4096):
            yield raw[i : i + 4096]

    before = await row_counts()
    response = await client.post(
        START, content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers  # streamed, length unknown
    _problem(response, 413, "payload_too_large")
    assert await row_counts() == before


async def test_an_understated_content_length_does_not_get_past_the_limit(client, app) -> None:
    raw = _oversized(app)

    async def chunks() -> AsyncIterator[bytes]:
        yield raw

    before = await row_counts()
    response = await client.post(
        START,
        content=chunks(),
        headers={"content-type": "application/json", "content-length": "10"},
    )
    assert response.status_code == 413, response.text
    assert await row_counts() == before


async def test_a_body_just_under_the_limit_is_read(client, app, person) -> None:
    # The limit refuses large bodies, not ordinary ones: this one is read and validated.
    raw = b'{"name": "' + b" " * (app.state.max_json_bytes - 100) + b'", "id_number": "1"}'
    response = await client.post(START, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"


def _with_check(first17: str) -> str:
    return first17 + idnumber.check_char(first17)


def _wrong_check(first17: str) -> str:
    right = idnumber.check_char(first17)
    return first17 + ("0" if right != "0" else "1")


future = dt.date.today() + dt.timedelta(days=400)


INVALID_NUMBERS = [
    ("4202021985", "length"),
    ("42020219850615011XX", "length"),
    ("42020219850615A11X", "length"),
    (_with_check("99020219850615001"), "area"),
    (_with_check("42020219850230001"), "birth_date"),
    (_with_check(f"420202{future:%Y%m%d}001"), "birth_date"),
    (_with_check("42020218891231001"), "birth_date"),
    (_wrong_check("42020219850615001"), "check_digit"),
]


async def test_invalid_id_numbers_are_422_on_the_id_number_field(client, person) -> None:
    for number, kind in INVALID_NUMBERS:
        body = await _refused(
            client, 422, "invalid_id_number", json={"name": person.name, "id_number": number}
        )
        assert body["errors"] == [
            {"field": "id_number", "message": f"invalid ID number ({kind})", "type": kind}
        ], number
        assert number not in body["detail"]


async def test_wrong_name_and_wrong_id_number_get_identical_answers(client, app, person) -> None:
    """The register must not be enumerable: a known number with a wrong name reads exactly
    like an unknown number."""
    unknown_number = idnumber.make("420202", dt.date(1985, 6, 15), 999)
    assert unknown_number != person.id_number
    before = await row_counts(without=(Throttle,))

    wrong_name = await client.post(START, json={"name": "李四", "id_number": person.id_number})
    wrong_number = await client.post(START, json={"name": person.name, "id_number": unknown_number})

    for response in (wrong_name, wrong_number):
        _problem(response, 422, "identity_not_matched")
    assert wrong_name.content == wrong_number.content
    assert "errors" not in wrong_name.json()
    assert wrong_name.headers.get("retry-after") == wrong_number.headers.get("retry-after")
    assert await row_counts(without=(Throttle,)) == before


async def test_name_match_ignores_spacing_and_width(client, person) -> None:
    response = await client.post(
        START, json={"name": " 张 伟明 ", "id_number": person.id_number.lower()}
    )
    assert response.status_code == 200, response.text


async def test_error_titles_follow_the_language(client, person) -> None:
    response = await client.post(
        START, content=b"{", headers={"content-type": "application/json", "accept-language": "en"}
    )
    assert response.json()["title"] == "The request body is not valid JSON"
    response = await client.post(START, content=b"{", headers={"content-type": "application/json"})
    assert response.json()["title"] == "请求内容不是有效的 JSON"


async def test_method_not_allowed_is_a_problem(client) -> None:
    response = await client.get(START)
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "method_not_allowed"


async def test_deeply_nested_json_is_a_4xx_not_a_500(client) -> None:
    before = await row_counts()
    for depth in (100, 2000, 30000):
        raw = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
        response = await client.post(START, content=raw, headers=JSON)
        assert response.status_code in (400, 422), (depth, response.text)
        assert response.headers["content-type"] == PROBLEM
    assert await row_counts() == before


async def test_nul_characters_are_refused_before_they_reach_the_database(
    client, authenticator
) -> None:
    """PostgreSQL text cannot hold U+0000: it must be a 422, not a database error."""
    await make_staff(client, authenticator, ["officer"])
    before = await row_counts()
    response = await client.post(
        "/api/v1/staff",
        json={"display_name": "新\u0000同事", "roles": ["auditor"]},
        headers=csrf(client),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["type"] == "string_nul"
    response = await client.post(
        START, json={"name": "张\u0000伟明", "id_number": "11010519491231002X"}
    )
    assert response.status_code == 422
    assert await row_counts() == before


async def test_lone_surrogates_are_422(client) -> None:
    raw = b'{"name": "\\ud800", "id_number": "11010519491231002X"}'
    response = await client.post(START, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
