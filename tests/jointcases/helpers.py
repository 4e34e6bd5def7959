"""Helpers for the joint-case tests: department tokens that may report, list entries, a
resident's phone with a pass that carries the lists, and the exports read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx
import openpyxl

from backend.apitokens.service import create_department_token
from backend.core import clock
from backend.credit.catalog import department_codes
from backend.credit.models import ListEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, make_person
from tests.partners.helpers import give_good_tier
from tests.passes.device import Phone

URL = "/api/v1/joint-cases"
OFFICE = "/api/v1/office/joint-cases"


async def department(code: str) -> dict[str, str]:
    """A department token made as the tokens page makes it (with its standard scopes)."""
    _, secret = await create_department_token(
        officer=None, department=code, label="前置机", departments=department_codes()
    )
    return {"Authorization": f"Bearer {secret}"}


async def put_on_list(person_id: int, kind: str, *, days_ago: int = 1) -> None:
    await ListEntry.create(
        person_id=person_id, kind=kind, source="manual", reason="测试名单",
        legal_basis="《黄石市个人诚信体系建设实施方案》", decision_doc_no=f"(2026)黄信{kind}1号",
        start=clock.today() - dt.timedelta(days=days_ago), status="active",
    )  # fmt: skip


async def listed_phone(app: Any, http: httpx.AsyncClient, *, name: str,
                       lists: tuple[str, ...]) -> tuple[Phone, Any]:  # fmt: skip
    """An enrolled resident of tier good on `lists`, whose phone holds a fresh pass."""
    who = await make_person(app.state.ctx.cipher, name=name)
    await enrol(http, SoftAuthenticator(origin=ORIGIN), who)
    await give_good_tier(who.person.id)
    for kind in lists:
        await put_on_list(who.person.id, kind)
    phone = Phone()
    issued = await http.post(
        "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(http)
    )
    assert issued.status_code == 201, issued.text
    phone.take(issued.json())
    return phone, who


def case(external_id: str, **over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "external_id": external_id,
        "list": "black",
        "measure": "market_punishment",
        "date": (clock.today() - dt.timedelta(days=3)).isoformat(),
        "summary": "限制高消费",
    }
    out.update(over)
    return {k: v for k, v in out.items() if v is not None}


def csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(body: bytes) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    sheet = book["joint_cases"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]
