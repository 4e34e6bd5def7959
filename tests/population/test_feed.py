"""The feed's line format, line by line (backend/population/feed.py): what is read and why a
line is rejected — and a rejection never carries the ID number."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from backend.population.feed import (
    Change,
    ChangeKind,
    Format,
    LineProblem,
    LineReader,
    Rejection,
    format_of,
)
from backend.residents import idnumber

TODAY = dt.date(2026, 12, 1)
GOOD = idnumber.make("420202", dt.date(1985, 6, 15), 11)
BAD_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
DISTRICTS = ("420202", "420281")


def read_json(item: object) -> Change | Rejection | None:
    reader = LineReader(Format.NDJSON, DISTRICTS, TODAY)
    return reader.read(7, json.dumps(item, ensure_ascii=False).encode())


REJECTED = [
    ({"id_number": GOOD, "name": "王建国"}, "seq", LineProblem.SEQ),
    ({"seq": 0, "id_number": GOOD}, "seq", LineProblem.SEQ),
    ({"seq": True, "id_number": GOOD}, "seq", LineProblem.SEQ),
    ({"seq": "3", "id_number": GOOD}, "seq", LineProblem.SEQ),
    ({"seq": 1, "id_number": BAD_CHECK, "name": "王建国"}, "id_number", LineProblem.ID_NUMBER),
    ({"seq": 1, "id_number": "420202" + "2099" + "0101" + "0011"}, "id_number",
     LineProblem.ID_NUMBER),
    ({"seq": 1, "id_number": 420202}, "id_number", LineProblem.ID_NUMBER),
    ({"seq": 1, "id_number": GOOD, "name": "王" * 65}, "name", LineProblem.NAME),
    ({"seq": 1, "id_number": GOOD, "name": "王\x07"}, "name", LineProblem.NAME),
    ({"seq": 1, "id_number": GOOD, "name": ""}, "name", LineProblem.NAME),
    ({"seq": 1, "id_number": GOOD, "district": "110101"}, "district", LineProblem.DISTRICT),
    ({"seq": 1, "id_number": GOOD, "district": ["420202"]}, "district", LineProblem.DISTRICT),
    ({"seq": 1, "id_number": GOOD, "change": "emigrated"}, "change", LineProblem.CHANGE),
    ({"seq": 1, "id_number": GOOD, "birth": "1985"}, "birth", LineProblem.UNKNOWN_FIELD),
    ([1, 2], "(line)", LineProblem.MALFORMED),
]  # fmt: skip


@pytest.mark.parametrize(("item", "field", "reason"), REJECTED)
def test_a_bad_line_is_rejected_with_its_field_and_reason(item, field, reason) -> None:
    got = read_json(item)
    assert got == Rejection(7, field, reason)
    assert GOOD not in json.dumps(got.as_dict()) and GOOD[:17] not in json.dumps(got.as_dict())


def test_a_good_line_is_read_normalised() -> None:
    full_width = GOOD.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    got = read_json({"seq": 9, "id_number": full_width, "name": " 王建国 ", "district": "420281",
                     "change": "moved_in"})  # fmt: skip
    assert got == Change(7, 9, GOOD, ChangeKind.MOVED_IN, "王建国", "420281")
    assert read_json({"seq": 2, "id_number": GOOD}) == Change(
        7, 2, GOOD, ChangeKind.UPSERT, None, None
    )


def test_other_line_problems() -> None:
    reader = LineReader(Format.NDJSON, DISTRICTS, TODAY)
    assert reader.read(1, b"") is None and reader.read(2, b"   ") is None
    assert reader.read(3, b"{not json") == Rejection(3, "(line)", LineProblem.MALFORMED)
    assert reader.read(4, b"\xff\xfe{}") == Rejection(4, "(line)", LineProblem.ENCODING)
    long = json.dumps({"seq": 1, "id_number": GOOD, "name": "x" * 5000}).encode()
    assert reader.read(5, long) == Rejection(5, "(line)", LineProblem.TOO_LONG)


def test_csv_has_a_header_in_any_order_and_quoted_cells() -> None:
    reader = LineReader(Format.CSV, DISTRICTS, TODAY)
    assert reader.read(1, "\ufeffname,id_number,seq,district,change".encode()) is None
    assert reader.read(2, f"王建国,{GOOD},5,420202,".encode()) == Change(
        2, 5, GOOD, ChangeKind.UPSERT, "王建国", "420202"
    )
    assert reader.read(3, f'"王,建国",{GOOD},6,420202,death'.encode()) == Change(
        3, 6, GOOD, ChangeKind.DEATH, "王,建国", "420202"
    )
    assert reader.read(4, f"王建国,{GOOD},5".encode()) == Rejection(
        4, "(line)", LineProblem.MALFORMED
    )
    assert reader.read(5, f"王建国,{GOOD},x5,420202,".encode()) == Rejection(
        5, "seq", LineProblem.SEQ
    )
    other = LineReader(Format.CSV, DISTRICTS, TODAY)
    assert other.read(1, b"seq,id_number,birth_date") == Rejection(
        1, "birth_date", LineProblem.UNKNOWN_FIELD
    )


def test_the_format_follows_the_file_name() -> None:
    assert format_of("export-2026.CSV") is Format.CSV
    assert format_of("changes.jsonl") is Format.NDJSON
    assert format_of("-") is Format.NDJSON
