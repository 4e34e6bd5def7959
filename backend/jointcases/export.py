"""The joint-case export for the provincial platform: CSV or XLSX, one row per case, read in
chunks and written as it goes (bounded memory), ID numbers masked.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) are prefixed with an apostrophe (OWASP "CSV injection"); the XLSX writes every text
cell as a string, never a formula. The XLSX is written by XlsxWriter in constant-memory mode to
a private temporary file, streamed, then deleted.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import xlsxwriter

from ..core.i18n import translate
from ..credit.catalog import load_catalog
from ..partners.models import Partner
from ..residents import register
from ..residents.models import Person
from . import measures, service
from .models import JointCase

MAX_ROWS = 1_000_000  # under a worksheet's 1,048,576 rows
READ_BYTES = 64 * 1024
COLUMNS = (
    "case_id", "month", "date", "list", "kind", "measure", "measure_name", "organisation",
    "organisation_name", "person", "case_reference", "source", "summary",
)  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = frozenset({"case_id"})


def guarded(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs."""
    return "'" + value if value.startswith(FORMULA_START) else value


async def _rows(filters: service.Filters, locale: str) -> AsyncIterator[list[Any]]:
    departments = load_catalog().departments
    sent = 0
    async for chunk in service.each_case(filters=filters):
        people = {
            p.id: register.shown_id(p)
            for p in await Person.filter(id__in=sorted({c.person_id for c in chunk if c.person_id}))
        }
        partners = dict(
            await Partner.filter(
                id__in=sorted({c.partner_id for c in chunk if c.partner_id is not None})
            ).values_list("id", "name")
        )
        for case in chunk:
            if sent >= MAX_ROWS:
                return
            sent += 1
            yield _row(case, people, partners, departments, locale)


def _row(case: JointCase, people: dict[int, str], partners: dict[int, str],
         departments: dict[str, dict[str, str]], locale: str) -> list[Any]:  # fmt: skip
    if case.partner_id is not None:
        organisation_name = str(partners.get(case.partner_id, ""))
    else:
        names = departments.get(case.department, {})
        organisation_name = names.get(locale) or names.get("zh-CN", case.department)
    return [
        case.id,
        case.month,
        case.occurred_on.isoformat(),
        case.list_kind,
        measures.kind_of(case.list_kind),
        case.measure,
        translate(locale, f"jointcase.measure.{case.measure}"),
        service.organisation_of(case),
        organisation_name,
        people.get(case.person_id, "") if case.person_id else "",
        case.case_reference,
        case.source,
        case.summary,
    ]


async def csv_chunks(*, filters: service.Filters, locale: str) -> AsyncIterator[bytes]:
    """UTF-8 with a byte-order mark (so a spreadsheet reads the Chinese right), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for row in _rows(filters, locale):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([v if isinstance(v, int) else guarded(str(v)) for v in row])
        yield buffer.getvalue().encode()


async def xlsx_file(*, filters: service.Filters, locale: str) -> str:
    """The workbook written to a temporary file (owner-only); the caller streams and deletes it."""
    handle, path = tempfile.mkstemp(prefix="joint-cases-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path, {"constant_memory": True, "strings_to_formulas": False}
        )
        sheet = workbook.add_worksheet("joint_cases")
        bold = workbook.add_format({"bold": True})
        for col, name in enumerate(COLUMNS):
            sheet.write_string(0, col, name, bold)
        line = 0
        async for row in _rows(filters, locale):
            line += 1
            for col, value in enumerate(row):
                if COLUMNS[col] in NUMERIC:
                    sheet.write_number(line, col, value)
                else:
                    sheet.write_string(line, col, str(value))
        sheet.freeze_panes(1, 0)
        workbook.close()
    except BaseException:
        os.unlink(path)
        raise
    return path


def read_and_delete(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as f:
            while block := f.read(READ_BYTES):
                yield block
    finally:
        os.unlink(path)
