"""The fast paths of a department's batch say what the full checks say: an ID number the fast
check accepts is one `idnumber.problem_with` accepts (and the full check decides every other),
a line the scanner parses is the value `json.loads` gives, and a line the one-pass check accepts
is the candidate the full check makes."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest

from backend.core.crypto import IdCipher
from backend.credit import ingest, notices
from backend.credit.catalog import load_catalog
from backend.residents import idnumber

TODAY = dt.date(2026, 11, 1)
CIPHER = IdCipher("A" * 43 + "=", "hash-key")


def _numbers() -> list[str]:
    rng = random.Random(7)
    found = ["110101199003071234", "11010119900307123x", "710000199003071230"]
    for _ in range(20_000):
        digits = rng.choice(["", "11", "42", "71", "99"]) + "".join(
            rng.choice("0123456789") for _ in range(18)
        )
        first17 = digits[:17]
        if rng.random() < 0.5:
            first17 = f"{first17[:6]}{rng.randrange(1890, 2030)}{rng.randrange(0, 14):02d}"
            first17 += f"{rng.randrange(0, 33):02d}{rng.randrange(1000):03d}"
            first17 = first17[:17]
        last = idnumber.check_char(first17) if rng.random() < 0.7 else rng.choice("0123X9x")
        number = first17 + last
        found.append(number)
        found.append(number[:-1])
        found.append(f" {number}")
    found.append(idnumber.make("420202", dt.date(2026, 11, 1), 11))  # born today
    found.append(idnumber.make("420202", dt.date(2026, 11, 2), 11))  # born tomorrow
    found.append(idnumber.make("420202", dt.date(1899, 12, 31), 11))
    found.append(idnumber.make("420202", dt.date(1900, 1, 1), 11))
    return found


def test_the_fast_id_check_accepts_only_what_the_full_check_accepts() -> None:
    accepted = 0
    for number in _numbers():
        fast = ingest._plain_valid_birth(number, TODAY)
        if fast is None:
            continue
        accepted += 1
        assert idnumber.normalise(number) == number
        assert idnumber.problem_with(number, today=TODAY) is None
        assert fast == idnumber.parse(number, today=TODAY).birth_date
    assert accepted > 1000


def test_the_batch_check_of_an_id_number_is_the_full_check() -> None:
    for number in _numbers():
        checked = ingest.check_id(number, ingest.Batch(), CIPHER, TODAY)
        problem = idnumber.problem_with(idnumber.normalise(number), today=TODAY)
        if problem is None:
            normal = idnumber.normalise(number)
            assert checked == ingest.CheckedId(
                None, idnumber.parse(normal).birth_date, CIPHER.lookup_hash(normal)
            )
        else:
            assert checked == ingest.CheckedId(f"invalid ID number ({problem.value})", None, "")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1}',
        b' {"a": 1}',
        b'{"a": 1} ',
        b'{"a": 1}\r',
        b'{"a": 1} {"b": 2}',
        b'{"a": 1},',
        b"1,2",
        b"[1,",
        b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
        '{"a": 1}'.encode("utf-16"),
        b'{"a": "\xff"}',
        b"NaN",
        b"[" * 100_000,
        b"1" * 5000,
        '{"摘要": "占道经营"}'.encode(),
        b'"\\ud800"',
        b"",
        b"   ",
    ],
)
def test_a_line_parses_as_json_loads_parses_it(raw: bytes) -> None:
    got = ingest._parse_line(raw)
    try:
        expected: Any = json.loads(raw)
    except Exception:
        assert isinstance(got, ValueError)
        return
    assert not isinstance(got, ValueError)
    assert json.dumps(got) == json.dumps(expected)


def _line(**overrides: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "external_id": "C-1",
        "id_number": idnumber.make("420202", dt.date(1985, 6, 15), 11),
        "type": "LAW_PENALTY_GENERAL",
        "decision_date": "2026-01-02",
        "summary": "占道经营",
        "decision_doc_no": "黄市监罚〔2026〕1号",
    }
    line.update(overrides)
    return {k: v for k, v in line.items() if v is not ...}


VARIANTS: list[dict[str, Any]] = [
    {},
    {"summary": ...},
    {"decision_doc_no": ...},
    {"summary": "号码 420202198506150112 在此"},
    {"summary": "x" * 500},
    {"summary": "x" * 501},
    {"summary": None},
    {"decision_doc_no": "x" * 65},
    {"external_id": ""},
    {"external_id": "x" * 65},
    {"external_id": 3},
    {"external_id": "a\x00"},
    {"summary": "\x00"},
    {"type": "NO_SUCH_TYPE"},
    {"type": ["LAW_PENALTY_GENERAL"]},
    {"decision_date": "2026-13-01"},
    {"decision_date": "2026-W01-1"},
    {"decision_date": "2999-01-01"},
    {"decision_date": "1985-06-14"},
    {"decision_date": "1985-06-15"},
    {"decision_date": 20260102},
    {"id_number": "420202198506150111"},
    {"id_number": " " + idnumber.make("420202", dt.date(1985, 6, 15), 11)},
    {"id_number": 42},
    {"extra": 1},
]


def _check(item: Any, allowed: frozenset[str]) -> ingest.Batch:
    batch = ingest.Batch()
    ingest.check_item(
        item, 1, batch, department="market_regulation", catalog=load_catalog(),
        allowed=allowed, cipher=CIPHER, today_=TODAY,
    )  # fmt: skip
    return batch


@pytest.mark.parametrize("overrides", VARIANTS)
def test_the_one_pass_check_makes_the_full_checks_candidate(overrides: dict[str, Any]) -> None:
    allowed = ingest.allowed_types(load_catalog(), "market_regulation")
    item = _line(**overrides)
    fast = _check(item, allowed)
    full = _check(item, frozenset())  # no type passes the one-pass check: the full check
    assert (fast.candidates, fast.errors) == (full.candidates, full.errors)


def test_the_usual_line_takes_the_one_pass_check() -> None:
    allowed = ingest.allowed_types(load_catalog(), "market_regulation")
    batch = ingest.Batch()
    assert ingest._plain_candidate(_line(), 1, batch, allowed, CIPHER, TODAY)
    assert len(batch.candidates) == 1 and not batch.errors


@pytest.mark.parametrize("type_code", sorted(load_catalog().types))
def test_a_batch_notice_says_what_a_single_records_notice_says(type_code: str) -> None:
    catalog = load_catalog()
    record_type = catalog.types[type_code]
    decided = dt.date(2026, 1, 31)
    dates = (decided, dt.date(2026, 4, 30), dt.date(2027, 1, 31))
    department = sorted(record_type.departments)[0] if record_type.departments else "court"
    text = notices.batch_params(type_code, department, record_type.points, dates, catalog)
    single = notices.record_notice(
        {
            "person_id": 1, "department": department, "external_id": "E-1",
            "type_code": type_code, "points": record_type.points, "decision_date": dates[0],
            "repairable_from": dates[1], "expires_on": dates[2],
        },
        catalog,
    )  # fmt: skip
    if record_type.points >= 0:
        assert text is None
        return
    assert text is not None and json.loads(text) == json.loads(json.dumps(single.params))
    assert single.key == notices.notice_key(department, "E-1")
