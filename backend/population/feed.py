"""The register feed's line format (docs/register-feed.md): one person's change per line, as
CSV (a header row, then one record per physical line) or NDJSON (one JSON object per line).

Pure: a raw line in, a `Change` or a `Rejection` out. A rejection names the line, the field
and a reason from `LineProblem`, never the ID number: the report of a file is shown to
operators and kept with the import run.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from ..residents import idnumber

MAX_LINE_BYTES = 4096
MAX_NAME_CHARS = 64  # residents.models.Person.name
MAX_SEQ = 2**63 - 1
FIELDS = ("seq", "id_number", "name", "district", "change")


class ChangeKind(StrEnum):
    """What the population database says happened to the person (变动类型)."""

    UPSERT = "upsert"  # 登记或更正: a new person, or a name or district change
    MOVED_IN = "moved_in"  # 迁入: back in the city (or new), an active resident again
    MOVED_OUT = "moved_out"  # 迁出本市: no longer a resident
    DEATH = "death"  # 死亡注销: final


class Format(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"


class LineProblem(StrEnum):
    """Why a line was rejected (the `reason` of a rejection, docs/register-feed.md)."""

    MALFORMED = "malformed"  # not a JSON object / not the header's number of columns
    TOO_LONG = "too_long"  # longer than MAX_LINE_BYTES
    ENCODING = "encoding"  # not UTF-8
    UNKNOWN_FIELD = "unknown_field"  # a field the format does not have
    SEQ = "seq"  # the sequence number is missing or not an integer 1 … 2^63−1
    ID_NUMBER = "id_number"  # missing, or fails GB 11643 (area, birth date, check digit)
    NAME = "name"  # missing where needed, longer than 64 characters, or control characters
    DISTRICT = "district"  # missing where needed, or not a district of the city
    CHANGE = "change"  # not a change kind
    NOT_IN_REGISTER = "not_in_register"  # a move out or death of someone never registered
    DECEASED = "deceased"  # a change to a person registered as deceased


@dataclass(frozen=True)
class Change:
    line: int
    seq: int
    number: str  # normalised, valid
    kind: ChangeKind
    name: str | None
    district: str | None


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str
    reason: LineProblem

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "reason": self.reason.value}


class LineReader:
    """Turns the raw lines of one export into changes; knows the CSV header once it saw it."""

    def __init__(self, fmt: Format, districts: Collection[str], today: dt.date) -> None:
        self.format = fmt
        self.districts = frozenset(districts)
        self.today = today
        self.header: tuple[str, ...] | None = None

    def read(self, line_no: int, raw: bytes) -> Change | Rejection | None:
        """None for a blank line or the CSV header."""
        if len(raw) > MAX_LINE_BYTES:
            return Rejection(line_no, "(line)", LineProblem.TOO_LONG)
        try:
            text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8").strip()
        except UnicodeDecodeError:
            return Rejection(line_no, "(line)", LineProblem.ENCODING)
        if not text:
            return None
        if self.format is Format.NDJSON:
            return self._json(line_no, text)
        return self._csv(line_no, text)

    def _json(self, line_no: int, text: str) -> Change | Rejection:
        try:
            item = json.loads(text)
        except ValueError:
            return Rejection(line_no, "(line)", LineProblem.MALFORMED)
        if not isinstance(item, dict):
            return Rejection(line_no, "(line)", LineProblem.MALFORMED)
        for name in item:
            if name not in FIELDS:
                return Rejection(line_no, str(name)[:32], LineProblem.UNKNOWN_FIELD)
        seq = item.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int):
            seq = None
        return self._check(line_no, seq, item.get("id_number"), item.get("name"),
                           item.get("district"), item.get("change", "upsert"))  # fmt: skip

    def _csv(self, line_no: int, text: str) -> Change | Rejection | None:
        cells = next(csv.reader([text])) if '"' in text else text.split(",")
        if self.header is None:
            header = tuple(c.strip() for c in cells)
            unknown = [c for c in header if c not in FIELDS]
            if unknown:
                return Rejection(line_no, unknown[0][:32], LineProblem.UNKNOWN_FIELD)
            self.header = header
            return None
        if len(cells) != len(self.header):
            return Rejection(line_no, "(line)", LineProblem.MALFORMED)
        row = dict(zip(self.header, (c.strip() for c in cells), strict=True))
        raw_seq = row.get("seq", "")
        seq = int(raw_seq) if raw_seq.isascii() and raw_seq.isdigit() else None
        return self._check(line_no, seq, row.get("id_number"), row.get("name") or None,
                           row.get("district") or None, row.get("change") or "upsert")  # fmt: skip

    def _check(self, line_no: int, seq: int | None, raw_id: object, raw_name: object,
               district: object, change: object) -> Change | Rejection:  # fmt: skip
        if seq is None or not 1 <= seq <= MAX_SEQ:
            return Rejection(line_no, "seq", LineProblem.SEQ)
        if not isinstance(raw_id, str) or len(raw_id) > 40:
            return Rejection(line_no, "id_number", LineProblem.ID_NUMBER)
        number = idnumber.normalise(raw_id)
        if idnumber.problem_with(number, today=self.today) is not None:
            return Rejection(line_no, "id_number", LineProblem.ID_NUMBER)
        if change not in _KINDS:
            return Rejection(line_no, "change", LineProblem.CHANGE)
        kind = ChangeKind(change)
        name = None
        if raw_name is not None:
            name = _clean_name(raw_name)
            if name is None:
                return Rejection(line_no, "name", LineProblem.NAME)
        if district is not None and (
            not isinstance(district, str) or district not in self.districts
        ):
            return Rejection(line_no, "district", LineProblem.DISTRICT)
        return Change(line_no, seq, number, kind, name, district)


_KINDS = frozenset(k.value for k in ChangeKind)


def _clean_name(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    name = unicodedata.normalize("NFC", raw).strip()
    if not 1 <= len(name) <= MAX_NAME_CHARS or not name.isprintable():
        return None
    return name


def format_of(path_name: str, fallback: Format = Format.NDJSON) -> Format:
    """The format a file name says (`.csv`, `.ndjson` / `.jsonl`), else the fallback."""
    lower = path_name.lower()
    if lower.endswith(".csv"):
        return Format.CSV
    if lower.endswith((".ndjson", ".jsonl")):
        return Format.NDJSON
    return fallback
