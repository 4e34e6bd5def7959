"""Helpers for the due-process tests: a signed-in resident with a negative record, evidence
files, passkey signing of a commitment, and a department's token."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import httpx

from backend.core.clock import today
from backend.credit.models import CreditRecord
from backend.credit.service import rescore_person
from tests.authenticator import SoftAuthenticator
from tests.credit.helpers import add_record, department
from tests.factories import RegisteredPerson, csrf, enrol, make_person

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"\xff\xd9"
EXE = b"MZ\x90\x00" + b"\x00" * 60  # a Windows executable, whatever its name says


@dataclass
class Resident:
    client: httpx.AsyncClient
    auth: SoftAuthenticator
    who: RegisteredPerson

    @property
    def person_id(self) -> int:
        return int(self.who.person.id)

    def headers(self) -> dict[str, str]:
        return csrf(self.client)


async def resident(client: httpx.AsyncClient, app: Any, name: str = "张伟明") -> Resident:
    auth = SoftAuthenticator(origin="http://localhost:8000")
    who = await make_person(app.state.ctx.cipher, name=name)
    await enrol(client, auth, who)
    return Resident(client, auth, who)


async def negative_record(
    person_id: int,
    *,
    code: str = "LAW_PENALTY_GENERAL",
    months_ago: int = 4,
    department: str = "market_regulation",
) -> CreditRecord:
    """A general penalty decided `months_ago` (its minimum period is 3 months), re-scored."""
    decided = today() - dt.timedelta(days=31 * months_ago)
    record = await add_record(person_id, code, decided, department=department)
    await rescore_person(person_id=person_id, cause="record")
    return record


async def start_repair(r: Resident, record_id: int, locale: str = "zh-CN") -> dict[str, Any]:
    response = await r.client.post(
        "/api/v1/me/repairs/start",
        json={"record_id": record_id, "locale": locale},
        headers=r.headers(),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def form(
    record_id: int, credential: dict[str, Any], statement: str = "罚款已于上月缴清。"
) -> dict[str, str]:
    return {
        "record_id": str(record_id),
        "statement": statement,
        "credential": json.dumps(credential),
    }


async def file_repair(
    r: Resident,
    record_id: int,
    files: list[tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    started = await start_repair(r, record_id)
    assertion = r.auth.get(started["publicKey"])
    chosen = files if files is not None else [("receipt.pdf", PDF, "application/pdf")]
    upload = [("evidence", f) for f in chosen]
    return await r.client.post(
        "/api/v1/me/repairs",
        data=form(record_id, assertion),
        files=upload,
        headers=r.headers(),
    )


async def department_headers(code: str = "market_regulation") -> dict[str, str]:
    return await department(code)
