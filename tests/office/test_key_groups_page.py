"""The office's key-group page: an officer sees the coverage of the 16 key groups, per group
and per reporting department, as `getKeyGroupCoverage` gives it, in both languages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx

from backend.apitokens.service import create_token
from backend.core.clock import today
from tests.credit.helpers import add_record
from tests.factories import make_person


async def _justice() -> dict[str, str]:
    _, secret = await create_token(
        officer=None, kind="department", organisation="justice", label="t",
        scopes=["records.submit"],
    )  # fmt: skip
    return {"Authorization": f"Bearer {secret}"}


def _cell(page: str, row: str, attribute: str) -> int:
    match = re.search(rf'<tr id="kg-{row}">.*?data-{attribute}="(\d+)"', page, re.S)
    assert match, page
    return int(match.group(1))


async def test_an_officer_sees_key_group_coverage_per_group_and_department(
    app: Any, officer: httpx.AsyncClient
) -> None:
    cipher = app.state.ctx.cipher
    a, b = await make_person(cipher), await make_person(cipher, name="李娜")
    start = (today() - dt.timedelta(days=400)).isoformat()
    batch = [
        {"external_id": f"L-{n}", "id_number": p.id_number, "group": "lawyer", "from": start,
         "licence_or_registry": f"1420200000{n}"}
        for n, p in enumerate((a, b))
    ]  # fmt: skip
    stored = await officer.post(
        "/api/v1/occupation-memberships", json=batch, headers=await _justice()
    )
    assert stored.status_code == 200, stored.text
    await add_record(a.person.id, "OCC_LAWYER_SANCTION", today() - dt.timedelta(days=20))

    page = await officer.get("/office/key-groups")
    assert page.status_code == 200, page.text
    text = page.text
    assert "重点职业人群覆盖" in text and '<html lang="zh-CN">' in text
    assert 'href="/office/key-groups" aria-current="page"' in text  # in the office nav
    assert text.count('<tr id="kg-') == 16
    assert (_cell(text, "lawyer", "members"), _cell(text, "lawyer", "with-records")) == (2, 1)
    assert (_cell(text, "teacher", "members"), _cell(text, "teacher", "with-records")) == (0, 0)
    department = re.search(r'<li id="kg-lawyer-justice">([^<]*)<span class="num">(\d+)<', text)
    assert department and department.group(2) == "2" and "司法" in department.group(1)
    assert "OCC_LAWYER_SANCTION" in text and "《" in text  # record type with its legal basis
    # the same figures as the API
    api = (await officer.get("/api/v1/office/key-groups")).json()["groups"]
    lawyer = next(g for g in api if g["code"] == "lawyer")
    assert (lawyer["members"], lawyer["members_with_records"]) == (2, 1)

    english = (await officer.get("/office/key-groups?lang=en")).text
    assert "Key groups: coverage" in english and "Lawyer" in english
    assert '<html lang="en">' in english


async def test_the_key_group_page_is_linked_from_the_office_home(
    officer: httpx.AsyncClient,
) -> None:
    home = (await officer.get("/office")).text
    assert home.count('href="/office/key-groups"') == 2  # the section nav and the home cards
    assert (
        home.count('href="/office/data-use"') == 2 and home.count('href="/office/joint-cases"') == 2
    )
